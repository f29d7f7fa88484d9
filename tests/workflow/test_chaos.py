"""Chaos: the test config's CuZr chain (melt-quench, RISE anneals, inherent structures, SOAP,
environments, XGBoost, ViT) killed with SIGKILL as a process group again and again, the
README's command rerun each time. Nothing finished is recomputed; long jobs resume."""

import base64
import hashlib
import os
import random
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from tests.support.processes import run_group
from vitrify.leases import LEASE_NAME
from vitrify.paths import Layout

pytestmark = pytest.mark.e2e

P = Layout("chaos")
COPY_IGNORE = shutil.ignore_patterns(".venv", ".git", "results", "logs", ".snakemake", "benchmarks/*/",
                                     "__pycache__", "*.egg-info", ".pytest_cache")
TARGETS = [P.rise_figure("vit_rmse_vs_communication_length", "cuzr_classical"),
           P.thermo_figure("cuzr", "classical", 2000, 0)]
SEED = 20261202


def _chaos_config(repo: Path) -> dict:
    """config/test.yaml's CuZr study alone, its MD ten times longer: a kill can land mid-run."""
    cfg = yaml.safe_load((repo / "config" / "test.yaml").read_text())
    cfg["run_name"] = "chaos"
    cfg["systems"] = {"cuzr": cfg["systems"]["cuzr"]}
    for seg in cfg["systems"]["cuzr"]["protocol"]:
        if "duration_ps" in seg:
            seg["duration_ps"] *= 10
    cfg["systems"]["cuzr"]["md"]["restart_interval_ps"] = 2.0
    cfg["rise"]["studies"] = [st for st in cfg["rise"]["studies"] if st["system"] == "cuzr"]
    for section in ("reference", "analysis", "mlip"):
        cfg.pop(section, None)
    return cfg


def _finished_outputs(workdir: Path) -> dict[str, str]:
    """sha256 of every result file Snakemake does not mark incomplete (checkpoints excluded).

    A lease is not an output: a killed job leaves its lease behind and the next one takes it over."""
    incomplete = set()
    for marker in (workdir / ".snakemake" / "incomplete").glob("*"):
        try:
            incomplete.add(base64.urlsafe_b64decode(marker.name).decode())
        except ValueError:
            pass
    out = {}
    for path in (workdir / "results").rglob("*"):
        rel = str(path.relative_to(workdir))
        if (path.is_file() and "/work/" not in rel and rel not in incomplete and not path.name.startswith(".")
                and path.name != LEASE_NAME):
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _run(clone, env):
    return subprocess.Popen(["./vitrify.sh", "run", *TARGETS, "--configfile", "config/chaos.yaml"], cwd=clone,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, start_new_session=True)


def _kill_when(proc, predicate, timeout):
    started = time.time()
    while time.time() < started + timeout and proc.poll() is None:
        if predicate(time.time() - started):
            break
        time.sleep(0.05)
    killed = proc.poll() is None
    if killed:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    return killed


def test_killed_again_and_again_the_readme_command_carries_on(repo, venv_bin, tmp_path):
    clone = tmp_path / "vitrify"
    shutil.copytree(repo, clone, symlinks=True, ignore=COPY_IGNORE)
    (clone / ".venv").symlink_to(Path(venv_bin).parent)
    (clone / "config" / "chaos.yaml").write_text(yaml.safe_dump(_chaos_config(repo)))
    env = {**os.environ, "VITRIFY_SKIP_INSTALL": "1"}
    md_restarts = clone / P.md_dir("cuzr", "classical", 2000, 0) / "work" / "restart"
    vit_work = clone / P.rise_vit_work("cuzr_classical")
    # Kills that must land inside the long jobs (the MD, a ViT training), then at seeded
    # random moments (seconds after the start of each attempt).
    triggers = [lambda elapsed: len(list(md_restarts.glob("restart.*.lmp"))) >= 2,
                lambda elapsed: any(vit_work.rglob("checkpoint.pt"))]
    for delay in random.Random(SEED).sample(range(3, 15), 4):
        triggers.append(lambda elapsed, delay=delay: elapsed > delay)
    before: dict[str, str] = {}
    kills = 0
    for trigger in triggers:
        before.update(_finished_outputs(clone))
        kills += _kill_when(_run(clone, env), trigger, timeout=300)
    before.update(_finished_outputs(clone))
    assert kills >= 5, f"only {kills} attempts were killed before the chain finished"
    assert P.md_file("run.json", "cuzr", "classical", 2000, 0) in before  # finished before a later kill
    res = run_group(["./vitrify.sh", "run", *TARGETS, "--configfile", "config/chaos.yaml"], timeout=600, cwd=clone,
                    env=env)
    assert res.returncode == 0, res.stdout[-4000:]
    after = _finished_outputs(clone)
    changed = [path for path, digest in before.items() if after.get(path) != digest]
    assert changed == [], f"finished outputs recomputed after a kill: {changed}"
    dry = run_group(["./vitrify.sh", "run", *TARGETS, "-n", "--configfile", "config/chaos.yaml"], timeout=300,
                    cwd=clone, env=env)
    assert "Nothing to be done" in dry.stdout, dry.stdout[-3000:]
    md_log = (clone / P.log("md_melt_quench", "cuzr_classical_rate2000_rep0")).read_text()
    assert "resuming from restart at step" in md_log
    vit_logs = "".join(p.read_text() for p in (clone / "logs" / "chaos" / "rise_vit").glob("*.log"))
    assert "resuming ViT training after epoch" in vit_logs
