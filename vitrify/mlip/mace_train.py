"""Short-range MACE models trained with mace-torch's own trainer (`mace_run_train`).

Everything the trainer writes (checkpoints, logs, results, models) stays inside one
work directory, so a killed training restarts from its newest checkpoint with
`--restart_latest` and loses at most one evaluation interval.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("vitrify.mlip")


@dataclass(frozen=True)
class MaceHyper:
    """Model and optimiser settings (see config/README.md, section mlip)."""

    r_max_A: float = 5.0
    num_channels: int = 16
    max_L: int = 0
    num_interactions: int = 2
    correlation: int = 2
    num_radial_basis: int = 8
    max_num_epochs: int = 50
    batch_size: int = 4
    lr: float = 0.01
    patience: int = 20
    eval_interval: int = 1
    energy_weight: float = 1.0
    forces_weight: float = 100.0
    stress_weight: float = 10.0
    default_dtype: str = "float64"


@dataclass(frozen=True)
class DatasetKeys:
    energy: str = "REF_energy"
    forces: str = "REF_forces"
    stress: str = "REF_stress"


def train_command(name: str, seed: int, train_file: Path, valid_file: Path, test_file: Path | None,
                  workdir: Path, hyper: MaceHyper, keys: DatasetKeys, device: str = "cpu",
                  e0s: str = "average", restart: bool = False) -> list[str]:
    exe = Path(sys.executable).parent / "mace_run_train"
    cmd = [
        str(exe), f"--name={name}", f"--seed={seed}", f"--device={device}",
        f"--default_dtype={hyper.default_dtype}", "--model=MACE",
        f"--train_file={train_file}", f"--valid_file={valid_file}",
        f"--E0s={e0s}", f"--energy_key={keys.energy}", f"--forces_key={keys.forces}",
        f"--stress_key={keys.stress}", "--compute_stress=True", "--loss=stress",
        f"--r_max={hyper.r_max_A}", f"--num_channels={hyper.num_channels}", f"--max_L={hyper.max_L}",
        f"--num_interactions={hyper.num_interactions}", f"--correlation={hyper.correlation}",
        f"--num_radial_basis={hyper.num_radial_basis}", f"--max_num_epochs={hyper.max_num_epochs}",
        f"--batch_size={hyper.batch_size}", f"--valid_batch_size={hyper.batch_size}", f"--lr={hyper.lr}",
        f"--patience={hyper.patience}", f"--eval_interval={hyper.eval_interval}",
        f"--energy_weight={hyper.energy_weight}", f"--forces_weight={hyper.forces_weight}",
        f"--stress_weight={hyper.stress_weight}",
        f"--model_dir={workdir}", f"--log_dir={workdir / 'logs'}",
        f"--checkpoints_dir={workdir / 'checkpoints'}", f"--results_dir={workdir / 'results'}",
        "--save_cpu",
    ]
    if test_file is not None:
        cmd.append(f"--test_file={test_file}")
    if restart:
        cmd.append("--restart_latest")
    return cmd


def train(name: str, seed: int, train_file: Path, valid_file: Path, workdir: Path, hyper: MaceHyper,
          keys: DatasetKeys = DatasetKeys(), test_file: Path | None = None, device: str = "cpu",
          e0s: str = "average", log_path: Path | None = None) -> Path:
    """Train (or continue training) one model; returns the path of the finished model file."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    restart = any((workdir / "checkpoints").glob("*.pt")) if (workdir / "checkpoints").exists() else False
    if restart:
        log.info("%s: resuming from the newest checkpoint in %s", name, workdir / "checkpoints")
    cmd = train_command(name, seed, train_file, valid_file, test_file, workdir, hyper, keys, device, e0s, restart)
    env = dict(os.environ, TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD="1")  # e3nn's constants under torch>=2.6
    with open(log_path or workdir / "train.log", "a") as out:
        proc = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=workdir)
    if proc.returncode != 0:
        raise RuntimeError(f"mace_run_train failed for {name} (exit {proc.returncode}); see {log_path or workdir / 'train.log'}")
    model = workdir / f"{name}.model"
    if not model.exists():
        raise FileNotFoundError(f"mace_run_train finished but wrote no {model}")
    return model


def finished_model(workdir: Path, name: str, destination: Path) -> Path:
    """Copy the trained model to its published place (atomically)."""
    tmp = Path(destination).with_suffix(".tmp")
    shutil.copyfile(Path(workdir) / f"{name}.model", tmp)
    os.replace(tmp, destination)
    return Path(destination)
