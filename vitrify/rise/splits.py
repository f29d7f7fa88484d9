"""Which samples train, validate and test a RISE regression, and which ones mine environments.

Two split conventions (config key rise.split):

- "stratified_by_rate" (default, the authors' protocol): within each cooling-rate set the
  samples are shuffled and cut into train / validation / test (the authors' public code,
  muchen1453/RISE Reductionist/Step2_Dataset.py, cuts 600/200/200 of each set's 1,000).
  Every set is in every part, so no part is made of glasses the others never saw, and the
  validation part stops the boosting early (regression.fit_and_evaluate).
- "random": one shuffle across all samples, train / test only (the project's earlier rule;
  boosting rounds then come from the cross-validation).

The mining set (rise.mining_set) is either a random fraction of every cooling-rate set, drawn
once from rise.mining_seed and independently of any regression split (the authors' rule:
Reductionist/Step1_GetULEs.py mines 40 % of each set's structures, so test structures can
shape the features), or the training part of the regression seed's split (no test structure
ever shapes the features, at the price of one mining per seed).

Every function is deterministic in its arguments and keeps the input order inside each
part, so the environment job and the regression job of one seed agree without passing files.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..split_sizes import part_sizes

# A separate random stream for the mining draw: never the same numbers as a split's seed.
_MINING_STREAM = 0x4D494E45


@dataclass(frozen=True)
class Split:
    train: list[str]
    valid: list[str]
    test: list[str]


def _unique_ids(sample_ids: Sequence[str]) -> list[str]:
    ids = [str(s) for s in sample_ids]
    if len(set(ids)) != len(ids):
        raise ValueError("sample ids are not unique")
    return ids


def _groups(ids: list[str], groups: Sequence) -> dict:
    """Group value -> positions of its samples, groups in ascending order of value."""
    if len(groups) != len(ids):
        raise ValueError(f"{len(groups)} group labels for {len(ids)} samples")
    out: dict = {}
    for i, g in enumerate(groups):
        out.setdefault(g, []).append(i)
    return {g: out[g] for g in sorted(out)}


def random_split(sample_ids: Sequence[str], test_fraction: float, seed: int) -> Split:
    """One shuffle of all samples into train and test (no validation part)."""
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
    ids = _unique_ids(sample_ids)
    n_train, _, n_test = part_sizes(len(ids), 0.0, test_fraction)
    if n_train < 2:
        raise ValueError(f"{len(ids)} samples at test_fraction={test_fraction} leave no usable split")
    test_pos = set(np.random.default_rng(seed).permutation(len(ids))[:n_test].tolist())
    return Split([s for i, s in enumerate(ids) if i not in test_pos], [],
                 [s for i, s in enumerate(ids) if i in test_pos])


def stratified_split(sample_ids: Sequence[str], groups: Sequence, valid_fraction: float,
                     test_fraction: float, seed: int) -> Split:
    """Train / validation / test cut within each group (cooling-rate set).

    Each group gives round(fraction * size) samples, at least one, to validation and to
    test, and keeps at least one for training; a group too small for that is an error.
    """
    if not (0.0 < valid_fraction < 1.0 and 0.0 < test_fraction < 1.0 and valid_fraction + test_fraction < 1.0):
        raise ValueError(f"validation ({valid_fraction}) and test ({test_fraction}) fractions must be in (0, 1) "
                         "with a sum below 1")
    ids = _unique_ids(sample_ids)
    rng = np.random.default_rng(seed)
    part = np.zeros(len(ids), dtype=np.int8)  # 0 train, 1 valid, 2 test
    for g, pos in _groups(ids, groups).items():
        n = len(pos)
        n_train, n_valid, n_test = part_sizes(n, valid_fraction, test_fraction)
        if n_train < 1:
            raise ValueError(f"cooling-rate set {g!r} has {n} samples: too few for one each in train, "
                             f"validation and test")
        order = np.asarray(pos)[rng.permutation(n)]
        part[order[:n_valid]] = 1
        part[order[n_valid:n_valid + n_test]] = 2
    return Split(*([s for s, p in zip(ids, part) if p == k] for k in range(3)))


def mining_subset(sample_ids: Sequence[str], groups: Sequence, fraction: float, seed: int) -> list[str]:
    """A random `fraction` of each group, in mining order: groups ascending, shuffled within.

    The order matters: greedy leader clustering depends on which atom comes first.
    """
    if not 0.0 < fraction <= 1.0:
        raise ValueError(f"mining fraction must be in (0, 1], got {fraction}")
    ids = _unique_ids(sample_ids)
    rng = np.random.default_rng([_MINING_STREAM, int(seed)])
    out = []
    for pos in _groups(ids, groups).values():
        take = max(1, int(round(fraction * len(pos))))
        out += [ids[pos[i]] for i in rng.permutation(len(pos))[:take]]
    return out


def per_set_subset(sample_ids: Sequence[str], groups: Sequence, per_set: int, seed) -> list[str]:
    """`per_set` samples of every group, in input order; with the same seed a smaller
    subset lies inside a larger one (learning curves, scaling benchmarks). `seed`: any
    numpy seed material."""
    ids = _unique_ids(sample_ids)
    rng = np.random.default_rng(seed)
    keep = set()
    for g, pos in _groups(ids, groups).items():
        if per_set > len(pos):
            raise ValueError(f"{per_set} samples per set asked, set {g!r} has {len(pos)}")
        keep |= {ids[pos[i]] for i in rng.permutation(len(pos))[:per_set]}
    return [s for s in ids if s in keep]


def regression_split(sample_ids: Sequence[str], groups: Sequence, settings, seed: int) -> Split:
    """The split of rise.split for one seed (settings: a block with split, test_fraction,
    validation_fraction)."""
    if settings.split == "stratified_by_rate":
        return stratified_split(sample_ids, groups, settings.validation_fraction, settings.test_fraction, seed)
    if settings.split == "random":
        return random_split(sample_ids, settings.test_fraction, seed)
    raise ValueError(f"unknown rise.split {settings.split!r}: expected stratified_by_rate or random")


def mining_ids(sample_ids: Sequence[str], groups: Sequence, settings, seed: int) -> list[str]:
    """The samples whose atoms found the environments, in mining order.

    seed: the environment file's seed (the mining seed for random_fraction, the regression
    seed for training_samples; see mining_seed_for)."""
    if settings.mining_set == "random_fraction":
        return mining_subset(sample_ids, groups, settings.mining_fraction, seed)
    if settings.mining_set == "training_samples":
        return regression_split(sample_ids, groups, settings, seed).train
    raise ValueError(f"unknown rise.mining_set {settings.mining_set!r}: expected random_fraction or training_samples")


def mining_seed_for(settings, regression_seed: int) -> int:
    """Which environment file a regression seed reads: one shared draw, or its own."""
    return int(settings.mining_seed) if settings.mining_set == "random_fraction" else int(regression_seed)
