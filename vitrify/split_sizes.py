"""How many samples each part of a RISE split gets: one rule for the splits and the config check."""

from __future__ import annotations


def part_sizes(n: int, valid_fraction: float, test_fraction: float) -> tuple[int, int, int]:
    """(train, validation, test) sizes of n samples: round(fraction * n) to validation and
    test, at least one each (validation only when valid_fraction > 0), the rest to training.

    The one size rule of the RISE splits (vitrify.rise.splits), applied to each cooling-rate
    set (stratified) or to all samples (random, valid_fraction 0); config validation
    checks a study's sample counts with it before any job runs.
    """
    n_valid = max(1, round(valid_fraction * n)) if valid_fraction > 0 else 0
    n_test = max(1, round(test_fraction * n))
    return n - n_valid - n_test, n_valid, n_test
