"""One exploration: a committee member runs the system's melt-quench protocol.

A run stopped by an MD guard (atoms too close, a runaway temperature) is data, not a
failure: the frames saved until then, and the last good frame before the stop, are
what the next iteration most needs to learn. Exploration i of an architecture is
replica i of the protocol (its own random start and velocities), so every iteration
walks a new path; it resumes from its restart files after a kill like any melt-quench.

Where a RISE study anneals this model's glasses, the exploration anneals its own glass
the same way (heat at the study's rate, hold at each of its temperatures): the committee
then also sees the states the RISE samples come from. An anneal stopped by a guard is
data too; a melt-quench stopped by one has no glass to anneal.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Sequence

from ase.io import read

from ..files import write_extxyz, write_json
from ..md.anneal import anneal_spec
from ..md.melt_quench import MeltQuench, SimulationError, melt_quench_run
from ..settings import AnnealSettings, ModelMDSettings, SystemSettings

log = logging.getLogger("vitrify.active")


def explore(system: SystemSettings, arch: str, model_file: str | Path, md: ModelMDSettings, rate: float,
            iteration: int, seed: int, outdir: str | Path, threads: int = 1,
            anneals: Sequence[tuple[AnnealSettings, float]] = ()) -> dict:
    """Run (or resume) the exploration; write trajectory.extxyz and explore.json in `outdir`.

    anneals: (a RISE study's anneal settings, temperature in K) for each anneal to run from
    the exploration's glass, each in outdir/anneal_T<T>; their frames follow the
    melt-quench's in trajectory.extxyz.
    """
    outdir = Path(outdir)
    label = f"active learning iteration {iteration}, {arch}"
    run = melt_quench_run(system.for_one_run, arch, rate, iteration, seed, outdir, model_file=model_file, md=md,
                          threads=threads, label=label)
    record = {"system": system.name, "arch": arch, "iteration": iteration, "cooling_rate_K_per_ps": rate,
              "model_file": str(model_file), "replica": iteration, "guard_stop": None,
              "energy_source": run.potential.energy_source}
    frames, stop = _run_keeping_frames(run, outdir, label)
    record.update(n_frames=len(frames), total_steps=run.spec.total_steps, completed=stop is None, guard_stop=stop)
    record["anneals"] = []
    for settings, T_K in anneals:
        T_K = float(T_K)
        if stop is not None:
            record["anneals"].append({"T_K": T_K, "completed": False, "n_frames": 0,
                                      "guard_stop": "not run: the melt-quench stopped before the glass"})
            continue
        spec = anneal_spec(system.for_one_run, settings, arch, run.potential, str(outdir / "final.extxyz"), rate,
                           iteration, T_K, seed)
        anneal_label = f"{label}, anneal at {T_K:g} K"
        anneal = MeltQuench(spec, outdir / f"anneal_T{T_K:g}", run.potential, label=anneal_label)
        held, anneal_stop = _run_keeping_frames(anneal, anneal.paths.outdir, anneal_label)
        record["anneals"].append({"T_K": T_K, "completed": anneal_stop is None, "n_frames": len(held),
                                  "guard_stop": anneal_stop})
        frames += held
    record["n_frames_scored"] = len(frames)
    write_extxyz(outdir / "trajectory.extxyz", frames)
    write_json(outdir / "explore.json", record)
    return record


def _run_keeping_frames(run: MeltQuench, outdir: Path, label: str) -> tuple[list, str | None]:
    """Run (or resume) `run`: (its saved frames, None), or after a guard stop (the frames
    saved until then and the last good frame, the guard's message)."""
    try:
        run.run()
        # The work copy: outdir's trajectory.extxyz becomes the whole exploration's.
        return read(run.paths.trajectory_work, ":"), None
    except SimulationError as exc:
        frames = read(run.paths.trajectory_work, ":") if run.paths.trajectory_work.exists() else []
        last = outdir / "last_good.extxyz"
        if last.exists():
            final = read(last)
            if not frames or final.info.get("step", -1) > frames[-1].info.get("step", -1):
                frames.append(final)
        log.warning("%s: %s; its %d frames go to scoring", label, exc, len(frames))
        return frames, str(exc)
