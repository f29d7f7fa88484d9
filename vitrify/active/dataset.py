"""The next iteration's dataset: the previous one plus the newly labelled frames.

Labels with a force component above the reference stage's `max_force_eV_per_A` are
dropped and listed, as in the reference dataset: a committee can agree on a
configuration its labeller finds absurd (atoms pressed together), and one such label
would dominate the training loss. New frames are split into train/valid/test in the reference stage's fractions (split per
iteration, so each iteration's test frames measure the models where the MD went);
earlier frames keep their split, so a frame never moves from test to train.
"""

from __future__ import annotations

from ase import Atoms

from ..reference.dataset import SPLITS, filter_max_force, split_by_origin


def extend(previous: dict[str, list[Atoms]], labelled: list[Atoms], fractions: tuple[float, float, float],
           seed: int, iteration: int, max_force_eV_per_A: float) -> tuple[dict[str, list[Atoms]], list[dict]]:
    """(the grown splits, a record of each label dropped for its force)."""
    for atoms in labelled:
        if atoms.info.get("al_iteration") != iteration:
            raise ValueError(f"frame {atoms.info.get('config_id')} is from iteration "
                             f"{atoms.info.get('al_iteration')}, not {iteration}")
    kept, removed = filter_max_force(labelled, max_force_eV_per_A)
    new = split_by_origin(kept, fractions, seed + 7919 * (iteration + 1))
    return {split: list(previous.get(split, [])) + new[split] for split in SPLITS}, removed
