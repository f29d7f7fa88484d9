"""Compact sub-regions of periodic samples: the atoms-per-sample axis of the RISE learning curve.

A sample of N atoms can stand in for a smaller one by keeping the n atoms nearest to a
point (minimum-image distances in the periodic cell): a roughly spherical patch of glass.
Its environment fractions count only those n atoms, while each kept atom's SOAP still
sees its true surroundings. Its target is their mean per-atom *excess* energy: each
atom's energy minus the mean energy of its species over all samples. A whole sample has
the fixed composition, so there this is its energy per atom minus a constant (the same
regression problem); a sub-region's composition fluctuates, and without the reference
that fluctuation (in Cu-Zr with the Mendelev potential, Cu atoms average -3.71 eV and
Zr atoms -5.90 eV) would swamp the structural signal. So the
axis varies how many atoms a sample's fraction vector and energy average over, at fixed
cooling history and without new MD; it is not a smaller periodic box (whose own
finite-size effects it does not have).
"""

from __future__ import annotations

import numpy as np
from ase import Atoms


def nearest_atoms(atoms: Atoms, n: int, point_frac: np.ndarray) -> np.ndarray:
    """Indices (ascending) of the n atoms nearest to the fractional point, minimum image.

    Ties are broken by atom index, so the choice is deterministic.
    """
    n_atoms = len(atoms)
    if not 1 <= n <= n_atoms:
        raise ValueError(f"sub-region size {n} must be between 1 and the sample's {n_atoms} atoms")
    d_frac = atoms.get_scaled_positions(wrap=True) - np.asarray(point_frac, dtype=np.float64)[None, :]
    d_frac -= np.round(d_frac)
    dist = np.linalg.norm(d_frac @ atoms.cell.array, axis=1)
    order = np.lexsort((np.arange(n_atoms), dist))
    return np.sort(order[:n])


def random_subregions(samples: list[Atoms], n: int, seed: int) -> list[np.ndarray]:
    """One compact sub-region of n atoms per sample around a uniformly random point; the
    points come from one generator seeded with `seed`, drawn in sample order."""
    rng = np.random.default_rng(seed)
    return [nearest_atoms(atoms, n, rng.random(3)) for atoms in samples]


def excess_energies(per_atom_eV: list[np.ndarray], symbols: list[list[str]]) -> list[np.ndarray]:
    """Each atom's energy minus the mean per-atom energy of its species over all samples
    (samples may list their atoms in different orders: each sample's own symbols count)."""
    symbols = [np.asarray(s) for s in symbols]
    energies = [np.asarray(e, dtype=np.float64) for e in per_atom_eV]
    species = sorted(set().union(*(set(s.tolist()) for s in symbols)))
    mean = {sp: float(np.mean(np.concatenate([e[s == sp] for e, s in zip(energies, symbols)]))) for sp in species}
    return [e - np.array([mean[x] for x in s]) for e, s in zip(energies, symbols)]


def subregion_energies(per_atom_eV: list[np.ndarray], rows: list[np.ndarray]) -> np.ndarray:
    """Mean per-atom energy (eV/atom) of each sample's sub-region."""
    return np.array([float(np.mean(np.asarray(e)[r])) for e, r in zip(per_atom_eV, rows)])
