"""Structure factors: analytic transforms, totals, Keen functions, direct k-space check."""

from __future__ import annotations

import numpy as np
import pytest
from ase.build import bulk

from vitrify.structure.kspace import allowed_k_vectors
from vitrify.structure.rdf import PartialRDF, partial_rdf
from vitrify.structure.scattering import FM2_TO_BARN, NEUTRON_B_FM
from vitrify.structure.structure_factor import (PartialSQ, direct_partial_sq, neutron_F,
                                                neutron_real_space, neutron_S, partial_sq,
                                                real_space_from_F, sq_from_gr, xray_S)
from tests.support.structure_samples import rsa_frames


def test_fourier_transform_of_a_gaussian_correlation_hole():
    # g(r) = 1 + A exp(-r^2 / 2 s^2)  =>  S(Q) = 1 + rho A (2 pi s^2)^(3/2) exp(-Q^2 s^2 / 2).
    rho, A, s = 0.07, -0.8, 0.9
    dr = 0.005
    r = np.arange(dr / 2, 12.0, dr)
    g = 1 + A * np.exp(-r ** 2 / (2 * s ** 2))
    Q = np.linspace(0.0, 8.0, 81)
    S = sq_from_gr(r, g, rho, Q, dr)
    exact = 1 + rho * A * (2 * np.pi * s ** 2) ** 1.5 * np.exp(-Q ** 2 * s ** 2 / 2)
    np.testing.assert_allclose(S, exact, atol=1e-6)
    # An ideal gas has S = 1 with or without the Lorch window.
    np.testing.assert_allclose(sq_from_gr(r, np.ones_like(r), rho, Q, dr, lorch=True), 1.0)


def _toy_rdf() -> PartialRDF:
    """Two species with Gaussian-shaped g's: a closed-form test object."""
    edges = np.linspace(0, 15, 1501)
    r = 0.5 * (edges[1:] + edges[:-1])

    def shell(r0, w, n):
        return 1 - np.exp(-(r / (0.8 * r0)) ** 12) + n * np.exp(-((r - r0) / w) ** 2)

    g = {("Si", "Si"): shell(3.1, 0.15, 2.0), ("Si", "O"): shell(1.6, 0.06, 7.0),
         ("O", "O"): shell(2.6, 0.1, 3.0)}
    return PartialRDF(r, edges, ("Si", "O"), {"Si": 100, "O": 200}, 0.066, g,
                      {p: v[None, :] for p, v in g.items()})


def test_neutron_and_xray_totals_follow_faber_ziman():
    rdf = _toy_rdf()
    Q = np.linspace(0.5, 20, 400)
    sq = partial_sq(rdf, Q)
    F = neutron_F(sq)
    S = neutron_S(sq)
    c = rdf.concentrations
    b = NEUTRON_B_FM
    mean_b2 = (c["Si"] * b["Si"] + c["O"] * b["O"]) ** 2
    np.testing.assert_allclose(S, 1 + F / (mean_b2 * FM2_TO_BARN))
    by_hand = FM2_TO_BARN * (c["Si"] ** 2 * b["Si"] ** 2 * (sq.pair("Si", "Si") - 1)
                             + 2 * c["Si"] * c["O"] * b["Si"] * b["O"] * (sq.pair("Si", "O") - 1)
                             + c["O"] ** 2 * b["O"] ** 2 * (sq.pair("O", "O") - 1))
    np.testing.assert_allclose(F, by_hand)
    # X-ray with Q-independent "form factors" equal to the neutron lengths is the neutron S.
    const = {s: np.full_like(Q, b[s]) for s in ("Si", "O")}
    np.testing.assert_allclose(xray_S(sq, const), S)
    Sx = xray_S(sq)
    assert np.all(np.isfinite(Sx)) and abs(Sx[-1] - 1) < 0.05


def test_keen_real_space_functions_and_their_fourier_pair():
    rdf = _toy_rdf()
    rs = neutron_real_space(rdf)
    c, b = rdf.concentrations, NEUTRON_B_FM
    mean_b2 = FM2_TO_BARN * (c["Si"] * b["Si"] + c["O"] * b["O"]) ** 2
    # At small r every g is 0, so G(r) = -<b>^2 and T(r) = 0.
    assert rs.G[5] == pytest.approx(-mean_b2, rel=1e-9)
    assert rs.T[5] == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(rs.D, 4 * np.pi * rdf.number_density_A3 * rdf.r_A * rs.G)
    # D(r) back from F(Q): Keen's pair F(Q) = int D sin(Qr)/Q dr <-> D = 2/pi int Q F sin(Qr) dQ.
    Q = np.linspace(1e-3, 60, 6000)
    F = neutron_F(partial_sq(rdf, Q))
    back = real_space_from_F(Q, F, rdf.r_A, rdf.number_density_A3, mean_b2, lorch=False)
    sel = (rdf.r_A > 1.0) & (rdf.r_A < 8.0)
    assert np.max(np.abs(back.D[sel] - rs.D[sel])) < 0.02 * np.max(np.abs(rs.D[sel]))


def test_allowed_k_vectors_are_half_a_shell_of_reciprocal_lattice_points():
    cell = np.array([[8.0, 0, 0], [2.0, 9.0, 0], [0.5, 1.0, 10.0]])
    k = allowed_k_vectors(cell, 3.0)
    kn = np.linalg.norm(k, axis=1)
    assert np.all((kn > 0) & (kn <= 3.0))
    # Integer coordinates in the reciprocal basis, and never both k and -k.
    n = k @ cell.T / (2 * np.pi)
    np.testing.assert_allclose(n, np.round(n), atol=1e-9)
    keys = {tuple(v) for v in np.round(n).astype(int)}
    assert not any(tuple(-np.array(v)) in keys for v in keys)


def test_direct_sum_of_a_simple_cubic_crystal_gives_bragg_peaks():
    a = 3.0
    atoms = bulk("Po", "sc", a=a).repeat(4)  # 64 atoms on a simple cubic lattice
    edges = np.array([0.5, 2 * np.pi / a - 0.05, 2 * np.pi / a + 0.05, 2.5])
    Q, S, nk = direct_partial_sq(atoms, edges)
    s = S[("Po", "Po")]
    # S(k) = N on reciprocal lattice vectors, 0 at every other allowed k of the box.
    assert s[1] == pytest.approx(64.0)
    assert s[0] == pytest.approx(0.0, abs=1e-9)
    assert nk[1] == 3  # (100), (010), (001); their negatives are the same modes


def test_fourier_route_agrees_with_direct_k_space_sum():
    """Disordered packings of 180 atoms in a 15 A box, 4 frames. The g(r) route (r_max
    = 7.5 A, no window) is valid above ~3 1/A; both must agree there within noise."""
    frames = rsa_frames()
    rdf = partial_rdf(frames, 7.5, 0.02)
    edges = np.arange(3.0, 8.01, 0.5)
    Q, S_direct, nk = direct_partial_sq(frames, edges)
    assert np.all(nk > 100)
    sq = partial_sq(rdf, Q)
    for pair in S_direct:
        diff = np.abs(S_direct[pair] - sq.S[pair])
        assert diff.max() < 0.1, (pair, diff)
        assert diff.mean() < 0.04, (pair, diff)
    assert isinstance(sq, PartialSQ)


def test_octant_k_set_as_used_by_freud():
    cell = np.diag([9.0, 10.0, 11.0])
    k = allowed_k_vectors(cell, 2.5, k_set="octant")
    n = np.round(k @ cell.T / (2 * np.pi)).astype(int)
    assert np.all(n >= 0) and not np.any(np.all(n == 0, axis=1))
    # Count check: all non-negative integer triplets inside the sphere, by brute force.
    grid = np.stack(np.meshgrid(*[np.arange(0, 6)] * 3, indexing="ij"), -1).reshape(-1, 3)
    norms = np.linalg.norm(2 * np.pi * grid @ np.linalg.inv(cell).T, axis=1)
    assert len(k) == int(((norms > 0) & (norms <= 2.5)).sum())
    with pytest.raises(ValueError, match="k_set"):
        allowed_k_vectors(cell, 2.5, k_set="full")


def test_thinned_k_sets_keep_about_the_requested_number():
    frames = rsa_frames()
    edges = np.arange(4.0, 8.01, 1.0)
    Q, full, nk_full = direct_partial_sq(frames[0], edges)
    _, thin, nk = direct_partial_sq(frames[0], edges, max_k_per_bin=500, seed=1)
    assert np.all(nk_full > 1300)
    assert np.all(np.abs(nk - 500) < 4 * np.sqrt(500))
    # A random subset of k: same mean within sampling noise (per-k partials scatter by
    # O(1) / (c_a c_b)^(1/2), so ~0.1 here for 500 k vectors).
    diffs = np.concatenate([np.abs(thin[p] - full[p]) for p in full])
    assert diffs.max() < 0.35 and diffs.mean() < 0.12
