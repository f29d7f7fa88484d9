"""The report's key numbers: read from the stages' summaries, nothing recomputed, and a run
without a stage (no RISE, no potentials) simply has fewer rows."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from tests.support.configs import config, settings
from vitrify.config import validate_config
from vitrify.md.potentials import MODEL_KINDS, model_label
from vitrify.paths import Layout
from vitrify.report_numbers import (COLUMNS, KeyNumberPlan, format_value, key_number_files, key_numbers,
                                    key_numbers_html)
from vitrify.settings import Settings

P = Layout("test")


def _labels(s: Settings) -> dict:
    return {name: {m: model_label(system, m) for m in MODEL_KINDS} for name, system in s.systems.items()}


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture()
def run(tmp_path):
    """The test config's summaries as its stages write them (their columns and keys)."""
    s = settings("test")
    plan = KeyNumberPlan.from_settings(s, _labels(s))
    files = key_number_files(P, plan)
    _write(tmp_path, files["mlip"],
           "arch,origin,n_members,n_configs,energy_rmse_meV_per_atom,energy_rmse_sd_meV_per_atom,"
           "forces_rmse_meV_per_A,forces_rmse_sd_meV_per_A,reference_labels\n"
           "lr,all,3,12,4.5,0.5,120.0,10.0,GFN1-xTB (tblite 0.8.0)\n"
           "sr,all,3,12,5.5,0.6,150.0,12.0,GFN1-xTB (tblite 0.8.0)\n"
           "sr,liquid,3,6,9.0,0.9,190.0,15.0,GFN1-xTB (tblite 0.8.0)\n")
    for system, models in plan.models.items():
        for model in models:
            # Two replicas at each of two rates: the mean and standard error are per rate.
            _write(tmp_path, files[f"glass/{system}/{model}"],
                   "system,model,cooling_rate_K_per_ps,replica,segment,density_g_per_cm3\n"
                   f"{system},{model},100.0,0,glass,2.20\n{system},{model},100.0,1,glass,2.24\n"
                   f"{system},{model},2000.0,0,glass,2.10\n{system},{model},2000.0,1,glass,2.10\n")
    labels = [plan.labels["silica"][m] for m in plan.models["silica"]]
    metrics = {"fsdp_neutron_Q1_inv_A": [1.50, 1.40, 1.45], "fsdp_neutron_height": [0.2, 0.3, 0.25],
               "angle_SiOSi_mean_deg": [148.0, 140.0, 145.0], "rings_primitive_fraction_3": [0.0, 0.0, 0.0],
               "rings_primitive_fraction_6": [0.4, 0.3, 0.35], "r_SiO_A": [1.61, 1.62, 1.63]}
    header = ["metric"] + [f"{label}_{k}" for label in labels for k in ("mean", "sem", "n_replicas")]
    lines = [",".join(header)] + [",".join([m] + [f"{v},0.01,2" for v in vals]) for m, vals in metrics.items()]
    _write(tmp_path, files["structure"], "\n".join(lines) + "\n")
    _write(tmp_path, files["rise/cuzr_classical"], json.dumps(
        {"rise_A": 5.0, "rise_interval_A": [4.0, 6.0], "rise_rmse_meV_per_atom": 1.5,
         "energy_source": "inherent-structure energies from classical potential mendelev_cuzr_2009"}))
    _write(tmp_path, files["vit/cuzr_classical"], json.dumps(
        {"saturation_length_A": 3.09, "statement": "The ViT test error saturates at 3.1 A."}))
    _write(tmp_path, files["rise/silica_lr"], json.dumps(
        {"rise_A": 3.0, "rise_interval_A": [3.0, 3.0], "rise_rmse_meV_per_atom": 11.0}))
    return tmp_path, plan


def _one(table: pd.DataFrame, **match) -> pd.Series:
    part = table
    for key, value in match.items():
        part = part[part[key] == value]
    assert len(part) == 1, (match, part)
    return part.iloc[0]


def test_every_number_comes_from_its_summary(run):
    root, plan = run
    table = key_numbers(P, plan, root)
    assert list(table.columns) == COLUMNS
    sr = _one(table, model="MACE SR", quantity="force RMSE")
    assert (sr.value, sr.error, sr.unit) == (150.0, 12.0, "meV/Å")  # origin "all", not "liquid"
    assert "committee of 3" in sr.detail and "GFN1-xTB" in sr.detail
    assert sr.source == "results/test/silica/models/evaluation.csv"
    glass = _one(table, system="silica", model="classical (vashishta_1990)", quantity="density, quenched at 100 K/ps")
    assert glass.value == pytest.approx(2.22) and glass.error == pytest.approx(0.02)  # sd 0.0283 / sqrt(2)
    slow = _one(table, system="cuzr", quantity="density, quenched at 2000 K/ps")
    assert slow.value == pytest.approx(2.10) and slow.error == 0.0
    lr = plan.labels["silica"]["lr"]
    fsdp = _one(table, model=lr, quantity="FSDP position Q1 (neutron)")
    assert fsdp.value == 1.45 and fsdp.section == "structure (glass)" and fsdp.error == 0.01
    assert _one(table, model=lr, quantity="Si-O-Si angle, mean").value == 145.0
    assert _one(table, model=lr, quantity="FSDP height F(Q1) (neutron)").value == 0.25
    rings = table[table.quantity.str.contains("rings")]
    assert set(rings.quantity) == {"primitive rings of 6 Si, fraction"}  # a size no model forms is left out
    assert "r_SiO_A" not in set(table.quantity)
    rise = _one(table, quantity="RISE radius (cuzr_classical)")
    assert (rise.value, rise.low, rise.high, rise.system) == (5.0, 4.0, 6.0, "cuzr")
    assert "mendelev_cuzr_2009" in rise.detail
    vit = _one(table, quantity="ViT saturation length (cuzr_classical)")
    assert vit.value == 3.09 and "saturates" in vit.detail
    assert _one(table, quantity="RISE radius (silica_lr)").model == "MACE LR"
    assert not table.quantity.str.contains("ViT saturation length \\(silica_lr").any()  # that study has no ViT


def test_a_run_without_rise_or_potentials_has_no_such_rows(tmp_path):
    cfg = config("test")
    for section in ("rise", "mlip", "reference", "analysis"):
        cfg.pop(section)
    cfg["systems"]["silica"]["models"] = ["classical"]
    validate_config(cfg)
    s = Settings.from_config(cfg)
    plan = KeyNumberPlan.from_settings(s, _labels(s))
    files = key_number_files(P, plan)
    assert set(files) == {"glass/silica/classical", "glass/cuzr/classical"}
    _write(tmp_path, files["glass/cuzr/classical"],
           "system,model,cooling_rate_K_per_ps,replica,segment,density_g_per_cm3\ncuzr,classical,2000,0,glass,7.2\n")
    table = key_numbers(P, plan, tmp_path)  # silica's glass summary is absent: its row is left out
    assert list(table.quantity) == ["density, quenched at 2000 K/ps"] and math.isnan(table.error.iloc[0])
    assert table.detail.iloc[0].startswith("one replica")
    assert "No key numbers" in key_numbers_html(key_numbers(P, plan, tmp_path / "nothing"), "empty")


def test_the_page_has_one_table_per_section_and_system(run):
    root, plan = run
    page = key_numbers_html(key_numbers(P, plan, root), "vitrify run test: key numbers")
    assert page.startswith("<!doctype html>") and page.count("<table>") == 6
    for heading in ("test errors: silica", "glass: silica", "glass: cuzr", "structure (glass): silica",
                    "RISE: cuzr", "RISE: silica"):
        assert f"<h2>{heading}</h2>" in page
    assert "150 ± 12" in page and "5 (4–6)" in page and "2.220 ± 0.020" in page
    assert "<th>classical (vashishta_1990)</th>" in page and "results/test/silica/models/evaluation.csv" in page


@pytest.mark.parametrize("args, text", [((2.2001, 0.0043), "2.2001 ± 0.0043"), ((399.02, 324.06), "399 ± 324"),
                                        ((2.19999,), "2.2"), ((0.0425,), "0.0425"), ((12345.6,), "12346"),
                                        ((5.0, math.nan, 4.5, 6.5), "5 (4.5–6.5)"), ((math.nan,), "–")])
def test_numbers_are_written_to_their_precision(args, text):
    assert format_value(*args) == text
