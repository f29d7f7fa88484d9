"""Replicas to means with standard errors; models side by side; against experiment.

Comparisons with measured data use Wright's R_chi and FSDP deltas (fitted the same way
on both curves); without a data file, the literature table in
resources/literature/silica_structure.csv supplies reference values, each with its citation.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from ..settings import AnalysisSettings
from .analysis import Analysis
from .experiment import load_sq, r_chi
from .fsdp import fit_peak, window_around_max

# metric name -> path in the metrics dict; also the literature table's `quantity` where one applies
METRICS = {
    "density_g_per_cm3": ("density_g_per_cm3",),
    "r_SiO_A": ("r_SiO_A",),
    "r_OO_A": ("r_OO_A",),
    "r_SiSi_A": ("r_SiSi_A",),
    "cn_SiO": ("cn_SiO_mean",),
    "angle_SiOSi_mean_deg": ("angles", "Si-O-Si", "mean_deg"),
    "angle_SiOSi_std_deg": ("angles", "Si-O-Si", "std_deg"),
    "angle_OSiO_mean_deg": ("angles", "O-Si-O", "mean_deg"),
    "angle_OSiO_std_deg": ("angles", "O-Si-O", "std_deg"),
    "Q4_fraction": ("qn", "Q", "4"),
    "Si_under_coordinated": ("defects", "Si-O", "under"),
    "Si_over_coordinated": ("defects", "Si-O", "over"),
    "O_under_coordinated": ("defects", "O-Si", "under"),
    "O_over_coordinated": ("defects", "O-Si", "over"),
    "fsdp_neutron_Q1_inv_A": ("fsdp_neutron", "Q1_inv_A"),
    "fsdp_neutron_fwhm_inv_A": ("fsdp_neutron", "fwhm_inv_A"),
    "fsdp_neutron_amplitude": ("fsdp_neutron", "amplitude"),
    "fsdp_neutron_height": ("fsdp_neutron", "height"),
    "fsdp_coherence_length_A": ("fsdp_neutron", "coherence_length_A"),
    "fsdp_xray_Q1_inv_A": ("fsdp_xray", "Q1_inv_A"),
    "principal_neutron_Q_inv_A": ("principal_neutron", "Q1_inv_A"),
    "rings_primitive_mean_size": ("rings", "primitive", "mean_size"),
    "rings_king_mean_size": ("rings", "king", "mean_size"),
}
LITERATURE_QUANTITY = {
    "r_SiO_A": "r_SiO", "r_OO_A": "r_OO", "r_SiSi_A": "r_SiSi", "cn_SiO": "cn_SiO",
    "angle_SiOSi_mean_deg": "angle_SiOSi_mean", "angle_OSiO_mean_deg": "angle_OSiO_mean",
    "fsdp_neutron_Q1_inv_A": "fsdp_Q1", "principal_neutron_Q_inv_A": "principal_peak_Q",
}


def _get(metrics: dict, path: tuple) -> float:
    node = metrics
    for key in path:
        if isinstance(node, dict) and key not in node and str(key).isdigit() and int(key) in node:
            key = int(key)  # integer keys in memory, strings once read back from JSON
        if not isinstance(node, dict) or key not in node:
            return float("nan")
        node = node[key]
    return float(node) if isinstance(node, (int, float)) else float("nan")


def mean_sem(values) -> tuple[float, float]:
    v = np.asarray([x for x in values if np.isfinite(x)], float)
    if len(v) == 0:
        return float("nan"), float("nan")
    return float(v.mean()), float(v.std(ddof=1) / np.sqrt(len(v))) if len(v) > 1 else float("nan")


def replica_tables(results: list[Analysis], table: str, x: str, by: str | None = None):
    """Mean and standard error over replicas of every numeric column of one table."""
    frames = [getattr(r, table) for r in results]
    keys = [x] if by is None else [by, x]
    stacked = pd.concat(frames, keys=range(len(frames)), names=["replica", "row"]).reset_index(level=0)
    grouped = stacked.groupby(keys, sort=False)
    mean = grouped.mean(numeric_only=True).drop(columns="replica").reset_index()
    sem = (grouped.std(ddof=1, numeric_only=True) / np.sqrt(len(frames))).drop(columns="replica").reset_index()
    return mean, sem


def metric_table(models: dict[str, list[Analysis]], extra: dict[str, tuple] | None = None) -> pd.DataFrame:
    """One row per metric (METRICS, then `extra`): mean and standard error over replicas for each model."""
    rows = []
    for name, path in {**METRICS, **(extra or {})}.items():
        row = {"metric": name}
        for label, results in models.items():
            m, s = mean_sem([_get(r.metrics, path) for r in results])
            row[f"{label}_mean"], row[f"{label}_sem"] = m, s
            row[f"{label}_n_replicas"] = len(results)
        rows.append(row)
    return pd.DataFrame(rows)


def ring_fraction_metrics(ring_method: str, max_size: int) -> dict[str, tuple]:
    """metric name -> path of the share of rings of each size (3 .. max_size) of one method."""
    return {f"rings_{ring_method}_fraction_{n}": ("rings", ring_method, "fractions", str(n)) for n in range(3, max_size + 1)}


def teacher_deltas(models: dict[str, list[Analysis]], teacher: str, extra: dict[str, tuple] | None = None) -> pd.DataFrame:
    """Each model minus the teacher, metric by metric: the difference of replica means, with
    the replica spread (sample SD over replicas) of model and teacher and the standard error
    of the difference, sqrt(sem_model^2 + sem_teacher^2)."""
    if teacher not in models:
        raise ValueError(f"no teacher {teacher!r} among the models {sorted(models)}")
    rows = []
    for name, path in {**METRICS, **(extra or {})}.items():
        t = np.asarray([_get(r.metrics, path) for r in models[teacher]], float)
        t_mean, t_sem = mean_sem(t)
        for label, results in models.items():
            if label == teacher:
                continue
            v = np.asarray([_get(r.metrics, path) for r in results], float)
            m, sem = mean_sem(v)
            rows.append({"metric": name, "model": label, "teacher_mean": t_mean, "teacher_sd": _sd(t),
                         "model_mean": m, "model_sd": _sd(v), "delta": m - t_mean,
                         "delta_sem": float(np.hypot(sem, t_sem)), "n_model": int(np.isfinite(v).sum()),
                         "n_teacher": int(np.isfinite(t).sum())})
    return pd.DataFrame(rows)


def _sd(values: np.ndarray) -> float:
    v = values[np.isfinite(values)]
    return float(v.std(ddof=1)) if len(v) > 1 else float("nan")


def read_literature(path: Path, phase: str) -> pd.DataFrame:
    if not Path(path).exists():
        return pd.DataFrame(columns=["quantity", "phase", "value", "unit", "citation", "location"])
    with open(path, newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["phase"] == phase]
    return pd.DataFrame(rows)


def literature_comparison(table: pd.DataFrame, literature: pd.DataFrame, models: list[str]) -> pd.DataFrame:
    """Model minus literature for every metric that has a literature value (one row per value)."""
    rows = []
    for metric, quantity in LITERATURE_QUANTITY.items():
        mine = table[table.metric == metric]
        for _, ref in literature[literature.get("quantity", pd.Series(dtype=str)) == quantity].iterrows():
            row = {"metric": metric, "literature_value": float(ref["value"]), "unit": ref.get("unit", ""),
                   "radiation": ref.get("radiation", ""), "citation": ref["citation"],
                   "location": ref.get("location", "")}
            for label in models:
                row[f"{label}_minus_literature"] = float(mine[f"{label}_mean"].iloc[0]) - float(ref["value"])
            rows.append(row)
    columns = ["metric", "literature_value", "unit", "radiation", "citation", "location"]
    return pd.DataFrame(rows, columns=columns + [f"{label}_minus_literature" for label in models])


def experiment_comparison(models_sq: dict[str, pd.DataFrame], spec: dict, column: str,
                          settings: AnalysisSettings, mean_b_sq_barn: float | None = None) -> tuple[list[dict], pd.DataFrame]:
    """R_chi and FSDP deltas of each model against one measured curve (config: analysis.experiment)."""
    data = load_sq(spec["file"], kind=spec["kind"], q_unit=spec["q_unit"], q_column=spec["q_column"])
    y_exp = data.as_F(mean_b_sq_barn) if column == "neutron_F" else data.as_S(mean_b_sq_barn)
    window = window_around_max(data.Q_inv_A, y_exp, settings.fsdp_search_inv_A, settings.fsdp_half_width_inv_A)
    exp_peak = fit_peak(data.Q_inv_A, y_exp, window, settings.peak_model)
    rows = []
    for label, sq in models_sq.items():
        q, y = sq["Q_inv_A"].to_numpy(), sq[column].to_numpy()
        peak = fit_peak(q, y, window_around_max(q, y, settings.fsdp_search_inv_A, settings.fsdp_half_width_inv_A),
                        settings.peak_model)
        rows.append({
            "model": label, "column": column, "experiment_file": data.source,
            "r_chi": r_chi(data.Q_inv_A, y_exp, q, y, tuple(spec["r_chi_range_inv_A"])),
            "fsdp_Q1_model_inv_A": peak.Q1_inv_A, "fsdp_Q1_experiment_inv_A": exp_peak.Q1_inv_A,
            "fsdp_Q1_delta_inv_A": peak.Q1_inv_A - exp_peak.Q1_inv_A,
            "fsdp_amplitude_delta": peak.amplitude - exp_peak.amplitude,
            "fsdp_fwhm_delta_inv_A": peak.fwhm_inv_A - exp_peak.fwhm_inv_A,
        })
    return rows, pd.DataFrame({"Q_inv_A": data.Q_inv_A, "value": y_exp})
