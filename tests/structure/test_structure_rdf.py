"""Partial g(r): known crystal shells, ideal-gas normalisation, triclinic cells, errors."""

from __future__ import annotations

import numpy as np
import pytest
from ase.build import bulk

from vitrify.structure.cell import max_pair_distance_A, perpendicular_widths_A
from vitrify.structure.rdf import first_minimum_A, mean_and_sem, partial_rdf
from tests.support.structure_samples import fcc, ideal_gas


def test_fcc_shells_and_coordination_12():
    a = 4.05
    rdf = partial_rdf(fcc(a, 5), r_max_A=7.0, dr_A=0.01)
    g = rdf.pair("Cu", "Cu")
    # Shells of an fcc lattice sit at a sqrt(k/2): 2.864, 4.05, 4.960, 5.727, 6.403 A.
    expected = a * np.sqrt(np.array([1, 2, 3, 4, 5]) / 2)
    occupied = rdf.r_A[g > 0]
    for r in expected:
        assert np.min(np.abs(occupied - r)) < 0.01
    # Nothing between the shells.
    assert np.all(g[(rdf.r_A > 0.1) & (rdf.r_A < expected[0] - 0.02)] == 0)
    n = rdf.running_coordination("Cu", "Cu")
    between = np.searchsorted(rdf.edges_A[1:], 3.4)
    assert n[between] == pytest.approx(12.0, abs=1e-9)
    # Second shell: 6 more neighbours.
    assert n[np.searchsorted(rdf.edges_A[1:], 4.5)] == pytest.approx(18.0, abs=1e-9)


def test_triclinic_cell_gives_the_same_g_as_the_cubic_one():
    a = 4.05
    prim = bulk("Cu", "fcc", a=a).repeat((7, 7, 7))  # rhombohedral (60 deg) primitive cell
    assert not np.allclose(prim.cell.angles(), 90)
    cubic = fcc(a, 5)
    r_max = 6.0
    assert r_max <= max_pair_distance_A(prim.cell)
    # Bins of 0.04 A keep every shell away from a bin edge, where rounding could tip a
    # distance either way. The (N - 1) normalisation differs by 1/343 - 1/500 between
    # the two cells, hence rtol 2e-3.
    g_tri = partial_rdf(prim, r_max, 0.04).pair("Cu", "Cu")
    g_cub = partial_rdf(cubic, r_max, 0.04).pair("Cu", "Cu")
    np.testing.assert_allclose(g_tri, g_cub, rtol=2e-3, atol=1e-12)


def test_ghost_route_equals_periodic_tree_route_on_an_orthorhombic_cell():
    atoms = ideal_gas({"Si": 40, "O": 80}, np.diag([10.0, 11.0, 12.5]), seed=3)
    a = partial_rdf(atoms, 4.9, 0.1)
    b = partial_rdf(atoms, 4.9, 0.1, force_ghosts=True)
    for p in a.g:
        np.testing.assert_array_equal(a.g[p], b.g[p])


def test_ideal_gas_gives_one_for_like_and_unlike_pairs():
    cell = np.array([[20.0, 0, 0], [3.0, 19.0, 0], [1.0, 2.0, 21.0]])  # triclinic
    frames = [ideal_gas({"Si": 1500, "O": 3000}, cell, seed) for seed in range(3)]
    rdf = partial_rdf(frames, 9.0, 0.25)
    sel = rdf.r_A > 2.0  # enough pairs per bin for a 3 % check
    for pair, g in rdf.g.items():
        assert abs(np.mean(g[sel]) - 1.0) < 0.01, pair
        assert np.max(np.abs(g[sel] - 1.0)) < 0.06, pair
    assert rdf.g_frames[("Si", "O")].shape == (3, len(rdf.r_A))


def test_like_pair_normalisation_uses_n_times_n_minus_one():
    # With only 4 atoms of a kind, N_a^2 instead of N_a (N_a - 1) would give g = 0.75.
    frames = [ideal_gas({"Si": 4, "O": 6}, np.eye(3) * 10.0, seed) for seed in range(1500)]
    rdf = partial_rdf(frames, 5.0, 5.0)
    for pair, g in rdf.g.items():
        assert g[0] == pytest.approx(1.0, abs=0.03), pair


def test_r_max_beyond_half_the_cell_is_a_clear_error():
    atoms = ideal_gas({"Si": 10}, np.diag([10.0, 12.0, 14.0]), seed=0)
    assert perpendicular_widths_A(atoms.cell) == pytest.approx([10.0, 12.0, 14.0])
    with pytest.raises(ValueError, match=r"exceeds half the smallest perpendicular cell width \(5 A\)"):
        partial_rdf(atoms, 5.5, 0.1)


def test_mean_and_sem_over_replicas():
    curves = np.array([[1.0, 2.0], [3.0, 2.0], [5.0, 2.0]])
    mean, sem = mean_and_sem(curves)
    np.testing.assert_allclose(mean, [3.0, 2.0])
    np.testing.assert_allclose(sem, [2.0 / np.sqrt(3), 0.0])
    _, sem1 = mean_and_sem(curves[:1])
    assert np.all(np.isnan(sem1))


def test_first_minimum_of_a_two_shell_g():
    r = np.linspace(0, 6, 601)
    g = np.exp(-((r - 1.6) / 0.1) ** 2) * 8 + np.exp(-((r - 3.0) / 0.3) ** 2) * 1.5
    assert 1.9 < first_minimum_A(r, g) < 2.5  # between the two shells
