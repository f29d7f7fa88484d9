"""Where the ViT looks, and how far its attention to structure reaches.

- `saliency`: |d prediction / d voxel| summed over species channels, per sample. The
  gradient is of the model's standardised output; multiply by the target std for eV/atom
  per unit density (the radial profile below is scale-free, so it does not matter there).
- `radial_profile`: the mean attribution at periodic distance r from the top-k attributed
  voxels, divided by the grid-mean attribution, so 1 is the background level and the
  excess above 1 measures how strongly attribution clusters around its hot spots. Its
  decay length is the model's own estimate of an informative radius, to compare with the
  communication length at which the test error saturates. Distances use the minimum
  image in fractional coordinates (exact for orthorhombic cells, and for any cell up to
  `r_max_A`, which defaults to half the smallest distance between opposite cell faces).
  Bins are centred on multiples of `bin_A` (default: one voxel), the first one [0, bin/2).
- `saturation_length`: the one-standard-error rule on an error-vs-length curve.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch


def saliency(model: torch.nn.Module, x: np.ndarray, batch_size: int = 8) -> np.ndarray:
    """|d prediction / d input| summed over channels: [N, G, G, G] float64. Puts the model in
    eval mode (no dropout); samples do not interact, so one backward pass per batch gives
    every sample's own gradient."""
    param = next(model.parameters())
    model.eval()
    out = []
    with torch.enable_grad():
        for s in range(0, len(x), batch_size):
            xb = torch.as_tensor(np.asarray(x[s:s + batch_size]), dtype=param.dtype, device=param.device)
            xb.requires_grad_(True)
            (grad,) = torch.autograd.grad(model(xb).sum(), xb)
            out.append(grad.abs().sum(dim=1).double().cpu().numpy())
    return np.concatenate(out)


def max_profile_radius_A(cell: np.ndarray) -> float:
    """Half the smallest spacing between opposite faces: the largest radius at which the
    fractional minimum image is still the true nearest image in any cell shape."""
    recip = np.linalg.inv(np.asarray(cell, dtype=np.float64)).T
    return float(0.5 / np.linalg.norm(recip, axis=1).max())


def _grid_fractions(shape: Sequence[int]) -> np.ndarray:
    return (np.indices(shape).reshape(3, -1).T / np.asarray(shape, dtype=np.float64))


def _profile_on_bins(attribution: np.ndarray, cell: np.ndarray, top_k: int, bin_A: float,
                     n_bins: int) -> np.ndarray:
    """Normalised mean attribution per distance bin, NaN where a bin holds no voxel."""
    a = np.asarray(attribution, dtype=np.float64)
    if a.ndim != 3:
        raise ValueError(f"attribution must be a 3-D grid, got shape {a.shape}")
    flat = a.ravel()
    mean = flat.mean()
    if not mean > 0:
        raise ValueError("attribution is zero everywhere: no profile")
    if not 1 <= top_k <= flat.size:
        raise ValueError(f"top_k must be in [1, {flat.size}], got {top_k}")
    frac = _grid_fractions(a.shape)
    cell = np.asarray(cell, dtype=np.float64)
    sums, counts = np.zeros(n_bins), np.zeros(n_bins)
    for centre in np.argsort(-flat, kind="stable")[:top_k]:
        d = frac - frac[centre]
        d -= np.round(d)
        k = np.floor(np.linalg.norm(d @ cell, axis=1) / bin_A + 0.5).astype(np.int64)
        keep = k < n_bins
        sums += np.bincount(k[keep], weights=flat[keep], minlength=n_bins)
        counts += np.bincount(k[keep], minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / counts, np.nan) / mean


def _bins(cell: np.ndarray, shape: Sequence[int], bin_A: float | None, r_max_A: float | None) -> tuple[float, int]:
    cell = np.asarray(cell, dtype=np.float64)
    if bin_A is None:
        bin_A = (abs(np.linalg.det(cell)) / np.prod(shape)) ** (1.0 / 3.0)
    if r_max_A is None:
        r_max_A = max_profile_radius_A(cell)
    if not bin_A > 0 or not r_max_A >= 0:
        raise ValueError(f"need bin_A > 0 and r_max_A >= 0, got {bin_A}, {r_max_A}")
    return float(bin_A), int(np.floor(r_max_A / bin_A + 1e-9)) + 1


def radial_profile(attribution: np.ndarray, cell: np.ndarray, top_k: int = 10, bin_A: float | None = None,
                   r_max_A: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(r_A, profile) around the top_k attributed voxels of one sample (see module doc);
    empty bins are left out."""
    bin_A, n_bins = _bins(cell, np.shape(attribution), bin_A, r_max_A)
    profile = _profile_on_bins(attribution, cell, top_k, bin_A, n_bins)
    r = np.arange(n_bins) * bin_A
    keep = np.isfinite(profile)
    return r[keep], profile[keep]


def mean_radial_profile(attributions: np.ndarray, cells: Sequence[np.ndarray], top_k: int = 10,
                        bin_A: float | None = None, r_max_A: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Average of the samples' profiles on common bins: bin_A defaults to the mean voxel
    size, r_max_A to the smallest of the samples' `max_profile_radius_A`."""
    attributions = np.asarray(attributions)
    cells = [np.asarray(c, dtype=np.float64) for c in cells]
    if len(cells) != len(attributions) or not len(cells):
        raise ValueError("need one cell per attribution grid, and at least one")
    shape = attributions.shape[1:]
    if bin_A is None:
        bin_A = float(np.mean([(abs(np.linalg.det(c)) / np.prod(shape)) ** (1 / 3) for c in cells]))
    if r_max_A is None:
        r_max_A = min(max_profile_radius_A(c) for c in cells)
    bin_A, n_bins = _bins(cells[0], shape, bin_A, r_max_A)
    profiles = np.array([_profile_on_bins(a, c, top_k, bin_A, n_bins) for a, c in zip(attributions, cells)])
    keep = np.isfinite(profiles).any(axis=0)
    with np.errstate(invalid="ignore"):
        mean = np.nanmean(profiles[:, keep], axis=0)
    return (np.arange(n_bins) * bin_A)[keep], mean


def saturation_length(lengths_A: Sequence[float], rmse_mean: Sequence[float], rmse_std: Sequence[float],
                      n_seeds: int | Sequence[int] | None = None) -> float:
    """The shortest length whose mean RMSE is within one spread of the best mean (1-SE rule).

    The spread is that of the best point: its standard error rmse_std / sqrt(n_seeds) when
    n_seeds is given (one number, or one per length), else rmse_std as passed (the caller
    may pass a standard error directly, or a standard deviation for a looser criterion).
    Longer lengths than this buy no error reduction the seeds can resolve, which is what
    "saturates" means here. Points with a non-finite mean are ignored.
    """
    length = np.asarray(lengths_A, dtype=np.float64)
    mean = np.asarray(rmse_mean, dtype=np.float64)
    spread = np.asarray(rmse_std, dtype=np.float64)
    if not (length.shape == mean.shape == spread.shape) or length.ndim != 1:
        raise ValueError("lengths_A, rmse_mean and rmse_std must be 1-D and of equal length")
    if n_seeds is not None:
        spread = spread / np.sqrt(np.broadcast_to(np.asarray(n_seeds, dtype=np.float64), spread.shape))
    ok = np.isfinite(mean) & np.isfinite(length)
    if not ok.any():
        raise ValueError("no finite RMSE to choose from")
    order = np.argsort(length[ok], kind="stable")
    length, mean, spread = length[ok][order], mean[ok][order], spread[ok][order]
    best = int(np.argmin(mean))
    threshold = mean[best] + (spread[best] if np.isfinite(spread[best]) else 0.0)
    return float(length[np.nonzero(mean <= threshold)[0][0]])
