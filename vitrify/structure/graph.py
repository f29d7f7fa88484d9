"""Bond graphs of periodic cells explored as the INFINITE periodic net.

A node is (atom index, integer image vector). Every bond carries the image shift of its
far end (neighbours.Bonds), so a walk accumulates its image as it goes, and a closed
walk that returns to the SAME (atom, image) has zero winding: it is a genuine ring of
the infinite net, never a path that wraps the box. This is what keeps spurious
"wrapping rings" out of the ring statistics, whatever the box size.

Searches are vectorised over many independent breadth-first searches ("tasks") at
once: a state is (task, atom, image) packed into one int64 key, and each BFS level is a
handful of numpy operations over all tasks. A task may forbid one node (King's
criterion: paths avoiding the root), skip one node at depth 1 only (Guttman's: avoid
the bond itself), stop when it reaches a target, and be restricted to a node subset.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .neighbours import Bonds

IMAGE_BOUND = 31               # |image component| representable in a key
_W = 2 * IMAGE_BOUND + 1       # values per image component


@dataclass(frozen=True)
class PeriodicGraph:
    """CSR adjacency of a periodic bond graph (both directions of every bond)."""

    n_atoms: int
    indptr: np.ndarray
    nbr: np.ndarray
    shift: np.ndarray  # (n_edges, 3) image of nbr relative to the source atom

    @classmethod
    def from_bonds(cls, bonds: Bonds) -> "PeriodicGraph":
        order = np.lexsort((bonds.j, bonds.i))
        i, j, s = bonds.i[order], bonds.j[order], bonds.shift[order]
        indptr = np.r_[0, np.cumsum(np.bincount(i, minlength=bonds.n_atoms))]
        return cls(bonds.n_atoms, indptr.astype(np.int64), j.astype(np.int64), s.astype(np.int64))

    @property
    def span(self) -> int:
        """Key range per task: every (atom, image) key of one task is below this."""
        return _W ** 3 * self.n_atoms

    def node_key(self, atom: np.ndarray, image: np.ndarray) -> np.ndarray:
        """Pack (atom, image) into one int64 (image components within +-IMAGE_BOUND)."""
        image = np.asarray(image, np.int64)
        if image.size and np.abs(image).max() > IMAGE_BOUND:
            raise ValueError(f"image shift beyond +-{IMAGE_BOUND}: search too deep for this cell")
        code = ((image[..., 0] + IMAGE_BOUND) * _W + image[..., 1] + IMAGE_BOUND) * _W \
            + image[..., 2] + IMAGE_BOUND
        return code * self.n_atoms + np.asarray(atom, np.int64)

    def expand(self, atom: np.ndarray, image: np.ndarray):
        """All (state index, neighbour atom, neighbour image) one bond away."""
        start = self.indptr[atom]
        deg = self.indptr[atom + 1] - start
        rep = np.repeat(np.arange(len(atom)), deg)
        offset = np.arange(len(rep)) - np.repeat(np.cumsum(deg) - deg, deg)
        edge = start[rep] + offset
        return rep, self.nbr[edge], image[rep] + self.shift[edge]


@dataclass(frozen=True)
class BFSResult:
    """Visited states of a batch of searches: sorted keys task*span + node_key and depths."""

    keys: np.ndarray
    depth: np.ndarray
    found_depth: np.ndarray  # per task: depth at which the target was reached, -1 if not

    def lookup(self, keys: np.ndarray) -> np.ndarray:
        """Depth of each key, or -1 where the key was not visited."""
        pos = np.searchsorted(self.keys, keys)
        pos = np.minimum(pos, len(self.keys) - 1)
        hit = self.keys[pos] == keys
        return np.where(hit, self.depth[pos], -1)


def batched_bfs(graph: PeriodicGraph, source: np.ndarray, max_depth: int,
                forbid: np.ndarray | None = None, skip_first: np.ndarray | None = None,
                target: np.ndarray | None = None, restricted: np.ndarray | None = None,
                min_atom: np.ndarray | None = None) -> BFSResult:
    """Breadth-first search from each source atom (image 0), one task per source.

    forbid / skip_first / target: per-task node keys (graph.node_key), -1 for none.
    `forbid` is never entered; `skip_first` is not entered at depth 1 (it may be reached
    later); a task stops expanding after the level in which it reaches `target`.
    restricted (bool per atom) with min_atom (per task): restricted atoms with index
    below min_atom are never entered (used to find each ring from its lowest node only).
    """
    source = np.asarray(source, np.int64)
    n_tasks = len(source)
    span = graph.span
    none = np.full(n_tasks, -1, np.int64)
    forbid = none if forbid is None else np.asarray(forbid, np.int64)
    skip_first = none if skip_first is None else np.asarray(skip_first, np.int64)
    target = none if target is None else np.asarray(target, np.int64)
    task_base = np.arange(n_tasks, dtype=np.int64) * span
    forbid_full = np.where(forbid >= 0, task_base + forbid, -1)
    skip_full = np.where(skip_first >= 0, task_base + skip_first, -1)
    target_full = np.where(target >= 0, task_base + target, -1)
    found = np.full(n_tasks, -1, np.int64)

    task = np.arange(n_tasks, dtype=np.int64)
    atom = source.copy()
    image = np.zeros((n_tasks, 3), np.int64)
    keys0 = task_base + graph.node_key(atom, image)
    levels_keys = [keys0]
    prev2 = np.zeros(0, np.int64)
    prev1 = np.sort(keys0)
    for d in range(1, max_depth + 1):
        if len(task) == 0:
            break
        rep, n_atom, n_image = graph.expand(atom, image)
        n_task = task[rep]
        keys = task_base[n_task] + graph.node_key(n_atom, n_image)
        ok = keys != forbid_full[n_task]
        if d == 1:
            ok &= keys != skip_full[n_task]
        if restricted is not None:
            ok &= ~restricted[n_atom] | (n_atom >= min_atom[n_task])
        keys, n_task, n_atom, n_image = keys[ok], n_task[ok], n_atom[ok], n_image[ok]
        keys, first = np.unique(keys, return_index=True)
        n_task, n_atom, n_image = n_task[first], n_atom[first], n_image[first]
        # In an undirected graph a neighbour of depth d-1 has depth d-2, d-1 or d: only the
        # two previous levels need checking to know whether it is new.
        new = ~(_member(keys, prev1) | _member(keys, prev2))
        keys, n_task, n_atom, n_image = keys[new], n_task[new], n_atom[new], n_image[new]
        levels_keys.append(keys)
        hit = keys == target_full[n_task]
        if hit.any():
            found[n_task[hit]] = d
        go = found[n_task] < 0
        task, atom, image = n_task[go], n_atom[go], n_image[go]
        prev2, prev1 = prev1, keys
    depth = np.concatenate([np.full(len(k), d, np.int16) for d, k in enumerate(levels_keys)])
    keys = np.concatenate(levels_keys)
    order = np.argsort(keys, kind="stable")
    return BFSResult(keys[order], depth[order], found)


def _member(keys: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    if len(sorted_set) == 0:
        return np.zeros(len(keys), bool)
    pos = np.minimum(np.searchsorted(sorted_set, keys), len(sorted_set) - 1)
    return sorted_set[pos] == keys


def shortest_paths_to_targets(graph: PeriodicGraph, bfs: BFSResult, tasks: np.ndarray,
                              target_atom: np.ndarray, target_image: np.ndarray,
                              depth: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every shortest path from each task's source to its target, found at `depth`.

    Walks back from the target through states one level closer to the source. Returns
    (task per path, atoms (P, depth+1), images (P, depth+1, 3)), ordered source first.
    """
    span = graph.span
    task = np.asarray(tasks, np.int64)
    atoms = [np.asarray(target_atom, np.int64)]
    images = [np.asarray(target_image, np.int64)]
    for s in range(depth - 1, -1, -1):
        rep, n_atom, n_image = graph.expand(atoms[-1], images[-1])
        keys = task[rep] * span + graph.node_key(n_atom, n_image)
        ok = bfs.lookup(keys) == s
        rep, n_atom, n_image = rep[ok], n_atom[ok], n_image[ok]
        # Branching duplicates the paths built so far.
        atoms = [a[rep] for a in atoms] + [n_atom]
        images = [im[rep] for im in images] + [n_image]
        task = task[rep]
    path_atoms = np.stack(atoms[::-1], axis=1)
    path_images = np.stack(images[::-1], axis=1)
    return task, path_atoms, path_images
