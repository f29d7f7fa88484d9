"""Reference labels per core-hour: the classical teacher (BKS + 30-6 repulsion, Ewald,
LAMMPS), GFN1-xTB (tblite) and PBE (CP2K), 72 and 192 atoms, with each backend's speed
relative to GFN1-xTB on the same configurations.

For each size, two configurations are labelled with each backend, one thread each
(CP2K at 192 atoms: only the crystal by default, see --cp2k-192-kinds):
a strained and rattled crystal (alpha-quartz 2x2x2 = 72 atoms; beta-cristobalite
2x2x2 = 192 atoms) and a hot liquid frame from a short classical Vashishta run at the
same size (the SCF is harder there). Every label is a real, complete calculation
through the project's Labeler classes; a CP2K label that does not finish inside
--cp2k-cap-s is reported as not finished (the number of labels per core-hour is then
below 3600 / cap), never extrapolated.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/labelling.py [--cp2k-cap-s 1800] [--skip-cp2k-192] [--no-cp2k]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import signal
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("OMP_NUM_THREADS", "1")

from vitrify.config import load_config  # noqa: E402
from tests.support.configs import melt_quench  # noqa: E402
from vitrify.reference.labelers import (  # noqa: E402
    CP2KLabeler, LabelFailed, TeacherLabeler, XTBLabeler, cp2k_available)
from vitrify.reference.structures import crystal_variant  # noqa: E402


def liquid_frame(n_atoms: int, workdir: Path):
    """Last frame of a 1 ps 3000 K Vashishta liquid of n_atoms at 2.20 g/cm3."""
    cfg = load_config(REPO / "config" / "test.yaml")
    sys_cfg = cfg["systems"]["silica"]
    sys_cfg["n_atoms"] = n_atoms
    sys_cfg["protocol"] = [
        {"name": "melt", "ensemble": "nvt", "T_K": 5000, "duration_ps": 0.5},
        {"name": "liquid", "ensemble": "nvt", "T_K": 3000, "duration_ps": 0.5},
        {"name": "quench", "ensemble": "nvt", "T_start_K": 3000, "T_end_K": 2999, "quench": True},
    ]
    melt_quench(cfg, "silica", "classical", 1000.0, 0, workdir).run()
    from ase.io import read  # noqa: PLC0415

    atoms = read(workdir / "final.extxyz")
    atoms.calc = None
    atoms.info = {"origin": "liquid", "source": f"Vashishta liquid 3000 K {n_atoms} atoms"}
    return atoms


def _worker(labeler, atoms, queue):
    os.setpgrp()  # own process group: a capped run is stopped with its cp2k_shell, nothing else
    t0 = time.perf_counter()
    try:
        labeler.label(atoms)
        queue.put(("ok", time.perf_counter() - t0, ""))
    except LabelFailed as exc:
        queue.put(("failed", time.perf_counter() - t0, exc.reason))


def timed_label(labeler, atoms, cap_s: float) -> tuple[str, float, str]:
    """Label in a child process so a calculation past the cap can be stopped cleanly."""
    queue = mp.get_context("fork").Queue()
    proc = mp.get_context("fork").Process(target=_worker, args=(labeler, atoms, queue))
    t0 = time.perf_counter()
    proc.start()
    proc.join(cap_s)
    if proc.is_alive():
        os.killpg(proc.pid, signal.SIGKILL)  # the worker's group: it and its cp2k_shell
        proc.join()
        return "cap", time.perf_counter() - t0, f"not finished within {cap_s:.0f} s"
    return queue.get() if not queue.empty() else ("crashed", time.perf_counter() - t0, "no result")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cp2k-cap-s", type=float, default=1800.0)
    ap.add_argument("--xtb-cap-s", type=float, default=600.0)
    ap.add_argument("--skip-cp2k-192", action="store_true")
    ap.add_argument("--no-cp2k", action="store_true", help="teacher and GFN1-xTB only")
    ap.add_argument("--teacher-repeats", type=int, default=20, help="labels per configuration (it takes ms)")
    ap.add_argument("--cp2k-192-kinds", nargs="*", default=["crystal"], choices=["crystal", "liquid"],
                    help="which 192-atom configurations CP2K labels (each may take the whole cap)")
    ap.add_argument("--sizes", type=int, nargs="*", default=[72, 192])
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="vitrify-labelbench-"))
    crystals = {72: crystal_variant("alpha-quartz", 0.02, 0.05, 1, min_atoms=72),
                192: crystal_variant("beta-cristobalite", 0.02, 0.05, 1, min_atoms=192)}
    configs = {}
    for n in args.sizes:
        assert len(crystals[n]) == n, (n, len(crystals[n]))
        configs[n] = [("crystal", crystals[n]), ("liquid", liquid_frame(n, work / f"md{n}"))]

    backends = [("GFN1-xTB (tblite), tight binding", XTBLabeler(), args.xtb_cap_s),
                ("classical teacher bks_ssp (LAMMPS, Ewald)", TeacherLabeler(), 60.0)]
    if cp2k_available() and not args.no_cp2k:
        backends.append(("PBE/DZVP-MOLOPT-SR-GTH 400 Ry, FD smearing 1000 K (CP2K)",
                         CP2KLabeler(scratch_root=work / "cp2k"), args.cp2k_cap_s))
    rows = []
    for name, labeler, cap in backends:
        for n in args.sizes:
            if "CP2K" in name and n == 192 and args.skip_cp2k_192:
                rows.append((name, n, "-", "skipped (--skip-cp2k-192)", "-"))
                continue
            times, notes = [], []
            todo = configs[n]
            if "CP2K" in name and n == 192:
                todo = [(k, a) for k, a in todo if k in args.cp2k_192_kinds]
            for kind, atoms in todo:
                if isinstance(labeler, TeacherLabeler):
                    # Milliseconds: time many labels in this process (no fork per label).
                    labeler.label(atoms)
                    t0 = time.perf_counter()
                    for _ in range(args.teacher_repeats):
                        labeler.label(atoms)
                    status, wall, why = "ok", (time.perf_counter() - t0) / args.teacher_repeats, ""
                else:
                    status, wall, why = timed_label(labeler, atoms, cap)
                print(f"{name} {n} atoms {kind}: {status} {wall:.1f} s {why}", flush=True)
                notes.append(f"{kind} {wall:.3g} s" + ("" if status == "ok" else f" ({status}: {why})"))
                if status == "ok":
                    times.append(wall)
            if times and len(times) == len(todo):
                mean = sum(times) / len(times)
                rows.append((name, n, f"{mean:.3g}", f"{3600.0 / mean:.0f}", "; ".join(notes)))
            else:
                rows.append((name, n, "-", f"< {3600.0 / cap:.1f} (not all finished)", "; ".join(notes)))

    print(f"\nMachine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, one thread per label (OMP_NUM_THREADS=1).")
    xtb = {r[1]: float(r[2]) for r in rows if r[0].startswith("GFN1-xTB") and r[2] != "-"}
    print("| backend | atoms | mean s / config | configs per core-hour | x GFN1-xTB speed | per configuration |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        ratio = f"{xtb[r[1]] / float(r[2]):.3g}" if r[1] in xtb and r[2] != "-" else "-"
        print("| " + " | ".join(str(x) for x in (*r[:4], ratio, r[4])) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
