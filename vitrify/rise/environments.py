"""Unique local environments: greedy leader clustering of unit SOAP vectors, then fractions.

The rule (from the published description): atoms are visited in a fixed order (sample
order, then atom order); an atom founds a new environment when its dot product with every
existing environment ("leader") is <= `cosine_cutoff`. Afterwards every atom is assigned
to the leader it is most similar to; atoms of samples that were not mined may match no
leader, and are dropped or given to the nearest one (sample_environment_counts). Each
sample becomes its vector of environment fractions.

Blocked evaluation: a block of atoms is compared with all current leaders in one matrix
product; only atoms no leader covers (candidates) need the sequential rule, and only
against leaders founded earlier in the same block, which a Gram matrix of the candidates
answers. Exactly the same leaders as the per-atom loop (`mine_leaders_reference`) come out
because both make every decision with the same function of two vectors:

    covered(x, l) := exact_dot(x, l) > cosine_cutoff

float32 matrix products only screen. For float32 inputs of length D any summation order is
within gamma_D = D u / (1 - D u) (u = 2^-24) of the true dot (for unit vectors); pairs
whose float32 dot lies within `screen_margin(D)` of the cutoff, and near-ties in the
argmax, are settled with `exact_dots`, a float64 computation whose value depends only on
the two rows (products of float32 numbers are exact in float64, and NumPy's pairwise row
sum has a fixed order), never on block sizes or on BLAS. Exact ties in the argmax go to
the lowest leader index.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np
import scipy.sparse as sp

from ..files import atomic_path

# float32 score matrices are computed in pieces of at most this many entries (64 MB).
DEFAULT_SCORE_BUDGET = 1 << 24
_EXACT_BATCH = 4096  # rows per float64 batch in exact_dots: bounds its temporaries


def screen_margin(n_features: int) -> float:
    """Twice the worst-case error of a float32 dot product of two unit vectors of length D.

    Twice gamma_D: room for the float32 inputs being unit length only to ~1e-7 and for
    the ~1e-16 error of the float64 reference value.
    """
    u = 2.0**-24
    gamma = n_features * u / (1.0 - n_features * u)
    return 2.0 * gamma


def exact_dots(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise dot products a[i].b[i] in float64, independent of how rows are batched."""
    out = np.empty(len(a), dtype=np.float64)
    for s in range(0, len(a), _EXACT_BATCH):
        a64 = np.asarray(a[s:s + _EXACT_BATCH], dtype=np.float64)
        b64 = np.asarray(b[s:s + _EXACT_BATCH], dtype=np.float64)
        out[s:s + _EXACT_BATCH] = np.sum(a64 * b64, axis=1)
    return out


def _as_unit_f32(x: np.ndarray, n_features: int | None) -> np.ndarray:
    x = np.ascontiguousarray(x, dtype=np.float32)
    if x.ndim != 2:
        raise ValueError(f"expected a 2-D (n_atoms, n_features) array, got shape {x.shape}")
    if n_features is not None and x.shape[1] != n_features:
        raise ValueError(
            f"feature dimension mismatch: vectors have {x.shape[1]} features, the environments "
            f"{n_features} (different SOAP settings?)"
        )
    # The screening margin assumes unit vectors; catch raw (unnormalised) SOAP early.
    norms_sq = np.einsum("ij,ij->i", x, x)
    if len(x) and not np.all(np.abs(norms_sq - 1.0) < 1e-4):
        raise ValueError("vectors must be L2-normalised (unit length): use soap.l2_normalise")
    return x


def _iter_arrays(data: np.ndarray | Iterable[np.ndarray]) -> Iterator[np.ndarray]:
    """A single (n, D) array, or an iterable of per-sample arrays, as a stream of arrays."""
    if isinstance(data, np.ndarray):
        yield data
    else:
        yield from data


@dataclass
class Environments:
    """Leaders (unit SOAP vectors, one per environment) in founding order.

    `founders[k]` is the position, in the mining stream of atoms, of the atom that founded
    environment k.
    """

    leaders: np.ndarray
    founders: np.ndarray
    cosine_cutoff: float

    @property
    def n_environments(self) -> int:
        return len(self.leaders)

    @property
    def n_features(self) -> int:
        return self.leaders.shape[1]


class _LeaderBuffer:
    """Growable (m, D) float32 store; doubling keeps appends amortised O(D)."""

    def __init__(self, n_features: int):
        self.data = np.empty((1024, n_features), dtype=np.float32)
        self.founders: list[np.ndarray] = []
        self.m = 0

    def append(self, rows: np.ndarray, founders: np.ndarray) -> None:
        need = self.m + len(rows)
        if need > len(self.data):
            grown = np.empty((max(need, 2 * len(self.data)), self.data.shape[1]), dtype=np.float32)
            grown[:self.m] = self.data[:self.m]
            self.data = grown
        self.data[self.m:need] = rows
        self.founders.append(np.asarray(founders, dtype=np.int64))
        self.m = need

    @property
    def leaders(self) -> np.ndarray:
        return self.data[:self.m]

    def result(self, cosine_cutoff: float) -> Environments:
        founders = np.concatenate(self.founders) if self.founders else np.empty(0, dtype=np.int64)
        return Environments(self.leaders.copy(), founders, float(cosine_cutoff))


# ----------------------------------------------------------------------------- decisions


def _covered(x: np.ndarray, scores: np.ndarray, leaders: np.ndarray, cutoff: float, margin: float) -> bool:
    """Does any leader cover atom x? `scores` are the float32 dots of x with `leaders`."""
    if scores.size == 0:
        return False
    top = scores.max()
    if top > cutoff + margin:
        return True
    if top <= cutoff - margin:
        return False
    near = np.flatnonzero(scores > cutoff - margin)
    return bool(np.any(exact_dots(np.broadcast_to(x, (len(near), len(x))), leaders[near]) > cutoff))


def _best_leader(x: np.ndarray, scores: np.ndarray, leaders: np.ndarray, margin: float) -> int:
    """Index of the leader with the largest exact dot with x (lowest index on a tie)."""
    best = int(np.argmax(scores))
    near = np.flatnonzero(scores >= scores[best] - 2.0 * margin)
    if len(near) == 1:
        return best
    exact = exact_dots(np.broadcast_to(x, (len(near), len(x))), leaders[near])
    return int(near[np.argmax(exact)])  # near is ascending, argmax returns the first maximum


# ----------------------------------------------------------------------------- reference


def mine_leaders_reference(data: np.ndarray | Iterable[np.ndarray], cosine_cutoff: float) -> Environments:
    """The per-atom loop, literally: one matrix-vector product per atom. For tests and benchmarks."""
    buf, margin, pos = None, None, 0
    for arr in _iter_arrays(data):
        arr = _as_unit_f32(arr, None if buf is None else buf.data.shape[1])
        if buf is None:
            buf, margin = _LeaderBuffer(arr.shape[1]), screen_margin(arr.shape[1])
        for x in arr:
            leaders = buf.leaders
            if not _covered(x, leaders @ x, leaders, cosine_cutoff, margin):
                buf.append(x[None, :], [pos])
            pos += 1
    if buf is None:
        raise ValueError("no atoms to mine environments from")
    return buf.result(cosine_cutoff)


def assign_environments_reference(x: np.ndarray, env: Environments) -> np.ndarray:
    """Per-atom loop: index of the most similar environment of each row of x."""
    x = _as_unit_f32(x, env.n_features)
    margin = screen_margin(env.n_features)
    return np.array([_best_leader(row, env.leaders @ row, env.leaders, margin) for row in x],
                    dtype=np.int64)


# ----------------------------------------------------------------------------- blocked


def _covered_rows(block: np.ndarray, leaders: np.ndarray, cutoff: float, margin: float,
                  score_budget: int) -> np.ndarray:
    """For each row of block: is it covered by any of `leaders`? One matrix product per piece."""
    covered = np.zeros(len(block), dtype=bool)
    m = len(leaders)
    if m == 0:
        return covered
    step = max(1, score_budget // m)
    for s in range(0, len(block), step):
        scores = block[s:s + step] @ leaders.T
        top = scores.max(axis=1)
        covered[s:s + step] = top > cutoff + margin
        unsure = np.flatnonzero((top > cutoff - margin) & (top <= cutoff + margin))
        if len(unsure):
            rows, cols = np.nonzero(scores[unsure] > cutoff - margin)
            hit = exact_dots(block[s + unsure[rows]], leaders[cols]) > cutoff
            covered[s + unsure[np.unique(rows[hit])]] = True
    return covered


def _leaders_within(cands: np.ndarray, cutoff: float, margin: float) -> np.ndarray:
    """Which candidates (in order) found environments, given only each other.

    The first surviving candidate always founds one (nothing earlier covers it); it then
    removes every later candidate it covers. A candidate survives exactly when no earlier
    founder covers it: the per-atom rule. The loop runs once per new leader, not per atom.
    """
    gram = cands @ cands.T
    alive = np.arange(len(cands))
    founded = []
    while len(alive):
        p, rest = alive[0], alive[1:]
        founded.append(p)
        g = gram[p, rest]
        kill = g > cutoff + margin
        unsure = np.flatnonzero(~kill & (g > cutoff - margin))
        if len(unsure):
            kill[unsure] = exact_dots(np.broadcast_to(cands[p], (len(unsure), cands.shape[1])),
                                      cands[rest[unsure]]) > cutoff
        alive = rest[~kill]
    return np.array(founded, dtype=np.int64)


def mine_leaders(data: np.ndarray | Iterable[np.ndarray], cosine_cutoff: float,
                 block_size: int = 2048, score_budget: int = DEFAULT_SCORE_BUDGET) -> Environments:
    """Greedy leader clustering, blocked; identical result to `mine_leaders_reference`.

    `data` is one (n_atoms, D) array or an iterable of per-sample arrays (e.g. the training
    samples streamed from a SOAP store), visited in order. Memory: the leaders, one block,
    its candidates' Gram matrix (block_size^2 floats) and score pieces of `score_budget`.
    """
    if block_size < 1:
        raise ValueError(f"block_size must be >= 1, got {block_size}")
    buf, margin, pos = None, None, 0
    for arr in _iter_arrays(data):
        arr = _as_unit_f32(arr, None if buf is None else buf.data.shape[1])
        if buf is None:
            buf, margin = _LeaderBuffer(arr.shape[1]), screen_margin(arr.shape[1])
        for s in range(0, len(arr), block_size):
            block = arr[s:s + block_size]
            cand = np.flatnonzero(~_covered_rows(block, buf.leaders, cosine_cutoff, margin, score_budget))
            if len(cand):
                new = cand[_leaders_within(block[cand], cosine_cutoff, margin)]
                buf.append(block[new], pos + s + new)
        pos += len(arr)
    if buf is None:
        raise ValueError("no atoms to mine environments from")
    return buf.result(cosine_cutoff)


def assign_environments(x: np.ndarray, env: Environments, score_budget: int = DEFAULT_SCORE_BUDGET) -> np.ndarray:
    """Index of the most similar environment for each row of x (blocked argmax)."""
    x = _as_unit_f32(x, env.n_features)
    leaders, margin = env.leaders, screen_margin(env.n_features)
    out = np.empty(len(x), dtype=np.int64)
    step = max(1, score_budget // max(1, len(leaders)))
    for s in range(0, len(x), step):
        scores = x[s:s + step] @ leaders.T
        best = scores.argmax(axis=1)
        top = scores[np.arange(len(best)), best]
        near = scores >= (top - 2.0 * margin)[:, None]
        out[s:s + step] = best
        for r in np.flatnonzero(near.sum(axis=1) > 1):  # near-ties only: a small minority
            cols = np.flatnonzero(near[r])
            exact = exact_dots(np.broadcast_to(x[s + r], (len(cols), x.shape[1])), leaders[cols])
            out[s + r] = cols[np.argmax(exact)]
    return out


# ----------------------------------------------------------------------------- per sample

UNMATCHED_RULES = ("drop", "nearest")


def matched(x: np.ndarray, best: np.ndarray, env: Environments) -> np.ndarray:
    """Does the most similar environment match each row, by the mining rule (exact dot > cutoff)?

    `best` comes from assign_environments, whose choice is the exact argmax, so this is the
    same decision `_covered` makes while mining: every atom of a mined sample matches.
    """
    x = _as_unit_f32(x, env.n_features)
    return exact_dots(x, env.leaders[best]) > env.cosine_cutoff


def sample_environment_counts(samples: Iterable[np.ndarray], env: Environments, unmatched: str = "drop",
                              score_budget: int = DEFAULT_SCORE_BUDGET) -> tuple[sp.csr_matrix, np.ndarray]:
    """(n_samples, n_environments) sparse atom counts, one row per sample, streamed; and
    each sample's number of unmatched atoms (no environment's cosine above the cutoff).

    unmatched="drop" (the authors' code, muchen1453/RISE Reductionist/Step2_Dataset.py):
    unmatched atoms are left out of the counts, so the fractions' denominator is the matched
    atoms only. "nearest": they count for their most similar environment.
    Sparse because at large radii nearly every atom can be its own environment: a dense
    table would be n_samples x n_atoms_total.
    """
    if unmatched not in UNMATCHED_RULES:
        raise ValueError(f"unmatched must be one of {UNMATCHED_RULES}, got {unmatched!r}")
    indptr, indices, data, n_unmatched = [0], [], [], []
    for arr in samples:
        best = assign_environments(arr, env, score_budget)
        hit = matched(arr, best, env)
        n_unmatched.append(int(np.count_nonzero(~hit)))
        if unmatched == "drop":
            best = best[hit]
        envs, counts = np.unique(best, return_counts=True)
        indices.append(envs.astype(np.int32))
        data.append(counts.astype(np.int32))
        indptr.append(indptr[-1] + len(envs))
    if len(indptr) == 1:
        raise ValueError("no samples to count environments in")
    counts = sp.csr_matrix(
        (np.concatenate(data), np.concatenate(indices), np.array(indptr, dtype=np.int64)),
        shape=(len(indptr) - 1, env.n_environments),
    )
    return counts, np.array(n_unmatched, dtype=np.int64)


def environment_fractions(counts: sp.csr_matrix) -> sp.csr_matrix:
    """Counts divided by each sample's counted atoms: rows sum to 1 (float64).

    A sample none of whose atoms matched (possible with the drop rule) keeps an all-zero
    row, as in the authors' code: every feature is then "absent" for the regression.
    """
    n_atoms = np.asarray(counts.sum(axis=1)).ravel().astype(np.float64)
    scale = np.divide(1.0, n_atoms, out=np.zeros_like(n_atoms), where=n_atoms > 0)
    return sp.csr_matrix(sp.diags(scale) @ counts.astype(np.float64))


def sample_entropies(counts: sp.csr_matrix) -> np.ndarray:
    """Each sample's structural entropy -sum_k f_k ln f_k over its environment fractions (nats)."""
    frac = environment_fractions(counts).tocsr()
    out = np.zeros(frac.shape[0])
    for i in range(frac.shape[0]):
        f = frac.data[frac.indptr[i]:frac.indptr[i + 1]]
        f = f[f > 0]
        out[i] = -np.sum(f * np.log(f))
    return out


def environment_statistics(counts: sp.csr_matrix, n_unmatched: np.ndarray | None = None) -> dict:
    """Environment count, global structural entropy and the spread of per-sample entropies.

    entropy_nats: -sum p ln p of the global frequencies p (all samples' counted atoms).
    sample_entropy_sd_nats: standard deviation over samples of each sample's own entropy
    (sample_entropies): how far the environments tell the samples apart. These and the
    environment count are the RISE paper's second and third indicators, read against radius.
    """
    totals = np.asarray(counts.sum(axis=0)).ravel().astype(np.float64)
    p = totals[totals > 0] / totals.sum() if totals.sum() > 0 else np.zeros(0)
    per_sample = sample_entropies(counts)
    counted = int(totals.sum())
    unmatched = int(np.sum(n_unmatched)) if n_unmatched is not None else 0
    return {
        "n_environments": int(counts.shape[1]),
        "n_environments_occupied": int(len(p)),
        "n_atoms": counted + unmatched,
        "n_atoms_counted": counted,
        "n_atoms_unmatched": unmatched,
        "unmatched_fraction": unmatched / max(1, counted + unmatched),
        "n_samples_without_match": int(np.sum(np.asarray(counts.sum(axis=1)).ravel() == 0)),
        "entropy_nats": float(-np.sum(p * np.log(p))),
        "sample_entropy_mean_nats": float(per_sample.mean()),
        "sample_entropy_sd_nats": float(per_sample.std(ddof=1)) if len(per_sample) > 1 else 0.0,
    }


# ----------------------------------------------------------------------------- I/O


def _savez(path: Path, **arrays) -> None:
    with atomic_path(Path(path)) as tmp, open(tmp, "wb") as fh:
        np.savez(fh, **arrays)


def save_environments(path: Path, env: Environments) -> None:
    """The environment library (leaders in founding order): reusable to assign new structures."""
    _savez(path, leaders=env.leaders, founders=env.founders, cosine_cutoff=env.cosine_cutoff)


def load_environments(path: Path) -> Environments:
    with np.load(Path(path)) as f:
        return Environments(f["leaders"], f["founders"], float(f["cosine_cutoff"]))


def save_counts(path: Path, sample_ids: list[str], counts: sp.csr_matrix) -> None:
    """Per-sample environment counts with their sample ids, in one .npz."""
    if len(sample_ids) != counts.shape[0]:
        raise ValueError(f"{len(sample_ids)} sample ids for {counts.shape[0]} rows")
    _savez(path, data=counts.data, indices=counts.indices, indptr=counts.indptr,
             shape=np.array(counts.shape), sample_ids=np.array(sample_ids, dtype=str))


def load_counts(path: Path) -> tuple[list[str], sp.csr_matrix]:
    with np.load(Path(path)) as f:
        counts = sp.csr_matrix((f["data"], f["indices"], f["indptr"]), shape=tuple(f["shape"]))
        return [str(s) for s in f["sample_ids"]], counts
