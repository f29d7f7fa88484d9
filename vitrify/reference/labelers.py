"""The labelling backends and their registry: GFN1-xTB (tblite), PBE (CP2K), a classical
teacher (a published rigid-ion potential with Ewald sums, run by LAMMPS), a user dataset.

The interface they implement, and the conventions of their outputs, are in `labeler.py`.
Adding a backend is one `Labeler` subclass plus one entry in `BACKENDS`.
"""

from __future__ import annotations

import os
import shlex
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
from ase import Atoms
from ase.units import Rydberg

from ..potential_table import DEFAULT_TEACHER, is_teacher
from .labeler import ISOLATED_ATOM, LabelFailed, Labeler, LabelKeys, package_version
from .user_dataset import DatasetLabeler

# The interface is re-exported: callers that pick a backend need only this module.
__all__ = ["BACKENDS", "CP2KLabeler", "ISOLATED_ATOM", "LabelFailed", "LabelKeys", "Labeler", "TeacherLabeler",
           "XTBLabeler",
           "cp2k_available", "make_labeler", "set_single_thread"]

# Ground-state spin multiplicities of the free atoms (3P terms for both: Hund's rules),
# used only for isolated-atom reference energies.
ATOM_MULTIPLICITY = {"Si": 3, "O": 3}


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
        self.method = f"{method} (tblite {package_version('tblite')}), tight binding"

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


# ---- a classical teacher through LAMMPS ---------------------------------------------
class TeacherLabeler(Labeler):
    """A published classical potential with genuine long-range electrostatics (rigid ions,
    Ewald) as the labeller: energy, forces and stress in milliseconds, of a model whose
    physics is known exactly, so an ML potential trained on its labels can be judged
    against the teacher's own MD. It is named a classical teacher everywhere, never a
    quantum method.

    A pair potential's energy of separated atoms is zero by construction, so the
    isolated-atom reference energies are zero (no periodic image sum of a lone ion).
    """

    kind = "classical teacher"

    def __init__(self, potential: str = DEFAULT_TEACHER, **kw):
        from ..lammps.classical import get_potential  # noqa: PLC0415  (LAMMPS only where it labels)

        super().__init__(**kw)
        self.potential = get_potential(potential)
        if not is_teacher(potential):
            raise ValueError(f"classical potential {potential!r} is not a teacher (a rigid-ion potential with "
                             "Ewald sums in vitrify.potential_table)")
        self.method = (f"classical teacher {self.potential.name} ({self.potential.citation}); "
                       f"LAMMPS {package_version('lammps')}, Ewald sum; not a quantum method")

    def settings(self) -> dict:
        return {**super().settings(), "potential": self.potential.provenance()}

    def _compute(self, atoms):
        from ..lammps.session import LammpsError, single_point  # noqa: PLC0415

        with tempfile.TemporaryDirectory(prefix="teacher-") as work:
            try:
                return single_point(atoms, self.potential, list(self.potential.species), Path(work))
            except LammpsError as exc:
                raise LabelFailed(f"{self.potential.name}: {exc}") from exc

    def _timed_isolated(self, atoms):
        return 0.0, np.zeros((len(atoms), 3)), None, 0.0


def _tail(path: Path, n: int = 3) -> str:
    if not path.exists():
        return "no CP2K output file"
    lines = [ln.strip() for ln in path.read_text(errors="replace").splitlines() if ln.strip()]
    return "CP2K output ends: " + " | ".join(lines[-n:])


# Backend names (with their aliases) as the config and the CLI give them.
BACKENDS: dict[str, type[Labeler]] = {
    "gfn1-xtb": XTBLabeler, "xtb": XTBLabeler, "tblite": XTBLabeler,
    "cp2k": CP2KLabeler, "cp2k-pbe": CP2KLabeler, "pbe": CP2KLabeler,
    "dataset": DatasetLabeler, "user-dataset": DatasetLabeler,
    "teacher": TeacherLabeler, "classical-teacher": TeacherLabeler,
}


def make_labeler(backend: str, **options) -> Labeler:
    """Labeler by backend name (a key of BACKENDS), built with the backend's options."""
    try:
        cls = BACKENDS[backend.lower()]
    except KeyError:
        raise ValueError(f"unknown labelling backend {backend!r}: use one of {sorted(BACKENDS)}") from None
    return cls(**options)


def set_single_thread() -> None:
    """Pin numerical libraries to one thread unless the caller chose otherwise (one job per core)."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
