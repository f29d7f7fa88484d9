"""Ring statistics of a 24,000-atom SiO2 network: vitrify vs matscipy, same input, same run.

Input: one SiO2 glass frame (by default made here: vitrify-md, config/config.yaml, 192
atoms, 1000 K/ps) replicated 5 x 5 x 5 (24,000 atoms), NOT rattled, so every count
must be exactly 125 times that of the 192-atom cell. Bonds: Si-O within 2.0 A (matscipy
takes one cutoff for all pairs; at 2.0 A no Si-Si or O-O pair is that close here).

Compared: vitrify primitive rings (rings.py; Franzblau's shortest-path rings) and
matscipy.rings.ring_statistics (Franzblau shortest-path rings, C++), both up to 24
atoms (12 Si). Single thread. matscipy runs in a child process with a time limit.
vitrify's King and Guttman rings are timed as well (no peer with those definitions).

    .venv/bin/python benchmarks/rings.py [--glass final.extxyz] [--rep 5] [--max-size 12]
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from ase.io import read, write  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from vitrify.structure.rings import find_rings  # noqa: E402
from _glass import make_glass  # noqa: E402  (benchmarks/ is on sys.path when run as a script)

CUTOFF_A = 2.0


def child(path: str, max_atoms: int) -> None:
    from matscipy.rings import ring_statistics

    atoms = read(path)
    t0 = time.perf_counter()
    counts = ring_statistics(atoms, CUTOFF_A, maxlength=max_atoms)
    seconds = time.perf_counter() - t0
    print(json.dumps({"seconds": seconds, "counts": {int(n): int(c) for n, c in enumerate(counts) if c}}))


def run_matscipy(path: Path, max_atoms: int, timeout_s: float):
    cmd = [sys.executable, __file__, "--child", str(path), str(max_atoms)]
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, env=os.environ)
    except subprocess.TimeoutExpired:
        return None, f"stopped after {time.perf_counter() - t0:.0f} s"
    if proc.returncode != 0:
        return None, "failed: " + (proc.stderr.strip().splitlines() or ["?"])[-1][:100]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    return (out["seconds"], {int(k): v for k, v in out["counts"].items()}), ""


def vitrify(atoms, method: str, max_size: int):
    t0 = time.perf_counter()
    counts = find_rings(atoms, method, max_size, cutoffs_A={("Si", "O"): CUTOFF_A}).count()
    return time.perf_counter() - t0, counts


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], int(sys.argv[3]))
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--glass", type=Path)
    ap.add_argument("--rep", type=int, default=5)
    ap.add_argument("--max-size", type=int, default=12, help="largest ring, in Si atoms")
    ap.add_argument("--timeout", type=float, default=1200.0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="vitrify_rings_bench_") as tmp:
        run(args, Path(tmp))


def run(args, tmp: Path) -> None:
    glass = args.glass or make_glass(tmp / "glass")
    base = read(glass, index=-1)
    big = base.repeat(args.rep)
    copies = args.rep ** 3
    path = tmp / "big.extxyz"
    write(path, big)
    max_atoms = 2 * args.max_size
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"single thread; {len(base)}-atom glass ({glass}) x {copies} = {len(big)} atoms; "
          f"rings up to {args.max_size} Si ({max_atoms} atoms)")

    rows = []
    _, small = vitrify(base, "primitive", args.max_size)
    t_v, counts_v = vitrify(big, "primitive", args.max_size)
    exact = counts_v == {n: copies * c for n, c in small.items()}
    print(f"  vitrify primitive: {t_v:.1f} s, counts {counts_v} "
          f"({'=' if exact else '!='} {copies} x the {len(base)}-atom cell)", flush=True)
    rows.append(("vitrify primitive (Franzblau SP) rings", t_v, 1.0, f"x{copies} of small cell: {exact}"))
    res, note = run_matscipy(path, max_atoms, args.timeout)
    if res:
        t_m, counts_m = res
        same = counts_m == counts_v
        print(f"  matscipy: {t_m:.1f} s, counts {counts_m}", flush=True)
        rows.append(("matscipy 1.3.1 ring_statistics", t_m, t_m / t_v, f"identical to vitrify: {same}"))
    else:
        rows.append(("matscipy 1.3.1 ring_statistics", None, None, note))
    for method in ("king", "guttman"):
        _, small_m = vitrify(base, method, args.max_size)
        t, counts = vitrify(big, method, args.max_size)
        exact = counts == {n: copies * c for n, c in small_m.items()}
        print(f"  vitrify {method}: {t:.1f} s, counts {counts}", flush=True)
        rows.append((f"vitrify {method} rings", t, t / t_v, f"x{copies} of small cell: {exact}"))

    print()
    print(f"| method ({len(big):,} atoms, <= {args.max_size} Si) | seconds | time / vitrify primitive | counts |")
    print("|---|---|---|---|")
    for label, t, ratio, check in rows:
        secs = f"{t:.1f}" if t is not None else "-"
        r = f"{ratio:.2f}" if ratio is not None else "-"
        print(f"| {label} | {secs} | {r} | {check} |")
    print()
    print("| ring size n (Si) | vitrify primitive | matscipy |")
    print("|---|---|---|")
    counts_m = res[1] if res else {}
    for L in sorted(set(counts_v) | set(counts_m)):
        print(f"| {L // 2} | {counts_v.get(L, 0)} | {counts_m.get(L, '-') if res else '-'} |")


if __name__ == "__main__":
    main()
