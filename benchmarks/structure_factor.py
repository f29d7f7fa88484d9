"""Partial structure factors S_ab(Q): vitrify vs OVITO and freud on the same boxes, same run.

Input: one SiO2 glass frame (by default made here: vitrify-md, config/config.yaml,
192 atoms, 1000 K/ps), replicated n x n x n (n = 5: 24,000 atoms; n = 10: 192,000
atoms) and rattled by a Gaussian of 0.05 A per coordinate (fixed seed). Replication
keeps correlations between copies (g(r) has image peaks at the small box length), but
every tool gets the same positions and cell, so like can be compared with like.

All single-threaded (OMP_NUM_THREADS=1, OVITO_THREAD_COUNT=1, freud 1 thread); the
peers run in child processes with a time limit. Faber-Ziman partials throughout
(freud's partials converted with its documented S_FZ = S / (x_a x_b) + 1 - delta_ab / x_b).

A. Through g(r), 120 bins of 0.1 1/A to 12 1/A; agreement over 2 <= Q <= 12 1/A:
   * vitrify FT, r_max 20 A, no window: the production setting (time reference).
   * vitrify FT, r_max = L/2, Lorch window: matched to OVITO's Debye mode, which
     histograms g(r) to half the box (2100 bins) and damps the transform (it also keeps
     a forward-scattering term at low Q, so exact agreement is not expected).
   * OVITO 3.17 StructureFactorModifier, mode Debye.
B. Direct k-space sums over EVERY allowed k with |k| <= Q_d (bins of 0.1 1/A), the
   same k set for all three, so they should agree to rounding:
   * vitrify direct (kspace.py), freud 3.4 StaticStructureFactorDirect (all k),
     OVITO 3.17 StructureFactorModifier mode Direct. freud enumerates the octant of
     k vectors with n1, n2, n3 >= 0 (its reciprocal_isotropic); OVITO gives identical
     numbers; vitrify is run with k_set="octant" to match (its default is the half
     space, every +-k pair once). Bins from 0.1 1/A (freud adds k = 0 to the first).
     Q_d is 3 1/A for 24,000 atoms and 1 1/A for 192,000 (cost O(N x n_k) ~ N^2 Q_d^3).

    .venv/bin/python benchmarks/structure_factor.py [--glass final.extxyz] [--sizes 5 10]
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OVITO_THREAD_COUNT", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from ase.io import read, write  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from vitrify.structure.rdf import partial_rdf  # noqa: E402
from vitrify.structure.kspace import allowed_k_vectors  # noqa: E402
from vitrify.structure.structure_factor import direct_partial_sq, partial_sq  # noqa: E402
from _glass import make_glass  # noqa: E402  (benchmarks/ is on sys.path when run as a script)

SPECIES = ("Si", "O")
PAIRS = [("Si", "Si"), ("Si", "O"), ("O", "O")]
DQ = 0.1
Q_FT_MAX = 12
DIRECT_Q_MAX = {5: 3, 10: 1}  # replication n -> Q_d (integer: OVITO's k_max is an int)


def edges_to(q_max: float) -> np.ndarray:
    return np.linspace(0.0, q_max, int(round(q_max / DQ)) + 1)


def centres(edges: np.ndarray) -> np.ndarray:
    return 0.5 * (edges[1:] + edges[:-1])


def big_box(base, n: int, rattle_A: float = 0.05, seed: int = 0):
    atoms = base.repeat(n)
    atoms.positions += np.random.default_rng(seed).normal(0.0, rattle_A, atoms.positions.shape)
    atoms.wrap()
    return atoms


# ----------------------------------------------------------------- the compared codes

def vitrify_ft(atoms, r_max: float, dr: float, lorch: bool):
    rdf = partial_rdf(atoms, r_max, dr, species=SPECIES)
    sq = partial_sq(rdf, centres(edges_to(Q_FT_MAX)), lorch=lorch)
    return {p: sq.pair(*p) for p in PAIRS}


def vitrify_direct(atoms, q_max: float):
    # The octant k set (n1, n2, n3 >= 0) is the one freud and OVITO enumerate.
    _, S, _ = direct_partial_sq(atoms, edges_to(q_max), species=SPECIES, k_set="octant")
    return {p: S[p] for p in PAIRS}


def freud_direct(atoms, q_max: float):
    import freud

    freud.parallel.set_num_threads(1)
    box = freud.box.Box.from_matrix(np.asarray(atoms.cell).T)
    sym = np.asarray(atoms.get_chemical_symbols())
    pos = box.wrap(atoms.get_positions())
    x = {s: float((sym == s).mean()) for s in SPECIES}
    out = {}
    for a, b in PAIRS:
        sf = freud.diffraction.StaticStructureFactorDirect(bins=len(edges_to(q_max)) - 1, k_max=q_max, k_min=0.0)
        sf.compute((box, pos[sym == a]), query_points=pos[sym == b], N_total=len(atoms))
        np.testing.assert_allclose(sf.bin_centers, centres(edges_to(q_max)), atol=1e-6)
        out[(a, b)] = np.asarray(sf.S_k, float) / (x[a] * x[b]) + 1.0 - (a == b) / x[b]
    return out


def ovito(atoms, mode: str, q_max: int):
    from ovito.data import DataCollection, ParticleType
    from ovito.modifiers import StructureFactorModifier

    data = DataCollection()
    cell = np.zeros((3, 4))
    cell[:, :3] = np.asarray(atoms.cell).T
    data.create_cell(cell, pbc=(True, True, True))
    parts = data.create_particles(count=len(atoms))
    parts.create_property("Position", data=atoms.get_positions())
    types = parts.create_property("Particle Type",
                                  data=np.array([SPECIES.index(s) + 1 for s in atoms.get_chemical_symbols()]))
    for k, s in enumerate(SPECIES):
        types.types.append(ParticleType(id=k + 1, name=s))
    mod = StructureFactorModifier(mode=getattr(StructureFactorModifier.Mode, mode), partial=True,
                                  k_max=int(q_max), k_bins=len(edges_to(q_max)) - 1)
    data.apply(mod)
    table = data.tables["faber-ziman-structure-factor"]
    np.testing.assert_allclose(np.asarray(table.x), centres(edges_to(q_max)), atol=1e-6)
    names = list(table.y.component_names)
    y = np.asarray(table.y)
    return {(a, b): y[:, names.index(f"{a}-{b}")] for a, b in PAIRS}


def child(tool: str, path: str, arg: str) -> None:
    """Entry point of a child process: time one code on one box, print JSON."""
    atoms = read(path)
    t0 = time.perf_counter()
    if tool == "freud":
        S = freud_direct(atoms, float(arg))
    else:
        S = ovito(atoms, tool.split("-")[1], int(arg))
    seconds = time.perf_counter() - t0
    print(json.dumps({"seconds": seconds, "S": {f"{a}-{b}": np.asarray(S[(a, b)]).tolist() for a, b in PAIRS}}))


def run_child(tool: str, path: Path, arg, timeout_s: float):
    cmd = [sys.executable, __file__, "--child", tool, str(path), str(arg)]
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, env=os.environ)
    except subprocess.TimeoutExpired:
        return None, f"stopped after {time.perf_counter() - t0:.0f} s"
    if proc.returncode != 0:
        return None, "failed: " + proc.stderr.strip().splitlines()[-1][:80]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    return (out["seconds"], {(a, b): np.array(out["S"][f"{a}-{b}"]) for a, b in PAIRS}), ""


def timed(fn, *args):
    t0 = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t0, out


def agreement(S: dict, ref: dict, mask: np.ndarray) -> tuple[float, float]:
    d = np.concatenate([np.abs(np.asarray(S[p]) - np.asarray(ref[p]))[mask] for p in PAIRS])
    d = d[np.isfinite(d)]
    return float(d.max()), float(d.mean())


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(*sys.argv[2:5])
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--glass", type=Path, help="extxyz glass frame (default: make one with vitrify-md)")
    ap.add_argument("--sizes", type=int, nargs="+", default=[5, 10], help="replications n (n^3 copies)")
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds allowed to each peer run")
    ap.add_argument("--matched-ft-max-half-box", type=float, default=40.0,
                    help="skip the L/2-matched vitrify transform for boxes with L/2 above this (A)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="vitrify_sq_bench_") as tmp:
        run(args, Path(tmp))


def run(args, tmp: Path) -> None:
    glass = args.glass or make_glass(tmp / "glass")
    base = read(glass, index=-1)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"single thread; base glass {len(base)} atoms ({glass}), replicated n^3, rattled 0.05 A")
    valid_ft = (centres(edges_to(Q_FT_MAX)) >= 2.0)
    table = []  # (atoms, family, method, seconds or None, note, ratio, max, mean)
    for n in args.sizes:
        atoms = big_box(base, n)
        natoms = len(atoms)
        half = float(atoms.cell.lengths().min() / 2)
        path = tmp / f"box{n}.extxyz"
        write(path, atoms)

        t_ref, S_ref = timed(vitrify_ft, atoms, 20.0, 0.01, False)
        table.append((natoms, "A", "vitrify FT, r_max 20 A, no window", t_ref, "", 1.0, None, None))
        matched = None
        if half <= args.matched_ft_max_half_box:
            t_m, S_m = timed(vitrify_ft, atoms, half, half / 2100, True)
            matched = (t_m, S_m)
            table.append((natoms, "A", f"vitrify FT, r_max L/2 = {half:.1f} A, Lorch", t_m, "", t_m / t_ref,
                          None, None))
        res, note = run_child("ovito-Debye", path, Q_FT_MAX, args.timeout)
        if res:
            ref_t, ref_S = matched if matched else (t_ref, S_ref)
            mx, mean = agreement(res[1], ref_S, valid_ft)
            table.append((natoms, "A", "OVITO 3.17 Debye (vs the L/2 Lorch row)" if matched else
                          "OVITO 3.17 Debye (vs the 20 A row)", res[0], "", res[0] / ref_t, mx, mean))
        else:
            table.append((natoms, "A", "OVITO 3.17 Debye", None, note, None, None, None))
        print(f"  {natoms} atoms: family A done", flush=True)

        q_d = DIRECT_Q_MAX.get(n, 1)
        t_d, S_d = timed(vitrify_direct, atoms, q_d)
        k_norm = np.linalg.norm(allowed_k_vectors(np.asarray(atoms.cell), q_d, k_set="octant"), axis=1)
        n_k = np.histogram(k_norm, edges_to(q_d))[0]
        # freud also puts k = 0 (S = N) into the first bin: compare from 0.1 1/A up.
        has_k = (n_k > 0) & (edges_to(q_d)[:-1] >= DQ - 1e-9)
        table.append((natoms, "B", f"vitrify direct, octant k <= {q_d} 1/A ({int(n_k.sum())} k)", t_d, "",
                      1.0, None, None))
        for tool, label in (("freud", "freud 3.4 Direct, all k"), ("ovito-Direct", "OVITO 3.17 Direct, all k")):
            res, note = run_child(tool, path, q_d, args.timeout)
            if res:
                mx, mean = agreement(res[1], S_d, has_k)
                table.append((natoms, "B", label, res[0], "", res[0] / t_d, mx, mean))
            else:
                table.append((natoms, "B", label, None, note, None, None, None))
        print(f"  {natoms} atoms: family B done", flush=True)

    print()
    print("| atoms | family | method | seconds | time / vitrify | max abs dS | mean abs dS |")
    print("|---|---|---|---|---|---|---|")
    for natoms, fam, label, t, note, ratio, mx, mean in table:
        secs = f"{t:.2f}" if t is not None else note
        r = f"{ratio:.2f}" if ratio is not None else "-"
        a = f"{mx:.2e}" if mx is not None else "-"
        b = f"{mean:.2e}" if mean is not None else "-"
        print(f"| {natoms:,} | {fam} | {label} | {secs} | {r} | {a} | {b} |")


if __name__ == "__main__":
    main()
