"""Annealing a glass: heat it to a temperature at a heating rate and hold it there.

The RISE samples are snapshots of such holds; active learning explores the same anneals
with the committees of the models that run them.
"""

from __future__ import annotations

import dataclasses

from ..lammps.potential import Potential
from ..settings import AnnealSettings, SystemSettings
from .melt_quench import MeltQuenchSpec, melt_quench_spec, read_start_structure
from .protocol import build_segments


def anneal_spec(system: SystemSettings, rise: AnnealSettings, model: str, potential: Potential, glass_file: str,
                rate: float, replica: int, T_anneal_K: float, seed: int) -> MeltQuenchSpec:
    """Heat the glass in `glass_file` to T_anneal_K and hold it, saving snapshots of the hold.

    `rise` holds the study's anneal settings (RiseSettings.for_study(study).anneal);
    `potential` is the study's model's, from vitrify.md.potentials.
    """
    base = melt_quench_spec(system, model, potential, rate, replica, seed)
    start = read_start_structure(glass_file)
    ensemble = rise.anneal_ensemble
    pressure = {"pressure_GPa": rise.anneal_pressure_GPa} if ensemble == "npt" else {}
    T_glass = float(start.info.get("T_target_K", 300.0))
    protocol = [
        # The heating ramp is the protocol's rate-driven segment: its rate is the heating rate.
        {"name": "heat", "ensemble": ensemble, "T_start_K": T_glass, "T_end_K": T_anneal_K,
         "quench": True, "save_frames": False, **pressure},
        {"name": "anneal", "ensemble": ensemble, "T_K": T_anneal_K,
         "duration_ps": rise.anneal_duration_ps, **pressure},
    ]
    segments = build_segments(protocol, rise.heating_rate_K_per_ps, base.timestep_fs)
    hold_steps = segments[1].n_steps
    # Frames fall on global multiples of frame_every, not aligned with the hold's start:
    # save 4 per wanted snapshot and pick evenly spaced ones afterwards (hold_snapshots).
    frame_every = max(1, hold_steps // (4 * rise.snapshots_per_anneal))
    symbols = start.get_chemical_symbols()
    return dataclasses.replace(
        base,
        segments=segments,
        start_structure_file=str(glass_file),
        counts={s: symbols.count(s) for s in base.species if s in symbols},
        frame_every=frame_every,
        # The glass is the start: no random packing to relax.
        start_potential=None,
        # A distinct seed per annealing temperature: independent velocities.
        seed=base.seed + int(round(T_anneal_K)),
    )
