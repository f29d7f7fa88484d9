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

import os
import shlex
import shutil
import tempfile
import time
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

import numpy as np
from ase import Atoms
from ase.units import Rydberg

# Ground-state spin multiplicities of the free atoms (3P terms for both: Hund's rules),
# used only for isolated-atom reference energies.
ATOM_MULTIPLICITY = {"Si": 3, "O": 3}


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


def _package_version(name: str) -> str:
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
        # Gamma-point-only backends need big cells; FACTS: >= 72 atoms for SiO2.
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


# ---- GFN1-xTB via tblite -------------------------------------------------------------
class XTBLabeler(Labeler):
    """GFN1-xTB tight binding (tblite's ASE calculator), Gamma point."""

    kind = "tight-binding"

    def __init__(self, method: str = "GFN1-xTB", accuracy: float = 1.0, max_iterations: int = 250,
                 electronic_temperature_K: float = 300.0, **kw):
        super().__init__(**kw)
        self.xtb_method = method
        self.accuracy = accuracy
        self.max_iterations = max_iterations
        self.electronic_temperature_K = electronic_temperature_K
        self.method = f"{method} (tblite {_package_version('tblite')}), tight binding"

    def settings(self) -> dict:
        return {**super().settings(), "accuracy": self.accuracy, "max_iterations": self.max_iterations,
                "electronic_temperature_K": self.electronic_temperature_K}

    def _calculator(self, multiplicity: int | None = None):
        from tblite.ase import TBLite  # noqa: PLC0415  (optional dependency, imported on use)

        return TBLite(method=self.xtb_method, accuracy=self.accuracy, max_iterations=self.max_iterations,
                      electronic_temperature=self.electronic_temperature_K, verbosity=0,
                      multiplicity=multiplicity)

    def _run(self, atoms: Atoms, multiplicity: int | None = None):
        from ase.calculators.calculator import CalculationFailed, InputError  # noqa: PLC0415

        work = atoms.copy()
        work.calc = self._calculator(multiplicity)
        try:
            energy = work.get_potential_energy()
            forces = work.get_forces()
            stress = work.get_stress(voigt=True)
        except (CalculationFailed, InputError) as exc:
            raise LabelFailed(f"tblite {self.xtb_method}: {exc}") from exc
        return energy, forces, stress

    def _compute(self, atoms):
        return self._run(atoms)

    def _timed_isolated(self, atoms):
        t0 = time.perf_counter()
        e, f, _ = self._run(atoms, ATOM_MULTIPLICITY.get(atoms.get_chemical_symbols()[0]))
        return e, f, None, time.perf_counter() - t0


# ---- PBE via CP2K ------------------------------------------------------------------
def cp2k_available(command: str = "cp2k_shell") -> bool:
    return shutil.which(command.split()[0]) is not None


class CP2KLabeler(Labeler):
    """Kohn-Sham DFT with CP2K (Quickstep, GPW) through ASE's cp2k_shell calculator.

    Each call runs in its own fresh scratch directory with a fresh cp2k_shell, so a
    crashed or hung calculation cannot leak state into the next one. CP2K 2023 only
    warns when the SCF does not converge and then returns unconverged numbers; this
    class reads the run's output for that warning and raises LabelFailed instead.
    """

    kind = "DFT"

    def __init__(self, xc: str = "PBE", basis_set: str = "DZVP-MOLOPT-SR-GTH",
                 basis_set_file: str = "BASIS_MOLOPT", pseudo_potential: str = "GTH-PBE",
                 potential_file: str = "GTH_POTENTIALS", cutoff_Ry: float = 400.0,
                 rel_cutoff_Ry: float | None = None, scf: str = "smear", max_scf: int = 100,
                 outer_max_scf: int = 4, eps_scf: float = 1.0e-6, smear_T_K: float = 1000.0,
                 added_mos: int = 40,
                 command: str = "cp2k_shell", threads: int = 1, scratch_root: str | Path | None = None,
                 keep_failed_scratch: bool = True, extra_input: str = "", **kw):
        super().__init__(**kw)
        self.xc = xc
        self.basis_set = basis_set
        self.basis_set_file = basis_set_file
        self.pseudo_potential = pseudo_potential
        self.potential_file = potential_file
        self.cutoff_Ry = float(cutoff_Ry)
        self.rel_cutoff_Ry = rel_cutoff_Ry
        if scf not in ("ot", "diagonalization", "smear"):
            raise ValueError(f"scf {scf!r}: use 'ot', 'diagonalization' or 'smear'")
        self.scf = scf
        self.max_scf = int(max_scf)
        self.outer_max_scf = int(outer_max_scf)
        self.eps_scf = float(eps_scf)
        self.smear_T_K = float(smear_T_K)
        self.added_mos = int(added_mos)
        self.command = command
        self.threads = int(threads)
        self.scratch_root = Path(scratch_root) if scratch_root else None
        self.keep_failed_scratch = keep_failed_scratch
        self.extra_input = extra_input
        smearing = f", Fermi-Dirac smearing {self.smear_T_K:g} K" if scf == "smear" else ""
        self.method = (f"{xc}/{basis_set}, {pseudo_potential}, {self.cutoff_Ry:g} Ry, Gamma point{smearing} "
                       f"(CP2K {self._cp2k_version()}), DFT")

    @staticmethod
    def _cp2k_version() -> str:
        # Debian's package version; the binary needs a full start-up to say it.
        try:
            import subprocess  # noqa: PLC0415

            out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "cp2k"], capture_output=True,
                                 text=True, timeout=10)
            return out.stdout.strip() or "unknown"
        except (OSError, subprocess.SubprocessError):
            return "unknown"

    def settings(self) -> dict:
        return {**super().settings(), "xc": self.xc, "basis_set": self.basis_set,
                "pseudo_potential": self.pseudo_potential, "cutoff_Ry": self.cutoff_Ry,
                "rel_cutoff_Ry": self.rel_cutoff_Ry, "scf": self.scf, "max_scf": self.max_scf,
                "outer_max_scf": self.outer_max_scf if self.scf == "ot" else None, "eps_scf": self.eps_scf,
                "smear_T_K": self.smear_T_K if self.scf == "smear" else None,
                "added_mos": self.added_mos if self.scf == "smear" else None,
                "extra_input": self.extra_input}

    def _input_template(self) -> str:
        lines = ["&FORCE_EVAL", "&DFT", "&SCF", f"EPS_SCF {self.eps_scf:.3E}"]
        # Measured here on a 72-atom 3000 K liquid frame: ASE's default (diagonalisation,
        # plain density mixing) charge-sloshed and failed in 50 steps; OT crawled (not
        # converged after 3 outer loops, ~11 min); smearing + Broyden converged in 205 s.
        # So "smear" is the default; "ot" stays available for clean insulators.
        if self.scf == "ot":
            lines += ["&OT", "PRECONDITIONER FULL_SINGLE_INVERSE", "MINIMIZER DIIS", "&END OT",
                      "&OUTER_SCF", f"MAX_SCF {self.outer_max_scf}", f"EPS_SCF {self.eps_scf:.3E}",
                      "&END OUTER_SCF"]
        elif self.scf == "smear":
            # Fermi-Dirac smearing (energy = Mermin free energy, consistent with the forces)
            # with Broyden mixing. At 1000 K it leaves a gapped crystal's occupations at 0/1
            # and only matters where defect states close the gap.
            lines += [f"ADDED_MOS {self.added_mos}", "&SMEAR ON", "METHOD FERMI_DIRAC",
                      f"ELECTRONIC_TEMPERATURE [K] {self.smear_T_K:g}", "&END SMEAR",
                      "&MIXING", "METHOD BROYDEN_MIXING", "ALPHA 0.2", "NBROYDEN 8", "&END MIXING"]
        lines += ["&END SCF"]
        if self.rel_cutoff_Ry:
            lines += ["&MGRID", f"REL_CUTOFF {self.rel_cutoff_Ry:g}", "&END MGRID"]
        lines += ["&END DFT", "&END FORCE_EVAL"]
        return "\n".join(lines) + "\n" + self.extra_input

    def _run(self, atoms: Atoms, uks: bool = False, multiplicity: int | None = None):
        from ase.calculators.cp2k import CP2K  # noqa: PLC0415

        if not cp2k_available(self.command):
            raise LabelFailed(f"CP2K command {self.command!r} not found (Debian package cp2k)")
        if self.scratch_root:
            self.scratch_root.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix="cp2k-", dir=self.scratch_root))
        out_file = scratch / "cp2k.out"
        calc = None
        ok = False
        try:
            # The shell runs inside the scratch dir and files are named relative to it:
            # CP2K rejects a PROJECT name (the label) longer than 80 characters.
            calc = CP2K(command=f"cd {shlex.quote(str(scratch))} && "
                                f"exec env OMP_NUM_THREADS={self.threads} {self.command}",
                        label="cp2k", xc=self.xc, basis_set=self.basis_set,
                        basis_set_file=self.basis_set_file, pseudo_potential=self.pseudo_potential,
                        potential_file=self.potential_file, cutoff=self.cutoff_Ry * Rydberg,
                        max_scf=self.max_scf, stress_tensor=True, uks=uks, multiplicity=multiplicity,
                        inp=self._input_template())
            work = atoms.copy()
            work.calc = calc
            try:
                energy = work.get_potential_energy()
                forces = work.get_forces()
                stress = work.get_stress(voigt=True)
            except Exception as exc:  # cp2k_shell dying surfaces as EOF/assertion/ValueError
                raise LabelFailed(f"CP2K failed ({type(exc).__name__}: {exc}); "
                                  f"{_tail(out_file)}; scratch {scratch}") from exc
            text = out_file.read_text(errors="replace") if out_file.exists() else ""
            if "SCF run NOT converged" in text:
                budget = (f"MAX_SCF {self.max_scf} x OUTER_SCF {self.outer_max_scf}" if self.scf == "ot"
                          else f"MAX_SCF {self.max_scf}")
                raise LabelFailed(f"CP2K SCF not converged within {budget} "
                                  f"(EPS_SCF {self.eps_scf:g}, {self.scf}); scratch {scratch}")
            ok = True
            return energy, forces, stress
        finally:
            if calc is not None:
                calc.close()
            if ok or not self.keep_failed_scratch:
                shutil.rmtree(scratch, ignore_errors=True)

    def _compute(self, atoms):
        return self._run(atoms)

    def _timed_isolated(self, atoms):
        t0 = time.perf_counter()
        mult = ATOM_MULTIPLICITY.get(atoms.get_chemical_symbols()[0])
        e, f, _ = self._run(atoms, uks=bool(mult and mult > 1), multiplicity=mult)
        return e, f, None, time.perf_counter() - t0


def _tail(path: Path, n: int = 3) -> str:
    if not path.exists():
        return "no CP2K output file"
    lines = [ln.strip() for ln in path.read_text(errors="replace").splitlines() if ln.strip()]
    return "CP2K output ends: " + " | ".join(lines[-n:])


def make_labeler(backend: str, **options) -> Labeler:
    """Labeler by backend name: 'gfn1-xtb' or 'cp2k' (user datasets: user_dataset.DatasetLabeler)."""
    name = backend.lower()
    if name in ("gfn1-xtb", "xtb", "tblite"):
        return XTBLabeler(**options)
    if name in ("cp2k", "cp2k-pbe", "pbe"):
        return CP2KLabeler(**options)
    if name in ("dataset", "user-dataset"):
        from .user_dataset import DatasetLabeler  # noqa: PLC0415

        return DatasetLabeler(**options)
    raise ValueError(f"unknown labelling backend {backend!r}: use gfn1-xtb, cp2k or dataset")


def set_single_thread() -> None:
    """Pin numerical libraries to one thread unless the caller chose otherwise (FACTS: 2 cores)."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
