"""Reciprocal lattice of a periodic cell: the basis and how far each axis reaches under a |k| cutoff.

Shared by the direct k sum (reciprocal_attention.py) and the mesh (reciprocal_mesh.py), so
both see the same k-vectors for the same cell.
"""

from __future__ import annotations

import math

import torch

TWO_PI = 2.0 * math.pi


def reciprocal_basis(cell: torch.Tensor) -> torch.Tensor:
    """Rows b_a with a_a . b_b = 2 pi delta_ab, for a cell whose rows are lattice vectors."""
    return TWO_PI * torch.linalg.inv(cell).transpose(-1, -2)


def band_limits(cell: torch.Tensor, k_cutoff: float) -> tuple[int, int, int]:
    """n_max per axis: every k = n B with |k| <= k_cutoff has |n_a| <= k_cutoff |a_a| / (2 pi)
    (since n_a = k . a_a / 2 pi); valid for triclinic cells. Selection only, no gradient."""
    return tuple(math.floor(k_cutoff * float(length) / TWO_PI)
                 for length in torch.linalg.norm(cell.detach(), dim=-1))
