"""Environment mining and per-sample fractions on real SOAP at the paper's cutoff, and the
extrapolation to the paper's scale.

Input: a SOAP store the workflow wrote (e.g. results/rise/rise/cuzr_classical/soap/r5.5 from
`./vitrify.sh run --configfile config/rise.yaml`) and the study's sample files (for the
cooling-rate sets). At growing numbers of samples (nested subsets, the same number from every
set) the study's own code runs as in the workflow: the authors' mining set (a random 40 % of
every set), greedy leader clustering at cosine 0.9975 (`mine_leaders`), then every sample's
sparse environment counts with the drop rule (`sample_environment_counts`). Timed, with the
peak memory traced. On the smallest subset the per-atom loop (`mine_leaders_reference`,
`assign_environments_reference`) runs too, and its leaders and assignments must be identical.

Extrapolation to the paper (10 sets x 1,000 inherent structures x 2,000 atoms = 2e7 atoms,
8e6 mined): the number of environments L is fitted as a power law of the atoms mined; mining
time as c_m * (atoms mined) * (mean L while mining) and counting time as c_a * (atoms) * L,
both linear in the feature length D (the paper's D is taken equal to this store's). On a
32-core node the matrix products parallelise over cores (assumed: 32x, an upper bound on
the gain); memory is the leaders (L x D float32) plus one block and its score pieces.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/environments_scale.py \
        --store results/rise/rise/cuzr_classical/soap/r5.5 --samples results/rise/rise/cuzr_classical/samples \
        --per-set 10 25 50 100 --ref-per-set 10
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import tracemalloc
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from vitrify.plot_style import STYLE, plt, save_figure  # noqa: E402
from vitrify.rise.environments import (  # noqa: E402
    assign_environments,
    assign_environments_reference,
    matched,
    mine_leaders,
    mine_leaders_reference,
    sample_environment_counts,
)
from vitrify.rise.samples import sample_table  # noqa: E402
from vitrify.rise.soap import iter_sample_features  # noqa: E402
from vitrify.rise.splits import mining_subset, per_set_subset  # noqa: E402

PAPER = {"atoms": 10 * 1000 * 2000, "mined_fraction": 0.4, "cores": 32}


class Peak:
    def __enter__(self):
        tracemalloc.start()
        return self

    def __exit__(self, *exc):
        self.mb = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", required=True)
    ap.add_argument("--samples", required=True, help="folder of the study's sample .extxyz files")
    ap.add_argument("--per-set", type=int, nargs="+", required=True)
    ap.add_argument("--ref-per-set", type=int, default=10)
    ap.add_argument("--cosine", type=float, default=0.9975)
    ap.add_argument("--mining-fraction", type=float, default=0.4)
    ap.add_argument("--figure", default="docs/figures/rise_environments_scale.png")
    args = ap.parse_args()

    store = Path(args.store)
    ids, _, rates = sample_table(sorted(Path(args.samples).glob("*.extxyz")))
    rate_of = dict(zip(ids, rates))
    D = next(iter_sample_features(store, ids[:1]))[1].shape[1]
    atoms_per_sample = next(iter_sample_features(store, ids[:1]))[1].shape[0]
    print(f"{len(ids)} samples x {atoms_per_sample} atoms, D = {D}, {len(set(rates))} cooling-rate sets; "
          f"cosine {args.cosine}; store {store}", flush=True)

    def load(sel):
        return (x for _, x in iter_sample_features(store, sel))

    rows = []
    for per_set in args.per_set:
        sub = per_set_subset(ids, rates, per_set, 7)
        mined = mining_subset(sub, [rate_of[s] for s in sub], args.mining_fraction, 0)
        with Peak() as pm:
            t0 = time.perf_counter()
            env = mine_leaders(load(mined), args.cosine)
            t_mine = time.perf_counter() - t0
        with Peak() as pa:
            t0 = time.perf_counter()
            counts, unmatched = sample_environment_counts(load(sub), env, "drop")
            t_assign = time.perf_counter() - t0
        n_mined, n_all = len(mined) * atoms_per_sample, len(sub) * atoms_per_sample
        # mean number of leaders an atom was compared with while mining
        m_at = np.searchsorted(env.founders, np.arange(n_mined), side="right")
        rows.append({"per_set": per_set, "samples": len(sub), "atoms": n_all, "mined_atoms": n_mined,
                     "L": env.n_environments, "mean_L_mining": float(m_at.mean()), "t_mine": t_mine,
                     "t_assign": t_assign, "mem_mine_mb": pm.mb, "mem_assign_mb": pa.mb,
                     "unmatched": float(unmatched.sum() / n_all), "nnz": counts.nnz})
        r = rows[-1]
        print(f"{len(sub)} samples: {r['L']} environments from {n_mined} atoms, mining {t_mine:.1f} s "
              f"({pm.mb:.0f} MB), counts {t_assign:.1f} s ({pa.mb:.0f} MB), {100 * r['unmatched']:.1f} % unmatched",
              flush=True)

    # The per-atom loop on the smallest subset: identical leaders and assignments.
    sub = per_set_subset(ids, rates, args.ref_per_set, 7)
    mined = mining_subset(sub, [rate_of[s] for s in sub], args.mining_fraction, 0)
    t0 = time.perf_counter()
    ref = mine_leaders_reference(load(mined), args.cosine)
    t_ref_mine = time.perf_counter() - t0
    t0 = time.perf_counter()
    blk = mine_leaders(load(mined), args.cosine)
    t_blk_mine = time.perf_counter() - t0
    assert np.array_equal(ref.founders, blk.founders) and np.array_equal(ref.leaders, blk.leaders)
    t_ref_assign = t_blk_assign = 0.0
    for x in load(sub):
        t0 = time.perf_counter()
        a_ref = assign_environments_reference(x, blk)
        t1 = time.perf_counter()
        a_blk = assign_environments(x, blk)
        t_ref_assign += t1 - t0
        t_blk_assign += time.perf_counter() - t1
        assert np.array_equal(a_ref, a_blk)
        assert np.array_equal(matched(x, a_ref, blk), matched(x, a_blk, blk))
    print(f"per-atom loop on {len(sub)} samples: mining {t_ref_mine:.1f} s vs blocked {t_blk_mine:.1f} s; "
          f"assignment {t_ref_assign:.1f} s vs {t_blk_assign:.1f} s; identical", flush=True)

    # Fits: L = a * mined^b; mining per (atom x leader), counting per (atom x leader).
    mined_n = np.array([r["mined_atoms"] for r in rows], float)
    L = np.array([r["L"] for r in rows], float)
    b, log_a = np.polyfit(np.log(mined_n), np.log(L), 1)
    c_mine = np.median([r["t_mine"] / (r["mined_atoms"] * max(r["mean_L_mining"], 1)) for r in rows])
    c_assign = np.median([r["t_assign"] / (r["atoms"] * r["L"]) for r in rows])
    P_mined = PAPER["atoms"] * PAPER["mined_fraction"]
    L_paper = float(np.exp(log_a) * P_mined**b)
    # mean leaders while mining under L(n) = a n^b: L_final / (b + 1)
    t_mine_paper = c_mine * P_mined * L_paper / (b + 1)
    t_assign_paper = c_assign * PAPER["atoms"] * L_paper
    mem_paper_gb = L_paper * D * 4 / 2**30 + 0.1
    cores = PAPER["cores"]

    print()
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, numpy "
          f"{np.__version__}, OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}")
    print("| samples (per set) | atoms | mined atoms | environments | mining s | counts s | peak traced MB "
          "(mining / counts) | unmatched | CSR non-zeros |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['samples']} ({r['per_set']}) | {r['atoms']:,} | {r['mined_atoms']:,} | {r['L']:,} | "
              f"{r['t_mine']:.1f} | {r['t_assign']:.1f} | {r['mem_mine_mb']:.0f} / {r['mem_assign_mb']:.0f} | "
              f"{100 * r['unmatched']:.1f} % | {r['nnz']:,} |")
    print(f"\nper-atom loop vs blocked on {len(sub)} samples: mining {t_ref_mine:.1f} / {t_blk_mine:.1f} s "
          f"= {t_ref_mine / t_blk_mine:.1f}x, assignment {t_ref_assign:.1f} / {t_blk_assign:.1f} s = "
          f"{t_ref_assign / t_blk_assign:.1f}x; identical leaders and assignments")
    print(f"fit: environments = {np.exp(log_a):.3g} x (atoms mined)^{b:.3f}; mining {c_mine * 1e9:.2f} ns and "
          f"counting {c_assign * 1e9:.2f} ns per (atom x environment) on one core")
    print(f"paper scale ({PAPER['atoms']:,} atoms, {P_mined:,.0f} mined, D = {D}): ~{L_paper:,.0f} environments; "
          f"one core: mining {t_mine_paper / 3600:.1f} h, counting {t_assign_paper / 3600:.1f} h; "
          f"{cores} cores (ideal): {(t_mine_paper + t_assign_paper) / cores / 3600:.2f} h per radius; "
          f"memory ~{mem_paper_gb:.1f} GB (leaders) + one block")

    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, 2, figsize=(9, 3.3))
        grid = np.geomspace(mined_n.min(), P_mined, 50)
        axes[0].loglog(mined_n, L, "o", label="measured")
        axes[0].loglog(grid, np.exp(log_a) * grid**b, "-", lw=1, label=f"fit, exponent {b:.2f}")
        axes[0].axvline(P_mined, color="0.5", ls=":", lw=1, label="paper: 8e6 atoms mined")
        axes[0].set_xlabel("atoms mined")
        axes[0].set_ylabel("unique environments")
        axes[0].legend(fontsize=7)
        atoms = np.array([r["atoms"] for r in rows], float)
        total = np.array([r["t_mine"] + r["t_assign"] for r in rows])
        grid_all = np.geomspace(atoms.min(), PAPER["atoms"], 50)
        L_all = np.exp(log_a) * (grid_all * PAPER["mined_fraction"]) ** b
        model = c_mine * grid_all * PAPER["mined_fraction"] * L_all / (b + 1) + c_assign * grid_all * L_all
        axes[1].loglog(atoms, total, "o", label="measured (1 core)")
        axes[1].loglog(grid_all, model, "-", lw=1, label="model, 1 core")
        axes[1].loglog(grid_all, model / cores, "--", lw=1, label=f"model, {cores} cores (ideal)")
        axes[1].axhline(8 * 3600, color="C3", ls=":", lw=1, label="goal: 8 h")
        axes[1].axvline(PAPER["atoms"], color="0.5", ls=":", lw=1)
        axes[1].set_xlabel("atoms (all samples)")
        axes[1].set_ylabel("mining + counting, s per radius")
        axes[1].legend(fontsize=7)
        save_figure(fig, Path(args.figure), tight=False, bbox_inches="tight")
    print(f"figure: {args.figure}")


if __name__ == "__main__":
    main()
