"""Rigid-ion potentials with full Coulomb interactions (Ewald) as LAMMPS commands.

The long-range part is genuine: point charges summed over all periodic images by
`kspace_style ewald`, the real-space part in `buck/coul/long`. Ewald (not PPPM) because
its forces are the exact gradient of its energy, which a teacher whose labels train
models needs; LAMMPS' default Ewald accuracy target is relative to the force of two unit
charges 1 A apart.

The published repulsion 4 eps [(sigma/r)^n - (sigma/r)^m] is written with LAMMPS'
`nm/cut`, E0/(n-m) [m (r0/r)^n - n (r0/r)^m]; matching the two powers term by term gives
r0 = sigma (n/m)^(1/(n-m)) and E0 = 4 eps (n-m)/n (m/n)^(m/(n-m)) (for n, m = 12, 6 this
is r0 = 2^(1/6) sigma, E0 = eps). A test compares LAMMPS with the published formula.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..potential_table import IonicEntry, PairTerm
from .potential import Potential, require_species


def nm_coefficients(epsilon_eV: float, sigma_A: float, n: int, m: int) -> tuple[float, float]:
    """(E0 eV, r0 A) of LAMMPS nm/cut equal to 4 eps [(sigma/r)^n - (sigma/r)^m]."""
    r0 = sigma_A * (n / m) ** (1.0 / (n - m))
    e0 = 4.0 * epsilon_eV * (n - m) / n * (m / n) ** (m / (n - m))
    return e0, r0


def _from_entry(field: str) -> property:
    """A read-only attribute that is the table entry's field of the same name."""
    return property(lambda self: getattr(self.entry, field), doc=f"the table entry's {field}")


@dataclass(frozen=True)
class IonicPotential(Potential):
    entry: IonicEntry
    atom_style = "charge"
    uses_kspace = True
    name = _from_entry("name")
    pair_style = _from_entry("pair_style")
    filename = _from_entry("filename")
    citation = _from_entry("citation")
    species = _from_entry("species")

    @property
    def energy_source(self) -> str:
        return f"classical teacher {self.name}, rigid ions with Ewald-summed Coulomb ({self.citation})"

    def _term(self, a: str, b: str) -> PairTerm | None:
        for term in self.entry.pairs:
            if {a, b} == set(term.pair) and (a == b) == (term.pair[0] == term.pair[1]):
                return term
        return None

    def commands(self, type_species: list[str]) -> list[str]:
        e = self.entry
        require_species(e.name, e.species, type_species)
        n, m = e.lj_powers
        has_lj = any(t.lj_epsilon_eV for t in e.pairs)
        sub_coul = f"buck/coul/long {e.short_cutoff_A} {e.coulomb_cutoff_A}"
        cmds = []
        if has_lj:
            cmds.append(f"pair_style hybrid/overlay {sub_coul} nm/cut {e.short_cutoff_A}")
        else:
            cmds.append(f"pair_style {sub_coul}")
        sub = "buck/coul/long " if has_lj else ""
        ntypes = len(type_species)
        for i in range(ntypes):
            for j in range(i, ntypes):
                term = self._term(type_species[i], type_species[j]) or PairTerm((type_species[i], type_species[j]))
                # Every pair carries Coulomb; pairs without published short-range terms get A = C = 0.
                cmds.append(f"pair_coeff {i + 1} {j + 1} {sub}{term.A_eV!r} {term.rho_A!r} {term.C_eV_A6!r}")
                if has_lj:
                    e0, r0 = nm_coefficients(term.lj_epsilon_eV, term.lj_sigma_A, n, m)
                    cmds.append(f"pair_coeff {i + 1} {j + 1} nm/cut {e0!r} {r0!r} {n} {m}")
        # No lookup tables for the real-space Coulomb term (LAMMPS' default interpolates
        # energy and force from separate tables): labels must be exact gradients.
        cmds.append("pair_modify table 0" + (" shift yes" if e.shift else ""))
        for i, sym in enumerate(type_species):
            cmds.append(f"set type {i + 1} charge {e.charges_e[sym]!r}")
        cmds.append(f"kspace_style ewald {e.ewald_accuracy!r}")
        return cmds

    def provenance(self) -> dict:
        e = self.entry
        return {**super().provenance(), "kind": "classical teacher (rigid ions, Ewald)",
                "charges_e": dict(e.charges_e), "short_cutoff_A": e.short_cutoff_A,
                "coulomb_real_space_cutoff_A": e.coulomb_cutoff_A, "ewald_accuracy": e.ewald_accuracy,
                "shift": e.shift}
