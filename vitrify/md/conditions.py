"""MD at chosen thermodynamic conditions: melt, quench to T, hold at T at a fixed density.

Used to sample liquid, supercooled and quench configurations (for reference data) with
the same resumable engine as the melt-quench campaign: the reference rule and the
`vitrify-reference pool --md-config` command both run these.
"""

from __future__ import annotations

import dataclasses

from ..lammps.potential import Potential
from ..settings import ConditionSettings, ReferenceSettings, SystemSettings
from .melt_quench import MeltQuenchSpec, melt_quench_spec
from .protocol import build_segments
from .random_start import species_counts

# Seeds of condition runs sit apart from the campaign's replicas (seed + 1009 k).
CONDITION_SEED_OFFSET = 100


def condition_spec(system: SystemSettings, model: str, potential: Potential, seed: int, T_K: float, density_g_per_cm3: float,
                   n_atoms: int, melt_T_K: float, melt_ps: float, cooling_rate_K_per_ps: float, hold_ps: float,
                   frame_interval_ps: float, seed_offset: int) -> MeltQuenchSpec:
    """NVT run of `system`: melt at melt_T_K, quench to T_K, hold; frames in quench and hold."""
    if not T_K < melt_T_K:
        raise ValueError(f"condition T_K={T_K} must be below the melt temperature {melt_T_K} K")
    base = melt_quench_spec(system, model, potential, cooling_rate_K_per_ps, 0, seed)
    protocol = [
        {"name": "melt", "ensemble": "nvt", "T_K": melt_T_K, "duration_ps": melt_ps, "save_frames": False},
        {"name": "quench", "ensemble": "nvt", "T_start_K": melt_T_K, "T_end_K": T_K, "quench": True},
        {"name": "hold", "ensemble": "nvt", "T_K": T_K, "duration_ps": hold_ps},
    ]
    dt = base.timestep_fs
    return dataclasses.replace(
        base,
        counts=species_counts(system.composition, n_atoms),
        density_g_per_cm3=density_g_per_cm3,
        segments=build_segments(protocol, cooling_rate_K_per_ps, dt),
        frame_every=max(1, int(round(frame_interval_ps * 1000.0 / dt))),
        start_structure_file=None,
        seed=base.seed + seed_offset,
    )


def reference_condition_spec(system: SystemSettings, potential: Potential, seed: int, reference: ReferenceSettings,
                             index: int, condition: ConditionSettings | None = None) -> MeltQuenchSpec:
    """Condition `index` of the reference section (or `condition` in its place) as a run of
    the reference section's MD model (`potential` is that model's)."""
    cond = condition or reference.md_conditions[index]
    return condition_spec(
        system, reference.md_model, potential, seed, T_K=cond.T_K, density_g_per_cm3=cond.density_g_per_cm3,
        n_atoms=reference.md_n_atoms, melt_T_K=reference.md_melt_T_K, melt_ps=reference.md_melt_ps,
        cooling_rate_K_per_ps=reference.md_cooling_rate_K_per_ps, hold_ps=reference.md_hold_ps,
        frame_interval_ps=reference.md_frame_interval_ps, seed_offset=CONDITION_SEED_OFFSET + index,
    )
