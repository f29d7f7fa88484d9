"""Reference labels (energy, forces, stress) for one configuration at a time.

Every backend implements `Labeler`: `label(atoms)` returns a copy of `atoms` that
carries, under configurable keys (`LabelKeys`),

* energy  in info[keys.energy]  (eV, total energy of the cell),
* forces  in arrays[keys.forces] (eV/A, shape (N, 3)),
* stress  in info[keys.stress]  (eV/A^3, Voigt order xx yy zz yz xz xy, ASE sign
  convention: positive = tensile, stress = (1/V) dE/d(strain)); absent if the backend
  has none,

plus info["label_method"] (e.g. "GFN1-xTB (tblite 0.8.0), tight binding": tight
binding is never called DFT) and info["label_kind"] ("tight-binding", "DFT",
"dataset"). Anything that prevents a trustworthy label (SCF not converged, program
crash, non-finite numbers, a cell too small for Gamma-point sampling) raises
`LabelFailed(reason)`; the batch driver records the reason and moves on.

The keys default to MACE's REF_* convention so the output trains with
`--energy_key REF_energy --forces_key REF_forces --stress_key REF_stress`; plain
"energy"/"forces"/"stress" would be swallowed into a calculator by ASE's extxyz reader.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass
from importlib import metadata

import numpy as np
from ase import Atoms


@dataclass(frozen=True)
class LabelKeys:
    energy: str = "REF_energy"
    forces: str = "REF_forces"
    stress: str = "REF_stress"


# MACE's convention for E0 frames: info config_type of a single atom in a big box.
ISOLATED_ATOM = "IsolatedAtom"


class LabelFailed(RuntimeError):
    """A configuration could not be labelled; `reason` is one line saying why."""

    def __init__(self, reason: str):
        self.reason = " ".join(str(reason).split())
        super().__init__(self.reason)


def package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "unknown"


class Labeler(ABC):
    """One way of labelling configurations. Subclasses implement `_compute`."""

    method: str = "abstract"
    kind: str = "abstract"

    def __init__(self, keys: LabelKeys = LabelKeys(), min_atoms: int = 72,
                 allowed_species: tuple[str, ...] = ("Si", "O")):
        self.keys = keys
        # Gamma-point-only backends (GFN1-xTB in tblite, CP2K here) need big cells: >= 72 atoms for SiO2.
        self.min_atoms = int(min_atoms)
        self.allowed_species = tuple(allowed_species)

    # ---- what subclasses provide ------------------------------------------------------
    @abstractmethod
    def _compute(self, atoms: Atoms) -> tuple[float, np.ndarray, np.ndarray | None]:
        """(energy eV, forces eV/A (N,3), Voigt stress eV/A^3 or None); raise LabelFailed."""

    def settings(self) -> dict:
        """Everything that changes the numbers; persisted so a resumed batch cannot mix settings."""
        return {"method": self.method, "kind": self.kind, "keys": asdict(self.keys),
                "min_atoms": self.min_atoms, "allowed_species": list(self.allowed_species)}

    # ---- the interface ---------------------------------------------------------------
    def check(self, atoms: Atoms, isolated: bool = False) -> None:
        unknown = sorted(set(atoms.get_chemical_symbols()) - set(self.allowed_species))
        if unknown:
            raise LabelFailed(f"species {unknown} not in allowed species {list(self.allowed_species)}")
        if not atoms.pbc.all() or atoms.cell.volume <= 1e-6:
            raise LabelFailed("configuration is not periodic in x, y and z with a cell")
        if not isolated and len(atoms) < self.min_atoms:
            raise LabelFailed(f"{len(atoms)} atoms < {self.min_atoms}: too small for "
                              "Gamma-point-only sampling")

    def label(self, atoms: Atoms) -> Atoms:
        self.check(atoms)
        return self._finish(atoms, *self._timed(atoms))

    def _timed(self, atoms: Atoms):
        t0 = time.perf_counter()
        energy, forces, stress = self._compute(atoms)
        return energy, forces, stress, time.perf_counter() - t0

    def _finish(self, atoms: Atoms, energy, forces, stress, wall_s: float) -> Atoms:
        forces = np.asarray(forces, dtype=float)
        if forces.shape != (len(atoms), 3):
            raise LabelFailed(f"forces have shape {forces.shape}, expected ({len(atoms)}, 3)")
        values = [("energy", np.asarray(energy, dtype=float)), ("forces", forces)]
        if stress is not None:
            stress = np.asarray(stress, dtype=float).reshape(-1)
            if stress.shape != (6,):
                raise LabelFailed(f"stress has {stress.size} components, expected 6 (Voigt)")
            values.append(("stress", stress))
        for name, value in values:
            if not np.all(np.isfinite(value)):
                raise LabelFailed(f"non-finite {name} from {self.method}")
        out = atoms.copy()
        out.calc = None
        out.info[self.keys.energy] = float(energy)
        out.arrays[self.keys.forces] = forces
        if stress is not None:
            out.info[self.keys.stress] = stress
        out.info["label_method"] = self.method
        out.info["label_kind"] = self.kind
        out.info["label_wall_s"] = round(float(wall_s), 3)
        return out

    def isolated_atom(self, symbol: str, box_A: float = 20.0) -> Atoms:
        """A single atom in a cubic periodic box, labelled, with config_type IsolatedAtom."""
        atoms = Atoms(symbol, positions=[[box_A / 2] * 3], cell=[box_A] * 3, pbc=True)
        self.check(atoms, isolated=True)
        energy, forces, stress, wall_s = self._timed_isolated(atoms)
        out = self._finish(atoms, energy, forces, stress, wall_s)
        out.info["config_type"] = ISOLATED_ATOM
        out.info["box_A"] = box_A
        return out

    def _timed_isolated(self, atoms: Atoms):
        raise NotImplementedError(f"{type(self).__name__} cannot compute isolated atoms; "
                                  "give the isolated-atom energies as arguments")
