"""Coordination, Qn speciation and bond angles of silica crystals with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from vitrify.structure.angles import bond_angle_distribution, triplet_angles_deg
from vitrify.structure.coordination import (bonds_of, coordination_distribution, coordination_numbers,
                                            defect_counts, qn_speciation)
from tests.support.structure_samples import make_cristobalite, make_quartz

CUT = {("Si", "O"): 2.0}
TETRAHEDRAL = np.degrees(np.arccos(-1 / 3))  # 109.47 deg


def test_quartz_bonds_coordination_and_qn():
    quartz = make_quartz()
    assert quartz.get_chemical_formula() == "O6Si3"
    bonds = bonds_of(quartz, CUT)
    # Two distinct Si-O distances in alpha-quartz (1.605 and 1.614 A for these parameters).
    np.testing.assert_allclose(np.unique(bonds.distance_A.round(3)), [1.605, 1.614])
    sym = quartz.get_chemical_symbols()
    assert coordination_distribution(coordination_numbers(bonds, sym, "Si", "O")) == {4: 1.0}
    assert coordination_distribution(coordination_numbers(bonds, sym, "O", "Si")) == {2: 1.0}
    qn = qn_speciation(bonds, sym)
    assert qn["Q"][4] == 1.0 and qn["not_fourfold"] == 0 and qn["nonbridging_O"] == 0
    defects = defect_counts(bonds, sym, {("Si", "O"): 4, ("O", "Si"): 2})
    assert defects["Si-O"] == {"n": 3, "under": 0, "over": 0, "mean": 4.0}


def test_quartz_angles():
    quartz = make_quartz()
    sios = bond_angle_distribution(quartz.repeat(2), ("Si", "O", "Si"), CUT)
    # One Si-O-Si angle in alpha-quartz: 143.7 deg for the Levien et al. (1980) structure.
    assert sios.mean_deg == pytest.approx(143.7, abs=0.1)
    assert sios.std_deg < 1e-6
    assert sios.n_angles == 6 * 8
    osio = bond_angle_distribution(quartz, ("O", "Si", "O"), CUT)
    assert osio.n_angles == 3 * 6
    assert osio.mean_deg == pytest.approx(TETRAHEDRAL, abs=0.2)  # slightly distorted tetrahedra
    assert 0.2 < osio.std_deg < 1.5
    assert np.sum(osio.density_per_deg) * 1.0 == pytest.approx(1.0)


def test_cristobalite_angles_are_ideal():
    cristobalite = make_cristobalite()
    bonds = bonds_of(cristobalite, CUT)
    sym = cristobalite.get_chemical_symbols()
    np.testing.assert_allclose(triplet_angles_deg(bonds, sym, "Si", "O", "Si"), 180.0, atol=1e-6)
    osio = triplet_angles_deg(bonds, sym, "O", "Si", "O")
    assert len(osio) == 8 * 6
    np.testing.assert_allclose(osio, TETRAHEDRAL, atol=1e-6)


def test_missing_oxygen_and_missing_silicon_defects():
    cristobalite = make_cristobalite()
    crist = cristobalite.repeat(2)
    sym = np.array(crist.get_chemical_symbols())
    # Remove one O: its two Si become three-fold; every other Si stays Q4.
    no_o = crist.copy()
    del no_o[int(np.nonzero(sym == "O")[0][0])]
    bonds = bonds_of(no_o, CUT)
    qn = qn_speciation(bonds, no_o.get_chemical_symbols())
    assert qn["not_fourfold"] == 2
    assert qn["counts"][4] == 64 - 2
    d = defect_counts(bonds, no_o.get_chemical_symbols(), {("Si", "O"): 4})
    assert d["Si-O"]["under"] == 2 and d["Si-O"]["over"] == 0
    # Remove one Si: its four O become non-bridging, the four Si beyond them become Q3.
    no_si = crist.copy()
    del no_si[int(np.nonzero(sym == "Si")[0][0])]
    qn = qn_speciation(bonds_of(no_si, CUT), no_si.get_chemical_symbols())
    assert qn["nonbridging_O"] == 4
    assert qn["counts"][3] == 4 and qn["counts"][4] == 63 - 4
    assert qn["Q"][3] == pytest.approx(4 / 63)


def test_over_coordination_is_counted():
    # A cutoff (beyond half the 7.16 A cell) reaching the 12 second-shell O at 3.89 A.
    cristobalite = make_cristobalite()
    bonds = bonds_of(cristobalite, {("Si", "O"): 4.0})
    d = defect_counts(bonds, cristobalite.get_chemical_symbols(), {("Si", "O"): 4})
    assert d["Si-O"]["over"] == 8 and d["Si-O"]["mean"] == 16.0
