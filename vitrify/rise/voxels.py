"""Periodic voxel densities of atomic samples, one channel per species, for the RISE ViT.

The grid lives in fractional coordinates: grid point (i, j, k) sits at
(i a + j b + k c) / grid for cell vectors a, b, c. So every cell shape (NPT boxes that are
not exactly cubic, triclinic cells) gives the same grid^3 array, and translating a sample by
one grid step along a cell vector is exactly `np.roll` by one along that axis: the
invariance the ViT's translation augmentation relies on.

Each atom deposits a total weight of one, so a channel sums to its species' atom count:
  - "gaussian" (default): an isotropic Gaussian in Cartesian space (correct for sheared
    cells too), periodic, cut at `cutoff_sigmas` sigma and renormalised on the grid
    points it reaches;
  - "trilinear": the eight grid points of the atom's fractional cell (cloud-in-cell).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from ase import Atoms

METHODS = ("gaussian", "trilinear")

# Bounds the (atoms x stencil points) work arrays of one deposition chunk.
_MAX_CHUNK_POINTS = 1 << 22


def voxel_size_A(atoms: Atoms, grid: int) -> float:
    """Edge of a cube of the same volume as one voxel (A): the grid step of a cubic cell."""
    _check_grid(grid)
    return float((abs(atoms.cell.volume) / grid**3) ** (1.0 / 3.0))


def species_channels(symbols: Sequence[str], species: Sequence[str]) -> np.ndarray:
    """Channel index of each symbol; an element outside `species` is an error, never dropped."""
    lookup = {s: i for i, s in enumerate(species)}
    if len(lookup) != len(species):
        raise ValueError(f"species must be unique, got {list(species)}")
    unknown = sorted(set(symbols) - set(lookup))
    if unknown:
        raise ValueError(f"element(s) {unknown} not in the voxel channels {list(species)}")
    return np.array([lookup[s] for s in symbols], dtype=np.int64)


def voxelise(atoms: Atoms, species: Sequence[str], grid: int, sigma_A: float | None = None,
             method: str = "gaussian", cutoff_sigmas: float = 3.0) -> np.ndarray:
    """Density of each species on a periodic grid^3 grid: float32 [n_species, grid, grid, grid].

    sigma_A defaults to half the voxel size (`voxel_size_A`). Deterministic: the sums run
    in a fixed order (np.bincount) in float64.
    """
    _check_grid(grid)
    if method not in METHODS:
        raise ValueError(f"unknown voxelisation method {method!r}; choose from {METHODS}")
    channel = species_channels(atoms.get_chemical_symbols(), species)
    cell = np.asarray(atoms.cell, dtype=np.float64)
    if abs(np.linalg.det(cell)) < 1e-12:
        raise ValueError("voxelise needs a periodic sample with a full 3-D cell")
    frac = np.asarray(atoms.cell.scaled_positions(atoms.positions), dtype=np.float64) % 1.0
    if method == "trilinear":
        flat, weight = trilinear_weights(frac, grid)
    else:
        sigma = default_sigma_A(atoms, grid) if sigma_A is None else float(sigma_A)
        if not sigma > 0.0:
            raise ValueError(f"sigma_A must be positive, got {sigma_A}")
        flat, weight = gaussian_weights(frac, cell, grid, sigma, cutoff_sigmas)
    n_vox = grid**3
    index = channel[:, None] * n_vox + flat
    density = np.bincount(index.ravel(), weights=weight.ravel(), minlength=len(species) * n_vox)
    return density.reshape(len(species), grid, grid, grid).astype(np.float32)


def voxelise_samples(samples: Sequence[Atoms], species: Sequence[str], grid: int,
                     sigma_A: float | None = None, method: str = "gaussian") -> np.ndarray:
    """`voxelise` of each sample, stacked: float32 [n_samples, n_species, grid, grid, grid]."""
    out = np.empty((len(samples), len(species), grid, grid, grid), dtype=np.float32)
    for i, atoms in enumerate(samples):
        out[i] = voxelise(atoms, species, grid, sigma_A, method)
    return out


def trilinear_weights(frac: np.ndarray, grid: int) -> tuple[np.ndarray, np.ndarray]:
    """Flat grid indices [n, 8] and weights [n, 8] of cloud-in-cell deposition."""
    u = frac * grid
    base = np.floor(u).astype(np.int64)
    t = u - base
    corners = np.array([[i, j, k] for i in (0, 1) for j in (0, 1) for k in (0, 1)])
    weight = np.prod(np.where(corners[None], t[:, None, :], 1.0 - t[:, None, :]), axis=2)
    return _flat_index(base[:, None, :] + corners[None], grid), weight


def gaussian_weights(frac: np.ndarray, cell: np.ndarray, grid: int, sigma_A: float,
                     cutoff_sigmas: float = 3.0) -> tuple[np.ndarray, np.ndarray]:
    """Flat grid indices and weights [n, stencil] of periodic Cartesian Gaussians.

    The stencil is a box of grid offsets around each atom's nearest grid point, wide
    enough along each axis to hold the cutoff sphere in any cell shape (a sphere of radius
    R spans R |b_i| in fractional coordinate i, b_i a reciprocal vector). A stencil wider
    than the grid wraps onto itself, which sums the periodic images as it should.
    """
    radius = cutoff_sigmas * sigma_A
    recip = np.linalg.inv(cell).T  # rows b_i with a_i . b_j = delta_ij
    half = np.ceil(radius * grid * np.linalg.norm(recip, axis=1) + 0.5).astype(np.int64)
    offsets = np.stack(np.meshgrid(*[np.arange(-h, h + 1) for h in half], indexing="ij"), -1).reshape(-1, 3)
    chunk = max(1, _MAX_CHUNK_POINTS // len(offsets))
    flats, weights = [], []
    for start in range(0, len(frac), chunk):
        u = frac[start:start + chunk] * grid
        points = np.rint(u).astype(np.int64)[:, None, :] + offsets[None]
        cart = ((points - u[:, None, :]) / grid) @ cell
        d2 = np.einsum("npk,npk->np", cart, cart)
        # Exponents relative to each atom's nearest point: no underflow to an all-zero
        # deposit however small sigma is.
        expo = -(d2 - d2.min(axis=1, keepdims=True)) / (2.0 * sigma_A**2)
        w = np.where(d2 <= radius**2, np.exp(expo), 0.0)
        # A cutoff shorter than the nearest grid point still deposits the atom somewhere.
        w[np.arange(len(w)), np.argmin(d2, axis=1)] = 1.0
        weights.append(w / w.sum(axis=1, keepdims=True))
        flats.append(_flat_index(points, grid))
    if not flats:
        return np.zeros((0, len(offsets)), np.int64), np.zeros((0, len(offsets)))
    return np.concatenate(flats), np.concatenate(weights)


def _flat_index(points: np.ndarray, grid: int) -> np.ndarray:
    p = points % grid
    return (p[..., 0] * grid + p[..., 1]) * grid + p[..., 2]


def _check_grid(grid: int) -> None:
    if int(grid) != grid or grid < 1:
        raise ValueError(f"grid must be a positive integer, got {grid}")


def grid_points_cartesian(cell: np.ndarray, grid: int) -> np.ndarray:
    """Cartesian positions (A) of the grid points, [grid, grid, grid, 3]."""
    idx = np.stack(np.meshgrid(*[np.arange(grid)] * 3, indexing="ij"), -1)
    return (idx / grid) @ np.asarray(cell, dtype=np.float64)


def default_sigma_A(atoms: Atoms, grid: int) -> float:
    """Half a voxel: narrow enough to keep ~1 A structure at 1 A voxels, wide enough that
    an atom never falls between grid points unseen."""
    return 0.5 * voxel_size_A(atoms, grid)


__all__ = [
    "METHODS", "default_sigma_A", "gaussian_weights", "grid_points_cartesian", "species_channels",
    "trilinear_weights", "voxel_size_A", "voxelise", "voxelise_samples",
]
