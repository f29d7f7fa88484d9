"""Long-range energy from reciprocal-space gated linear attention.

Written from the description of arXiv 2510.13055 (no code of that work is used). For each
periodic structure with cell ``C`` (rows are lattice vectors) and volume ``V``:

    q_i = phi(W_q h_i),  k_i = phi(W_k h_i),  v_i = W_v h_i         (per head, phi = elu + 1)
    S_k = sum_j (k_j v_j^T) exp(i k.r_j)                             (one matrix per head and k)
    u_i = (1/V) sum_k f(|k|) Re[ q_i^T S_k exp(-i k.r_i) ]
    g_i = sigmoid(W_g [h_i, u_i]),  h'_i = h_i + g_i * (W_o u_i)
    E_LR = scale * sum_i [ readout(h'_i) - readout(h_i) ]

over reciprocal lattice vectors ``k = n @ B`` (``B = 2 pi C^-T``, integer ``n``) with
``0 < |k| <= k_cut``, one of each +-k pair (both give the same real part).

Design points, and why:

* ``f`` is a learned positive filter times an envelope that vanishes with its first two
  derivatives at ``k_cut``. The set of k inside the sphere changes when the cell is
  strained; the envelope makes the energy (and so the stress) continuous across that.
* ``k`` is built from the cell with differentiable tensor ops, so the strain derivative of
  the energy (the stress) includes ``dk/d(strain)`` and ``dV/d(strain)``. Only the *choice*
  of integer vectors is detached, which is harmless because of the envelope.
* Integer ranges come from each cell on every call (``reciprocal_lattice.band_limits``),
  valid for triclinic cells; no cache keyed on box size.
* ``1/V`` makes ``u_i`` intensive: ``(1/V) sum_k`` tends to ``(2 pi)^-3 \\int d^3k``, so
  ``u_i = sum_j K(r_j - r_i) k_j v_j`` with a fixed periodic real-space kernel ``K``; a
  supercell reproduces ``u_i`` and the energy scales with the number of atoms.
* ``W_o`` starts at zero, so a freshly built LR model has exactly the energy of its SR part.
* A cell with no k-vector under the cutoff is an error, never a silently vanishing term.

Cost: at fixed density and fixed ``k_cut`` the number of k-vectors grows with the volume,
``N_k ~ V k_cut^3 / (12 pi^2) ~ N``, so the direct sum (every atom meets every k) is
O(N * N_k) = O(N^2): ~64x per 8x atoms. The mesh evaluation (reciprocal_mesh.py,
smooth-PME spreading of ``k_j v_j`` with B-splines and FFTs) is O(N log N) and agrees with
the direct sum to ~1e-4 (order 6, oversampling 2). ``MeshSettings`` picks one per cell;
benchmarks/mlip_cost.py measures both.
"""

from __future__ import annotations

import torch

from vitrify.mlip.reciprocal_lattice import band_limits, reciprocal_basis
from vitrify.mlip.reciprocal_mesh import MeshSettings, mesh_field

__all__ = ["MeshSettings", "reciprocal_basis"]  # re-exported: models and tests import them from here


def check_periodic_cell(cell: torch.Tensor, pbc: torch.Tensor | None = None, label: str = "cell") -> None:
    """Raise ValueError unless the cell is periodic in all three directions with nonzero volume."""
    if pbc is not None and not bool(torch.all(pbc)):
        raise ValueError(
            f"reciprocal-space attention needs a structure periodic in x, y and z; {label} has "
            f"pbc={[bool(p) for p in pbc]}. (IsolatedAtom configurations only set E0s: "
            "leave them out of LR evaluation or give them a periodic box.)")
    volume = float(torch.abs(torch.linalg.det(cell.detach())))
    if not volume > 1e-6:
        raise ValueError(f"reciprocal-space attention needs a cell with nonzero volume; {label} "
                         f"has volume {volume:.3g} A^3 (cell {cell.detach().tolist()})")


def _half_space(n: torch.Tensor) -> torch.Tensor:
    """True for exactly one of each (+n, -n) pair, never for n = 0."""
    n1, n2, n3 = n.unbind(-1)
    return (n1 > 0) | ((n1 == 0) & (n2 > 0)) | ((n1 == 0) & (n2 == 0) & (n3 > 0))


def reciprocal_integer_vectors(cell: torch.Tensor, k_cutoff: float) -> torch.Tensor:
    """Integer vectors n (float tensor [K, 3]) with 0 < |n @ B| <= k_cutoff, one per +-pair.

    Selection only: the result carries no gradient. Raises ValueError if there is none.
    """
    cell = cell.detach()
    lengths = torch.linalg.norm(cell, dim=-1)
    axes = [torch.arange(-m, m + 1, dtype=cell.dtype, device=cell.device) for m in band_limits(cell, k_cutoff)]
    n = torch.cartesian_prod(*axes).reshape(-1, 3)
    k_norm = torch.linalg.norm(n @ reciprocal_basis(cell), dim=-1)
    keep = _half_space(n) & (k_norm <= k_cutoff)
    if not bool(keep.any()):
        shortest = float(torch.linalg.norm(reciprocal_basis(cell), dim=-1).min())
        raise ValueError(
            f"cell with lengths {[round(float(x), 4) for x in lengths]} A admits no reciprocal "
            f"lattice vector with 0 < |k| <= lr_k_cutoff_inv_A = {k_cutoff} 1/A (shortest "
            f"reciprocal basis vector {shortest:.4f} 1/A); use a larger cell or a larger cutoff")
    return n[keep]


def reciprocal_vectors(cell: torch.Tensor, k_cutoff: float) -> torch.Tensor:
    """k-vectors [K, 3] of one cell under the cutoff, differentiable with respect to the cell."""
    return reciprocal_integer_vectors(cell, k_cutoff) @ reciprocal_basis(cell)


def smooth_envelope(x: torch.Tensor) -> torch.Tensor:
    """(1 - x^2)^3 for x < 1, else 0: value, slope and curvature vanish at x = 1."""
    inside = torch.clamp(1.0 - x * x, min=0.0)
    return inside * inside * inside


class RadialFilter(torch.nn.Module):
    """Positive per-head filter f_h(|k|) = softplus(Gaussian expansion) * envelope(|k| / k_cut)."""

    def __init__(self, heads: int, num_basis: int, k_cutoff: float):
        super().__init__()
        self.k_cutoff = float(k_cutoff)
        self.register_buffer("centres", torch.linspace(0.0, k_cutoff, num_basis))
        self.width = k_cutoff / max(num_basis - 1, 1)
        self.mix = torch.nn.Linear(num_basis, heads)
        torch.nn.init.normal_(self.mix.weight, std=0.1)
        torch.nn.init.zeros_(self.mix.bias)

    def forward(self, k_norm: torch.Tensor) -> torch.Tensor:  # [...] -> [..., heads]
        basis = torch.exp(-0.5 * ((k_norm[..., None] - self.centres) / self.width) ** 2)
        envelope = smooth_envelope(k_norm / self.k_cutoff)
        return torch.nn.functional.softplus(self.mix(basis)) * envelope[..., None]


def _positive_map(x: torch.Tensor) -> torch.Tensor:
    # Positive features keep q.k >= 0, the kernel form of linear attention.
    return torch.nn.functional.elu(x) + 1.0


def attend_one_structure(q: torch.Tensor, key: torch.Tensor, value: torch.Tensor,
                         positions: torch.Tensor, kvec: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """Long-range update [n, H, E] for one structure.

    q, key: [n, H, D]; value: [n, H, E]; kvec: [K, 3]; weight: [K, H] = f(|k|) / V.
    """
    n_atoms, heads, dim = q.shape
    phase = positions @ kvec.T  # [n, K]
    cos, sin = torch.cos(phase), torch.sin(phase)
    kv = torch.einsum("nhd,nhe->nhde", key, value).reshape(n_atoms, -1)
    n_k = kvec.shape[0]
    s_cos = (cos.T @ kv).reshape(n_k, heads, -1) * weight[:, :, None]
    s_sin = (sin.T @ kv).reshape(n_k, heads, -1) * weight[:, :, None]
    # Re[exp(-i k.r_i) (S_cos + i S_sin)] = cos_i S_cos + sin_i S_sin
    field = (cos @ s_cos.reshape(n_k, -1) + sin @ s_sin.reshape(n_k, -1)).reshape(n_atoms, heads, dim, -1)
    return torch.einsum("nhd,nhde->nhe", q, field)


def attend_one_structure_mesh(q, key, value, positions, cell, radial_filter, k_cutoff, mesh: MeshSettings):
    """Same update as attend_one_structure, with the k sum on a smooth-PME mesh."""
    n_atoms, heads, dim = q.shape
    kv = torch.einsum("nhd,nhe->nhde", key, value).reshape(n_atoms, heads, -1)
    field = mesh_field(kv, positions, cell, radial_filter, k_cutoff, mesh)
    return torch.einsum("nhd,nhde->nhe", q, field.reshape(n_atoms, heads, dim, -1))


class ReciprocalAttention(torch.nn.Module):
    """Per-atom long-range update u_i [N, heads * head_dim] from invariant features h_i."""

    def __init__(self, num_features: int, heads: int, head_dim: int, k_cutoff: float, filter_basis: int,
                 mesh: MeshSettings | None = None):
        super().__init__()
        self.heads, self.head_dim, self.k_cutoff = heads, head_dim, float(k_cutoff)
        self.mesh = mesh or MeshSettings()
        self.query = torch.nn.Linear(num_features, heads * head_dim)
        self.key = torch.nn.Linear(num_features, heads * head_dim)
        self.value = torch.nn.Linear(num_features, heads * head_dim)
        self.filter = RadialFilter(heads, filter_basis, k_cutoff)

    def forward(self, h: torch.Tensor, positions: torch.Tensor, cell: torch.Tensor,
                ptr: torch.Tensor, pbc: torch.Tensor | None = None) -> torch.Tensor:
        shape = (h.shape[0], self.heads, self.head_dim)
        q = _positive_map(self.query(h)).reshape(shape)
        key = _positive_map(self.key(h)).reshape(shape)
        value = self.value(h).reshape(shape)
        bounds = ptr.tolist()
        updates = []
        for g in range(len(bounds) - 1):
            a, b = bounds[g], bounds[g + 1]
            check_periodic_cell(cell[g], None if pbc is None else pbc[g], label=f"structure {g} of the batch")
            integers = reciprocal_integer_vectors(cell[g], self.k_cutoff)
            if self.mesh.use_mesh(len(integers)):
                updates.append(attend_one_structure_mesh(q[a:b], key[a:b], value[a:b], positions[a:b],
                                                         cell[g], self.filter, self.k_cutoff, self.mesh))
                continue
            kvec = integers @ reciprocal_basis(cell[g])
            volume = torch.abs(torch.linalg.det(cell[g]))
            weight = self.filter(torch.linalg.norm(kvec, dim=-1)) / volume
            updates.append(attend_one_structure(q[a:b], key[a:b], value[a:b], positions[a:b], kvec, weight))
        return torch.cat(updates, dim=0).reshape(h.shape[0], -1)


class LongRangeEnergy(torch.nn.Module):
    """Gated combination of the long-range update with local features, read out as energy."""

    def __init__(self, num_features: int, heads: int, head_dim: int, k_cutoff: float,
                 filter_basis: int, scale: float = 1.0, mesh: MeshSettings | None = None):
        super().__init__()
        width = heads * head_dim
        self.attention = ReciprocalAttention(num_features, heads, head_dim, k_cutoff, filter_basis, mesh)
        self.gate = torch.nn.Linear(num_features + width, num_features)
        self.out = torch.nn.Linear(width, num_features, bias=False)
        torch.nn.init.zeros_(self.out.weight)
        self.readout = torch.nn.Sequential(
            torch.nn.Linear(num_features, num_features), torch.nn.SiLU(), torch.nn.Linear(num_features, 1))
        # Same energy unit as MACE's scaled interaction energy, so learning rates transfer.
        self.register_buffer("scale", torch.tensor(float(scale)))

    def forward(self, h: torch.Tensor, positions: torch.Tensor, cell: torch.Tensor,
                ptr: torch.Tensor, pbc: torch.Tensor | None = None) -> torch.Tensor:
        """Per-atom long-range energy [N]."""
        u = self.attention(h, positions, cell, ptr, pbc)
        gate = torch.sigmoid(self.gate(torch.cat([h, u], dim=-1)))
        h_new = h + gate * self.out(u)
        # Difference of readouts: exactly zero while W_o is zero (LR starts as SR).
        return self.scale * (self.readout(h_new) - self.readout(h)).squeeze(-1)
