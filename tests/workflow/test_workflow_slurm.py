"""config/test.yaml through `snakemake --profile slurm` on a real loopback SLURM."""

import json
import os
import re
import shutil
import signal
import subprocess
import time

import pandas as pd
import pytest
import yaml

from tests.support.processes import run_group
from vitrify.paths import Layout

P = Layout("test")

pytestmark = [pytest.mark.slurm, pytest.mark.e2e]

COPY_IGNORE = shutil.ignore_patterns(".venv", ".git", "results", "logs", ".snakemake", "benchmarks/*/",
                                     "__pycache__", "*.egg-info", ".pytest_cache")


def test_test_config_runs_through_slurm_profile(slurm, repo, venv_bin, tmp_path):
    clone = tmp_path / "vitrify"
    shutil.copytree(repo, clone, symlinks=True, ignore=COPY_IGNORE)
    env = slurm.env()
    env["PATH"] = f"{venv_bin}:{env.get('PATH', '')}"
    # No accounting daemon on the test cluster: poll squeue (see profiles/slurm/config.yaml).
    cmd = [venv_bin / "snakemake", "--profile", "slurm", "--configfile", "config/test.yaml",
           "--slurm-status-command", "squeue", "--slurm-init-seconds-before-status-checks", "5",
           "--latency-wait", "10"]
    res = run_group(cmd, timeout=1800, cwd=clone, env=env)
    assert res.returncode == 0, res.stdout[-8000:]
    submitted = re.findall(r"submitted with SLURM jobid (\d+) \(log: (\S+)\)", res.stdout)
    # Every job went through sbatch: four melt-quenches (silica classical, SR, LR; CuZr),
    # 6 structure analyses (3 models x liquid, glass), the reference chain (1 MD, selection,
    # dataset, both labelling batches in one group job), the potentials (2 archs x (3 seeds
    # + 1 learning-curve point) trained and evaluated, 1 TorchScript export), 2 committee
    # evaluations along the ML trajectories, the RISE chain for CuZr (classical: 2 anneals
    # and sample sets) and silica (LR: 1 of each), 2 SOAP radii, 2 environment runs (one
    # shared mining draw per radius) and 6 XGBoost runs per study, 2 x 3 ViT trainings for
    # CuZr, and the plotting and table
    # jobs bundled into groups.
    rules = [re.search(r"/group_(figures|labels)", log).group(1) if "/group_" in log
             else re.search(r"/rule_(\w+?)/", log).group(1) for _, log in submitted]
    counts = {rule: rules.count(rule) for rule in set(rules)}
    assert counts == {"md_melt_quench": 4, "rise_anneal": 3, "rise_samples": 3, "rise_soap": 4,
                      "rise_environments": 4, "rise_xgboost": 12, "rise_vit": 6, "structure_analysis": 6,
                      "reference_md": 1, "reference_select": 1, "reference_dataset": 1, "labels": 1,
                      "mlip_train": 8, "mlip_evaluate": 8, "mlip_export_torchscript": 1, "md_committee": 2,
                      "figures": counts.get("figures", 0)}, submitted
    assert counts["figures"] >= 1

    for system, model in (("silica", "classical"), ("silica", "lr"), ("cuzr", "classical")):
        run = clone / P.md_dir(system, model, 2000, 0)
        scheduler = json.loads((run / "run.json").read_text())["scheduler"]
        assert scheduler.get("SLURM_JOB_ID", "").isdigit(), scheduler
        assert scheduler.get("CUDA_VISIBLE_DEVICES", "") != "", f"MD job got no GPU: {scheduler}"
        assert (clone / P.quench_energy_figure(system, model)).exists()
    assert (clone / P.rise_figure("rmse_vs_radius", "cuzr_classical")).exists()
    assert (clone / P.rise_studies_figure()).exists()


def _lease_config(repo) -> dict:
    """The test config's CuZr melt-quench alone, long enough (~a minute) to outlive a controller."""
    cfg = yaml.safe_load((repo / "config" / "test.yaml").read_text())
    cfg["run_name"] = "lease"
    cfg["systems"] = {"cuzr": cfg["systems"]["cuzr"]}
    for seg in cfg["systems"]["cuzr"]["protocol"]:
        if "duration_ps" in seg:
            seg["duration_ps"] = 30
    for section in ("reference", "analysis", "mlip", "rise"):
        cfg.pop(section, None)
    return cfg


def test_rerun_after_the_controller_died_does_not_duplicate_a_running_job(slurm, repo, venv_bin, tmp_path):
    """Kill the Snakemake controller while its MD job runs on SLURM; rerun through the profile.
    The resubmitted job finds the live lease, waits, then resumes at the end: the MD ran once."""
    clone = tmp_path / "vitrify"
    shutil.copytree(repo, clone, symlinks=True, ignore=COPY_IGNORE)
    (clone / ".venv").symlink_to(venv_bin.parent)
    (clone / "config" / "lease.yaml").write_text(yaml.safe_dump(_lease_config(repo)))
    layout = Layout("lease")
    target = layout.md_file("run.json", "cuzr", "classical", 2000, 0)
    run_dir = clone / layout.md_dir("cuzr", "classical", 2000, 0)
    env = {**slurm.env(), "VITRIFY_SKIP_INSTALL": "1"}
    env["PATH"] = f"{venv_bin}:{env.get('PATH', '')}"
    options = ["--profile", "slurm", "--configfile", "config/lease.yaml", "--slurm-status-command", "squeue",
               "--slurm-init-seconds-before-status-checks", "5", "--latency-wait", "10"]
    controller = subprocess.Popen([venv_bin / "snakemake", target, *options], cwd=clone, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 300
    while not ((run_dir / "lease.json").exists() and list((run_dir / "work" / "restart").glob("restart.*.lmp"))):
        assert time.time() < deadline and controller.poll() is None, "the MD job never started on SLURM"
        time.sleep(0.2)
    holder = json.loads((run_dir / "lease.json").read_text())
    assert holder["slurm_job_id"]
    os.killpg(controller.pid, signal.SIGKILL)  # the controller only: the SLURM job lives on under slurmd
    controller.wait()

    res = run_group(["./vitrify.sh", "run", target, *options], timeout=900, cwd=clone, env=env)
    assert res.returncode == 0, res.stdout[-6000:]
    log = (clone / layout.log("md_melt_quench", "cuzr_classical_rate2000_rep0")).read_text()
    assert f"SLURM job {holder['slurm_job_id']}" in log and "waiting for it to finish" in log
    meta = json.loads((run_dir / "run.json").read_text())
    assert meta["steps_this_attempt"] == 0 and meta["resumed_from_steps"][-1] == meta["total_steps"]
    thermo = pd.read_csv(run_dir / "thermo.csv")
    assert thermo["step"].is_unique and thermo["step"].iloc[-1] == meta["total_steps"]
