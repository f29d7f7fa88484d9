import numpy as np
import pytest
from ase.geometry import get_distances

from vitrify.md.random_start import box_length_A, random_packing, species_counts


def test_species_counts_exact_for_stoichiometric_sizes():
    assert species_counts({"Cu": 0.56, "Zr": 0.44}, 2000) == {"Cu": 1120, "Zr": 880}
    assert species_counts({"Si": 0.333333, "O": 0.666667}, 192) == {"Si": 64, "O": 128}


def test_species_counts_rounds_to_total():
    counts = species_counts({"Cu": 0.5, "Zr": 0.3, "Al": 0.2}, 101)
    assert sum(counts.values()) == 101
    assert counts == {"Cu": 51, "Zr": 30, "Al": 20}


def test_box_length_reproduces_density():
    # 8 Si in diamond Si's conventional cell (a = 5.431 A) weigh 2.329 g/cm3.
    assert box_length_A({"Si": 8}, 2.3290) == pytest.approx(5.431, abs=2e-3)


def test_random_packing_density_and_minimum_distance():
    counts = {"Si": 64, "O": 128}
    atoms = random_packing(counts, 2.2, 1.6, seed=3)
    assert len(atoms) == 192
    assert atoms.get_chemical_symbols().count("Si") == 64
    mass_g = atoms.get_masses().sum() / 6.02214076e23
    assert mass_g / (atoms.get_volume() * 1e-24) == pytest.approx(2.2, rel=1e-9)
    _, d = get_distances(atoms.positions, cell=atoms.cell, pbc=True)
    d[np.diag_indices_from(d)] = np.inf
    assert d.min() >= 1.6


def test_random_packing_is_deterministic_per_seed():
    a = random_packing({"Cu": 20, "Zr": 12}, 7.0, 2.0, seed=1)
    b = random_packing({"Cu": 20, "Zr": 12}, 7.0, 2.0, seed=1)
    c = random_packing({"Cu": 20, "Zr": 12}, 7.0, 2.0, seed=2)
    assert np.array_equal(a.positions, b.positions)
    assert not np.array_equal(a.positions, c.positions)


def test_random_packing_refuses_impossible_packing():
    with pytest.raises(ValueError, match="jams"):
        random_packing({"Cu": 100}, 8.9, 2.5, seed=0)
