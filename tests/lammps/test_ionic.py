"""The classical teacher (rigid ions, Ewald) in LAMMPS, checked against an independent
Ewald sum written here, finite differences, and the physics its correction is for."""

import dataclasses
import math

import numpy as np
import pytest
from ase import Atoms
from ase.neighborlist import neighbor_list
from scipy.special import erfc

from vitrify.lammps.classical import POTENTIALS, get_potential
from vitrify.lammps.ionic import IonicPotential, nm_coefficients
from vitrify.lammps.session import inherent_structure, single_point
from vitrify.md.random_start import random_packing
from vitrify.potential_table import IonicEntry

COULOMB_EV_A = 14.399645  # e^2 / (4 pi eps0) in eV A, LAMMPS' qqr2e in metal units
TEACHERS = [name for name, pot in POTENTIALS.items() if isinstance(pot, IonicPotential)]


def _ewald_energy(atoms: Atoms, charges: np.ndarray, alpha: float = 0.45, r_cut: float = 9.0, k_max: int = 14) -> float:
    """Coulomb energy of point charges in a periodic cell, by a textbook Ewald sum."""
    i, j, d = neighbor_list("ijd", atoms, r_cut)
    real = 0.5 * np.sum(charges[i] * charges[j] * erfc(alpha * d) / d)
    recip_cell = 2 * np.pi * np.linalg.inv(atoms.cell.array).T
    n = np.arange(-k_max, k_max + 1)
    grid = np.stack(np.meshgrid(n, n, n, indexing="ij"), -1).reshape(-1, 3)
    grid = grid[np.any(grid != 0, axis=1)]
    k = grid @ recip_cell
    k2 = np.sum(k * k, axis=1)
    s = np.exp(1j * atoms.positions @ k.T).T @ charges
    recip = 2 * np.pi / atoms.get_volume() * np.sum(np.exp(-k2 / (4 * alpha**2)) / k2 * np.abs(s) ** 2)
    self_term = -alpha / math.sqrt(math.pi) * np.sum(charges**2)
    return COULOMB_EV_A * (real + recip + self_term)


def _short_range_energy(atoms: Atoms, entry: IonicEntry) -> float:
    """Buckingham plus the published 4 eps [(s/r)^n - (s/r)^m] repulsion, as the paper writes them."""
    n, m = entry.lj_powers
    i, j, d = neighbor_list("ijd", atoms, entry.short_cutoff_A)
    sym = np.array(atoms.get_chemical_symbols())

    def pair(term, r):
        buck = term.A_eV * np.exp(-r / term.rho_A) - term.C_eV_A6 / r**6
        lj = 4 * term.lj_epsilon_eV * ((term.lj_sigma_A / r) ** n - (term.lj_sigma_A / r) ** m)
        return buck + lj

    total = 0.0
    for term in entry.pairs:
        a, b = term.pair
        mask = ((sym[i] == a) & (sym[j] == b)) | ((sym[i] == b) & (sym[j] == a)) if a != b else (sym[i] == a) & (sym[j] == a)
        e = pair(term, d[mask])
        if entry.shift:
            e = e - pair(term, entry.short_cutoff_A)
        total += 0.5 * np.sum(e)  # the neighbour list holds each pair twice
    return total


def test_nm_form_equals_the_published_repulsion():
    eps, sigma, n, m = 0.003, 1.3, 30, 6
    e0, r0 = nm_coefficients(eps, sigma, n, m)
    for r in (1.0, 1.3, 1.6, 2.5):
        lammps_form = e0 / (n - m) * (m * (r0 / r) ** n - n * (r0 / r) ** m)
        assert lammps_form == pytest.approx(4 * eps * ((sigma / r) ** n - (sigma / r) ** m), rel=1e-12)
    assert nm_coefficients(1.0, 1.0, 12, 6) == pytest.approx((1.0, 2 ** (1 / 6)))


@pytest.mark.parametrize("name", TEACHERS)
def test_lammps_energy_equals_an_independent_ewald_sum(name, tmp_path):
    pot = get_potential(name)
    atoms = random_packing({"Si": 8, "O": 16}, 2.2, 1.5, seed=3)
    charges = np.array([pot.entry.charges_e[s] for s in atoms.get_chemical_symbols()])
    expected = _ewald_energy(atoms, charges) + _short_range_energy(atoms, pot.entry)
    energy, _, _ = single_point(atoms, pot, ["Si", "O"], tmp_path)
    # LAMMPS' Ewald accuracy target is relative to the force between unit charges 1 A apart.
    assert energy == pytest.approx(expected, abs=1e-3)


@pytest.mark.parametrize("name", TEACHERS)
def test_forces_and_stress_are_derivatives_of_the_energy(name, tmp_path):
    pot = get_potential(name)
    atoms = random_packing({"Si": 8, "O": 16}, 2.2, 1.5, seed=5)
    _, forces, stress = single_point(atoms, pot, ["Si", "O"], tmp_path)
    h = 1e-4
    for i in (0, 12, 23):
        for k in range(3):
            e = []
            for sign in (1, -1):
                moved = atoms.copy()
                moved.positions[i, k] += sign * h
                e.append(single_point(moved, pot, ["Si", "O"], tmp_path)[0])
            assert forces[i, k] == pytest.approx(-(e[0] - e[1]) / (2 * h), rel=1e-4, abs=2e-4)
    for comp, (a, b) in enumerate([(0, 0), (1, 1), (2, 2)]):
        e = []
        for sign in (1, -1):
            strain = np.eye(3)
            strain[a, b] += sign * 1e-5
            strained = atoms.copy()
            strained.set_cell(atoms.cell.array @ strain, scale_atoms=True)
            e.append(single_point(strained, pot, ["Si", "O"], tmp_path)[0])
        assert stress[comp] == pytest.approx((e[0] - e[1]) / 2e-5 / atoms.get_volume(), rel=1e-3, abs=1e-5)


@pytest.mark.parametrize("name", TEACHERS)
def test_short_range_correction_stops_the_collapse(name, tmp_path):
    """Plain BKS has a maximum near 1.2 A below which Si and O fall into each other; the
    published correction keeps the Si-O energy rising all the way in."""
    pot = get_potential(name)
    plain = IonicPotential(dataclasses.replace(pot.entry, pairs=tuple(
        dataclasses.replace(t, lj_epsilon_eV=0.0) for t in pot.entry.pairs)))

    def curve(p):
        out = []
        for r in np.linspace(0.5, 1.3, 17):
            mol = Atoms("OSiO", positions=[[10 - r, 10, 10], [10, 10, 10], [11.6, 10, 10]], cell=[20] * 3, pbc=True)
            out.append(single_point(mol, p, ["Si", "O"], tmp_path)[0])
        return np.array(out)

    corrected, bare = curve(pot), curve(plain)
    assert np.all(np.diff(corrected) < 0), corrected   # repulsive all the way in
    assert bare[0] < bare.max() - 10.0                   # plain BKS: a barrier, then the collapse


@pytest.mark.parametrize("name", TEACHERS)
def test_quartz_relaxes_to_a_silica_network(name, tmp_path):
    """A rattled alpha-quartz cell minimised at fixed cell keeps its four-fold Si and Si-O bonds near 1.6 A."""
    from vitrify.reference.structures import build_polymorph

    atoms = build_polymorph("alpha-quartz").repeat((2, 2, 2))
    atoms.rattle(0.05, seed=1)
    relaxed, _, _ = inherent_structure(atoms, get_potential(name), ["Si", "O"], tmp_path)
    i, j, d = neighbor_list("ijd", relaxed, 2.0)
    si = np.array(relaxed.get_chemical_symbols()) == "Si"
    bonds = d[si[i] & ~si[j]]
    assert np.bincount(i[si[i] & ~si[j]], minlength=len(relaxed))[si].tolist() == [4] * int(si.sum())
    assert 1.55 < bonds.mean() < 1.67
