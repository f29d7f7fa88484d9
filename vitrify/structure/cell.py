"""Periodic-cell geometry: perpendicular widths, wrapping, and ghost images.

Conventions: a cell is a (3, 3) array whose ROWS are the lattice vectors a, b, c in
angstrom (ASE's convention); fractional coordinates s satisfy r = s @ cell. Every
function here works for triclinic cells; nothing assumes orthogonal axes.
"""

from __future__ import annotations

import numpy as np

AMU_PER_A3_TO_G_PER_CM3 = 1.66053906660  # 1 u/A^3 in g/cm^3 (CODATA 2018 atomic mass constant)


def density_g_per_cm3(atoms) -> float:
    """Mass density of a periodic ASE Atoms in g/cm^3."""
    return float(atoms.get_masses().sum() / atoms.get_volume() * AMU_PER_A3_TO_G_PER_CM3)


def perpendicular_widths_A(cell: np.ndarray) -> np.ndarray:
    """Distances between opposite faces of the cell, one per lattice vector.

    The width along a_i is V / |a_j x a_k|. A sphere of radius r fits inside the cell
    (and meets no periodic image of its centre) only if 2 r is below the smallest width,
    which is why r_max for g(r) is bounded by half of it.
    """
    cell = np.asarray(cell, dtype=float)
    volume = abs(np.linalg.det(cell))
    if volume <= 0:
        raise ValueError("cell has zero volume")
    cross = np.array([np.cross(cell[1], cell[2]), np.cross(cell[2], cell[0]),
                      np.cross(cell[0], cell[1])])
    return volume / np.linalg.norm(cross, axis=1)


def max_pair_distance_A(cell: np.ndarray) -> float:
    """Largest r for which every pair within r is a unique minimum-image pair."""
    return 0.5 * float(perpendicular_widths_A(cell).min())


def check_r_max(r_max_A: float, cell: np.ndarray, what: str = "r_max_A") -> None:
    """Raise a one-line ValueError if r_max_A exceeds half the smallest cell width."""
    limit = max_pair_distance_A(cell)
    if r_max_A > limit * (1 + 1e-12):
        raise ValueError(
            f"{what}={r_max_A:.4g} A exceeds half the smallest perpendicular cell width "
            f"({limit:.4g} A): beyond it periodic images of the same pair would be counted")


def is_orthorhombic(cell: np.ndarray, tol: float = 1e-10) -> bool:
    cell = np.asarray(cell, dtype=float)
    return bool(np.all(np.abs(cell - np.diag(np.diag(cell))) <= tol * np.abs(cell).max()))


def wrapped_fractional(positions_A: np.ndarray, cell: np.ndarray) -> np.ndarray:
    """Fractional coordinates folded into [0, 1)."""
    frac = np.asarray(positions_A, float) @ np.linalg.inv(np.asarray(cell, float))
    frac -= np.floor(frac)
    # Rounding can leave a coordinate at exactly 1.0 after the floor; fold it to 0.
    frac[frac >= 1.0] = 0.0
    return frac


def ghost_images(frac: np.ndarray, cell: np.ndarray, skin_A: float
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Atoms plus every periodic image lying within skin_A of the cell.

    Returns (cartesian positions, index of the original atom, integer image shift) with
    the untranslated atoms first, in their original order. An image is kept when its
    fractional coordinate along every axis lies within skin_A / width of [0, 1), i.e.
    within skin_A of the cell's face planes: any point inside the cell closer than
    skin_A to an atom then finds that atom (or its image) in this set. Works for any
    skin, including skins larger than the cell (several image layers).
    """
    frac = np.asarray(frac, float)
    cell = np.asarray(cell, float)
    n = len(frac)
    margin = skin_A / perpendicular_widths_A(cell)
    layers = np.ceil(margin).astype(int)
    ranges = [np.arange(-m, m + 1) for m in layers]
    shifts = np.array(np.meshgrid(*ranges, indexing="ij")).reshape(3, -1).T
    # Zero shift first so the original atoms keep indices 0..n-1.
    order = np.argsort(np.abs(shifts).sum(axis=1), kind="stable")
    shifts = shifts[order]
    all_frac, all_idx, all_shift = [frac], [np.arange(n)], [np.zeros((n, 3), int)]
    for s in shifts[1:]:
        f = frac + s
        keep = np.all((f >= -margin) & (f < 1.0 + margin), axis=1)
        if keep.any():
            all_frac.append(f[keep])
            all_idx.append(np.nonzero(keep)[0])
            all_shift.append(np.broadcast_to(s, (int(keep.sum()), 3)))
    frac_all = np.concatenate(all_frac)
    return frac_all @ cell, np.concatenate(all_idx), np.concatenate(all_shift).astype(int)
