"""Ring statistics of periodic networks: King, Guttman and primitive rings.

The network is the bond graph of neighbours.find_bonds (default for silica: Si-O bonds
only, so rings alternate Si and O). Rings are searched in the infinite periodic net
(graph.py): a ring is a closed path whose image shifts sum to zero, so rings that wrap
the box are never counted, even in small cells.

Ring definitions (after S. Le Roux and P. Jund, Comput. Mater. Sci. 49, 70 (2010), the
R.I.N.G.S. code):

* King (shortest-path) rings [S. V. King, Nature 213, 1112 (1967)]: for every node i
  and every pair of its neighbours (j, k), the shortest paths j -> k that avoid i,
  closed through i. All shortest paths of that length are kept.
* Guttman rings [L. Guttman, J. Non-Cryst. Solids 116, 145 (1990)]: for every bond
  i-j, the shortest paths i -> j that do not use the bond itself, closed by it.
* Primitive rings (also called shortest-path or SP rings, D. S. Franzblau, Phys. Rev. B
  44, 4925 (1991)): rings that contain a shortest path of the net between every pair of
  their nodes, i.e. that cannot be split into two smaller rings. Checked through the
  antipodal pairs only, which suffices (a shortcut between any two nodes implies one
  between some antipodal pair). Candidates are pairs of shortest paths from the ring's
  lowest-index atom; sizes are limited to `max_size` (cost grows steeply with it).

Sizes: rings are reported by the number of NODE atoms they contain (`node_species`,
Si for silica: an n-membered ring has n Si and n O, 2n atoms). All atoms are roots.

Normalisations (R.I.N.G.S. names, exact definitions used here), per frame:

* R_C(n): number of distinct rings with n nodes in the simulation cell.
* R_N(n) = R_C(n) / N_nodes: rings of size n per node atom.
* P_N(n): fraction of node atoms that belong to at least one ring of size n.

Over several frames each quantity is the mean over frames.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import numpy as np
from ase import Atoms

from .coordination import bonds_of
from .graph import PeriodicGraph, batched_bfs, shortest_paths_to_targets

METHODS = ("king", "guttman", "primitive")

#: Default bond cutoffs for the silica network: Si-O only (Si-Si and O-O are not bonds).
SILICA_CUTOFFS_A = {("Si", "O"): 2.0}


@dataclass
class Rings:
    """Distinct rings of one frame, grouped by number of atoms L.

    atoms[L]: (R, L) atom indices in ring order; images[L]: (R, L, 3) image of each atom,
    consistent along the ring (closure vector zero).
    """

    atoms: dict[int, np.ndarray] = field(default_factory=dict)
    images: dict[int, np.ndarray] = field(default_factory=dict)

    def count(self) -> dict[int, int]:
        return {L: len(a) for L, a in sorted(self.atoms.items())}


# ---------------------------------------------------------------------------- helpers

def _canonical(graph: PeriodicGraph, atoms: np.ndarray, images: np.ndarray) -> np.ndarray:
    """One int64 code row per ring, identical for rotations, reversal and translation.

    The ring is read from its lowest atom index, in the direction giving the smaller
    sequence; each node is coded by atom and image relative to the starting node.
    """
    R, L = atoms.shape
    out = np.empty((R, L), np.int64)
    mins = atoms.min(axis=1)
    dup = (atoms == mins[:, None]).sum(axis=1) > 1
    ar = np.arange(L)
    simple = np.nonzero(~dup)[0]
    if len(simple):
        a, im = atoms[simple], images[simple]
        start = a.argmin(axis=1)
        fwd_idx = (start[:, None] + ar) % L
        rev_idx = (start[:, None] - ar) % L
        rows = np.arange(len(simple))[:, None]
        ref = im[np.arange(len(simple)), start][:, None, :]
        fwd = graph.node_key(a[rows, fwd_idx], im[rows, fwd_idx] - ref)
        rev = graph.node_key(a[rows, rev_idx], im[rows, rev_idx] - ref)
        differ = fwd != rev
        col = differ.argmax(axis=1)
        pick_rev = differ.any(axis=1) & (rev[np.arange(len(simple)), col] < fwd[np.arange(len(simple)), col])
        out[simple] = np.where(pick_rev[:, None], rev, fwd)
    for r in np.nonzero(dup)[0]:  # an atom appears twice (two images): rare, small cells
        best = None
        for s in np.nonzero(atoms[r] == mins[r])[0]:
            for idx in ((s + ar) % L, (s - ar) % L):
                code = tuple(graph.node_key(atoms[r, idx], images[r, idx] - images[r, s]))
                best = code if best is None or code < best else best
        out[r] = best
    return out


def _add(store: dict, L: int, atoms: np.ndarray, images: np.ndarray) -> None:
    if len(atoms):
        store.setdefault(L, []).append((atoms, images))


def _dedupe(graph: PeriodicGraph, store: dict) -> Rings:
    rings = Rings()
    for L, chunks in sorted(store.items()):
        atoms = np.concatenate([c[0] for c in chunks])
        images = np.concatenate([c[1] for c in chunks])
        _, first = np.unique(_canonical(graph, atoms, images), axis=0, return_index=True)
        rings.atoms[L], rings.images[L] = atoms[first], images[first]
    return rings


def _batches(n: int, size: int):
    for s in range(0, n, size):
        yield slice(s, min(n, s + size))


# ---------------------------------------------------------------------- King / Guttman

def king_rings(graph: PeriodicGraph, max_atoms: int, batch: int = 4096) -> Rings:
    """King's shortest-path rings with at most max_atoms atoms (module doc)."""
    # One task per (root, unordered pair of its bonds).
    deg = np.diff(graph.indptr)
    roots, e1, e2 = [], [], []
    for d in np.unique(deg[deg >= 2]):
        r = np.nonzero(deg == d)[0]
        p, q = np.triu_indices(int(d), k=1)
        roots.append(np.repeat(r, len(p)))
        e1.append((graph.indptr[r][:, None] + p).ravel())
        e2.append((graph.indptr[r][:, None] + q).ravel())
    if not roots:
        return Rings()
    root, e1, e2 = np.concatenate(roots), np.concatenate(e1), np.concatenate(e2)
    store: dict = {}
    for sl in _batches(len(root), batch):
        r, a, b = root[sl], e1[sl], e2[sl]
        j, sj = graph.nbr[a], graph.shift[a]
        k, sk = graph.nbr[b], graph.shift[b]
        # Search from j (image 0): the root sits at -sj, the target k at sk - sj.
        forbid = graph.node_key(r, -sj)
        target = graph.node_key(k, sk - sj)
        bfs = batched_bfs(graph, j, max_atoms - 2, forbid=forbid, target=target)
        for d in np.unique(bfs.found_depth[bfs.found_depth > 0]):
            t = np.nonzero(bfs.found_depth == d)[0]
            task, pa, pi = shortest_paths_to_targets(graph, bfs, t, k[t], (sk - sj)[t], int(d))
            ring_atoms = np.concatenate([r[task][:, None], pa], axis=1)
            ring_images = np.concatenate([(-sj[task])[:, None, :], pi], axis=1)
            _add(store, int(d) + 2, ring_atoms, ring_images)
    return _dedupe(graph, store)


def guttman_rings(graph: PeriodicGraph, max_atoms: int, batch: int = 4096) -> Rings:
    """Guttman's rings with at most max_atoms atoms (module doc)."""
    src = np.repeat(np.arange(graph.n_atoms), np.diff(graph.indptr))
    s = graph.shift
    # Each undirected bond once: i < j, or a bond of an atom to its own image taken in
    # the direction whose shift is lexicographically positive.
    pos_shift = (s[:, 0] > 0) | ((s[:, 0] == 0) & ((s[:, 1] > 0) | ((s[:, 1] == 0) & (s[:, 2] > 0))))
    keep = (src < graph.nbr) | ((src == graph.nbr) & pos_shift)
    i_all, j_all, s_all = src[keep], graph.nbr[keep], s[keep]
    store: dict = {}
    for sl in _batches(len(i_all), batch):
        i, j, sj = i_all[sl], j_all[sl], s_all[sl]
        key_j = graph.node_key(j, sj)
        bfs = batched_bfs(graph, i, max_atoms - 1, skip_first=key_j, target=key_j)
        for d in np.unique(bfs.found_depth[bfs.found_depth > 1]):
            t = np.nonzero(bfs.found_depth == d)[0]
            _, pa, pi = shortest_paths_to_targets(graph, bfs, t, j[t], sj[t], int(d))
            _add(store, int(d) + 1, pa, pi)
    return _dedupe(graph, store)


# -------------------------------------------------------------------------- primitive

class _DistanceTable:
    """Graph distances from every atom (image 0) to every node within max_depth."""

    def __init__(self, graph: PeriodicGraph, max_depth: int, batch: int = 2048):
        keys, depth = [], []
        for sl in _batches(graph.n_atoms, batch):
            bfs = batched_bfs(graph, np.arange(sl.start, sl.stop), max_depth)
            keys.append(bfs.keys + np.int64(sl.start) * graph.span)
            depth.append(bfs.depth)
        self.keys = np.concatenate(keys)  # batches are in increasing source order: sorted
        self.depth = np.concatenate(depth)
        self.graph = graph

    def __call__(self, src_atom, dst_atom, rel_image) -> np.ndarray:
        """Distance src(image 0) -> dst(rel_image), -1 if beyond max_depth."""
        q = np.asarray(src_atom, np.int64) * self.graph.span + self.graph.node_key(dst_atom, rel_image)
        pos = np.minimum(np.searchsorted(self.keys, q), len(self.keys) - 1)
        return np.where(self.keys[pos] == q, self.depth[pos], -1)


def _pairs_within_groups(group_keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (a < b) of rows sharing the same key (rows need not be sorted)."""
    order = np.argsort(group_keys, kind="stable")
    sk = group_keys[order]
    starts = np.r_[0, np.nonzero(np.diff(sk))[0] + 1]
    sizes = np.diff(np.r_[starts, len(sk)])
    out_a, out_b = [], []
    for size in np.unique(sizes[sizes >= 2]):
        st = starts[sizes == size]
        p, q = np.triu_indices(int(size), k=1)
        out_a.append(order[(st[:, None] + p).ravel()])
        out_b.append(order[(st[:, None] + q).ravel()])
    if not out_a:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(out_a), np.concatenate(out_b)


def _disjoint(k1: np.ndarray, k2: np.ndarray) -> np.ndarray:
    """Rows where no node key of k1 equals any node key of k2 (shapes (P, a), (P, b))."""
    if k1.shape[1] == 0 or k2.shape[1] == 0:
        return np.ones(len(k1), bool)
    return ~(k1[:, :, None] == k2[:, None, :]).any(axis=(1, 2))


def _is_shortest_path_ring(table: _DistanceTable, atoms: np.ndarray, images: np.ndarray) -> np.ndarray:
    """True for rings with no shortcut between any antipodal pair of nodes."""
    R, L = atoms.shape
    h = L // 2
    u = np.arange(L if L % 2 else h)
    v = (u + h) % L
    src = atoms[:, u].ravel()
    dst = atoms[:, v].ravel()
    rel = (images[:, v] - images[:, u]).reshape(-1, 3)
    d = table(src, dst, rel).reshape(R, len(u))
    return ~((d >= 0) & (d < h)).any(axis=1)


def primitive_rings(graph: PeriodicGraph, max_atoms: int, batch: int = 256) -> Rings:
    """Primitive (shortest-path) rings with at most max_atoms atoms (module doc)."""
    D = max_atoms // 2
    table = _DistanceTable(graph, D)
    store: dict = {}
    for sl in _batches(graph.n_atoms, batch):
        roots = np.arange(sl.start, sl.stop, dtype=np.int64)
        # Shortest paths from each root through atoms >= root only: every ring is then
        # built once, from its lowest atom (its arcs from there are shortest paths).
        task = roots.copy()
        p_atoms = roots[:, None]
        p_images = np.zeros((len(roots), 1, 3), np.int64)
        by_depth = {0: (task, p_atoms, p_images)}
        for m in range(1, D + 1):
            rep, n_atom, n_image = graph.expand(p_atoms[:, -1], p_images[:, -1])
            ok = (n_atom >= task[rep]) & (table(task[rep], n_atom, n_image) == m)
            rep, n_atom, n_image = rep[ok], n_atom[ok], n_image[ok]
            task = task[rep]
            p_atoms = np.concatenate([p_atoms[rep], n_atom[:, None]], axis=1)
            p_images = np.concatenate([p_images[rep], n_image[:, None, :]], axis=1)
            by_depth[m] = (task, p_atoms, p_images)
            if len(task) == 0:
                break
        for m, (task, pa, pi) in by_depth.items():
            if m == 0 or len(task) == 0:
                continue
            node = graph.node_key(pa, pi)  # (P, m+1)
            root_key = task * graph.span
            # Even rings 2m: two shortest paths to the same end node, disjoint inside.
            if 2 * m <= max_atoms and m >= 2:
                a, b = _pairs_within_groups(root_key + node[:, -1])
                ok = _disjoint(node[a, 1:m], node[b, 1:m])
                a, b = a[ok], b[ok]
                atoms = np.concatenate([pa[a], pa[b, 1:m][:, ::-1]], axis=1)
                images = np.concatenate([pi[a], pi[b, 1:m][:, ::-1]], axis=1)
                keep = _is_shortest_path_ring(table, atoms, images)
                _add(store, 2 * m, atoms[keep], images[keep])
            # Odd rings 2m+1: paths to two adjacent end nodes at the same depth m.
            if 2 * m + 1 <= max_atoms:
                rep, n_atom, n_image = graph.expand(pa[:, -1], pi[:, -1])
                end_key = graph.node_key(n_atom, n_image)
                ok = (end_key > node[rep, -1]) & (table(task[rep], n_atom, n_image) == m)
                rep, end_key = rep[ok], end_key[ok]
                if len(rep) == 0:
                    continue
                full_end = root_key + node[:, -1]
                order = np.argsort(full_end, kind="stable")
                want = root_key[rep] + end_key
                lo = np.searchsorted(full_end[order], want, "left")
                hi = np.searchsorted(full_end[order], want, "right")
                cnt = hi - lo
                a = np.repeat(rep, cnt)
                b = order[np.repeat(lo, cnt) + np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt)]
                ok = _disjoint(node[a, 1:], node[b, 1:])
                a, b = a[ok], b[ok]
                atoms = np.concatenate([pa[a], pa[b, 1:][:, ::-1]], axis=1)
                images = np.concatenate([pi[a], pi[b, 1:][:, ::-1]], axis=1)
                keep = _is_shortest_path_ring(table, atoms, images)
                _add(store, 2 * m + 1, atoms[keep], images[keep])
    return _dedupe(graph, store)


# ------------------------------------------------------------------------- statistics

@dataclass(frozen=True)
class RingStatistics:
    """R_C, R_N, P_N per ring size n (node atoms per ring), mean over frames (module doc)."""

    method: str
    node_species: str
    max_size: int
    sizes: np.ndarray
    R_C: np.ndarray
    R_N: np.ndarray
    P_N: np.ndarray
    n_nodes: float
    n_frames: int

    def to_frame(self):
        import pandas as pd

        return pd.DataFrame({"n": self.sizes, "R_C": self.R_C, "R_N": self.R_N, "P_N": self.P_N})

    def counts(self) -> dict[int, float]:
        return {int(n): float(c) for n, c in zip(self.sizes, self.R_C) if c > 0}


def find_rings(atoms: Atoms, method: str, max_size: int,
               cutoffs_A: Mapping[tuple[str, str], float] = SILICA_CUTOFFS_A,
               atoms_per_node: int = 2) -> Rings:
    """Distinct rings of one frame with at most max_size * atoms_per_node atoms.

    max_size counts node atoms (Si); atoms_per_node is 2 for an alternating Si-O network.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    graph = PeriodicGraph.from_bonds(bonds_of(atoms, cutoffs_A))
    max_atoms = max_size * atoms_per_node
    fn = {"king": king_rings, "guttman": guttman_rings, "primitive": primitive_rings}[method]
    return fn(graph, max_atoms)


def ring_statistics(frames, method: str, max_size: int, node_species: str = "Si",
                    cutoffs_A: Mapping[tuple[str, str], float] = SILICA_CUTOFFS_A,
                    atoms_per_node: int = 2) -> RingStatistics:
    """R_C(n), R_N(n), P_N(n) for n = 1..max_size, averaged over frames (module doc)."""
    frames = [frames] if isinstance(frames, Atoms) else list(frames)
    sizes = np.arange(1, max_size + 1)
    rc, pn, nn = [], [], []
    for f in frames:
        is_node = np.asarray(f.get_chemical_symbols()) == node_species
        n_nodes = int(is_node.sum())
        rings = find_rings(f, method, max_size, cutoffs_A, atoms_per_node)
        count = np.zeros(max_size + 1)
        member = np.zeros((max_size + 1, len(f)), bool)
        for ring_atoms in rings.atoms.values():
            n = is_node[ring_atoms].sum(axis=1)
            for size in np.unique(n):
                if 1 <= size <= max_size:
                    rows = ring_atoms[n == size]
                    count[size] += len(rows)
                    member[size, rows.ravel()] = True
        rc.append(count[1:])
        pn.append((member[1:] & is_node).sum(axis=1) / max(n_nodes, 1))
        nn.append(n_nodes)
    rc, pn = np.mean(rc, axis=0), np.mean(pn, axis=0)
    n_nodes = float(np.mean(nn))
    return RingStatistics(method, node_species, max_size, sizes, rc, rc / max(n_nodes, 1), pn,
                          n_nodes, len(frames))
