"""Reciprocal lattice vectors and the attention update, against known answers."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch

from vitrify.mlip.reciprocal_attention import (
    ReciprocalAttention,
    check_periodic_cell,
    reciprocal_basis,
    reciprocal_vectors,
    smooth_envelope,
)

torch.set_num_threads(1)
TRICLINIC = torch.tensor([[7.5, 0.0, 0.0], [1.9, 6.8, 0.0], [-1.1, 1.4, 7.2]], dtype=torch.float64)


def brute_force_k(cell: np.ndarray, k_cut: float, n_range: int = 8) -> np.ndarray:
    """All reciprocal lattice vectors 0 < |k| <= k_cut, by a plain triple loop."""
    recip = 2 * math.pi * np.linalg.inv(cell).T
    found = []
    for n in itertools.product(range(-n_range, n_range + 1), repeat=3):
        k = np.array(n, dtype=float) @ recip
        if 0 < np.linalg.norm(k) <= k_cut:
            found.append(k)
    return np.array(found)


def canonical(k: np.ndarray) -> set[tuple]:
    """Vectors up to sign (+-k compare equal), rounded, as a set."""
    out = set()
    for row in k:
        first = row[np.flatnonzero(np.abs(row) > 1e-9)[0]]
        out.add(tuple(np.round(row * np.sign(first), 9) + 0.0))
    return out


@pytest.mark.parametrize("k_cut", [1.0, 1.7, 2.3])
def test_triclinic_k_vectors_match_brute_force(k_cut):
    k = reciprocal_vectors(TRICLINIC, k_cut).numpy()
    expected = brute_force_k(TRICLINIC.numpy(), k_cut)
    assert 2 * len(k) == len(expected), "one vector of each +-k pair"
    assert canonical(k) == canonical(expected)
    assert np.all(np.linalg.norm(k, axis=1) <= k_cut)


def test_reciprocal_basis_is_dual_to_cell():
    np.testing.assert_allclose((TRICLINIC @ reciprocal_basis(TRICLINIC).T).numpy(),
                               2 * math.pi * np.eye(3), atol=1e-12)


def test_k_vectors_are_differentiable_in_the_cell():
    cell = TRICLINIC.clone().requires_grad_(True)
    torch.autograd.gradcheck(lambda c: (reciprocal_vectors(c, 1.7) ** 2).sum(), (cell,))


def test_cell_too_small_for_cutoff_is_a_clear_error():
    small = 3.0 * torch.eye(3, dtype=torch.float64)  # shortest |k| = 2 pi / 3 = 2.09 1/A
    with pytest.raises(ValueError, match=r"lengths \[3\.0, 3\.0, 3\.0\].*lr_k_cutoff_inv_A = 1\.5"):
        reciprocal_vectors(small, 1.5)


def test_non_periodic_and_flat_cells_are_clear_errors():
    with pytest.raises(ValueError, match="periodic in x, y and z"):
        check_periodic_cell(TRICLINIC, torch.tensor([True, True, False]))
    flat = torch.tensor([[5.0, 0, 0], [0, 5.0, 0], [0, 0, 0]], dtype=torch.float64)
    with pytest.raises(ValueError, match="nonzero volume"):
        check_periodic_cell(flat, torch.tensor([True, True, True]))


def test_envelope_vanishes_smoothly_at_the_cutoff():
    x = torch.tensor([0.0, 0.5, 1.0, 1.5], dtype=torch.float64, requires_grad=True)
    y = smooth_envelope(x)
    (dy,) = torch.autograd.grad(y.sum(), x, create_graph=True)
    (d2y,) = torch.autograd.grad(dy.sum(), x)
    assert y[0] == 1 and y[2] == 0 and y[3] == 0
    assert dy[2] == 0 and d2y[2] == 0


def _attention(seed=0):
    torch.manual_seed(seed)
    return ReciprocalAttention(num_features=4, heads=2, head_dim=3, k_cutoff=2.0, filter_basis=6).double()


def test_update_is_intensive_under_supercell():
    """A 2x2x2 supercell has 8x the k-vectors but gives each atom the same update (1/V)."""
    rng = np.random.default_rng(1)
    cell = TRICLINIC
    frac = torch.tensor(rng.uniform(size=(5, 3)))
    h = torch.tensor(rng.normal(size=(5, 4)))
    att = _attention()
    u = att(h, frac @ cell, cell[None], torch.tensor([0, 5]))
    images = torch.tensor(list(itertools.product(range(2), repeat=3)), dtype=torch.float64)
    frac_super = (frac[None, :, :] + images[:, None, :]).reshape(-1, 3)
    u_super = att(h.repeat(8, 1), frac_super @ cell, (2 * cell)[None], torch.tensor([0, 40]))
    assert torch.count_nonzero(u) == u.numel()
    torch.testing.assert_close(u_super, u.repeat(8, 1), rtol=1e-10, atol=1e-12)


def test_boxes_of_any_size_and_shape_in_one_call():
    """No cache keyed on box size: two different cells in one batch equal separate calls."""
    rng = np.random.default_rng(2)
    cells = torch.stack([TRICLINIC, 9.3 * torch.eye(3, dtype=torch.float64)])
    pos = [torch.tensor(rng.uniform(size=(n, 3))) @ c for n, c in zip((4, 6), cells)]
    h = torch.tensor(rng.normal(size=(10, 4)))
    att = _attention()
    both = att(h, torch.cat(pos), cells, torch.tensor([0, 4, 10]))
    first = att(h[:4], pos[0], cells[:1], torch.tensor([0, 4]))
    second = att(h[4:], pos[1], cells[1:], torch.tensor([0, 6]))
    torch.testing.assert_close(both, torch.cat([first, second]), rtol=1e-12, atol=1e-14)
