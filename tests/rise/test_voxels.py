"""Periodic voxel densities: conservation, translation = np.roll, wrapping, sheared cells."""

from __future__ import annotations

import numpy as np
import pytest
from ase import Atoms

from vitrify.rise.voxels import grid_points_cartesian, voxel_size_A, voxelise, voxelise_samples

SPECIES = ["Cu", "Zr"]


def random_sample(cell, n: int = 30, seed: int = 0) -> Atoms:
    rng = np.random.default_rng(seed)
    symbols = ["Cu" if s else "Zr" for s in rng.random(n) < 0.56]
    return Atoms(symbols, scaled_positions=rng.random((n, 3)), cell=cell, pbc=True)


CUBIC = np.eye(3) * 8.0
TRICLINIC = np.array([[8.0, 0.0, 0.0], [2.5, 7.5, 0.0], [-1.5, 1.8, 8.5]])


@pytest.mark.parametrize("method", ["gaussian", "trilinear"])
@pytest.mark.parametrize("cell", [CUBIC, TRICLINIC], ids=["cubic", "triclinic"])
def test_each_channel_sums_to_its_atom_count(method, cell):
    atoms = random_sample(cell)
    rho = voxelise(atoms, SPECIES, 8, method=method)
    assert rho.shape == (2, 8, 8, 8) and rho.dtype == np.float32
    symbols = atoms.get_chemical_symbols()
    np.testing.assert_allclose(rho.sum(axis=(1, 2, 3)), [symbols.count("Cu"), symbols.count("Zr")], rtol=1e-5)
    assert (rho >= 0).all()


@pytest.mark.parametrize("method", ["gaussian", "trilinear"])
@pytest.mark.parametrize("cell", [CUBIC, TRICLINIC], ids=["cubic", "triclinic"])
def test_translation_by_one_voxel_is_a_roll(method, cell):
    atoms = random_sample(cell, seed=1)
    grid = 10
    rho = voxelise(atoms, SPECIES, grid, method=method)
    for axis in range(3):
        for steps in (1, 3, -2):
            moved = atoms.copy()
            moved.positions += steps * cell[axis] / grid
            np.testing.assert_allclose(voxelise(moved, SPECIES, grid, method=method),
                                       np.roll(rho, steps, axis=1 + axis), atol=1e-6)


def test_periodic_wrap_and_images_agree():
    inside = Atoms("Cu", scaled_positions=[[0.999, 0.5, 0.0005]], cell=CUBIC, pbc=True)
    outside = Atoms("Cu", positions=inside.positions - CUBIC[0] + 2 * CUBIC[2], cell=CUBIC, pbc=True)
    a, b = voxelise(inside, SPECIES, 8), voxelise(outside, SPECIES, 8)
    np.testing.assert_allclose(a, b, atol=1e-7)
    # An atom 0.004-0.008 A off a grid plane deposits nearly alike (within 10 %) on the
    # planes either side of it, across the periodic boundary too.
    cu = a[0]
    assert cu[-1].sum() > 0.05 and cu[-1].sum() == pytest.approx(cu[1].sum(), rel=0.1)
    assert cu[:, :, -1].sum() > 0.05 and cu[:, :, -1].sum() == pytest.approx(cu[:, :, 1].sum(), rel=0.1)


def test_gaussian_is_isotropic_in_cartesian_space_for_a_sheared_cell():
    grid, sigma = 24, 0.8
    atoms = Atoms("Zr", scaled_positions=[[0.43, 0.61, 0.37]], cell=TRICLINIC, pbc=True)
    rho = voxelise(atoms, SPECIES, grid, sigma_A=sigma, cutoff_sigmas=5.0)[1].astype(np.float64)
    frac_pts = np.stack(np.meshgrid(*[np.arange(grid) / grid] * 3, indexing="ij"), -1)
    d = frac_pts - atoms.get_scaled_positions()[0]
    d -= np.round(d)
    cart = d @ TRICLINIC
    cov = np.einsum("ijka,ijkb,ijk->ab", cart, cart, rho) / rho.sum()
    np.testing.assert_allclose(cov, sigma**2 * np.eye(3), atol=0.03)


def test_grid_points_follow_the_cell_vectors():
    pts = grid_points_cartesian(TRICLINIC, 4)
    np.testing.assert_allclose(pts[1, 0, 0], TRICLINIC[0] / 4)
    np.testing.assert_allclose(pts[0, 2, 3], (2 * TRICLINIC[1] + 3 * TRICLINIC[2]) / 4)


def test_unknown_species_names_the_symbol():
    atoms = Atoms("CuAl", positions=[[0, 0, 0], [1, 1, 1]], cell=CUBIC, pbc=True)
    with pytest.raises(ValueError, match="Al"):
        voxelise(atoms, SPECIES, 8)


def test_deterministic_and_stacked():
    samples = [random_sample(CUBIC, seed=s) for s in range(3)]
    x = voxelise_samples(samples, SPECIES, 8)
    assert x.shape == (3, 2, 8, 8, 8)
    np.testing.assert_array_equal(x[2], voxelise(samples[2], SPECIES, 8))
    np.testing.assert_array_equal(x, voxelise_samples(samples, SPECIES, 8))


def test_voxel_size_and_tiny_sigma():
    atoms = random_sample(np.diag([8.0, 8.0, 8.0]))
    assert voxel_size_A(atoms, 8) == pytest.approx(1.0)
    # A sigma far below the voxel still deposits every atom whole (on its nearest point).
    rho = voxelise(atoms, SPECIES, 8, sigma_A=1e-4)
    assert rho.sum() == pytest.approx(len(atoms), rel=1e-6)
    with pytest.raises(ValueError):
        voxelise(atoms, SPECIES, 8, sigma_A=0.0)
