"""config/test.yaml through `snakemake --profile slurm` on a real loopback SLURM."""

import json
import re
import shutil

import pytest

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
    # and sample sets) and silica (LR: 1 of each), 2 SOAP radii, 6 environment and 6
    # XGBoost runs per study, 2 x 3 ViT trainings for CuZr, and the plotting and table
    # jobs bundled into groups.
    rules = [re.search(r"/group_(figures|labels)", log).group(1) if "/group_" in log
             else re.search(r"/rule_(\w+?)/", log).group(1) for _, log in submitted]
    counts = {rule: rules.count(rule) for rule in set(rules)}
    assert counts == {"md_melt_quench": 4, "rise_anneal": 3, "rise_samples": 3, "rise_soap": 4,
                      "rise_environments": 12, "rise_xgboost": 12, "rise_vit": 6, "structure_analysis": 6,
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
