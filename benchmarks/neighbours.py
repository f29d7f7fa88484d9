"""Neighbour queries: the project's kernels vs freud 3.4's AABB queries, same boxes, same run.

Two queries the structure analysis makes on every frame:

* bonds: every Si-O pair within 2.0 A (coordination, Qn, defects, rings): the project's
  own kernel (scipy cKDTree against explicit ghost images, `find_bonds(force_ghosts=True)`)
  vs freud `AABBQuery.query(..., r_max=2.0).toNeighborList()`, and `find_bonds` as the
  analysis now calls it (freud's query, distances redone in double precision); the counts
  must be identical;
* pair histogram: Si-O pairs per 0.02 A bin to 10 A (g(r)): vitrify's `pair_histogram`
  (dual-tree counting, no pair list) vs freud `density.RDF` (ball query, histogram).

Input: one SiO2 glass frame made here (vitrify-md, config/test.yaml, 96 atoms) replicated
n x n x n and rattled by 0.05 A (n = 20: 768,000 atoms is beyond this machine's minute
budget; the default sizes are n = 6 (20,736 atoms) and n = 13 (210,912 atoms), the
24k and 192k scale of the S(Q) benchmark). One thread each (freud set to 1 thread).

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/neighbours.py [--sizes 6 13]
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("OMP_NUM_THREADS", "1")

from vitrify.structure.frames import read_frames  # noqa: E402
from vitrify.structure.neighbours import find_bonds, pair_histogram  # noqa: E402


def glass(workdir: Path):
    subprocess.run([sys.executable, "-m", "vitrify.cli", "--config", str(REPO / "config" / "test.yaml"), "--system",
                    "silica", "--rate", "2000", "--outdir", str(workdir)], check=True, capture_output=True)
    return read_frames(workdir / "trajectory.extxyz", segment="glass")[-1]


def timed(fn, *args):
    t0 = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="*", default=[6, 13])
    args = ap.parse_args()
    import freud

    freud.parallel.set_num_threads(1)
    base = glass(Path(tempfile.mkdtemp(prefix="vitrify-nbench-")))
    rows = []
    for n in args.sizes:
        atoms = base.repeat(n)
        atoms.positions += np.random.default_rng(0).normal(0.0, 0.05, atoms.positions.shape)
        atoms.wrap()
        sym = np.asarray(atoms.get_chemical_symbols())
        cell = np.asarray(atoms.cell)
        box = freud.box.Box.from_matrix(cell.T)
        pos = box.wrap(atoms.get_positions())
        si, o = pos[sym == "Si"], pos[sym == "O"]

        args = (atoms.get_positions(), cell, sym, {("Si", "O"): 2.0})
        bonds, t_ours = timed(lambda: find_bonds(*args, force_ghosts=True))
        ours_cn = np.bincount(bonds.i[sym[bonds.i] == "Si"], minlength=len(atoms))[sym == "Si"]
        used, t_used = timed(lambda: find_bonds(*args))
        used_cn = np.bincount(used.i[sym[used.i] == "Si"], minlength=len(atoms))[sym == "Si"]

        def freud_bonds():
            nl = freud.locality.AABBQuery(box, o).query(si, {"r_max": 2.0}).toNeighborList()
            return np.bincount(nl.query_point_indices, minlength=len(si))

        theirs_cn, t_freud = timed(freud_bonds)
        same = np.array_equal(ours_cn, theirs_cn) and np.array_equal(ours_cn, used_cn)
        rows.append((len(atoms), "Si-O bonds <= 2.0 A", t_ours, t_freud, "identical" if same else "DIFFER"))
        rows.append((len(atoms), "Si-O bonds, find_bonds as used (freud inside)", t_ours, t_used,
                     "identical" if same else "DIFFER"))

        edges = np.linspace(0.0, 10.0, 501)
        hist, t_ours = timed(pair_histogram, si, o, cell, edges)

        def freud_rdf():
            rdf = freud.density.RDF(bins=500, r_max=10.0)
            rdf.compute((box, o), query_points=si, neighbors={"mode": "ball", "r_max": 10.0})
            return np.asarray(rdf.bin_counts)

        counts, t_freud = timed(freud_rdf)
        diff = int(np.abs(np.asarray(counts, np.int64) - hist).sum())
        rows.append((len(atoms), "Si-O pair histogram to 10 A", t_ours, t_freud,
                     f"{diff} of {int(hist.sum())} pairs binned differently (freud: float32)"))
        print(rows[-2], rows[-1], flush=True)

    print(f"\nMachine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, freud {freud.__version__}, one thread each.")
    print("| atoms | query | vitrify own kernel s | freud s | freud / vitrify time | agreement |")
    print("|---|---|---|---|---|---|")
    for natoms, what, a, b, note in rows:
        print(f"| {natoms} | {what} | {a:.3f} | {b:.3f} | {b / a:.2f} | {note} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
