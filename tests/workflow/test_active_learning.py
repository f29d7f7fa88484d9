"""Active learning through Snakemake on the test config's silica with the classical
teacher as labeller: an iteration selects, labels and retrains; a killed iteration
resumes; trust levels under which nothing is uncertain end the loop at once."""

import json
import os
import signal
import subprocess
import time

import pandas as pd
import pytest
import yaml
from ase.io import read

from tests.support.processes import run_group
from vitrify.paths import Layout

pytestmark = pytest.mark.e2e

P = Layout("altest")
TARGETS = [P.al_summary("silica"), P.figure("silica", "active_learning")]


def _config(repo, **active) -> dict:
    cfg = yaml.safe_load((repo / "config" / "test.yaml").read_text())
    silica = cfg["systems"]["silica"]
    silica.update(classical_potential="bks_ssp", models=["classical", "lr"], cooling_rates_K_per_ps=[10000])
    silica["protocol"] = [
        {"name": "melt", "ensemble": "nvt", "T_K": 4000, "duration_ps": 0.3},
        {"name": "liquid", "ensemble": "nvt", "T_K": 3000, "duration_ps": 0.3},
        {"name": "quench", "ensemble": "nvt", "T_start_K": 3000, "T_end_K": 300, "quench": True},
        {"name": "glass", "ensemble": "nvt", "T_K": 300, "duration_ps": 0.3},
    ]
    cfg.update(run_name="altest", systems={"silica": silica})
    cfg.pop("analysis")
    # The LR glasses' RISE study: LR's explorations anneal their glass as it would.
    cfg["rise"]["studies"] = [st for st in cfg["rise"]["studies"] if st["system"] == "silica"]
    cfg["reference"]["labeler"] = {"backend": "teacher"}
    # Three-epoch models walk into configurations the teacher finds absurd (forces of
    # 1e3-1e5 eV/A, measured); this test is about the loop's mechanics, so keep them all.
    cfg["reference"]["max_force_eV_per_A"] = 1e7
    # Every frame a candidate: the loop must label; one label round.
    cfg["active_learning"] = {"system": "silica", "max_iterations": 1, "max_new_per_iteration": 4,
                              "lower_trust_eV_per_A": 1e-4, "upper_trust_eV_per_A": 1e3,
                              "explore_frame_interval_ps": 0.05, **active}
    return cfg


def _snakemake(venv_bin, repo, work, config_file, *args, timeout=900, popen=False, targets=TARGETS):
    # Targets before --configfile: Snakemake reads what follows --configfile as config files.
    cmd = [str(venv_bin / "snakemake"), "-s", str(repo / "Snakefile"), "--directory", str(work), *targets,
           "--configfile", str(config_file), "--cores", "2", "--rerun-incomplete", *args]
    if popen:
        return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    return run_group(cmd, timeout=timeout)


def test_an_iteration_selects_labels_retrains_and_resumes_after_a_kill(repo, venv_bin, tmp_path):
    work = tmp_path / "run"
    config_file = tmp_path / "al.yaml"
    config_file.write_text(yaml.safe_dump(_config(repo)))
    # Kill the whole run while iteration 1's exploration runs, then run the same command again.
    restarts = work / P.al_explore_dir("silica", 1, "lr") / "work" / "restart"
    proc = _snakemake(venv_bin, repo, work, config_file, popen=True)
    deadline = time.time() + 900
    while time.time() < deadline and proc.poll() is None and len(list(restarts.glob("restart.*.lmp"))) < 2:
        time.sleep(0.2)
    assert proc.poll() is None, "the run ended before iteration 1's exploration could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    # Plain Snakemake here (./vitrify.sh's unlocking after a crash has its own tests).
    assert _snakemake(venv_bin, repo, work, config_file, "--unlock").returncode == 0
    res = _snakemake(venv_bin, repo, work, config_file)
    assert res.returncode == 0, res.stdout[-6000:]
    assert "resuming from restart at step" in (work / P.log("al_explore", "silica_iter1_lr")).read_text()

    first = json.loads((work / P.al_file("decision.json", "silica", 0)).read_text())
    assert not first["stop"] and first["n_selected"] == 4 and first["candidate_fraction"] == 1.0
    labelled = read(work / P.al_file("labels/labelled.extxyz", "silica", 0), ":")
    assert len(labelled) == 4
    assert all(a.info["label_kind"] == "classical teacher" and a.info["origin"] == "active-learning"
               and a.info["al_iteration"] == 0 for a in labelled)
    grown = sum(len(read(work / P.al_dataset(s, "silica", 1), ":")) for s in ("train", "valid", "test"))
    before = sum(len(read(work / P.dataset(s, "silica"), ":")) for s in ("train", "valid", "test"))
    assert grown == before + 4
    assert "warm start from" in (work / P.log("al_train", "silica_iter1_lr_seed0")).read_text()
    last = json.loads((work / P.al_file("decision.json", "silica", 1)).read_text())
    assert last["stop"] and "maximum of 1" in last["reason"]
    table = pd.read_csv(work / P.al_summary("silica"))
    assert sorted(set(zip(table.iteration, table.arch))) == [(0, "lr"), (0, "sr"), (1, "lr"), (1, "sr")]
    assert (table.n_train.diff().dropna() >= 0).all() and table.test_forces_rmse_meV_per_A.notna().all()
    assert (work / P.figure("silica", "active_learning")).stat().st_size > 20_000

    # LR's explorations anneal their glass at the RISE study's temperature (when the
    # melt-quench reached one); SR's have no study to serve.
    for it in (0, 1):
        lr_anneals = json.loads((work / P.al_explore_dir("silica", it, "lr") / "explore.json").read_text())["anneals"]
        sr_anneals = json.loads((work / P.al_explore_dir("silica", it, "sr") / "explore.json").read_text())["anneals"]
        assert [a["T_K"] for a in lr_anneals] == [1000.0] and sr_anneals == []
    # The exploration saves a frame every explore_frame_interval_ps, not the system's interval.
    steps = [a.info["step"] for a in read(work / P.al_explore_dir("silica", 0, "sr") / "trajectory.extxyz", ":")]
    assert len(steps) >= 2 and steps[1] - steps[0] == 50   # 0.05 ps at 1 fs (the system saves every 0.5 ps)

    # The mlip stage trains on the dataset where the loop stopped.
    dry = _snakemake(venv_bin, repo, work, config_file, "-n", targets=[P.model_file("silica", "sr", "seed0")])
    assert P.al_dataset("train", "silica", 1) in dry.stdout
    # ... or takes the last iteration's committee member as it is.
    config_file.write_text(yaml.safe_dump(_config(repo, production="last_iteration")))
    res = _snakemake(venv_bin, repo, work, config_file, targets=[P.model_file("silica", "sr", "seed0")])
    assert res.returncode == 0, res.stdout[-6000:]
    assert "rule al_train" not in res.stdout and "rule al_explore" not in res.stdout
    last_member = work / P.al_model_file("silica", 1, "sr", 0)
    assert (work / P.model_file("silica", "sr", "seed0")).read_bytes() == last_member.read_bytes()

    # Trust levels under which every frame is known: only scoring and selection rerun, and
    # the loop ends at iteration 0 as converged.
    config_file.write_text(yaml.safe_dump(_config(repo, lower_trust_eV_per_A=100.0, upper_trust_eV_per_A=1e3)))
    res = _snakemake(venv_bin, repo, work, config_file)
    assert res.returncode == 0, res.stdout[-6000:]
    assert "rule al_train" not in res.stdout and "rule al_explore" not in res.stdout
    decision = json.loads((work / P.al_file("decision.json", "silica", 0)).read_text())
    assert decision["stop"] and decision["converged"] and decision["candidate_fraction"] == 0.0
    assert sorted(pd.read_csv(work / P.al_summary("silica")).iteration.unique()) == [0]
