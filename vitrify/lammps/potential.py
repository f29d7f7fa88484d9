"""The one interface of everything that drives LAMMPS MD and minimisation.

A potential says who it is (name, pair style, file, citation; `energy_source` is the
sentence every output carries) and how LAMMPS must be set up for it: `commands` are
the pair_style/pair_coeff lines (re-issued after every `read_restart`, which forgets
them), `attach` adds whatever must exist after them (the `fix external` callback of a
Python model; nothing for a pair style). Sessions call `apply`, never the two parts, and
never ask a potential what kind it is.
"""

from __future__ import annotations

from abc import ABC, abstractmethod


def session_atom_style(*potentials: "Potential | None") -> str:
    """The atom style a session needs to run each of `potentials` in turn."""
    return "charge" if any(p is not None and p.atom_style == "charge" for p in potentials) else "atomic"


def require_species(name: str, covered, type_species: list[str]) -> None:
    """ValueError unless the potential `name` covers every species LAMMPS will give it."""
    unknown = [s for s in type_species if s not in covered]
    if unknown:
        raise ValueError(f"potential {name!r} covers species {list(covered)}, not {unknown}")


class Potential(ABC):
    name: str
    pair_style: str
    filename: str
    citation: str
    atom_style: str = "atomic"   # "charge" for potentials with point charges
    uses_kspace: bool = False    # sets a kspace_style (Ewald) that the next potential must unset

    @property
    @abstractmethod
    def energy_source(self) -> str:
        """Where the energies come from, in words (every table and figure carries it)."""

    @abstractmethod
    def commands(self, type_species: list[str]) -> list[str]:
        """LAMMPS commands that set this potential for atom types named `type_species`."""

    def attach(self, session) -> None:
        """Objects LAMMPS needs after the pair style (fixes, callbacks); none by default."""

    def apply(self, session, type_species: list[str]) -> None:
        if session.kspace_active and not self.uses_kspace:
            # A start potential with Ewald sums hands over to one without: LAMMPS refuses a
            # pair style that cannot pair with the kspace style left behind.
            session.command("kspace_style none")
        session.commands(self.commands(type_species))
        session.kspace_active = self.uses_kspace
        self.attach(session)

    def provenance(self) -> dict:
        """The potential as run.json records it."""
        return {"name": self.name, "pair_style": self.pair_style, "file": self.filename, "citation": self.citation}
