"""The smooth-PME evaluation of the reciprocal-space sum, against known answers and the direct sum."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from vitrify.mlip.reciprocal_attention import (
    MeshSettings,
    RadialFilter,
    ReciprocalAttention,
    attend_one_structure,
    reciprocal_integer_vectors,
    reciprocal_vectors,
)
from vitrify.mlip.reciprocal_mesh import (
    Stencil,
    band_limited_irfft,
    band_limited_rfft,
    bspline_modulus_squared,
    bspline_weights,
    interpolate,
    mesh_field,
    mesh_shape,
    spread,
)

torch.set_num_threads(1)
TRICLINIC = torch.tensor([[11.5, 0.0, 0.0], [1.9, 10.8, 0.0], [-1.1, 1.4, 12.2]], dtype=torch.float64)
K_CUT = 1.5


def cardinal_bspline(x: float, order: int) -> float:
    """M_n(x) from its closed form (1/(n-1)!) sum_k (-1)^k C(n, k) max(x - k, 0)^(n-1)."""
    return sum((-1) ** k * math.comb(order, k) * max(x - k, 0.0) ** (order - 1)
               for k in range(order + 1)) / math.factorial(order - 1)


@pytest.mark.parametrize("order", [4, 6, 8])
def test_bspline_weights_match_the_closed_form_and_sum_to_one(order):
    t = torch.tensor([0.0, 0.13, 0.5, 0.97], dtype=torch.float64)
    w = bspline_weights(t, order)
    expected = [[cardinal_bspline(float(ti) + j, order) for j in range(order)] for ti in t]
    np.testing.assert_allclose(w.numpy(), expected, atol=1e-12)  # the closed form cancels at order 8
    np.testing.assert_allclose(w.sum(-1).numpy(), 1.0, atol=1e-14)


def test_cubic_bspline_knot_values():
    # M_4 at the integers 0..3: 0, 1/6, 2/3, 1/6.
    np.testing.assert_allclose(bspline_weights(torch.zeros(1, dtype=torch.float64), 4)[0].numpy(),
                               [0.0, 1 / 6, 2 / 3, 1 / 6], atol=1e-15)


def test_bspline_modulus_is_one_at_zero_frequency_and_grows_towards_nyquist():
    b2 = bspline_modulus_squared(16, 6, torch.float64, "cpu").numpy()
    assert b2[0] == pytest.approx(1.0, abs=1e-14)  # sum_k M_p(k + 1) = 1
    assert np.all(np.diff(b2[:9]) > 0)  # spline smoothing is strongest at high m
    np.testing.assert_allclose(b2[1:], b2[1:][::-1], rtol=1e-12)  # |b(m)| = |b(-m)|


def test_mesh_shape_resolves_every_k_vector_on_each_axis():
    for cell in (TRICLINIC, torch.eye(3, dtype=torch.float64) * 23.7):
        n = reciprocal_integer_vectors(cell, K_CUT)
        shape = mesh_shape(cell, K_CUT, order=6, oversampling=2.0)
        for axis in range(3):
            n_max = int(n[:, axis].abs().max())
            assert shape[axis] >= 2 * (2 * n_max + 1)
            assert set(np.unique(_prime_factors(shape[axis]))) <= {2, 3, 5}


def _prime_factors(m: int) -> list[int]:
    out, p = [], 2
    while m > 1:
        while m % p == 0:
            out.append(p)
            m //= p
        p += 1
    return out


def random_inputs(n_atoms: int, cell: torch.Tensor, heads: int = 2, dim: int = 4, seed: int = 0):
    gen = torch.Generator().manual_seed(seed)
    positions = torch.rand(n_atoms, 3, generator=gen, dtype=torch.float64) @ cell
    q, key = (torch.rand(n_atoms, heads, dim, generator=gen, dtype=torch.float64) for _ in range(2))
    value = torch.randn(n_atoms, heads, dim, generator=gen, dtype=torch.float64)
    return positions, q, key, value


def direct_and_mesh(order: int, oversampling: float, n_atoms: int = 60, cell=TRICLINIC):
    positions, q, key, value = random_inputs(n_atoms, cell)
    radial = RadialFilter(2, 6, K_CUT).double()
    kvec = reciprocal_vectors(cell, K_CUT)
    weight = radial(torch.linalg.norm(kvec, dim=-1)) / torch.abs(torch.linalg.det(cell))
    with torch.no_grad():
        direct = attend_one_structure(q, key, value, positions, kvec, weight)
        kv = torch.einsum("nhd,nhe->nhde", key, value).reshape(n_atoms, 2, -1)
        field = mesh_field(kv, positions, cell, radial, K_CUT, MeshSettings("mesh", order, oversampling))
        mesh = torch.einsum("nhd,nhde->nhe", q, field.reshape(n_atoms, 2, 4, 4))
    return direct, mesh


@pytest.mark.parametrize("order, oversampling, tolerance", [(4, 2.0, 5e-3), (6, 2.0, 3e-4), (8, 3.0, 1e-6)])
def test_mesh_matches_the_direct_sum_on_a_triclinic_cell(order, oversampling, tolerance):
    direct, mesh = direct_and_mesh(order, oversampling)
    error = float((mesh - direct).abs().max() / direct.abs().max())
    assert error < tolerance


def test_mesh_error_falls_with_order_and_oversampling():
    errors = []
    for order, oversampling in [(4, 1.5), (4, 2.0), (6, 2.0), (6, 3.0)]:
        direct, mesh = direct_and_mesh(order, oversampling)
        errors.append(float((mesh - direct).abs().max()))
    assert errors == sorted(errors, reverse=True)


def test_spread_and_interpolate_are_adjoint():
    # <P x, g> = <x, P^T g>: the identity their backward passes rely on.
    gen = torch.Generator().manual_seed(2)
    index = torch.randint(0, 50, (7, 8), generator=gen)
    w = torch.rand(7, 8, generator=gen, dtype=torch.float64)
    x = torch.randn(7, 3, generator=gen, dtype=torch.float64)
    g = torch.randn(50, 3, generator=gen, dtype=torch.float64)
    stencil = Stencil(index, 50)
    lhs = float((spread(w, x, stencil) * g).sum())
    rhs = float((x * interpolate(w, g, stencil)).sum())
    assert lhs == pytest.approx(rhs, rel=1e-13)


def test_spread_and_interpolate_have_exact_first_and_second_derivatives():
    gen = torch.Generator().manual_seed(3)
    index = torch.randint(0, 20, (5, 4), generator=gen)
    stencil = Stencil(index, 20)
    w = torch.rand(5, 4, generator=gen, dtype=torch.float64, requires_grad=True)
    x = torch.randn(5, 2, generator=gen, dtype=torch.float64, requires_grad=True)
    g = torch.randn(20, 2, generator=gen, dtype=torch.float64, requires_grad=True)
    torch.autograd.gradcheck(lambda w, x: spread(w, x, stencil), (w, x))
    torch.autograd.gradgradcheck(lambda w, x: spread(w, x, stencil), (w, x))
    torch.autograd.gradcheck(lambda w, g: interpolate(w, g, stencil), (w, g))
    torch.autograd.gradgradcheck(lambda w, g: interpolate(w, g, stencil), (w, g))


def test_mesh_forces_and_cell_gradient_are_exact_derivatives_of_the_mesh_energy():
    positions, q, key, value = random_inputs(12, TRICLINIC * 0.7, seed=4)
    radial = RadialFilter(2, 6, K_CUT).double()
    kv = torch.einsum("nhd,nhe->nhde", key, value).reshape(12, 2, -1)

    def energy(pos, cell):
        field = mesh_field(kv, pos, cell, radial, K_CUT, MeshSettings("mesh", order=4, oversampling=1.5))
        return torch.einsum("nhd,nhde->", q, field.reshape(12, 2, 4, 4))

    torch.autograd.gradcheck(energy, (positions.clone().requires_grad_(True),
                                      (TRICLINIC * 0.7).clone().requires_grad_(True)))


def test_attention_picks_the_mesh_only_above_the_k_count():
    cell = TRICLINIC
    n_k = len(reciprocal_integer_vectors(cell, K_CUT))
    assert not MeshSettings("auto", above_k_vectors=n_k).use_mesh(n_k)
    assert MeshSettings("auto", above_k_vectors=n_k - 1).use_mesh(n_k)
    assert MeshSettings("mesh").use_mesh(1) and not MeshSettings("direct").use_mesh(10**9)

    positions, *_ = random_inputs(40, cell, seed=5)
    h = torch.randn(40, 6, dtype=torch.float64, generator=torch.Generator().manual_seed(6))
    ptr = torch.tensor([0, 40])
    out = {}
    for method in ("direct", "mesh"):
        torch.manual_seed(0)
        layer = ReciprocalAttention(6, 2, 4, K_CUT, 6, MeshSettings(method)).double()
        out[method] = layer(h, positions, cell[None], ptr)
    error = (out["mesh"] - out["direct"]).detach().abs().max()
    assert float(error) < 3e-4 * float(out["direct"].detach().abs().max())


@pytest.mark.parametrize("kw, message", [(dict(method="fft"), "lr_method"), (dict(order=5), "lr_mesh_order"),
                                         (dict(order=2), "lr_mesh_order"), (dict(oversampling=0.5), "oversampling")])
def test_bad_mesh_settings_are_clear_errors(kw, message):
    with pytest.raises(ValueError, match=message):
        MeshSettings(**kw)


def test_band_limited_transforms_equal_a_masked_full_fft():
    gen = torch.Generator().manual_seed(7)
    shape, band = (10, 9, 12), (2, 3, 4)
    grid = torch.randn(2, *shape, generator=gen, dtype=torch.float64)  # channels first
    full = torch.fft.rfftn(grid, dim=(1, 2, 3))
    m = [torch.fft.fftfreq(n, 1.0 / n) for n in shape[:2]] + [torch.arange(shape[2] // 2 + 1.0)]
    inside = ((m[0].abs() <= band[0])[:, None, None] & (m[1].abs() <= band[1])[None, :, None]
              & (m[2] <= band[2])[None, None, :])
    expected = torch.fft.irfftn(full * inside, s=shape, dim=(1, 2, 3))
    spectrum = band_limited_rfft(grid, band)
    assert spectrum.shape == (2, 2 * band[0] + 1, 2 * band[1] + 1, band[2] + 1)
    torch.testing.assert_close(band_limited_irfft(spectrum, shape), expected, rtol=0, atol=1e-13)


def test_mesh_runs_in_float32_like_the_direct_sum():
    cell = TRICLINIC.float()
    positions = (torch.rand(40, 3, generator=torch.Generator().manual_seed(8)) @ cell).requires_grad_(True)
    h = torch.randn(40, 6, generator=torch.Generator().manual_seed(9))
    out = {}
    for method in ("direct", "mesh"):
        torch.manual_seed(0)
        layer = ReciprocalAttention(6, 2, 4, K_CUT, 6, MeshSettings(method))
        update = layer(h, positions, cell[None], torch.tensor([0, 40]))
        (grad,) = torch.autograd.grad(update.sum(), positions)
        assert update.dtype == grad.dtype == torch.float32
        out[method] = update.detach()
    assert float((out["mesh"] - out["direct"]).abs().max()) < 1e-3 * float(out["direct"].abs().max())
