"""Coordination numbers, defects and Qn speciation from pair cutoffs.

A pair (a, b) is bonded when 0 < d <= cutoff[(a, b)] (neighbours.find_bonds), periodic
images included. The cutoffs are a choice: take them from the first minimum of the
partial g(r) (rdf.first_minimum_A) and report them with the numbers.

Silica conventions used here:

* Si is "four-fold" with exactly 4 O neighbours; fewer is under-coordinated, more is
  over-coordinated. O is normal with exactly 2 Si neighbours.
* A bridging oxygen (BO) has >= 2 Si neighbours; a non-bridging oxygen (NBO) has 1.
* Qn (n = 0..4): a FOUR-FOLD Si with n bridging-oxygen neighbours. Si that are not
  four-fold are not given a Qn label; their number is reported separately
  (`not_fourfold`) so the Qn fractions sum to 1 over four-fold Si only.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
from ase import Atoms

from .neighbours import Bonds, find_bonds


def bonds_of(atoms: Atoms, cutoffs_A: Mapping[tuple[str, str], float]) -> Bonds:
    return find_bonds(atoms.get_positions(), np.asarray(atoms.cell), atoms.get_chemical_symbols(),
                      dict(cutoffs_A))


def coordination_numbers(bonds: Bonds, symbols, center: str, neighbour: str) -> np.ndarray:
    """Number of `neighbour` atoms bonded to each `center` atom (array over center atoms)."""
    symbols = np.asarray(symbols)
    mask = symbols[bonds.j] == neighbour
    cn = np.bincount(bonds.i[mask], minlength=len(symbols))
    return cn[symbols == center]


def coordination_distribution(cn: np.ndarray) -> dict[int, float]:
    """Fraction of centre atoms with each coordination number."""
    values, counts = np.unique(cn, return_counts=True)
    return {int(v): float(c) / len(cn) for v, c in zip(values, counts)}


def defect_counts(bonds: Bonds, symbols, expected: Mapping[tuple[str, str], int]) -> dict:
    """Under-/over-coordinated counts for each (center, neighbour): expected count.

    e.g. expected={("Si", "O"): 4, ("O", "Si"): 2} for silica. Returns, per key
    "Si-O": {"n": atoms, "under": count, "over": count, "mean": mean CN}.
    """
    out = {}
    for (c, nb), want in expected.items():
        cn = coordination_numbers(bonds, symbols, c, nb)
        out[f"{c}-{nb}"] = {"n": int(len(cn)), "under": int((cn < want).sum()),
                            "over": int((cn > want).sum()),
                            "mean": float(cn.mean()) if len(cn) else float("nan")}
    return out


def qn_speciation(bonds: Bonds, symbols, si: str = "Si", o: str = "O") -> dict:
    """Qn distribution of four-fold Si (module doc), with BO/NBO and defect counts.

    Returns {"Q": {0: frac, ..., 4: frac}, "counts": {0: n, ..., 4: n},
    "not_fourfold": n, "bridging_O": n, "nonbridging_O": n, "free_O": n}.
    """
    symbols = np.asarray(symbols)
    n = len(symbols)
    j_is_si = symbols[bonds.j] == si
    j_is_o = symbols[bonds.j] == o
    si_neighbours_of = np.bincount(bonds.i[j_is_si], minlength=n)  # per atom: bonded Si
    o_neighbours_of = np.bincount(bonds.i[j_is_o], minlength=n)
    is_si, is_o = symbols == si, symbols == o
    bridging = is_o & (si_neighbours_of >= 2)
    # Per Si: how many of its O neighbours are bridging.
    sel = is_si[bonds.i] & j_is_o
    bo_per_si = np.bincount(bonds.i[sel], weights=bridging[bonds.j[sel]].astype(float), minlength=n)
    fourfold = is_si & (o_neighbours_of == 4)
    counts = {q: int(((bo_per_si == q) & fourfold).sum()) for q in range(5)}
    n4 = int(fourfold.sum())
    return {
        "Q": {q: (c / n4 if n4 else float("nan")) for q, c in counts.items()},
        "counts": counts,
        "not_fourfold": int((is_si & ~fourfold).sum()),
        "bridging_O": int(bridging.sum()),
        "nonbridging_O": int((is_o & (si_neighbours_of == 1)).sum()),
        "free_O": int((is_o & (si_neighbours_of == 0)).sum()),
    }
