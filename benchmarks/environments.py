"""Environment mining and per-sample features at paper scale: blocked vs the per-atom loop.

Data: 1,000 samples x 2,000 atoms of SOAP-shaped unit vectors (D = 952: 2 species,
n_max 8, l_max 6). Real SOAP (r_cut 5 A, sigma 0.5 A) of `--pool-boxes` random Cu56Zr44
boxes of 2,000 atoms (vitrify's random packing, 7.0 g/cm3) forms a pool; each sample draws
its atoms from the pool and adds isotropic noise of norm `--noise`, then renormalises.
So the vectors have the geometry of real SOAP (their dot products and clustering), and
the number of environments grows and saturates as in a finite family of local motifs.
Samples are generated on the fly from (seed, index): nothing of size 1,000 x 2,000 x 952
(7.6 GB) is ever held, as in the real pipeline that streams them from a SOAP store.

Blocked (`mine_leaders`, `sample_environment_counts`) runs at full scale: mining on the
training samples (a seeded 80/20 split), features for all samples. The per-atom loop
(`mine_leaders_reference`, `assign_environments_reference`) runs at full scale too with
`--ref-samples 0`; leaders and every sample's assignments must be identical (asserted).
With `--ref-samples K` it runs on the first K training samples only, the blocked code is
also timed on those, and the loop is extrapolated to full scale: assignment linearly in
atoms; mining with a per-atom cost a + b * (leaders so far), fitted on the loop's own
per-sample times and summed over the full blocked run's leader-count trajectory.
Generation time is excluded from all timings.
Peak memory: tracemalloc's peak over each blocked phase (NumPy reports its arrays to it), the
sample being generated included; and the whole process's peak RSS (VmHWM) at the end.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/environments.py [--samples 1000]
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

from vitrify.md.random_start import random_packing, species_counts  # noqa: E402
from vitrify.rise.environments import (  # noqa: E402
    assign_environments,
    assign_environments_reference,
    environment_statistics,
    mine_leaders,
    mine_leaders_reference,
    sample_environment_counts,
)
from vitrify.rise.splits import random_split  # noqa: E402
from vitrify.rise.soap import SoapSettings, soap_per_atom  # noqa: E402


# ----------------------------------------------------------------------------- memory


def _status_kb(key: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


class PeakMemory:
    """Peak of memory allocated during a phase (tracemalloc: NumPy reports its arrays)."""

    def __enter__(self):
        tracemalloc.start()
        return self

    def __exit__(self, *exc):
        self.peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()


# ----------------------------------------------------------------------------- data


def soap_pool(n_boxes: int, n_atoms: int, seed: int) -> np.ndarray:
    settings = SoapSettings(("Cu", "Zr"), r_cut_A=5.0, n_max=8, l_max=6, sigma_A=0.5)
    counts = species_counts({"Cu": 56, "Zr": 44}, n_atoms)
    return np.concatenate([soap_per_atom(random_packing(counts, 7.0, 2.0, seed + i), settings)
                           for i in range(n_boxes)])


class Samples:
    """Sample i, deterministically from (seed, i): pool atoms plus noise, unit length."""

    def __init__(self, pool: np.ndarray, n_atoms: int, noise: float, seed: int):
        self.pool, self.n_atoms, self.noise, self.seed = pool, n_atoms, noise, seed
        self.gen_s = 0.0  # time spent generating, excluded from the algorithms' timings

    def get(self, i: int) -> np.ndarray:
        t0 = time.perf_counter()
        rng = np.random.default_rng([self.seed, i])
        d = self.pool.shape[1]
        x = self.pool[rng.integers(0, len(self.pool), self.n_atoms)]
        x += (self.noise / np.sqrt(d)) * rng.standard_normal(x.shape, dtype=np.float32)
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        self.gen_s += time.perf_counter() - t0
        return x

    def stream(self, indices, per_sample_s: list | None = None):
        """Yield samples; with `per_sample_s`, record the consumer's time on each one."""
        for i in indices:
            x = self.get(i)
            handed = time.perf_counter()
            yield x  # the consumer works on x until it asks for the next sample
            if per_sample_s is not None:
                per_sample_s.append(time.perf_counter() - handed)


def timed(fn, samples: Samples):
    g0 = samples.gen_s
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0 - (samples.gen_s - g0)


# ----------------------------------------------------------------------------- main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--samples", type=int, default=1000)
    ap.add_argument("--atoms", type=int, default=2000)
    ap.add_argument("--cutoff", type=float, default=0.97)
    ap.add_argument("--noise", type=float, default=0.05)
    ap.add_argument("--pool-boxes", type=int, default=10)
    ap.add_argument("--ref-samples", type=int, default=0, help="0: the per-atom loop at full scale")
    ap.add_argument("--test-fraction", type=float, default=0.2)
    ap.add_argument("--block-size", type=int, default=2048)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    t0 = time.perf_counter()
    pool = soap_pool(args.pool_boxes, args.atoms, seed=1000 + args.seed)
    pool_s = time.perf_counter() - t0
    data = Samples(pool, args.atoms, args.noise, args.seed)
    ids = list(range(args.samples))
    train = [int(i) for i in random_split([str(i) for i in ids], args.test_fraction, args.seed).train]
    n_train_atoms = len(train) * args.atoms
    n_atoms = args.samples * args.atoms
    print(f"pool: {len(pool)} real SOAP vectors (D={pool.shape[1]}) from {args.pool_boxes} boxes in {pool_s:.1f} s")
    print(f"samples: {args.samples} x {args.atoms} atoms, mining on {len(train)} training samples, "
          f"cutoff {args.cutoff}, noise {args.noise}", flush=True)

    # Blocked, full scale.
    with PeakMemory() as mem_mine:
        env, t_mine = timed(lambda: mine_leaders(data.stream(train), args.cutoff, args.block_size), data)
    m = env.n_environments
    print(f"blocked mining: {m} environments, {t_mine:.1f} s", flush=True)
    with PeakMemory() as mem_assign:
        (counts, _), t_assign = timed(lambda: sample_environment_counts(data.stream(ids), env, "nearest"), data)
    stats = environment_statistics(counts)
    print(f"blocked features: {t_assign:.1f} s; entropy {stats['entropy_nats']:.3f} nats", flush=True)

    # The per-atom loop on the first k training samples (all with --ref-samples 0), and the
    # blocked code on the same samples for a ratio measured on equal work.
    full_ref = args.ref_samples <= 0 or args.ref_samples >= len(train)
    k = len(train) if full_ref else args.ref_samples
    sub = train[:k]
    per_sample: list[float] = []
    ref_env, t_ref_mine = timed(lambda: mine_leaders_reference(data.stream(sub, per_sample), args.cutoff), data)
    prefix = env.founders < k * args.atoms  # leaders founded within the first k samples
    assert np.array_equal(ref_env.founders, env.founders[prefix]), "reference and blocked leaders differ"
    assert np.array_equal(ref_env.leaders, env.leaders[prefix])
    if full_ref:
        t_blk_mine_sub = t_mine
    else:
        blk_env, t_blk_mine_sub = timed(lambda: mine_leaders(data.stream(sub), args.cutoff, args.block_size), data)
        assert np.array_equal(blk_env.founders, ref_env.founders)
    print(f"per-atom loop mining on {k} samples: {t_ref_mine:.1f} s, identical leaders", flush=True)

    # Features: sample by sample, both methods, compared with the full-scale counts.
    feat_ids = ids if full_ref else sub
    t_ref_assign = t_blk_assign_sub = 0.0
    for i in feat_ids:
        x = data.get(i)
        t1 = time.perf_counter()
        ref_assign = assign_environments_reference(x, env)
        t2 = time.perf_counter()
        blk_assign = assign_environments(x, env)
        t3 = time.perf_counter()
        t_ref_assign += t2 - t1
        t_blk_assign_sub += t3 - t2
        assert np.array_equal(ref_assign, blk_assign), f"sample {i}: reference and blocked assignments differ"
        np.testing.assert_array_equal(counts[i].toarray().ravel(), np.bincount(ref_assign, minlength=m))
    print(f"per-atom loop features on {len(feat_ids)} samples: {t_ref_assign:.1f} s, identical", flush=True)

    if full_ref:
        t_ref_mine_full, t_ref_assign_full, model = t_ref_mine, t_ref_assign, None
    else:
        # Per-atom cost of the loop = a + b * (leaders so far), fitted on its per-sample times
        # and summed over the leader counts that the full blocked run went through.
        m_at = np.searchsorted(env.founders, np.arange(n_train_atoms), side="right")
        m_mean = np.array([m_at[j * args.atoms:(j + 1) * args.atoms].mean() for j in range(k)])
        b, a = np.polyfit(m_mean, np.array(per_sample) / args.atoms, 1)
        t_ref_mine_full = float(n_train_atoms * a + b * m_at.sum())
        t_ref_assign_full = t_ref_assign * n_atoms / (len(feat_ids) * args.atoms)
        model = (a, b, m_mean.min(), m_mean.max())

    est = "" if full_ref else " (extrapolated)"
    rows = [
        ("mining", f"{len(train)} x {args.atoms}", m, f"{t_ref_mine_full:,.1f}{est}", t_mine, mem_mine.peak_mb),
        ("features", f"{args.samples} x {args.atoms}", m, f"{t_ref_assign_full:,.1f}{est}", t_assign,
         mem_assign.peak_mb),
    ]
    if not full_ref:
        rows[0:0] = [("mining, subset", f"{k} x {args.atoms}", ref_env.n_environments, f"{t_ref_mine:,.1f}",
                      t_blk_mine_sub, None)]
        rows[2:2] = [("features, subset", f"{k} x {args.atoms}", m, f"{t_ref_assign:,.1f}", t_blk_assign_sub, None)]
    print()
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"numpy {np.__version__}, OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}, "
          f"block {args.block_size}")
    print("| phase | samples x atoms | environments | per-atom loop s | blocked s | ratio loop/blocked "
          "| blocked peak traced MB | identical |")
    print("|---|---|---|---|---|---|---|---|")
    for phase, size, envs, t_ref, t_blk, mem in rows:
        ratio = float(t_ref.split()[0].replace(",", "")) / t_blk
        mem_s = "-" if mem is None else f"{mem:.0f}"
        same = f"yes, asserted on {k if 'mining' in phase else len(feat_ids)} samples"
        print(f"| {phase} | {size} | {envs} | {t_ref} | {t_blk:,.1f} | {ratio:,.1f} | {mem_s} | {same} |")
    if model is not None:
        a, b, lo, hi = model
        print(f"\nper-atom loop mining cost model: {a * 1e6:.2f} us + {b * 1e9:.2f} ns x leaders, per atom "
              f"(fitted on {k} samples with {lo:.0f}-{hi:.0f} leaders)")
    print(f"environments: {stats['n_environments']} ({stats['n_environments_occupied']} occupied), "
          f"entropy {stats['entropy_nats']:.3f} nats; features CSR {counts.nnz} non-zeros")
    print(f"a dense float32 copy of all samples would be {n_atoms * pool.shape[1] * 4 / 2**30:.1f} GiB")
    print(f"sample generation (excluded): {data.gen_s:.1f} s; process peak RSS "
          f"{_status_kb('VmHWM') / 1024:.0f} MB (pool {pool.nbytes / 2**20:.0f} MB included)")


if __name__ == "__main__":
    main()
