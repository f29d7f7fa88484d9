"""User-supplied reference data (e.g. a published DFT dataset) as a labelling backend.

The file is an extended XYZ whose energy / forces / stress live under keys the user
names. Every frame is checked when the file is loaded, before anything is written:

* energy and forces present, forces of shape (N, 3), stress (if given) 6 or 9 numbers;
* species within the allowed list;
* periodic in x, y and z with a non-degenerate cell;
* no NaN or infinite numbers.

The first problem found stops the load with one line naming the file and the frame
index (0-based), e.g. `data.xyz: frame 3: missing forces key 'DFT_forces'`.
Accepted frames are rewritten under the project's keys (`LabelKeys`) with stress
converted to eV/A^3, so downstream code sees one convention whatever the source.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from ase import Atoms
from ase.io import iread

from ..files import write_extxyz
from .identity import ID_KEY
from .labeler import LabelFailed, Labeler, LabelKeys

# 1 eV/A^3 = 160.21766208 GPa
STRESS_TO_EV_PER_A3 = {"eV/A^3": 1.0, "GPa": 1.0 / 160.21766208, "kbar": 1.0 / 1602.1766208}


class DatasetError(ValueError):
    """A user dataset is unusable; the message is one line naming file and frame."""


def _lookup(atoms: Atoms, key: str):
    """A value stored under `key` in info, arrays, or (ASE moves energy/forces/stress
    there when reading extxyz) the attached single-point calculator."""
    if key in atoms.info:
        return atoms.info[key]
    if key in atoms.arrays:
        return atoms.arrays[key]
    calc = atoms.calc
    if calc is not None and key in getattr(calc, "results", {}):
        return calc.results[key]
    return None


def _voigt(stress: np.ndarray) -> np.ndarray | None:
    s = np.asarray(stress, dtype=float).reshape(-1)
    if s.size == 6:
        return s
    if s.size == 9:
        m = s.reshape(3, 3)
        return np.array([m[0, 0], m[1, 1], m[2, 2], m[1, 2], m[0, 2], m[0, 1]])
    return None


def validate_frame(atoms: Atoms, where: str, energy_key: str, forces_key: str, stress_key: str | None,
                   allowed_species: tuple[str, ...], require_stress: bool, stress_unit: str,
                   keys: LabelKeys, method: str) -> Atoms:
    """The frame rewritten under `keys`, or DatasetError('<where>: <problem>')."""
    n = len(atoms)
    if n == 0:
        raise DatasetError(f"{where}: no atoms")
    unknown = sorted(set(atoms.get_chemical_symbols()) - set(allowed_species))
    if unknown:
        raise DatasetError(f"{where}: unknown species {unknown} (allowed: {list(allowed_species)})")
    if not atoms.pbc.all() or abs(atoms.cell.volume) < 1e-6:
        raise DatasetError(f"{where}: not periodic in x, y and z (pbc={atoms.pbc.tolist()}, "
                           f"cell volume {abs(atoms.cell.volume):.3g} A^3)")
    energy = _lookup(atoms, energy_key)
    if energy is None:
        raise DatasetError(f"{where}: missing energy key {energy_key!r}")
    try:
        energy = float(np.asarray(energy, dtype=float).reshape(()))
    except (TypeError, ValueError):
        raise DatasetError(f"{where}: energy {energy_key!r} is not one number") from None
    forces = _lookup(atoms, forces_key)
    if forces is None:
        raise DatasetError(f"{where}: missing forces key {forces_key!r}")
    forces = np.asarray(forces, dtype=float)
    if forces.size != 3 * n or forces.reshape(-1).size != 3 * n:
        raise DatasetError(f"{where}: forces {forces_key!r} have {forces.size} numbers for {n} atoms "
                           f"(expected {3 * n})")
    forces = forces.reshape(n, 3)
    stress = _lookup(atoms, stress_key) if stress_key else None
    if stress is None and require_stress:
        raise DatasetError(f"{where}: missing stress key {stress_key!r}")
    if stress is not None:
        voigt = _voigt(stress)
        if voigt is None:
            raise DatasetError(f"{where}: stress {stress_key!r} has {np.asarray(stress).size} numbers "
                               "(expected 6 Voigt or 9)")
        stress = voigt * STRESS_TO_EV_PER_A3[stress_unit]
    for name, value in (("energy", energy), ("forces", forces), ("stress", stress)):
        if value is not None and not np.all(np.isfinite(value)):
            raise DatasetError(f"{where}: non-finite {name} (NaN or inf)")
    out = Atoms(atoms.get_chemical_symbols(), positions=atoms.positions, cell=atoms.cell, pbc=True)
    for k, v in atoms.info.items():
        if k not in (energy_key, forces_key, stress_key):
            out.info[k] = v
    out.info[keys.energy] = energy
    out.arrays[keys.forces] = forces
    if stress is not None:
        out.info[keys.stress] = stress
    out.info["label_method"] = method
    out.info["label_kind"] = "dataset"
    return out


def read_user_dataset(path: str | Path, energy_key: str = "energy", forces_key: str = "forces",
                      stress_key: str | None = "stress", allowed_species: tuple[str, ...] = ("Si", "O"),
                      require_stress: bool = False, stress_unit: str = "eV/A^3",
                      keys: LabelKeys = LabelKeys(), method: str | None = None) -> list[Atoms]:
    """All frames of `path`, validated and rewritten, or DatasetError at the first bad one."""
    path = Path(path)
    if stress_unit not in STRESS_TO_EV_PER_A3:
        raise ValueError(f"stress_unit {stress_unit!r}: use one of {list(STRESS_TO_EV_PER_A3)}")
    if not path.exists():
        raise DatasetError(f"{path}: no such file")
    method = method or f"user dataset {path.name} (level of theory not stated)"
    frames = []
    k = 0
    reader = iread(str(path), index=":", format="extxyz")
    while True:
        try:
            atoms = next(reader)
        except StopIteration:
            break
        except Exception as exc:  # ASE's parser raises many types for malformed text
            msg = " ".join(str(exc).split()) or type(exc).__name__
            raise DatasetError(f"{path}: frame {k}: cannot parse extxyz ({msg})") from None
        frames.append(validate_frame(atoms, f"{path}: frame {k}", energy_key, forces_key, stress_key,
                                     tuple(allowed_species), require_stress, stress_unit, keys, method))
        k += 1
    if not frames:
        raise DatasetError(f"{path}: no frames")
    return frames


def ingest_user_dataset(path: str | Path, outpath: str | Path, **options) -> list[Atoms]:
    """Validate every frame of `path`, then (only then) write them under the project's keys."""
    frames = read_user_dataset(path, **options)
    write_extxyz(outpath, frames)
    return frames


def _geometry_key(atoms: Atoms, decimals: int = 4) -> tuple:
    return (tuple(atoms.numbers), tuple(np.round(atoms.positions, decimals).ravel()),
            tuple(np.round(np.asarray(atoms.cell), decimals).ravel()))


class DatasetLabeler(Labeler):
    """Labels come from a validated user dataset: a configuration is found by its
    info["config_id"] or, failing that, by species, positions and cell to 1e-4 A."""

    kind = "dataset"

    def __init__(self, path: str | Path, method: str | None = None, energy_key: str = "energy",
                 forces_key: str = "forces", stress_key: str | None = "stress",
                 require_stress: bool = False, stress_unit: str = "eV/A^3", **kw):
        kw.setdefault("min_atoms", 1)  # someone else chose the cells; k-points are theirs
        super().__init__(**kw)
        self.path = Path(path)
        self.frames = read_user_dataset(self.path, energy_key, forces_key, stress_key, self.allowed_species,
                                        require_stress, stress_unit, self.keys, method)
        self.method = self.frames[0].info["label_method"]
        self.by_id = {str(f.info[ID_KEY]): f for f in self.frames if ID_KEY in f.info}
        self.by_geometry = {_geometry_key(f): f for f in self.frames}

    def settings(self) -> dict:
        return {**super().settings(), "path": str(self.path)}

    def label(self, atoms: Atoms) -> Atoms:
        self.check(atoms)
        found = self.by_id.get(str(atoms.info.get(ID_KEY))) or self.by_geometry.get(_geometry_key(atoms))
        if found is None:
            raise LabelFailed(f"configuration not in user dataset {self.path.name}")
        out = found.copy()
        for k, v in atoms.info.items():
            out.info.setdefault(k, v)
        return out

    def _compute(self, atoms):
        raise NotImplementedError("a dataset computes nothing: label() looks configurations up")
