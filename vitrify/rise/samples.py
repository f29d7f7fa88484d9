"""RISE samples: annealed Cu-Zr glasses minimised to inherent structures.

Each glass from a melt-quench (one cooling rate, one replica) is heated to an annealing
temperature and held there with the resumable melt-quench engine (vitrify.md.anneal);
snapshots of the hold are then minimised at fixed cell. The inherent-structure energy per
atom of each snapshot is the regression target of the RISE study.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
from ase import Atoms
from ase.io import read

from ..files import write_extxyz
from ..lammps.potential import Potential
from ..lammps.session import inherent_structure
from ..leases import WorkLease

log = logging.getLogger("vitrify.rise")

IS_ENERGY_KEY = "is_energy_eV_per_atom"


def hold_snapshots(trajectory: Path, n_snapshots: int, segment: str = "anneal") -> list[Atoms]:
    """`n_snapshots` frames of the hold, evenly spaced in time and ending at its last frame."""
    frames = [a for a in read(trajectory, ":") if a.info.get("segment") == segment]
    if len(frames) < n_snapshots:
        raise ValueError(f"{trajectory}: {len(frames)} frames in segment '{segment}', expected >= {n_snapshots}")
    steps = np.array([a.info["step"] for a in frames])
    span = steps[-1] - steps[0]
    targets = steps[0] + span * np.arange(1, n_snapshots + 1) / n_snapshots
    picks = np.unique([int(np.argmin(np.abs(steps - t))) for t in targets])
    if len(picks) < n_snapshots:  # only when frames are too sparse to separate the targets
        picks = np.arange(len(frames) - n_snapshots, len(frames))
    return [frames[i] for i in picks]


def minimise_snapshots(snapshots: list[Atoms], potential: Potential, species: list[str], workdir: Path,
                       labels: dict, ftol_eV_per_A: float, max_iterations: int) -> list[Atoms]:
    """Inherent structures of `snapshots`, one file per finished snapshot in workdir.

    `potential` comes from vitrify.md.potentials. A killed job reruns only the snapshots
    without a file; each file is written whole (temp + rename).
    """
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    with WorkLease(workdir, f"inherent structures {workdir.name}"):
        return _minimise(snapshots, potential, species, workdir, labels, ftol_eV_per_A, max_iterations)


def _minimise(snapshots: list[Atoms], potential: Potential, species: list[str], workdir: Path, labels: dict,
              ftol_eV_per_A: float, max_iterations: int) -> list[Atoms]:
    out = []
    for i, snap in enumerate(snapshots):
        done = workdir / f"sample_{i:05d}.extxyz"
        if done.exists():
            try:
                out.append(read(done, format="extxyz"))
                continue
            except Exception as exc:  # noqa: BLE001  (cut short: minimise this snapshot again)
                done.replace(done.with_name(done.name + ".torn"))
                log.warning("sample file %s cannot be read (%s): minimising snapshot %d again", done.name,
                            type(exc).__name__, i)
        minimised, energy, iterations = inherent_structure(
            snap, potential, species, workdir, ftol_eV_per_A=ftol_eV_per_A, max_iterations=max_iterations)
        minimised.info.update(labels)
        minimised.info.update({
            "sample_index": i,
            "snapshot_step": int(snap.info["step"]),
            "snapshot_time_ps": float(snap.info["time_ps"]),
            IS_ENERGY_KEY: energy / len(minimised),
            "minimiser_iterations": iterations,
            "energy_source": potential.energy_source,
        })
        write_extxyz(done, minimised)
        log.info("sample %d/%d: inherent-structure energy %.5f eV/atom (%d iterations)",
                 i + 1, len(snapshots), minimised.info[IS_ENERGY_KEY], iterations)
        out.append(minimised)
    return out


def write_samples(samples: list[Atoms], path: Path) -> None:
    write_extxyz(path, samples)


def read_sample_sets(paths: list[str | Path]) -> list[tuple[str, Atoms]]:
    """(sample id, inherent structure) of every sample in the given sample-set files.

    Ids are '<set file stem>_s<index>', stable across runs and unique across sets.
    """
    return [
        (f"{Path(path).stem}_s{int(atoms.info['sample_index'])}", atoms)
        for path in paths
        for atoms in read(path, ":")
    ]


RATE_KEY = "cooling_rate_K_per_ps"


def sample_rates(samples: list[Atoms], ids: list[str]) -> list[float]:
    """The cooling-rate set of each sample (the glass's quench rate, K/ps): the strata of
    the authors' split and mining draw."""
    missing = [sid for sid, atoms in zip(ids, samples) if RATE_KEY not in atoms.info]
    if missing:
        raise ValueError(f"samples without '{RATE_KEY}' (made before the rate was recorded?): {missing[:3]}")
    return [float(atoms.info[RATE_KEY]) for atoms in samples]


def sample_table(paths: list[str | Path]) -> tuple[list[str], np.ndarray, list[float]]:
    """Sample ids, inherent-structure energies (eV/atom) and cooling-rate sets, in the order
    of read_sample_sets."""
    sets = read_sample_sets(paths)
    ids = [sid for sid, _ in sets]
    atoms = [a for _, a in sets]
    return ids, np.array([a.info[IS_ENERGY_KEY] for a in atoms]), sample_rates(atoms, ids)
