"""Classical potentials through the LAMMPS session: forces are minus the energy gradient."""

import numpy as np
import pytest
from ase.build import bulk

from vitrify.lammps.session import energy_and_forces, per_atom_energies
from vitrify.lammps.classical import POTENTIALS, get_potential
from vitrify.md.random_start import random_packing


@pytest.mark.parametrize(
    "name, atoms_factory",
    [
        ("vashishta_1990", lambda: random_packing({"Si": 8, "O": 16}, 2.2, 1.7, seed=4)),
        ("mendelev_cuzr_2009", lambda: random_packing({"Cu": 18, "Zr": 14}, 7.0, 2.1, seed=4)),
    ],
)
def test_forces_match_finite_differences(name, atoms_factory, tmp_path):
    pot = get_potential(name)
    species = list(pot.species)
    atoms = atoms_factory()
    _, forces = energy_and_forces(atoms, pot, species, tmp_path)
    h = 1e-4
    for i in (0, len(atoms) // 2, len(atoms) - 1):
        for k in range(3):
            energies = []
            for sign in (1, -1):
                moved = atoms.copy()
                moved.positions[i, k] += sign * h
                energies.append(energy_and_forces(moved, pot, species, tmp_path)[0])
            numeric = -(energies[0] - energies[1]) / (2 * h)
            assert forces[i, k] == pytest.approx(numeric, rel=1e-4, abs=1e-5)


def test_energy_is_extensive(tmp_path):
    pot = get_potential("mendelev_cuzr_2009")
    cu = bulk("Cu", "fcc", a=3.61, cubic=True)
    e1, _ = energy_and_forces(cu, pot, ["Cu", "Zr"], tmp_path)
    e8, f8 = energy_and_forces(cu.repeat(2), pot, ["Cu", "Zr"], tmp_path)
    assert e8 == pytest.approx(8 * e1, rel=1e-10)
    assert np.abs(f8).max() < 1e-8  # perfect fcc: every force vanishes by symmetry


def test_every_registered_potential_file_ships_with_lammps():
    for pot in POTENTIALS.values():
        if pot.filename:  # rigid-ion potentials carry their parameters in the table
            assert pot.path().exists(), pot.path()


def test_potential_refuses_foreign_species():
    with pytest.raises(ValueError, match="covers species"):
        get_potential("vashishta_1990").commands(["Cu", "Zr"])


def test_stress_matches_finite_strain_derivative(tmp_path):
    """sigma_xx = (1/V) dE/d(eps_xx) for a homogeneous strain, atoms moving with the cell."""
    pot = get_potential("vashishta_1990")
    atoms = random_packing({"Si": 8, "O": 16}, 2.2, 1.7, seed=5)
    from vitrify.lammps.session import single_point

    _, _, stress = single_point(atoms, pot, ["Si", "O"], tmp_path)
    h = 1e-5
    energies = []
    for sign in (1, -1):
        strained = atoms.copy()
        cell = strained.cell.array.copy()
        cell[:, 0] *= 1 + sign * h
        strained.set_cell(cell, scale_atoms=True)
        energies.append(single_point(strained, pot, ["Si", "O"], tmp_path)[0])
    numeric = (energies[0] - energies[1]) / (2 * h) / atoms.get_volume()
    assert stress[0] == pytest.approx(numeric, rel=1e-4)


def test_schema_lists_every_potential_of_the_table():
    from vitrify.config import load_schema

    enum = load_schema()["$defs"]["system"]["properties"]["classical_potential"]["enum"]
    assert sorted(enum) == sorted(POTENTIALS)


def test_per_atom_energies_sum_to_the_total_and_follow_symmetry(tmp_path):
    """B2 CuZr: every Cu site is alike, every Zr site is alike; in a random packing the
    per-atom energies still sum to LAMMPS's total."""
    pot = get_potential("mendelev_cuzr_2009")
    b2 = bulk("CuZr", "cesiumchloride", a=3.26).repeat(3)
    pe = per_atom_energies(b2, pot, ["Cu", "Zr"], tmp_path)
    for symbol in ("Cu", "Zr"):
        site = pe[np.array(b2.get_chemical_symbols()) == symbol]
        np.testing.assert_allclose(site, site[0], atol=1e-9)
    glass = random_packing({"Cu": 18, "Zr": 14}, 7.0, 2.1, seed=4)
    pe = per_atom_energies(glass, pot, ["Cu", "Zr"], tmp_path)
    energy, _ = energy_and_forces(glass, pot, ["Cu", "Zr"], tmp_path)
    assert pe.shape == (len(glass),) and np.ptp(pe) > 0.01
    assert pe.sum() == pytest.approx(energy, abs=1e-8)


def test_per_atom_energies_refuse_a_potential_with_charges(tmp_path):
    atoms = random_packing({"Si": 8, "O": 16}, 2.2, 1.7, seed=4)
    with pytest.raises(ValueError, match="bks_ssp.*charges"):
        per_atom_energies(atoms, get_potential("bks_ssp"), ["Si", "O"], tmp_path)
