"""config/test.yaml through `snakemake --profile slurm` on a real loopback SLURM."""

import json
import re
import shutil

import pytest

from conftest import run_group

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
    res = run_group(cmd, timeout=900, cwd=clone, env=env)
    assert res.returncode == 0, res.stdout[-8000:]
    submitted = re.findall(r"submitted with SLURM jobid (\d+) \(log: (\S+)\)", res.stdout)
    # Two MD jobs, and one group job carrying all four plotting/table jobs.
    kinds = sorted("md" if "/rule_md_melt_quench/" in log else "group" if "/group_figures_" in log else log
                   for _, log in submitted)
    assert kinds == ["group", "md", "md"], submitted

    for system in ("silica", "cuzr"):
        run = clone / "results" / "test" / system / "md" / "classical" / "rate2000" / "rep0"
        scheduler = json.loads((run / "run.json").read_text())["scheduler"]
        assert scheduler.get("SLURM_JOB_ID", "").isdigit(), scheduler
        assert scheduler.get("CUDA_VISIBLE_DEVICES", "") != "", f"MD job got no GPU: {scheduler}"
        assert (clone / "results" / "test" / system / "figures" / "quench_energy_classical.png").exists()
