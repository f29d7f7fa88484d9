"""The frames an iteration labels: candidates, thinned by a diversity filter.

Farthest-point sampling on the structural descriptors of the reference stage, with the
current training set taking part in the distances: a candidate close to what the models
already learn from is picked last. Deterministic for the same inputs.
"""

from __future__ import annotations

from ase import Atoms

from ..reference.dataset import is_isolated_atom
from ..reference.descriptors import DescriptorSettings
from ..reference.identity import ensure_config_id
from ..reference.sampling import select_diverse
from .trust import CANDIDATE, SCORE

ORIGIN = "active-learning"


def select_frames(candidates: list[tuple[Atoms, dict]], n_max: int, iteration: int, training: list[Atoms],
                  settings: DescriptorSettings = DescriptorSettings()) -> list[Atoms]:
    """At most `n_max` of `candidates` ((frame, score row) pairs of class candidate), each
    tagged with its origin, iteration, architecture and score."""
    pool = []
    for atoms, row in candidates:
        if row["class"] != CANDIDATE:
            raise ValueError(f"frame {row['frame']} of {row['arch']} is {row['class']}, not a candidate")
        frame = atoms.copy()
        frame.calc = None
        frame.info.update({"origin": ORIGIN, "al_iteration": int(iteration), "al_arch": row["arch"],
                           "al_score_eV_per_A": float(row[SCORE]),
                           "source": f"active learning iteration {iteration}, {row['arch']} exploration, "
                                     f"step {int(row['step'])} ({row['segment']}, {row['temperature_K']:.0f} K)"})
        for key in ("REF_energy", "config_id", "split"):
            frame.info.pop(key, None)
        ensure_config_id(frame)
        pool.append(frame)
    if len(pool) <= n_max:
        return pool
    known = [a for a in training if not is_isolated_atom(a)]
    chosen, _ = select_diverse(pool, n_max, settings, preselected=known)
    return chosen
