"""Bond-angle distributions a-center-c (e.g. O-Si-O, Si-O-Si) from pair cutoffs.

The angle at `center` between two of its bonds (neighbours.find_bonds, periodic images
included), one to a species-a atom and one to a species-c atom; each unordered pair of
bonds counts once. Distributions are probability densities in 1/degree (integral 1);
mean and width are the sample mean and standard deviation of the angles themselves
(not of the histogram).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np
from ase import Atoms

from .coordination import bonds_of
from .neighbours import Bonds


def triplet_angles_deg(bonds: Bonds, symbols, a: str, center: str, c: str) -> np.ndarray:
    """All a-center-c angles in degrees (vectorised over centres)."""
    symbols = np.asarray(symbols)
    keep = (symbols[bonds.i] == center) & np.isin(symbols[bonds.j], [a, c])
    i, vec = bonds.i[keep], bonds.vector_A[keep]
    sj = symbols[bonds.j[keep]]
    if len(i) == 0:
        return np.zeros(0)
    # Bonds are sorted by i: pad each centre's bonds into one row of a (centres, m) table.
    starts = np.r_[0, np.nonzero(np.diff(i))[0] + 1]
    deg = np.diff(np.r_[starts, len(i)])
    m = int(deg.max())
    row = np.repeat(np.arange(len(starts)), deg)
    col = np.arange(len(i)) - starts[row]
    table = np.full((len(starts), m), -1)
    table[row, col] = np.arange(len(i))
    p, q = np.triu_indices(m, k=1)
    bp, bq = table[:, p].ravel(), table[:, q].ravel()
    ok = (bp >= 0) & (bq >= 0)
    bp, bq = bp[ok], bq[ok]
    if a == c:
        ok = (sj[bp] == a) & (sj[bq] == a)
    else:
        ok = ((sj[bp] == a) & (sj[bq] == c)) | ((sj[bp] == c) & (sj[bq] == a))
    v1, v2 = vec[bp[ok]], vec[bq[ok]]
    cos = np.einsum("ij,ij->i", v1, v2) / (np.linalg.norm(v1, axis=1) * np.linalg.norm(v2, axis=1))
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


@dataclass(frozen=True)
class AngleDistribution:
    triplet: tuple[str, str, str]
    angle_deg: np.ndarray        # bin centres
    density_per_deg: np.ndarray  # integral over angle = 1
    mean_deg: float
    std_deg: float
    n_angles: int

    def to_frame(self):
        import pandas as pd

        return pd.DataFrame({"angle_deg": self.angle_deg, "density_per_deg": self.density_per_deg})


def angle_distribution(angles_deg: np.ndarray, triplet: tuple[str, str, str],
                       bin_deg: float = 1.0) -> AngleDistribution:
    """Histogram on [0, 180] degrees as a probability density, with mean and std."""
    edges = np.arange(0.0, 180.0 + bin_deg / 2, bin_deg)
    hist, _ = np.histogram(angles_deg, bins=edges, density=len(angles_deg) > 0)
    n = len(angles_deg)
    return AngleDistribution(
        triplet=triplet, angle_deg=0.5 * (edges[1:] + edges[:-1]), density_per_deg=hist.astype(float),
        mean_deg=float(np.mean(angles_deg)) if n else float("nan"),
        std_deg=float(np.std(angles_deg, ddof=1)) if n > 1 else float("nan"), n_angles=n)


def bond_angle_distribution(frames, triplet: tuple[str, str, str],
                            cutoffs_A: Mapping[tuple[str, str], float], bin_deg: float = 1.0
                            ) -> AngleDistribution:
    """a-center-c angle distribution pooled over frames (ase.Atoms or a list of them)."""
    frames = [frames] if isinstance(frames, Atoms) else list(frames)
    a, center, c = triplet
    pooled = [triplet_angles_deg(bonds_of(f, cutoffs_A), f.get_chemical_symbols(), a, center, c)
              for f in frames]
    return angle_distribution(np.concatenate(pooled), triplet, bin_deg)
