"""Resumable melt-quench runs: random start -> protocol segments -> glass.

Everything a run writes while in progress lives in `<outdir>/work/`, outside the files
Snakemake declares, so a killed job keeps its checkpoints: the next attempt trims the
trajectory and thermo table back to the newest complete restart file and carries on.
Finished outputs appear only at the end, each by an atomic rename.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import platform
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from ase import Atoms
from ase.io import read, write
from ase.neighborlist import neighbor_list

from .. import __version__
from ..files import atomic_path, write_extxyz, write_json
from ..lammps.potential import Potential, session_atom_style
from ..leases import WorkLease
from ..lammps.session import LammpsError, LammpsSession
from ..settings import ModelMDSettings, SystemSettings
from .potentials import make_potential, start_potential
from .protocol import Segment, build_segments, fix_command, segment_at
from .random_start import random_packing, species_counts
from .trajectory import append_frame, append_row, frame_steps, trim_table, trim_trajectory

log = logging.getLogger("vitrify.md")

THERMO_HEADER = [
    "step", "time_ps", "segment", "T_target_K", "temperature_K", "potential_energy_eV",
    "kinetic_energy_eV", "total_energy_eV", "pressure_GPa", "volume_A3", "density_g_per_cm3",
]
SLURM_ENV = ("SLURM_JOB_ID", "SLURM_JOB_PARTITION", "SLURM_CPUS_PER_TASK", "SLURM_JOB_GPUS",
             "SLURM_GPUS", "CUDA_VISIBLE_DEVICES", "SLURMD_NODENAME")
# Conjugate-gradient relaxation of a random start (whichever potential is set at the time).
START_MINIMISATION = ["min_style cg", "minimize 1.0e-6 1.0e-8 500 5000", "reset_timestep 0"]


class SimulationError(RuntimeError):
    """The MD run became unphysical (lost atoms, NaN energy); the last good frame is kept."""


@dataclass
class MeltQuenchSpec:
    system: str
    model: str
    potential: str
    species: list[str]
    counts: dict[str, int]
    density_g_per_cm3: float
    min_distance_A: float
    segments: list[Segment]
    timestep_fs: float
    thermostat_damping_fs: float
    barostat_damping_fs: float
    neighbor_skin_A: float
    thermo_every: int
    frame_every: int
    restart_every: int
    minimize_start: bool
    seed: int
    cooling_rate_K_per_ps: float
    replica: int
    start_structure_file: str | None = None
    guard_min_distance_A: float = 0.0
    guard_max_temperature_K: float = math.inf
    # The random start of an ML run is relaxed with this classical potential: a minimiser
    # on an ML model trained on little data can walk into a hole at short range.
    start_potential: str | None = None

    @property
    def n_atoms(self) -> int:
        return sum(self.counts.values())

    @property
    def total_steps(self) -> int:
        return self.segments[-1].last_step

    def fingerprint(self) -> str:
        blob = json.dumps(asdict(self), sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _steps(interval_ps: float, timestep_fs: float) -> int:
    return max(1, int(round(interval_ps * 1000.0 / timestep_fs)))


def replica_seed(seed: int, replica: int) -> int:
    """Replica k of a campaign with base seed s starts from seed s + 1009 k."""
    return int(seed) + 1009 * int(replica)


def melt_quench_spec(system: SystemSettings, model: str, potential: Potential, rate: float, replica: int,
                     seed: int, start_potential: Potential | None = None) -> MeltQuenchSpec:
    """The run of `system` with `model` (driven by `potential`) quenched at `rate` K/ps,
    replica `replica` of a campaign with base seed `seed`.

    The potential's name (a trained model's carries its file hash) enters the fingerprint,
    so a retrained model never resumes an old run's restarts.
    """
    md = system.md
    dt = md.timestep_fs
    start_file = system.start_structure_file
    counts = (
        count_species(read_start_structure(start_file), list(system.species))
        if start_file
        else species_counts(system.composition, system.n_atoms)
    )
    return MeltQuenchSpec(
        system=system.name,
        model=model,
        potential=potential.name,
        species=list(system.species),
        counts=counts,
        density_g_per_cm3=system.density_g_per_cm3,
        min_distance_A=system.min_distance_A,
        segments=build_segments(system.protocol, rate, dt),
        timestep_fs=dt,
        thermostat_damping_fs=md.thermostat_damping_fs,
        barostat_damping_fs=md.barostat_damping_fs,
        neighbor_skin_A=md.neighbor_skin_A,
        thermo_every=_steps(md.thermo_interval_ps, dt),
        frame_every=_steps(md.frame_interval_ps, dt),
        restart_every=_steps(md.restart_interval_ps, dt),
        minimize_start=md.minimize_start,
        seed=replica_seed(seed, replica),
        cooling_rate_K_per_ps=float(rate),
        replica=int(replica),
        start_structure_file=start_file,
        guard_min_distance_A=md.guard_min_distance_A,
        guard_max_temperature_K=md.guard_max_temperature_K,
        start_potential=start_potential.name if start_potential else None,
    )


def read_start_structure(path: str) -> Atoms:
    """A user-given periodic start structure (extxyz, or LAMMPS data with atomic style)."""
    fmt = "lammps-data" if Path(path).suffix in (".data", ".lmp") else None
    atoms = read(path, format=fmt, **({"atom_style": "atomic"} if fmt else {}))
    if not atoms.pbc.all() or atoms.cell.volume <= 0:
        raise ValueError(f"{path}: start structure must be periodic in x, y and z with a cell")
    return atoms


def count_species(atoms: Atoms, species: list[str]) -> dict[str, int]:
    symbols = atoms.get_chemical_symbols()
    unknown = sorted(set(symbols) - set(species))
    if unknown:
        raise ValueError(f"start structure has species {unknown} not in the system's species {species}")
    return {s: symbols.count(s) for s in species if s in symbols}


@dataclass
class RunPaths:
    outdir: Path

    @property
    def work(self) -> Path:
        return self.outdir / "work"

    @property
    def restarts(self) -> Path:
        return self.work / "restart"

    @property
    def state(self) -> Path:
        return self.work / "state.json"

    @property
    def trajectory_work(self) -> Path:
        return self.work / "trajectory.extxyz"

    @property
    def thermo_work(self) -> Path:
        return self.work / "thermo.csv"

    def restart_files(self) -> list[Path]:
        return sorted(self.restarts.glob("restart.*.lmp"))


def _restart_step(path: Path) -> int:
    return int(path.name.split(".")[1])


class MeltQuench:
    """Runs (or resumes) one melt-quench described by a MeltQuenchSpec."""

    def __init__(self, spec: MeltQuenchSpec, outdir: Path, potential: Potential,
                 start_potential: Potential | None = None, label: str | None = None):
        """`potential` drives the run; `start_potential` (if any) relaxes a random start first.
        Both come from vitrify.md.potentials, and must be those the spec was made with."""
        self.spec = spec
        self.paths = RunPaths(Path(outdir))
        self.label = label or f"{spec.system}/{spec.model}/rate{spec.cooling_rate_K_per_ps:g}/rep{spec.replica}"
        if potential.name != spec.potential or (start_potential.name if start_potential else None) != spec.start_potential:
            raise ValueError(f"{self.label}: potentials {potential.name}/{start_potential} are not those of the spec "
                             f"({spec.potential}/{spec.start_potential})")
        self.potential = potential
        self.start_potential = start_potential
        self.session: LammpsSession | None = None
        self.last_good = None
        self.resumed_from: list[int] = []

    # ---- checkpoints -------------------------------------------------------------
    def _prepare_workdir(self) -> list[Path]:
        """Restart files of this run, newest first; none after clearing stale or missing state."""
        fp = self.spec.fingerprint()
        if self.paths.state.exists():
            try:
                state = json.loads(self.paths.state.read_text())
            except ValueError:
                state, reason = {}, "state.json unreadable"
            else:
                reason = "settings changed" if state.get("fingerprint") != fp else "no restart file yet"
            restarts = self.paths.restart_files()
            if state.get("fingerprint") == fp and restarts:
                self.resumed_from = state.get("resumed_from", [])
                return restarts[::-1]
            log.info("%s: discarding previous work directory (%s)", self.label, reason)
        self._clear_workdir(fp)
        return []

    def _clear_workdir(self, fp: str) -> None:
        if self.paths.work.exists():
            shutil.rmtree(self.paths.work)
        self.paths.restarts.mkdir(parents=True)
        self._write_state(fp)

    def _open_session(self) -> None:
        self.session = LammpsSession(self.spec.species, log_path=self.paths.work / "lammps.log",
                                     atom_style=session_atom_style(self.potential, self.start_potential))

    def _start(self, restarts: list[Path]) -> int:
        """Resume from the newest restart LAMMPS can read, or start afresh.

        A restart file cut short (a full disk, a file system that lost its tail) fails in
        read_restart: it is set aside as `.torn` and the one before it is used.
        """
        for restart in restarts:
            self._open_session()
            try:
                return self._resume(restart)
            except LammpsError as exc:
                self.session.close()
                torn = restart.with_name(restart.name + ".torn")
                os.replace(restart, torn)
                log.warning("%s: restart file %s cannot be read (%s); kept as %s, trying the one before it",
                            self.label, restart.name, str(exc)[:200], torn.name)
        if restarts:
            log.warning("%s: no readable restart file left: starting again from step 0", self.label)
            self.resumed_from = []
            self._clear_workdir(self.spec.fingerprint())
        self._open_session()
        return self._fresh_start()

    def _write_state(self, fp: str) -> None:
        write_json(self.paths.state, {"fingerprint": fp, "resumed_from": self.resumed_from})

    def _write_restart(self, step: int) -> None:
        with atomic_path(self.paths.restarts / f"restart.{step:012d}.lmp") as tmp:
            self.session.command(f"write_restart {tmp}")
        for old in self.paths.restart_files()[:-2]:
            old.unlink()

    # ---- setup -------------------------------------------------------------------
    def _setup_potential(self) -> None:
        s = self.session
        self.potential.apply(s, self.spec.species)
        s.commands([
            f"neighbor {self.spec.neighbor_skin_A} bin",
            "neigh_modify every 1 delay 0 check yes",
            f"timestep {self.spec.timestep_fs / 1000.0}",
            "thermo_style custom step temp pe ke etotal press vol density",
            "thermo_modify norm no flush yes",
            "thermo 0",
        ])

    def _fresh_start(self) -> int:
        spec = self.spec
        if spec.start_structure_file:
            atoms = read_start_structure(spec.start_structure_file)
        else:
            atoms = random_packing(spec.counts, spec.density_g_per_cm3, spec.min_distance_A, spec.seed)
        self.session.load_atoms(atoms, self.paths.work / "start.data")
        relax_first = spec.minimize_start and self.start_potential is not None and not spec.start_structure_file
        if relax_first:
            self.start_potential.apply(self.session, spec.species)
            self.session.commands(START_MINIMISATION)
            log.info("%s: random start relaxed with %s before the model takes over", self.label, spec.start_potential)
        self._setup_potential()
        if spec.minimize_start and not relax_first:
            # Random insertion leaves close pairs; relax them before giving velocities.
            self.session.commands(START_MINIMISATION)
        first = spec.segments[0]
        self.session.command(
            f"velocity all create {first.T_start_K} {spec.seed} mom yes rot yes dist gaussian"
        )
        self.session.command("run 0")
        self._record(0, first, frame=first.save_frames)
        self._write_restart(0)
        return 0

    def _resume(self, restart: Path) -> int:
        step = _restart_step(restart)
        self.session.read_restart(restart)
        self._setup_potential()
        self.resumed_from.append(step)
        self._write_state(self.spec.fingerprint())
        # Evaluate the restored state: checks it and gives a current frame even when the
        # restart is the protocol's last step.
        self.session.command("run 0")
        segs = self.spec.segments
        self._record(step, segs[min(segment_at(segs, step), len(segs) - 1)], thermo_row=False)
        kept_frames = trim_trajectory(self.paths.trajectory_work, step)
        kept_rows = trim_table(self.paths.thermo_work, step)
        log.info("%s: resuming from restart at step %d (%d frames, %d thermo rows kept)",
                 self.label, step, kept_frames, kept_rows)
        return step

    # ---- records -----------------------------------------------------------------
    def _record(self, step: int, seg: Segment, thermo_row=True, frame=False) -> dict:
        values = self.session.thermo()
        bad = {k: v for k, v in values.items() if not math.isfinite(v)}
        if bad:
            self._fail(step, seg, "non-finite " + ", ".join(f"{k}={v}" for k, v in bad.items()))
        if self.session.natoms != self.spec.n_atoms:
            self._fail(step, seg, f"atom count {self.session.natoms} != {self.spec.n_atoms}")
        if values["temp"] > self.spec.guard_max_temperature_K:
            self._fail(step, seg, f"temperature {values['temp']:.0f} K above guard_max_temperature_K "
                                  f"{self.spec.guard_max_temperature_K:g} K (target {seg.T_at(step):.0f} K): runaway")
        atoms = self.session.to_atoms()
        closest = closest_distance(atoms, self.spec.guard_min_distance_A)
        if closest is not None:
            self._fail(step, seg, f"atoms {closest[1]} and {closest[2]} are {closest[0]:.3f} A apart, "
                                  f"closer than guard_min_distance_A {self.spec.guard_min_distance_A:g} A")
        time_ps = step * self.spec.timestep_fs / 1000.0
        row = [step, time_ps, seg.name, seg.T_at(step), values["temp"], values["pe"], values["ke"],
               values["etotal"], values["press"] / 1.0e4, values["vol"], values["density"]]
        atoms.info.update(dict(zip(THERMO_HEADER, row)))
        atoms.info["potential"] = self.spec.potential
        self.last_good = atoms
        if thermo_row:
            append_row(self.paths.thermo_work, THERMO_HEADER, row)
        if frame:
            append_frame(self.paths.trajectory_work, atoms)
        return dict(zip(THERMO_HEADER, row))

    def _fail(self, step: int, seg: Segment, reason: str) -> None:
        kept = self.paths.outdir / "last_good.extxyz"
        where = "no good frame yet"
        if self.last_good is not None:
            write(kept, self.last_good, format="extxyz")
            where = f"last good frame (step {self.last_good.info['step']}) kept at {kept}"
        raise SimulationError(
            f"{self.label}: MD failed at step {step} in segment '{seg.name}': {reason}; {where}"
        )

    # ---- main loop ---------------------------------------------------------------
    def run(self) -> dict:
        """Run or resume, holding the lease on the run folder (one writer at a time)."""
        self.paths.outdir.mkdir(parents=True, exist_ok=True)
        with WorkLease(self.paths.outdir, self.label):
            return self._run()

    def _run(self) -> dict:
        spec = self.spec
        restarts = self._prepare_workdir()
        t0 = time.perf_counter()
        try:
            step = self._start(restarts)
            start_step = step
            total = spec.total_steps
            log.info("%s: %d atoms, %d steps in %d segments, starting at step %d",
                     self.label, spec.n_atoms, total, len(spec.segments), step)
            for seg in spec.segments[segment_at(spec.segments, step):]:
                if seg.n_steps == 0:
                    continue
                self.session.command(fix_command(seg, {
                    "thermostat_ps": spec.thermostat_damping_fs / 1000.0,
                    "barostat_ps": spec.barostat_damping_fs / 1000.0,
                }))
                pre = "yes"
                while step < seg.last_step:
                    nxt = min(_next_multiple(step, n) for n in
                              (spec.thermo_every, spec.frame_every, spec.restart_every))
                    nxt = min(nxt, seg.last_step)
                    try:
                        self.session.command(
                            f"run {nxt - step} start {seg.first_step} stop {seg.last_step} pre {pre} post no")
                    except LammpsError as exc:
                        self._fail(nxt, seg, str(exc))
                    pre = "no"
                    step = nxt
                    at_end = step == seg.last_step
                    row = self._record(
                        step, seg,
                        thermo_row=step % spec.thermo_every == 0 or at_end,
                        frame=(seg.save_frames and step % spec.frame_every == 0) or step == total,
                    )
                    if step % spec.thermo_every == 0 or at_end:
                        self._progress(step, total, start_step, t0, row)
                    if step % spec.restart_every == 0 or at_end:
                        self._write_restart(step)
                        # write_restart re-inits LAMMPS and rebuilds ghost atoms (exchange,
                        # borders): the neighbour lists are stale, so the next run needs setup.
                        pre = "yes"
                self.session.command("unfix md")
            return self._finish(time.perf_counter() - t0, step - start_step)
        finally:
            self.session.close()

    def _progress(self, step: int, total: int, start_step: int, t0: float, row: dict) -> None:
        elapsed = time.perf_counter() - t0
        done = step - start_step
        eta = elapsed / done * (total - step) if done else float("nan")
        log.info(
            "%s: step %d/%d (%.1f%%) %s T=%.0f K (target %.0f) PE=%.4f eV/atom P=%.3f GPa "
            "rho=%.3f g/cm3 | %.0f atom-steps/s, ETA %.0f s",
            self.label, step, total, 100.0 * step / total, row["segment"], row["temperature_K"],
            row["T_target_K"], row["potential_energy_eV"] / self.spec.n_atoms, row["pressure_GPa"],
            row["density_g_per_cm3"], self.spec.n_atoms * done / max(elapsed, 1e-9), eta,
        )

    def _finish(self, wall_s: float, steps_run: int) -> dict:
        out = self.paths.outdir
        final = self.last_good
        # Each output whole or absent; run.json last, so its presence means the run finished.
        write_extxyz(out / "final.extxyz", final)
        with atomic_path(out / "final.data") as tmp:
            self.session.command(f"write_data {tmp} nocoeff")
        for name, source in (("trajectory.extxyz", self.paths.trajectory_work), ("thermo.csv", self.paths.thermo_work)):
            with atomic_path(out / name) as tmp:
                shutil.copyfile(source, tmp)
        meta = self.metadata(wall_s, steps_run)
        write_json(out / "run.json", meta)
        log.info("%s: done, %d frames, final density %.3f g/cm3, %.0f atom-steps/s",
                 self.label, meta["n_frames"], final.info["density_g_per_cm3"],
                 meta["atom_steps_per_s"])
        return meta

    def metadata(self, wall_s: float, steps_run: int) -> dict:
        spec = self.spec
        return {
            "vitrify_version": __version__,
            "label": self.label,
            "system": spec.system,
            "model": spec.model,
            "potential": self.potential.provenance(),
            "energy_source": self.potential.energy_source,
            "species_counts": spec.counts,
            "n_atoms": spec.n_atoms,
            "cooling_rate_K_per_ps": spec.cooling_rate_K_per_ps,
            "replica": spec.replica,
            "seed": spec.seed,
            "timestep_fs": spec.timestep_fs,
            "segments": [s.as_dict() for s in spec.segments],
            "total_steps": spec.total_steps,
            "n_frames": len(frame_steps(self.paths.trajectory_work)),
            "resumed_from_steps": self.resumed_from,
            "wall_s_this_attempt": wall_s,
            "steps_this_attempt": steps_run,
            "atom_steps_per_s": spec.n_atoms * steps_run / max(wall_s, 1e-9),
            "nve_drift_meV_per_atom_per_ps": nve_drift(
                pd.read_csv(self.paths.thermo_work).to_dict("records"), spec.segments, spec.n_atoms),
            "guards": {"min_distance_A": spec.guard_min_distance_A, "max_temperature_K": spec.guard_max_temperature_K},
            "lammps_version": self.session.lmp.version(),
            "host": platform.node(),
            "scheduler": {k: os.environ[k] for k in SLURM_ENV if k in os.environ},
            "fingerprint": spec.fingerprint(),
        }


def closest_distance(atoms: Atoms, guard_A: float) -> tuple[float, int, int] | None:
    """(distance, i, j) of the closest pair when it is below guard_A, else None.

    Only pairs within guard_A are searched, so the check stays O(N) per frame.
    """
    if guard_A <= 0:
        return None
    i, j, d = neighbor_list("ijd", atoms, guard_A)
    if len(d) == 0:
        return None
    k = int(np.argmin(d))
    return float(d[k]), int(i[k]), int(j[k])


def nve_drift(thermo_rows: list[dict], segments: list[Segment], n_atoms: int) -> dict[str, float]:
    """Total-energy drift (meV/atom/ps, slope of a linear fit) of every NVE segment."""
    drift = {}
    for seg in segments:
        if seg.ensemble != "nve":
            continue
        rows = [r for r in thermo_rows if r["segment"] == seg.name]
        if len(rows) < 2:
            continue
        t = np.array([r["time_ps"] for r in rows], float)
        e = np.array([r["total_energy_eV"] for r in rows], float)
        drift[seg.name] = float(np.polyfit(t, e, 1)[0]) * 1e3 / n_atoms
    return drift


def _next_multiple(step: int, every: int) -> int:
    return (step // every + 1) * every


def melt_quench_run(system: SystemSettings, model: str, rate: float, replica: int, seed: int, outdir: str | Path,
                    model_file: str | Path | None = None, md: ModelMDSettings | None = None, threads: int = 1,
                    label: str | None = None) -> MeltQuench:
    """The melt-quench of `system` with `model` at `rate` K/ps, replica `replica`, with its
    potentials from the factory (vitrify.md.potentials); `.run()` runs or resumes it."""
    potential = make_potential(system, model, model_file, md, threads)
    start = start_potential(system, model)
    spec = melt_quench_spec(system, model, potential, rate, replica, seed, start)
    return MeltQuench(spec, outdir, potential, start, label=label)
