"""Any ASE calculator (a MACE model, say) as the LAMMPS force field, via `fix external`.

LAMMPS integrates; at every force evaluation a Python callback hands the positions and
the box to the calculator and returns energy, forces and virial. `pair_style zero` keeps
LAMMPS' neighbour machinery alive (it needs a cutoff for ghost atoms) without adding
forces. The route is serial: one rank sees the whole box, so it suits models that want
the whole structure at once, long-range ones included, on CPU or GPU.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from ase import Atoms

from .potential import Potential

# ASE's Voigt order is xx yy zz yz xz xy; LAMMPS wants xx yy zz xy xz yz.
_ASE_TO_LAMMPS_VOIGT = [0, 1, 2, 5, 4, 3]


@dataclass(eq=False)
class ExternalPotential(Potential):
    """A calculator-backed potential usable wherever a classical one is.

    `calculator` is an ASE calculator providing energy, forces and stress for periodic
    structures; `cutoff_A` sets LAMMPS' neighbour cutoff (the model's own cutoff is fine).
    """

    name: str
    calculator: object
    cutoff_A: float
    citation: str = ""
    pair_style: str = "zero (fix external)"
    filename: str = ""
    fix_id: str = "mlforce"
    _species: list[str] = field(default_factory=list, repr=False)
    calls: int = 0

    @property
    def energy_source(self) -> str:
        return f"{self.name} through LAMMPS fix external" + (f" ({self.citation})" if self.citation else "")

    def commands(self, type_species: list[str]) -> list[str]:
        self._species = list(type_species)  # the callback names atom types with these
        return [f"pair_style zero {self.cutoff_A}", "pair_coeff * *"]

    def attach(self, session) -> None:
        """Create the fix and register the callback (again after every read_restart)."""
        session.commands([
            f"fix {self.fix_id} all external pf/callback 1 1",
            f"fix_modify {self.fix_id} energy yes virial yes",
        ])
        session.lmp.set_fix_external_callback(self.fix_id, self._callback, session)

    def _callback(self, session, ntimestep, nlocal, tag, x, f) -> None:
        order = np.argsort(tag[:nlocal])
        types = session.lmp.numpy.extract_atom("type")[:nlocal]
        cell = session.cell()
        boxlo = np.array(session.lmp.extract_box()[0])
        atoms = Atoms(
            symbols=[self._species[t - 1] for t in types[order]],
            positions=x[:nlocal][order] - boxlo,
            cell=cell,
            pbc=True,
        )
        # Between re-neighbourings LAMMPS lets atoms drift out of the box; give the model
        # the periodic images inside it (energy and forces are unchanged, atom order too).
        atoms.wrap()
        atoms.calc = self.calculator
        energy = atoms.get_potential_energy()
        forces = atoms.get_forces()
        stress = atoms.get_stress(voigt=True)
        out = np.empty_like(forces)
        out[order] = forces
        f[:nlocal] = out
        lmp = session.lmp
        lmp.fix_external_set_energy_global(self.fix_id, float(energy))
        virial = -stress[_ASE_TO_LAMMPS_VOIGT] * atoms.get_volume()
        lmp.fix_external_set_virial_global(self.fix_id, [float(v) for v in virial])
        self.calls += 1
