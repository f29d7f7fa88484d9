"""ML-driven MD: LAMMPS + fix external callback vs the bare model on the same frames.

For SR and LR (config/config.yaml's mlip.model, freshly initialised; cost does not depend on
the weights) at about 200 and 1,500 SiO2 atoms: an NVT run at 3000 K through vitrify's
engine (thermo every 10 steps, a frame every 20, restarts, guards) against the model
evaluated on the trajectory's own saved frames with nothing else around it. The ratio
(MD seconds per step / bare seconds per evaluation) is the driver's overhead; the goal is
at most 1.10. The classical Vashishta potential on the same start gives the third
throughput column.

    .venv/bin/python benchmarks/mlip_md_overhead.py [--sizes 192 1500] [--steps 100] [--classical-steps 3000]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import torch
from ase.io import read

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from vitrify.lammps.external import ExternalPotential  # noqa: E402
from vitrify.config import load_config  # noqa: E402
from vitrify.md.melt_quench import MeltQuench, melt_quench_spec  # noqa: E402
from vitrify.md.potentials import make_potential, start_potential  # noqa: E402
from vitrify.settings import ModelSettings, Settings  # noqa: E402
from vitrify.mlip.calculator import PotentialCalculator  # noqa: E402
from vitrify.mlip.models import build_model  # noqa: E402
from vitrify.mlip.train import model_spec  # noqa: E402

E0 = {"Si": -100.0, "O": -430.0}


def bench_config(n_atoms: int, steps: int) -> dict:
    cfg = load_config(REPO / "config" / "config.yaml")
    silica = cfg["systems"]["silica"]
    silica["n_atoms"] = n_atoms
    dt = silica["md"]["timestep_fs"]
    silica["md"].update(thermo_interval_ps=10 * dt / 1000, frame_interval_ps=20 * dt / 1000,
                        restart_interval_ps=50 * dt / 1000)
    silica["protocol"] = [
        {"name": "bench", "ensemble": "nvt", "T_K": 3000, "duration_ps": steps * dt / 1000},
        {"name": "quench", "ensemble": "nvt", "T_start_K": 3000, "T_end_K": 2999, "quench": True},
    ]
    return cfg


def md_seconds(cfg: dict, model: str, potential, workdir: Path) -> tuple[float, int]:
    settings = Settings.from_config(cfg)
    system = settings.systems["silica"]
    potential = potential or make_potential(system, model)
    start = start_potential(system, model)
    spec = melt_quench_spec(system, model, potential, 1e6, 0, settings.seed, start)
    runner = MeltQuench(spec, workdir, potential, start)
    t0 = time.perf_counter()
    runner.run()
    return time.perf_counter() - t0, spec.total_steps


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[192, 1500])
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--classical-steps", type=int, default=3000,
                        help="the classical run is ~100x cheaper per step: more steps amortise its setup")
    args = parser.parse_args()
    torch.set_num_threads(1)
    cfg0 = load_config(REPO / "config" / "config.yaml")
    print(f"machine: {platform.node()} {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"python {platform.python_version()}, torch {torch.__version__}, 1 thread, float64, CPU; "
          f"{args.steps} NVT steps at 3000 K (start: minimised random packing); model {cfg0['mlip']['model']}")
    print("| model | atoms | MD s/step | bare model s/eval | ratio MD/bare | atom-steps/s |")
    print("|---|---|---|---|---|---|")
    for n in args.sizes:
        cfg = bench_config(n, args.steps)
        with tempfile.TemporaryDirectory() as tmp:
            wall, steps = md_seconds(bench_config(n, args.classical_steps), "classical", None, Path(tmp) / "classical")
            n_atoms = len(read(Path(tmp) / "classical" / "final.extxyz"))
            print(f"| classical (Vashishta 1990) | {n_atoms} | {wall / steps:.4f} | - | - | {n_atoms * steps / wall:,.0f} |",
                  flush=True)
            for arch in ("sr", "lr"):
                model = build_model(model_spec(ModelSettings.from_dict(cfg["mlip"]["model"]), ["Si", "O"], arch), E0, 20.0, 1.0, 0.0, seed=0).double()
                calc = PotentialCalculator(model)
                pot = ExternalPotential(name=f"mace-{arch}-bench", calculator=calc, cutoff_A=model.spec.r_max_A)
                out = Path(tmp) / arch
                wall, steps = md_seconds(cfg, arch, pot, out)
                # MD wall time also covers minimising the start (a few dozen evaluations):
                # count the callback's evaluations and divide the wall time by them.
                frames = read(out / "trajectory.extxyz", ":")
                t0 = time.perf_counter()
                for a in frames:
                    a.calc = calc
                    a.get_potential_energy()
                    a.get_stress()
                bare = (time.perf_counter() - t0) / len(frames)
                per_eval = wall / pot.calls
                print(f"| MACE {arch.upper()} | {len(frames[0])} | {per_eval:.4f} | {bare:.4f} | {per_eval / bare:.3f} | "
                      f"{len(frames[0]) / per_eval:,.0f} |", flush=True)


if __name__ == "__main__":
    main()
