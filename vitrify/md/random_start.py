"""Random amorphous starting configurations at a target density, free of overlaps."""

from __future__ import annotations

import itertools
import math

import numpy as np
from ase import Atoms
from ase.data import atomic_masses, atomic_numbers

AVOGADRO = 6.02214076e23
CM3_PER_A3 = 1e-24


def species_counts(composition: dict[str, float], n_atoms: int) -> dict[str, int]:
    """Integer atom counts closest to `composition` (atom fractions) summing to n_atoms.

    Largest-remainder rounding, so Cu56Zr44 with 2000 atoms gives exactly 1120/880 and
    SiO2 with 192 atoms gives 64/128.
    """
    if n_atoms <= 0:
        raise ValueError(f"n_atoms must be positive, got {n_atoms}")
    total = sum(composition.values())
    exact = {s: n_atoms * f / total for s, f in composition.items()}
    counts = {s: math.floor(x) for s, x in exact.items()}
    short = n_atoms - sum(counts.values())
    for s in sorted(exact, key=lambda s: exact[s] - counts[s], reverse=True)[:short]:
        counts[s] += 1
    return counts


def box_length_A(counts: dict[str, int], density_g_per_cm3: float) -> float:
    """Edge of the cubic box that holds `counts` atoms at the given mass density."""
    mass_g = sum(n * atomic_masses[atomic_numbers[s]] for s, n in counts.items()) / AVOGADRO
    volume_A3 = mass_g / density_g_per_cm3 / CM3_PER_A3
    return volume_A3 ** (1.0 / 3.0)


def random_packing(
    counts: dict[str, int],
    density_g_per_cm3: float,
    min_distance_A: float,
    seed: int,
    max_attempts: int = 2000,
) -> Atoms:
    """Random sequential insertion in a periodic cubic box, no pair closer than min_distance_A.

    A cell list keeps each trial O(1), so tens of thousands of atoms take seconds.
    Raises ValueError when the density and distance leave no room (random sequential
    packing jams near a packing fraction of 0.38).
    """
    rng = np.random.default_rng(seed)
    length = box_length_A(counts, density_g_per_cm3)
    symbols = np.array([s for s, n in counts.items() for _ in range(n)])
    rng.shuffle(symbols)
    n_atoms = len(symbols)

    packing = math.pi / 6.0 * min_distance_A**3 * n_atoms / length**3
    if packing > 0.35:
        raise ValueError(
            f"min_distance_A={min_distance_A} at {density_g_per_cm3} g/cm3 fills "
            f"{packing:.2f} of space; random insertion jams above ~0.35: lower min_distance_A"
        )

    n_cells = max(1, int(length // min_distance_A))
    cell_size = length / n_cells
    grid: dict[tuple[int, int, int], list[int]] = {}
    positions = np.empty((n_atoms, 3))
    offsets = list(itertools.product((-1, 0, 1), repeat=3)) if n_cells >= 3 else None
    d2_min = min_distance_A**2

    for i in range(n_atoms):
        for _ in range(max_attempts):
            trial = rng.random(3) * length
            cell = tuple((trial // cell_size).astype(int) % n_cells)
            if offsets is None:
                neighbours = list(range(i))
            else:
                neighbours = [
                    j
                    for off in offsets
                    for j in grid.get(tuple((c + o) % n_cells for c, o in zip(cell, off)), ())
                ]
            if neighbours:
                delta = positions[neighbours] - trial
                delta -= length * np.round(delta / length)
                if np.min(np.einsum("ij,ij->i", delta, delta)) < d2_min:
                    continue
            positions[i] = trial
            grid.setdefault(cell, []).append(i)
            break
        else:
            raise ValueError(
                f"could not place atom {i + 1} of {n_atoms} after {max_attempts} attempts "
                f"(min_distance_A={min_distance_A}, box {length:.2f} A): lower min_distance_A"
            )
    return Atoms(symbols=list(symbols), positions=positions, cell=[length] * 3, pbc=True)
