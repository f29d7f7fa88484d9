"""MD at chosen thermodynamic conditions: melt, quench to T, hold at T at a fixed density.

Used to sample liquid, supercooled and quench configurations (for reference data) with
the same resumable engine as the melt-quench campaign.
"""

from __future__ import annotations

import dataclasses

from .melt_quench import MeltQuenchSpec, spec_from_config
from .protocol import build_segments
from .random_start import species_counts


def condition_spec(config: dict, system: str, T_K: float, density_g_per_cm3: float, n_atoms: int,
                   melt_T_K: float, melt_ps: float, cooling_rate_K_per_ps: float, hold_ps: float,
                   frame_interval_ps: float, seed_offset: int) -> MeltQuenchSpec:
    """NVT run of `system`: melt at melt_T_K, quench to T_K, hold; frames in quench and hold."""
    base = spec_from_config(config, system, "classical", cooling_rate_K_per_ps, 0)
    protocol = [
        {"name": "melt", "ensemble": "nvt", "T_K": melt_T_K, "duration_ps": melt_ps, "save_frames": False},
        {"name": "quench", "ensemble": "nvt", "T_start_K": melt_T_K, "T_end_K": T_K, "quench": True},
        {"name": "hold", "ensemble": "nvt", "T_K": T_K, "duration_ps": hold_ps},
    ]
    if not T_K < melt_T_K:
        raise ValueError(f"condition T_K={T_K} must be below the melt temperature {melt_T_K} K")
    dt = base.timestep_fs
    return dataclasses.replace(
        base,
        counts=species_counts(config["systems"][system]["composition"], n_atoms),
        density_g_per_cm3=density_g_per_cm3,
        segments=build_segments(protocol, cooling_rate_K_per_ps, dt),
        frame_every=max(1, int(round(frame_interval_ps * 1000.0 / dt))),
        start_structure_file=None,
        seed=base.seed + seed_offset,
    )
