"""One exploration: a committee member runs the system's melt-quench protocol.

A run stopped by an MD guard (atoms too close, a runaway temperature) is data, not a
failure: the frames saved until then, and the last good frame before the stop, are
what the next iteration most needs to learn. Exploration i of an architecture is
replica i of the protocol (its own random start and velocities), so every iteration
walks a new path; it resumes from its restart files after a kill like any melt-quench.
"""

from __future__ import annotations

import logging
from pathlib import Path

from ase.io import read

from ..files import write_extxyz, write_json
from ..md.melt_quench import SimulationError, melt_quench_run
from ..settings import ModelMDSettings, SystemSettings

log = logging.getLogger("vitrify.active")


def explore(system: SystemSettings, arch: str, model_file: str | Path, md: ModelMDSettings, rate: float,
            iteration: int, seed: int, outdir: str | Path, threads: int = 1) -> dict:
    """Run (or resume) the exploration; write trajectory.extxyz and explore.json in `outdir`."""
    outdir = Path(outdir)
    label = f"active learning iteration {iteration}, {arch}"
    run = melt_quench_run(system.for_one_run, arch, rate, iteration, seed, outdir, model_file=model_file, md=md,
                          threads=threads, label=label)
    record = {"system": system.name, "arch": arch, "iteration": iteration, "cooling_rate_K_per_ps": rate,
              "model_file": str(model_file), "replica": iteration, "guard_stop": None}
    try:
        meta = run.run()
        record.update(energy_source=meta["energy_source"], n_frames=meta["n_frames"],
                      total_steps=meta["total_steps"], completed=True)
    except SimulationError as exc:
        frames = read(run.paths.trajectory_work, ":") if run.paths.trajectory_work.exists() else []
        last = outdir / "last_good.extxyz"
        if last.exists():
            final = read(last)
            if not frames or final.info.get("step", -1) > frames[-1].info.get("step", -1):
                frames.append(final)
        write_extxyz(outdir / "trajectory.extxyz", frames)
        log.warning("%s: %s; its %d frames go to scoring", label, exc, len(frames))
        record.update(energy_source=run.potential.energy_source, n_frames=len(frames),
                      total_steps=run.spec.total_steps, completed=False, guard_stop=str(exc))
    write_json(outdir / "explore.json", record)
    return record

