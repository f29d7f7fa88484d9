"""The Snakemake workflow end to end on config/test.yaml, locally, plus report and lint."""

import json
import re
import subprocess

import pandas as pd
import pytest
import yaml
from ase.io import read

from tests.support import browser
from tests.support.processes import run_group
from vitrify.config import load_config
from vitrify.paths import Layout
from vitrify.provenance import config_sha256

P = Layout("test")

pytestmark = pytest.mark.e2e


def _snakemake(venv_bin, repo, workdir, *args, timeout=900):
    cmd = [venv_bin / "snakemake", "-s", repo / "Snakefile", "--directory", workdir,
           "--configfile", repo / "config" / "test.yaml", "--cores", "2", *args]
    return run_group(cmd, timeout=timeout)


def _job_counts(dry_run_output: str) -> dict[str, int]:
    block = dry_run_output.split("Job stats:")[1].split("Reasons:")[0]
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\w+)\s+(\d+)$", block, re.M) if m.group(1) != "total"}


@pytest.fixture(scope="module")
def finished_run(repo, venv_bin, tmp_path_factory):
    work = tmp_path_factory.mktemp("workflow")
    res = _snakemake(venv_bin, repo, work)
    assert res.returncode == 0, res.stdout[-6000:]
    return work


def test_all_outputs_and_logs(finished_run):
    for system in ("silica", "cuzr"):
        run = finished_run / P.md_dir(system, "classical", 2000, 0)
        meta = json.loads((run / "run.json").read_text())
        assert meta["system"] == system and meta["resumed_from_steps"] == []
        assert (finished_run / P.thermo_figure(system, "classical", 2000, 0)).stat().st_size > 10_000
        assert (finished_run / P.quench_energy_figure(system, "classical")).stat().st_size > 10_000
        table = pd.read_csv(finished_run / P.glass_summary(system, "classical"))
        assert len(table) == 1 and table["energy_source"].str.startswith("classical potential").all()
        log = finished_run / P.log("md_melt_quench", f"{system}_classical_rate2000_rep0")
        assert "done," in log.read_text() and "step" in log.read_text()
        bench = finished_run / P.benchmark("md_melt_quench", f"{system}_classical_rate2000_rep0")
        assert bench.exists()


def test_rise_chain_outputs(finished_run):
    rise = finished_run / P.rise_dir("cuzr_classical")
    summary = json.loads((rise / "summary.json").read_text())
    assert summary["radii_A"] == [3.0, 5.0] and summary["rise_A"] in (3.0, 5.0)
    assert summary["energy_source"].startswith("inherent-structure energies from classical potential")
    for name in ("rmse_vs_radius", "environments_vs_radius", "parity_at_rise"):
        assert (rise / "figures" / f"{name}.png").stat().st_size > 10_000
    samples = sorted((rise / "samples").glob("*.extxyz"))
    assert [p.name for p in samples] == ["rate2000_rep0_T500.extxyz", "rate2000_rep0_T700.extxyz"]


def test_structure_outputs(finished_run):
    silica = finished_run / P.results / "silica"
    for phase in ("liquid", "glass"):
        summary = pd.read_csv(silica / "analysis" / "compare" / phase / "summary.csv").set_index("metric")
        assert 1.55 < summary.loc["r_SiO_A", "classical (vashishta_1990)_mean"] < 1.70
        for name in ("sq", "fsdp", "T", "gr", "rings", "angles"):
            assert (silica / "figures" / f"structure_{phase}_{name}.png").stat().st_size > 10_000
    literature = pd.read_csv(silica / "analysis" / "compare" / "glass" / "literature.csv")
    assert len(literature) and literature["citation"].notna().all()
    metrics = json.loads((silica / "analysis" / "classical" / "rate2000" / "rep0" / "glass" / "metrics.json").read_text())
    assert metrics["segment"] == "glass" and metrics["energy_source"] == "vashishta_1990"


def test_reference_dataset_outputs(finished_run):
    ref = finished_run / P.results / "silica" / "reference"
    summary = json.loads((ref / "dataset" / "summary.json").read_text())
    assert summary["label_methods"] == ["GFN1-xTB (tblite 0.8.0), tight binding"]
    assert summary["n_input"] == 6 and summary["n_failed_labels"] == 0
    assert set(summary["e0_eV"]) == {"Si", "O"}
    train = read(ref / "dataset" / "train.extxyz", ":")
    assert sum(a.info.get("config_type") == "IsolatedAtom" for a in train) == 2
    assert all("REF_energy" in a.info for a in train)
    assert (finished_run / P.results / "silica" / "figures" / "reference_dataset.png").stat().st_size > 10_000


def test_mlip_outputs(finished_run):
    silica = finished_run / P.results / "silica"
    table = pd.read_csv(silica / "models" / "evaluation.csv")
    assert set(table["arch"]) == {"sr", "lr"} and (table["n_members"] == 3).all()
    assert "all" in set(table["origin"])
    assert table["reference_labels"].str.contains("GFN1-xTB").all()
    for name in ("parity", "learning_curves", "training"):
        assert (silica / "figures" / f"mlip_{name}.png").stat().st_size > 10_000
    check = json.loads((silica / "models" / "sr" / "seed0" / "export_check.json").read_text())
    assert check["max_abs_dE_eV"] < 1e-6 and check["max_abs_dF_eV_A"] < 1e-6
    for arch in ("sr", "lr"):
        meta = json.loads((silica / "md" / arch / "rate2000" / "rep0" / "run.json").read_text())
        assert meta["potential"]["name"].startswith(f"mace-{arch}-")
        assert "GFN1-xTB" in meta["energy_source"]
        assert set(meta["nve_drift_meV_per_atom_per_ps"]) == {"nve_check"}
        committee = pd.read_csv(silica / "md" / arch / "rate2000" / "rep0" / "committee.csv")
        assert len(committee) >= 3 and (committee["n_members"] == 3).all()
        assert (committee["force_sd_mean_eV_per_A"] > 0).all()
    assert (silica / "figures" / "committee_disagreement.png").stat().st_size > 10_000


def test_silica_lr_rise_study_and_comparison(finished_run):
    rise = finished_run / P.results / "rise"
    summary = json.loads((rise / "silica_lr" / "summary.json").read_text())
    assert summary["energy_source"].startswith("inherent-structure energies from MACE LR")
    samples = read(rise / "silica_lr" / "samples" / "rate2000_rep0_T1000.extxyz", ":")
    assert len(samples) == 6 and "reciprocal-space" in samples[0].info["energy_source"]
    studies = json.loads((rise / "studies.json").read_text())
    assert set(studies["studies"]) == {"cuzr_classical", "silica_lr"} and studies["same_system_pairs"] == []
    assert (rise / "figures" / "rmse_vs_radius_studies.png").stat().st_size > 10_000


def test_vit_outputs(finished_run):
    rise = finished_run / P.rise_dir("cuzr_classical")
    summary = json.loads((rise / "vit_summary.json").read_text())
    assert summary["r"] == [1, 2] and summary["n_seeds"] == [3, 3]
    assert "XGBoost RISE" in summary["statement"]
    for name in ("rmse_vs_communication_length", "attribution_profile"):
        assert (rise / "figures" / f"vit_{name}.png").stat().st_size > 10_000
    result = json.loads((rise / "vit" / "L2" / "seed0.json").read_text())
    assert result["attribution_profile"] and result["n_test"] >= 1


def test_nothing_left_to_do_after_run(repo, venv_bin, finished_run):
    res = _snakemake(venv_bin, repo, finished_run, "-n")
    assert res.returncode == 0 and "Nothing to be done" in res.stdout, res.stdout[-3000:]


def test_one_figure_target_reruns_alone(repo, venv_bin, finished_run):
    figure = finished_run / P.thermo_figure("silica", "classical", 2000, 0)
    trajectory = finished_run / P.md_file("trajectory.extxyz", "silica", "classical", 2000, 0)
    before = trajectory.stat().st_mtime_ns
    figure.unlink()
    target = figure.relative_to(finished_run)
    dry = _snakemake(venv_bin, repo, finished_run, target, "-n")
    assert _job_counts(dry.stdout) == {"md_thermo_figure": 1}, dry.stdout[-3000:]
    res = _snakemake(venv_bin, repo, finished_run, target)
    assert res.returncode == 0 and figure.exists()
    assert trajectory.stat().st_mtime_ns == before


def test_a_changed_setting_reruns_exactly_the_jobs_that_read_it(repo, venv_bin, finished_run, tmp_path):
    """Settings reach jobs as params; a changed value shows in the job's settings_key."""
    cfg = yaml.safe_load((repo / "config" / "test.yaml").read_text())
    cfg["systems"]["cuzr"]["md"]["thermostat_damping_fs"] = 150.0
    changed = tmp_path / "changed.yaml"
    changed.write_text(yaml.safe_dump(cfg, sort_keys=False))
    dry = run_group([venv_bin / "snakemake", "-s", repo / "Snakefile", "--directory", finished_run,
                     "--configfile", changed, "--cores", "2", "-n"], timeout=600)
    counts = _job_counts(dry.stdout)
    assert counts.get("md_melt_quench") == 1 and "system=cuzr, model=classical" in dry.stdout, dry.stdout[-3000:]
    assert "system=silica, model=classical, rate=2000" not in dry.stdout  # silica's MD read nothing that changed
    assert not {"mlip_train", "reference_label", "structure_analysis"} & set(counts), counts


@pytest.fixture(scope="module")
def report(repo, venv_bin, finished_run):
    res = _snakemake(venv_bin, repo, finished_run, "--report", finished_run / "report.html")
    assert res.returncode == 0, res.stdout[-3000:]
    return finished_run / "report.html"


def test_report_builds(report):
    html = report.read_text()
    assert "thermo_classical_rate2000_rep0.png" in html and "glass_summary.csv" in html


def test_report_captions_name_potential_labels_commit_and_config(repo, report):
    results = browser.embedded_results(report.read_text())
    sha = config_sha256(load_config(repo / "config" / "test.yaml"))
    figures = {path: r for path, r in results.items() if r["mime_type"] == "image/png"}
    assert len(figures) >= 40
    for path, r in figures.items():
        caption = r["caption"]
        assert "Report built from vitrify commit" in caption and f"sha256 {sha[:16]}" in caption, path
        assert "Potential" in caption or "Labels:" in caption, path
    assert "GFN1-xTB tight binding" in figures[P.figure("silica", "mlip_parity")]["caption"]
    assert "Vashishta" in figures[P.thermo_figure("silica", "classical", 2000, 0)]["caption"]
    assert "Mendelev" in figures[P.rise_figure("rmse_vs_radius", "cuzr_classical")]["caption"]


def test_key_numbers_come_first_and_match_their_sources(finished_run, report):
    results = browser.embedded_results(report.read_text())
    categories = browser.embedded(report.read_text(), "categories")
    assert sorted(categories)[0] == "0 Key numbers"
    assert set(categories["0 Key numbers"]["Other"]) == {P.key_numbers("csv"), P.key_numbers("html")}
    assert "key_numbers.html" in browser.embedded(report.read_text(), "workflow_desc", "workflow-desc")
    table = pd.read_csv(finished_run / P.key_numbers("csv"))
    rise = json.loads((finished_run / P.rise_dir("cuzr_classical") / "summary.json").read_text())
    row = table[table.quantity == "RISE radius (cuzr_classical)"].iloc[0]
    assert row.value == rise["rise_A"] and [row.low, row.high] == rise["rise_interval_A"]
    vit = json.loads((finished_run / P.rise_dir("cuzr_classical") / "vit_summary.json").read_text())
    assert table[table.quantity == "ViT saturation length (cuzr_classical)"].value.iloc[0] == pytest.approx(
        vit["saturation_length_A"])
    errors = pd.read_csv(finished_run / P.model_evaluation("silica")).query("origin == 'all'").set_index("arch")
    sr = table[(table.model == "MACE SR") & (table.quantity == "force RMSE")].iloc[0]
    assert sr.value == pytest.approx(errors.loc["sr", "forces_rmse_meV_per_A"])
    structure = table[table.section == "structure (glass)"]
    assert {"FSDP position Q1 (neutron)", "Si-O-Si angle, mean"} <= set(structure.quantity)
    assert set(table[table.section == "glass"].system) == {"silica", "cuzr"}
    page = results[P.key_numbers("html")]
    assert page["mime_type"] == "text/html" and "Report built from vitrify commit" in page["caption"]


def test_report_opens_in_a_browser_with_every_figure(report, tmp_path):
    """Every figure and the key-number page open in the report app of a real browser."""
    if browser.chromium() is None:
        pytest.skip("chromium is not installed (./vitrify.sh test installs Debian's chromium)")
    found = browser.drive_report(report, tmp_path)
    assert found["errors"] == []
    opened = found["results"]
    images = {path: r for path, r in opened.items() if r["mime"] == "image/png"}
    assert len(images) >= 40
    broken = [path for path, r in images.items() if not (r["loaded"] and r["width"] > 100 and r["height"] > 100)]
    assert broken == []
    assert opened[P.key_numbers("html")]["loaded"]
    # The app showed each figure's caption, provenance included, in its info panel.
    assert all("Report built from vitrify commit" in r["shown_text"] for r in images.values())
    shots = report.parent / "report-screenshots"
    shots.mkdir(exist_ok=True)
    for name, result in (("start", None), ("key_numbers", P.key_numbers("html")),
                         ("sq", P.structure_figure("sq", "silica", "glass"))):
        png = browser.screenshot(report, shots / f"{name}.png", tmp_path, open_result=result)
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000


def test_lint_is_clean(repo, venv_bin):
    res = run_group([venv_bin / "snakemake", "--lint", "--configfile", repo / "config" / "test.yaml"],
                    timeout=300, cwd=repo)
    assert res.returncode == 0 and "Congratulations" in res.stdout, res.stdout[-3000:]


def test_rule_files_are_snakefmt_formatted(repo, venv_bin):
    res = subprocess.run([venv_bin / "snakefmt", "--check", "Snakefile", "workflow/rules"],
                         cwd=repo, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr


def test_campaign_dry_run_requests_gpus_through_profile(repo, venv_bin):
    res = run_group([venv_bin / "snakemake", "--profile", "slurm", "--configfile", "config/campaign.yaml", "-n"],
                    timeout=300, cwd=repo)
    assert res.returncode == 0, res.stdout[-3000:]
    blocks = res.stdout.split("rule ")
    md = [b for b in blocks if b.startswith("md_melt_quench:")]
    figs = [b for b in blocks if b.startswith("md_thermo_figure:")]
    assert len(md) == 3 * 3 * 3 + 4 * 4  # silica: classical, SR, LR x 3 rates x 3 replicas
    assert all("gpu=1" in b and "slurm_partition=gpu" in b for b in md)
    for rule in ("mlip_train", "md_committee", "rise_vit"):
        jobs = [b for b in blocks if b.startswith(f"{rule}:")]
        assert jobs and all("gpu=1" in b and "slurm_partition=gpu" in b for b in jobs), rule
    assert figs and not any("gpu=1" in b for b in figs)


def test_one_model_figure_reruns_without_retraining(repo, venv_bin, finished_run):
    figure = finished_run / P.figure("silica", "mlip_parity")
    model = finished_run / P.model_file("silica", "lr", "seed0")
    before = model.stat().st_mtime_ns
    figure.unlink()
    dry = _snakemake(venv_bin, repo, finished_run, figure.relative_to(finished_run), "-n")
    assert _job_counts(dry.stdout) == {"mlip_summary": 1}, dry.stdout[-3000:]
    res = _snakemake(venv_bin, repo, finished_run, figure.relative_to(finished_run))
    assert res.returncode == 0 and figure.exists() and model.stat().st_mtime_ns == before
