"""Committee disagreement on every frame of an exploration, classified by the trust levels."""

from __future__ import annotations

import pandas as pd
from ase import Atoms

from ..mlip.committee import trajectory_disagreement
from .trust import SCORE, classify


def score_frames(frames: list[Atoms], calculators: list, lower: float, upper: float, arch: str,
                 iteration: int) -> pd.DataFrame:
    """One row per frame (its index in the trajectory, where it is in the protocol, the
    committee spread and its class)."""
    rows = trajectory_disagreement(frames, calculators) if frames else []
    table = pd.DataFrame(rows, columns=None if rows else ["step", "time_ps", "segment", "temperature_K",
                                                          "T_target_K", "n_members", "energy_mean_eV_per_atom",
                                                          "energy_sd_meV_per_atom", "force_sd_mean_eV_per_A",
                                                          SCORE])
    table.insert(0, "frame", range(len(table)))
    table.insert(0, "arch", arch)
    table.insert(0, "iteration", iteration)
    table["class"] = classify(table[SCORE].to_numpy(), lower, upper) if len(table) else []
    return table
