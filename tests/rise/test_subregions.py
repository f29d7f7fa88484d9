"""Compact sub-regions: nearest atoms with periodic images, known neighbour shells."""

import numpy as np
import pytest
from ase.build import bulk

from vitrify.rise.subregions import excess_energies, nearest_atoms, random_subregions, subregion_energies


def simple_cubic(n_cells: int = 4, a: float = 2.0):
    return bulk("Cu", "sc", a=a).repeat(n_cells)


def test_a_site_and_its_six_neighbours_across_the_boundary():
    atoms = simple_cubic()
    corner = 0  # at the origin: three of its neighbours are periodic images across the faces
    rows = nearest_atoms(atoms, 7, atoms.get_scaled_positions()[corner])
    d = atoms.get_distances(corner, rows, mic=True)
    assert corner in rows
    np.testing.assert_allclose(np.sort(d), [0.0] + [2.0] * 6)
    assert np.all(np.diff(rows) > 0)


def test_whole_sample_and_bad_sizes():
    atoms = simple_cubic()
    np.testing.assert_array_equal(nearest_atoms(atoms, len(atoms), [0.3, 0.6, 0.1]), np.arange(len(atoms)))
    for n in (0, len(atoms) + 1):
        with pytest.raises(ValueError, match="between 1 and the sample's 64 atoms"):
            nearest_atoms(atoms, n, [0.5, 0.5, 0.5])


def test_random_subregions_are_reproducible_and_energies_average_them():
    samples = [simple_cubic(), simple_cubic(a=2.1)]
    rows = random_subregions(samples, 9, seed=3)
    again = random_subregions(samples, 9, seed=3)
    assert all(np.array_equal(a, b) for a, b in zip(rows, again))
    assert [len(r) for r in rows] == [9, 9]
    per_atom = [np.arange(64, dtype=float), np.full(64, -4.0)]
    np.testing.assert_allclose(subregion_energies(per_atom, rows), [np.mean(rows[0]), -4.0])


def test_excess_energies_remove_each_species_mean_in_each_samples_own_order():
    symbols = [["Cu", "Zr", "Cu"], ["Zr", "Cu", "Cu"]]
    energies = [np.array([-3.0, -6.0, -4.0]), np.array([-5.0, -3.5, -3.5])]
    excess = excess_energies(energies, symbols)
    # Cu mean -3.5 over four atoms, Zr mean -5.5 over two
    np.testing.assert_allclose(excess[0], [0.5, -0.5, -0.5])
    np.testing.assert_allclose(excess[1], [0.5, 0.0, 0.0])
    # a sample of the fixed composition: mean excess = energy per atom minus a constant
    whole = [np.arange(3)] * 2
    shift = subregion_energies(energies, whole) - subregion_energies(excess, whole)
    np.testing.assert_allclose(shift, shift[0])
