"""Rings: crystals with known counts, no box-wrapping rings, replication invariance, matscipy."""

from __future__ import annotations

import numpy as np
import pytest
from ase import Atoms

from vitrify.structure.rings import METHODS, find_rings, ring_statistics
from tests.support.structure_samples import glass_frames, make_cristobalite, make_quartz


def primitive_cristobalite(a: float = 7.16) -> Atoms:
    """The same idealised beta-cristobalite in its 6-atom rhombohedral primitive cell."""
    cell = a / 2 * np.array([[0, 1, 1], [1, 0, 1], [1, 1, 0]])
    bonds = a / 4 * np.array([[1, 1, 1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1]])
    pos = np.vstack([[0, 0, 0], bonds[0], bonds / 2])
    return Atoms(["Si", "Si", "O", "O", "O", "O"], positions=pos, cell=cell, pbc=True)


@pytest.mark.parametrize("method", METHODS)
def test_cristobalite_has_only_six_rings_in_any_cell(method):
    """Each Si of the diamond-like net lies in 12 six-rings; 6 Si per ring => 2 rings per Si."""
    cristobalite = make_cristobalite()
    for atoms in (primitive_cristobalite(), cristobalite, cristobalite.repeat(2)):
        n_si = atoms.get_chemical_symbols().count("Si")
        stats = ring_statistics(atoms, method, max_size=10)
        assert stats.counts() == {6: 2.0 * n_si}, (len(atoms), stats.counts())
        assert stats.R_N[5] == pytest.approx(2.0)
        assert stats.P_N[5] == 1.0
        assert stats.P_N.sum() == 1.0


def test_quartz_rings():
    # Six-rings: 3 per cell (each Si in 6 of them). King's shortest-path criterion also
    # closes angles through 8-rings; the primitive 8-rings are 15 per cell.
    quartz = make_quartz()
    king = ring_statistics(quartz, "king", 8).counts()
    assert set(king) == {6, 8} and king[6] == 3
    prim = ring_statistics(quartz, "primitive", 8).counts()
    assert prim == {6: 3.0, 8: 15.0}
    assert ring_statistics(quartz, "guttman", 8).counts() == {6: 3.0}
    # Counts per cell do not depend on the supercell used.
    assert ring_statistics(quartz.repeat((2, 2, 1)), "king", 8).counts() == {n: 4 * c for n, c in king.items()}


def test_primitive_rings_match_matscipy_where_the_box_is_large():
    """matscipy's ring_statistics counts Franzblau shortest-path rings (= primitive rings)
    using graph distances of the finite periodic graph, so it agrees only in cells large
    enough for no shortcut to wrap the box (here 3x3x3 quartz, 2x2x2 cristobalite)."""
    quartz = make_quartz()
    cristobalite = make_cristobalite()
    from matscipy.rings import ring_statistics as matscipy_rings

    for atoms in (quartz.repeat(3), cristobalite.repeat(2)):
        ms = matscipy_rings(atoms, 2.0, maxlength=20)
        ms = {n: int(c) for n, c in enumerate(ms) if c}
        mine = find_rings(atoms, "primitive", 10).count()
        assert mine == ms


def test_chain_wrapping_the_box_is_not_a_ring():
    # An infinite Si-O chain along x: in the periodic cell Si-O-Si(image) closes on itself,
    # but its closure vector is one lattice vector, so it is not a ring.
    chain = Atoms(["Si", "O"], positions=[[0, 5, 5], [1.6, 5, 5]], cell=[3.2, 10, 10], pbc=True)
    for method in METHODS:
        assert find_rings(chain, method, 6).count() == {}


@pytest.mark.parametrize("method", METHODS)
def test_glass_ring_counts_scale_exactly_with_replication(method):
    glass = glass_frames()[-1]
    one = ring_statistics(glass, method, 8)
    eight = ring_statistics(glass.repeat(2), method, 8)
    np.testing.assert_array_equal(eight.R_C, 8 * one.R_C)
    np.testing.assert_allclose(eight.P_N, one.P_N)
    assert one.R_C.sum() > 0


def test_rings_report_sizes_in_si_atoms():
    glass = glass_frames()[-1]
    rings = find_rings(glass, "king", 8)
    sym = np.array(glass.get_chemical_symbols())
    for L, atoms in rings.atoms.items():
        assert L % 2 == 0
        assert np.all((sym[atoms] == "Si").sum(axis=1) == L // 2)  # Si and O alternate
    df = ring_statistics(glass, "king", 8).to_frame()
    assert list(df.columns) == ["n", "R_C", "R_N", "P_N"] and df["n"].max() == 8
