"""LAMMPS throughput of the two classical melt-quench stages: vitrify's engine vs plain `lmp`.

Same start structure, potential, ensemble, thermo and frame intervals, same number of
steps, same machine, same run. vitrify drives LAMMPS through the Python module in chunks
(thermo rows, extxyz frames, restart files, sanity checks); the peer is the `lmp`
executable of the same wheel running an equivalent input script with a dump. The ratio
is the engine's overhead. Also times the dry run of the campaign DAG.

    .venv/bin/python benchmarks/md_throughput.py [--steps 2000]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path


REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from vitrify.lammps.loader import import_lammps  # noqa: E402
from tests.support.configs import melt_quench  # noqa: E402
from vitrify.config import load_config  # noqa: E402
from vitrify.lammps.classical import get_potential  # noqa: E402

CASES = {"silica": 1500, "cuzr": 2000}


def bench_config(system: str, n_atoms: int, steps: int) -> dict:
    cfg = load_config(REPO / "config" / "config.yaml")
    sys_cfg = cfg["systems"][system]
    sys_cfg["n_atoms"] = n_atoms
    sys_cfg["md"]["minimize_start"] = False
    dt = sys_cfg["md"]["timestep_fs"]
    T = sys_cfg["protocol"][1]["T_K"]
    # Production-like intervals: thermo every 100 steps, a frame every 500, restart every 1000.
    sys_cfg["md"].update(thermo_interval_ps=100 * dt / 1000, frame_interval_ps=500 * dt / 1000,
                         restart_interval_ps=1000 * dt / 1000)
    sys_cfg["protocol"] = [
        {"name": "bench", "ensemble": "nvt", "T_K": T, "duration_ps": steps * dt / 1000},
        {"name": "quench", "ensemble": "nvt", "T_start_K": T, "T_end_K": T - 1, "quench": True},
    ]
    return cfg


def run_vitrify(cfg: dict, system: str, workdir: Path) -> tuple[float, object]:
    run = melt_quench(cfg, system, "classical", 1e6, 0, workdir)  # quench of 1 K: 1 step
    spec = run.spec
    t0 = time.perf_counter()
    run.run()
    return time.perf_counter() - t0, spec


def run_lmp(spec, workdir: Path) -> tuple[float, float]:
    pot = get_potential(spec.potential)
    seg = spec.segments[0]
    script = "\n".join([
        "units metal", "atom_style atomic", "boundary p p p",
        f"read_data {workdir / 'work' / 'start.data'}",
        *pot.commands(spec.species),
        f"neighbor {spec.neighbor_skin_A} bin", "neigh_modify every 1 delay 0 check yes",
        f"timestep {spec.timestep_fs / 1000}",
        f"velocity all create {seg.T_start_K} {spec.seed} mom yes rot yes dist gaussian",
        "thermo_style custom step temp pe ke etotal press vol density",
        f"thermo {spec.thermo_every}",
        f"dump traj all custom {spec.frame_every} {workdir / 'lmp.dump'} id element x y z",
        f"dump_modify traj element {' '.join(spec.species)}",
        f"fix md all nvt temp {seg.T_start_K} {seg.T_end_K} {spec.thermostat_damping_fs / 1000}",
        f"restart {spec.restart_every} {workdir / 'lmp.restart'}",
        f"run {spec.total_steps}",
    ])
    (workdir / "in.lmp").write_text(script)
    lammps = import_lammps()
    lmp_exe = Path(lammps.__file__).parent / "lmp"
    env = dict(os.environ, LD_LIBRARY_PATH=f"{sys.prefix}/lib:{os.environ.get('LD_LIBRARY_PATH', '')}")
    t0 = time.perf_counter()
    out = subprocess.run([lmp_exe, "-in", "in.lmp", "-log", "lmp.log", "-nocite"], cwd=workdir,
                         capture_output=True, text=True, env=env, check=True)
    wall = time.perf_counter() - t0
    loop = float(re.search(r"Loop time of ([0-9.eE+-]+)", out.stdout).group(1))
    return wall, loop


def dry_run_seconds(configfile: str) -> float:
    t0 = time.perf_counter()
    subprocess.run([Path(sys.executable).parent / "snakemake", "-n", "-q", "--configfile", configfile],
                   cwd=REPO, check=True, capture_output=True)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3, help="best of N, the two engines alternating")
    args = parser.parse_args()
    print(f"machine: {platform.node()} {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"python {platform.python_version()}, 1 MPI rank, OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}")
    print(f"best of {args.repeats} runs each; vitrify s and lmp s are whole-run wall times "
          "(vitrify's includes building the random start)")
    print(f"{'stage':<8} {'atoms':>6} {'steps':>6} {'vitrify s':>10} {'lmp s':>8} {'lmp loop s':>10} "
          f"{'vitrify atom-steps/s':>21} {'lmp atom-steps/s':>17} {'ratio vitrify/lmp':>18}")
    for system, n_atoms in CASES.items():
        times = []
        for _ in range(args.repeats):
            with tempfile.TemporaryDirectory() as tmp:
                t_v, spec = run_vitrify(bench_config(system, n_atoms, args.steps), system, Path(tmp))
                times.append((t_v, *run_lmp(spec, Path(tmp))))
        t_v, t_l, loop = (min(column) for column in zip(*times))
        steps = spec.total_steps
        print(f"{system:<8} {n_atoms:>6} {steps:>6} {t_v:>10.2f} {t_l:>8.2f} {loop:>10.2f} "
              f"{n_atoms * steps / t_v:>21.0f} {n_atoms * steps / t_l:>17.0f} {t_v / t_l:>18.3f}")
    print()
    print(f"{'DAG dry run':<28} {'seconds':>8}")
    for name in ("config/campaign.yaml", "config/config.yaml"):
        print(f"{name:<28} {dry_run_seconds(name):>8.2f}")


if __name__ == "__main__":
    main()
