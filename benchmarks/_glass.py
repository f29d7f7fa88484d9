"""A 192-atom Vashishta SiO2 glass made with vitrify-md (config/config.yaml, 1000 K/ps),
the base structure the structure benchmarks replicate."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def make_glass(workdir: Path) -> Path:
    exe = Path(sys.executable).parent / "vitrify-md"
    subprocess.run([str(exe), "--config", str(REPO / "config" / "config.yaml"), "--system", "silica",
                    "--rate", "1000", "--outdir", str(workdir)], check=True, cwd=REPO,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return workdir / "final.extxyz"
