"""A thin, error-checked LAMMPS session: structures in, commands, thermo and frames out;
single points and inherent structures of one configuration with any potential."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import numpy as np
from ase import Atoms
from ase.io.lammpsdata import write_lammps_data

from .loader import import_lammps
from .potential import Potential, session_atom_style

THERMO_KEYS = ("temp", "pe", "ke", "etotal", "press", "vol", "density")


class LammpsError(RuntimeError):
    """A LAMMPS command failed; the message names the command and LAMMPS' reason."""


class LammpsSession:
    """One serial LAMMPS instance in metal units, atom style atomic (or charge, for
    potentials with point charges: `session_atom_style` of the potentials it will run).

    Atom type i+1 is `type_species[i]`, so frames and potentials agree on species.
    """

    def __init__(self, type_species: list[str], log_path: Path | None = None, atom_style: str = "atomic"):
        if atom_style not in ("atomic", "charge"):
            raise ValueError(f"atom_style {atom_style!r}: vitrify runs 'atomic' or 'charge'")
        lammps = import_lammps()
        self.type_species = list(type_species)
        self.atom_style = atom_style
        self.kspace_active = False
        self.lmp = lammps.lammps(cmdargs=["-nocite", "-screen", "none", "-log", "none"])
        if log_path is not None:
            self.command(f"log {log_path} append")
        self.commands(["units metal", f"atom_style {atom_style}", "boundary p p p", "atom_modify map array"])

    def command(self, cmd: str) -> None:
        try:
            self.lmp.command(cmd)
        except Exception as exc:  # LAMMPS raises a bare Exception with its error text
            reason = " ".join(str(exc).split())  # LAMMPS messages span lines; keep one
            raise LammpsError(f"LAMMPS command `{cmd}` failed: {reason}") from exc

    def commands(self, cmds: list[str]) -> None:
        for cmd in cmds:
            self.command(cmd)

    def load_atoms(self, atoms: Atoms, data_path: Path) -> None:
        """Write `atoms` as a LAMMPS data file (kept as a record) and read it."""
        with open(data_path, "w") as fh:
            # Charges (zero here) are set by the potential, per atom type.
            write_lammps_data(fh, atoms, specorder=self.type_species, masses=True, units="metal",
                              atom_style=self.atom_style)
        self.command(f"read_data {data_path}")

    def read_restart(self, path: Path) -> None:
        self.command(f"read_restart {path}")

    @property
    def step(self) -> int:
        return int(self.lmp.extract_global("ntimestep"))

    @property
    def natoms(self) -> int:
        return int(self.lmp.get_natoms())

    def thermo(self) -> dict[str, float]:
        """Thermo values of the last step run (LAMMPS computes them on a run's last step)."""
        return {k: float(self.lmp.get_thermo(k)) for k in THERMO_KEYS}

    def cell(self) -> np.ndarray:
        boxlo, boxhi, xy, yz, xz, _, _ = self.lmp.extract_box()
        lx, ly, lz = (hi - lo for hi, lo in zip(boxhi, boxlo))
        return np.array([[lx, 0.0, 0.0], [xy, ly, 0.0], [xz, yz, lz]])

    def in_id_order(self, values) -> np.ndarray:
        """A per-atom array of this serial session (its first nlocal rows) ordered by LAMMPS
        atom id, i.e. in the order of the structure that was loaded."""
        nlocal = int(self.lmp.extract_global("nlocal"))
        ids = np.array(self.lmp.numpy.extract_atom("id")[:nlocal])
        return np.array(values[:nlocal])[np.argsort(ids)]

    def to_atoms(self) -> Atoms:
        """Current configuration, atoms ordered by LAMMPS id, wrapped into the cell."""
        x = self.in_id_order(self.lmp.numpy.extract_atom("x"))
        types = self.in_id_order(self.lmp.numpy.extract_atom("type"))
        boxlo = np.array(self.lmp.extract_box()[0])
        symbols = [self.type_species[t - 1] for t in types]
        atoms = Atoms(symbols=symbols, positions=x - boxlo, cell=self.cell(), pbc=True)
        atoms.wrap()
        return atoms

    def close(self) -> None:
        self.lmp.close()


BAR_TO_EV_PER_A3 = 1.0 / 1.602176634e6


@contextmanager
def _loaded_session(atoms: Atoms, potential: Potential, type_species: list[str], data_path: Path):
    """A session holding `atoms` (data file kept at data_path) and `potential`; closed on exit."""
    session = LammpsSession(type_species, atom_style=session_atom_style(potential))
    try:
        session.load_atoms(atoms, data_path)
        potential.apply(session, type_species)
        yield session
    finally:
        session.close()


def single_point(atoms: Atoms, potential: Potential, type_species: list[str],
                 workdir: Path) -> tuple[float, np.ndarray, np.ndarray]:
    """Energy (eV), forces (eV/A, order of `atoms`) and stress (eV/A^3, ASE Voigt order
    xx yy zz yz xz xy, positive = tensile) of a configuration at rest, from LAMMPS.

    `potential` is any `vitrify.lammps.potential.Potential`.
    """
    with _loaded_session(atoms, potential, type_species, Path(workdir) / "single_point.data") as session:
        # No velocities were given: the pressure tensor is the virial part alone.
        session.commands(["thermo_style custom step pe pxx pyy pzz pyz pxz pxy", "run 0"])
        forces = session.in_id_order(session.lmp.numpy.extract_atom("f"))
        pressure = np.array([session.lmp.get_thermo(k) for k in ("pxx", "pyy", "pzz", "pyz", "pxz", "pxy")])
        return float(session.lmp.get_thermo("pe")), forces, -pressure * BAR_TO_EV_PER_A3


def per_atom_energies(atoms: Atoms, potential: Potential, type_species: list[str], workdir: Path) -> np.ndarray:
    """Potential energy of each atom (eV, order of `atoms`), LAMMPS `compute pe/atom`.

    For pair and many-body potentials such as EAM the per-atom energies sum to the total
    (each pair term split in half, each embedding term to its atom); a k-space term has no
    per-atom share here, so a potential with charges is refused.
    """
    if session_atom_style(potential) != "atomic":
        raise ValueError(f"{potential.name}: per-atom energies are defined here for potentials without charges")
    with _loaded_session(atoms, potential, type_species, Path(workdir) / "per_atom_energy.data") as session:
        session.commands(["compute vitrify_pe all pe/atom", "thermo_style custom step pe", "run 0"])
        # style 1 = per-atom, type 1 = vector (LAMMPS library constants LMP_STYLE_ATOM, LMP_TYPE_VECTOR)
        return session.in_id_order(session.lmp.numpy.extract_compute("vitrify_pe", 1, 1)).astype(np.float64)


def energy_and_forces(atoms: Atoms, potential: Potential, type_species: list[str],
                      workdir: Path) -> tuple[float, np.ndarray]:
    """Potential energy (eV) and forces (eV/A, in the order of `atoms`) from LAMMPS."""
    energy, forces, _ = single_point(atoms, potential, type_species, workdir)
    return energy, forces


def inherent_structure(atoms: Atoms, potential: Potential, type_species: list[str],
                       workdir: Path, ftol_eV_per_A: float = 1e-4, max_iterations: int = 10000
                       ) -> tuple[Atoms, float, int]:
    """Minimise at fixed cell (conjugate gradient) to the inherent structure.

    `potential` is any `vitrify.lammps.potential.Potential`.

    Returns the minimised configuration (order of `atoms`), its potential energy in eV and
    the number of iterations LAMMPS took.
    """
    with _loaded_session(atoms, potential, type_species, Path(workdir) / "inherent_start.data") as session:
        session.commands([
            "thermo_style custom step pe fnorm",
            "min_style cg",
            f"minimize 0.0 {ftol_eV_per_A} {max_iterations} {10 * max_iterations}",
        ])
        result = session.to_atoms()
        iterations = int(session.lmp.extract_global("ntimestep"))
        energy = float(session.lmp.get_thermo("pe"))
        return result, energy, iterations
