"""Partial radial distribution functions g_ab(r) of periodic frames.

Normalisation (stated once, used everywhere downstream):

    g_ab(r) = H_ab(r) / [ N_a (N_b - delta_ab) / V * 4/3 pi (r_hi^3 - r_lo^3) ]

H_ab is the number of ORDERED pairs (i in a, j in b, i != j) with r_lo < |r_ij| <= r_hi,
counted over periodic images. Dividing by N_b - delta_ab (not N_b) makes an ideal gas
give g = 1 exactly in expectation for like pairs too, and makes the running coordination
number (rho_b' = (N_b - delta_ab) / V)

    n_ab(r) = sum over bins up to r of rho_b' g_ab * shell volume

reproduce the exact neighbour count per a-atom. The exact shell volume (not
4 pi r^2 dr) is used so the reconstruction is exact for any bin width. g_ab = g_ba.

Frames are analysed one by one; the returned g is the mean of the per-frame g's and the
per-frame curves are kept (`g_frames`) so that callers can form error bars. Across
independent replicas use `mean_and_sem`.

r_max may not exceed half the smallest perpendicular cell width of any frame: beyond
it the minimum-image pair is no longer unique (ValueError).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np
from ase import Atoms

from .cell import check_r_max
from .neighbours import pair_histogram


def species_order(symbols: Iterable[str]) -> tuple[str, ...]:
    """Species in order of first appearance (Si before O for a SiO2 file written Si first)."""
    seen: dict[str, None] = {}
    for s in symbols:
        seen.setdefault(str(s), None)
    return tuple(seen)


def pair_key(a: str, b: str, species: Sequence[str]) -> tuple[str, str]:
    """Canonical (a, b) key for an unordered species pair: ordered as in `species`."""
    return (a, b) if species.index(a) <= species.index(b) else (b, a)


def species_pairs(species: Sequence[str]) -> list[tuple[str, str]]:
    """Unordered pairs a <= b in the order of `species`: (Si,Si), (Si,O), (O,O)."""
    return [(a, b) for k, a in enumerate(species) for b in species[k:]]


def shell_volumes_A3(edges_A: np.ndarray) -> np.ndarray:
    return 4.0 / 3.0 * np.pi * np.diff(np.asarray(edges_A, float) ** 3)


@dataclass(frozen=True)
class PartialRDF:
    """Partial g_ab(r) averaged over frames, with the per-frame curves.

    r_A: bin centres; edges_A: bin edges (r_A = midpoints). counts: atoms per species
    (same in every frame). number_density_A3: total atoms / volume, mean over frames.
    g[(a, b)]: frame-mean g_ab for a before b in `species`; g_frames[(a, b)]: shape
    (n_frames, n_bins). Use `.pair(a, b)` for either order.
    """

    r_A: np.ndarray
    edges_A: np.ndarray
    species: tuple[str, ...]
    counts: dict[str, int]
    number_density_A3: float
    g: dict[tuple[str, str], np.ndarray]
    g_frames: dict[tuple[str, str], np.ndarray] = field(repr=False)

    @property
    def n_atoms(self) -> int:
        return int(sum(self.counts.values()))

    @property
    def concentrations(self) -> dict[str, float]:
        return {s: n / self.n_atoms for s, n in self.counts.items()}

    @property
    def n_frames(self) -> int:
        return int(next(iter(self.g_frames.values())).shape[0])

    def pair(self, a: str, b: str) -> np.ndarray:
        return self.g[pair_key(a, b, self.species)]

    def running_coordination(self, a: str, b: str) -> np.ndarray:
        """n_ab at each bin's upper edge: mean number of b neighbours of an a atom within r."""
        rho_b = (self.counts[b] - (a == b)) / self.n_atoms * self.number_density_A3
        return np.cumsum(self.pair(a, b) * rho_b * shell_volumes_A3(self.edges_A))

    def to_frame(self):
        """pandas DataFrame: r_A and one column g_<a>_<b> per pair."""
        import pandas as pd

        data = {"r_A": self.r_A}
        for (a, b), g in self.g.items():
            data[f"g_{a}_{b}"] = g
        return pd.DataFrame(data)


def _as_frames(frames) -> list[Atoms]:
    if isinstance(frames, Atoms):
        return [frames]
    frames = list(frames)
    if not frames:
        raise ValueError("no frames given")
    return frames


def frame_partial_rdf(atoms: Atoms, edges_A: np.ndarray, species: Sequence[str],
                      force_ghosts: bool = False) -> dict[tuple[str, str], np.ndarray]:
    """g_ab(r) of one periodic frame for every unordered species pair (see module doc)."""
    if not all(atoms.pbc):
        raise ValueError("g(r) here needs a cell periodic in all three directions")
    cell = np.asarray(atoms.cell, float)
    check_r_max(float(edges_A[-1]), cell)
    symbols = np.asarray(atoms.get_chemical_symbols())
    pos = atoms.get_positions()
    volume = abs(np.linalg.det(cell))
    shells = shell_volumes_A3(edges_A)
    by_species = {s: pos[symbols == s] for s in species}
    out = {}
    for a, b in species_pairs(species):
        pa, pb = by_species[a], by_species[b]
        na, nb = len(pa), len(pb) - (a == b)
        if na == 0 or nb <= 0:
            out[(a, b)] = np.full(len(shells), np.nan)
            continue
        hist = pair_histogram(pa, pa if a == b else pb, cell, edges_A, force_ghosts=force_ghosts)
        out[(a, b)] = hist / (na * nb / volume * shells)
    return out


def partial_rdf(frames, r_max_A: float, dr_A: float = 0.02, species: Sequence[str] | None = None,
                force_ghosts: bool = False) -> PartialRDF:
    """Partial g_ab(r) of one or several periodic frames (ase.Atoms), averaged over frames.

    Bins of width dr_A from 0 to r_max_A (r_max_A is rounded down to a whole number of
    bins). `species` fixes the order of species (default: order of first appearance).
    Every frame must have the same number of atoms of each species.
    """
    frames = _as_frames(frames)
    n_bins = int(np.floor(r_max_A / dr_A + 1e-9))
    if n_bins < 1:
        raise ValueError(f"r_max_A={r_max_A} is smaller than one bin of {dr_A} A")
    edges = np.linspace(0.0, n_bins * dr_A, n_bins + 1)
    species = tuple(species) if species is not None else species_order(frames[0].get_chemical_symbols())
    first = frames[0].get_chemical_symbols()
    counts = {s: int(sum(1 for x in first if x == s)) for s in species}
    per_frame: dict[tuple[str, str], list[np.ndarray]] = {p: [] for p in species_pairs(species)}
    densities = []
    for k, atoms in enumerate(frames):
        sym = atoms.get_chemical_symbols()
        c = {s: int(sum(1 for x in sym if x == s)) for s in species}
        if c != counts:
            raise ValueError(f"frame {k} has species counts {c}, frame 0 has {counts}")
        try:
            g = frame_partial_rdf(atoms, edges, species, force_ghosts=force_ghosts)
        except ValueError as err:
            raise ValueError(f"frame {k}: {err}") from None
        for p, v in g.items():
            per_frame[p].append(v)
        densities.append(len(atoms) / abs(atoms.cell.volume))
    g_frames = {p: np.array(v) for p, v in per_frame.items()}
    return PartialRDF(
        r_A=0.5 * (edges[1:] + edges[:-1]), edges_A=edges, species=species, counts=counts,
        number_density_A3=float(np.mean(densities)),
        g={p: v.mean(axis=0) for p, v in g_frames.items()}, g_frames=g_frames)


def mean_and_sem(curves: Sequence[np.ndarray] | np.ndarray, axis: int = 0
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard error of the mean over independent replicas (ddof = 1).

    With a single replica the standard error is NaN (not zero): one sample gives no
    spread. Pass per-replica curves (e.g. each replica's frame-mean g), not frames of
    one trajectory: successive frames are correlated, so their scatter underestimates
    the error.
    """
    arr = np.asarray(curves, dtype=float)
    n = arr.shape[axis]
    mean = arr.mean(axis=axis)
    if n < 2:
        return mean, np.full_like(mean, np.nan)
    return mean, arr.std(axis=axis, ddof=1) / np.sqrt(n)


def first_minimum_A(r_A: np.ndarray, g: np.ndarray, after_A: float = 0.0, smooth_bins: int = 5
                    ) -> float:
    """Position of the first minimum of g after its first peak (beyond `after_A`).

    g is smoothed with a running mean of `smooth_bins` bins first, because a noisy
    histogram has spurious local minima. Useful for choosing coordination cutoffs from
    the data rather than by hand.
    """
    r_A, g = np.asarray(r_A), np.asarray(g)
    kernel = np.ones(smooth_bins) / smooth_bins
    gs = np.convolve(np.nan_to_num(g), kernel, mode="same")
    sel = np.nonzero(r_A > after_A)[0]
    peak = sel[np.argmax(gs[sel] > 0)] if np.any(gs[sel] > 0) else sel[0]
    # Walk to the first peak maximum, then to the following minimum.
    k = peak
    while k + 1 < len(gs) and gs[k + 1] >= gs[k]:
        k += 1
    while k + 1 < len(gs) and gs[k + 1] <= gs[k]:
        k += 1
    return float(r_A[k])
