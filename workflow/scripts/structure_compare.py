# Adapter: models side by side (replica means with standard errors), literature, experiment, figures.
import logging
from pathlib import Path

import pandas as pd

from vitrify.logs import setup_logging
from vitrify.structure import figures
from vitrify.structure.analysis import read_analysis
from vitrify.structure.compare import (
    experiment_comparison,
    literature_comparison,
    metric_table,
    read_literature,
    replica_tables,
    ring_fraction_metrics,
    teacher_deltas,
)
from vitrify.files import write_csv
from vitrify.paths import STRUCTURE_FIGURES
from vitrify.structure.scattering import mean_factor, neutron_lengths_fm

setup_logging(snakemake.log[0])
an, wc, labels = snakemake.params.analysis, snakemake.wildcards, snakemake.params.labels
base = Path(snakemake.params.basedir)
models = {}
for path in snakemake.input.metrics:
    result = read_analysis(Path(path).parent)
    models.setdefault(labels[result.metrics["model"]], []).append(result)

ring_fractions = ring_fraction_metrics(an.ring_figure_method, an.ring_max_size)
table = metric_table(models, ring_fractions)
write_csv(snakemake.output.summary, table)
teacher = snakemake.params.teacher
if teacher in models:
    deltas = teacher_deltas(models, teacher, ring_fractions)
else:  # no classical teacher among the models: nothing to subtract
    deltas = pd.DataFrame(columns=["metric", "model", "teacher_mean", "teacher_sd", "model_mean", "model_sd", "delta",
                                   "delta_sem", "n_model", "n_teacher"])
write_csv(snakemake.output.deltas, deltas)
literature = literature_comparison(table, read_literature(base / an.literature_table, wc.phase), list(models))
write_csv(snakemake.output.literature, literature)
logging.info("%d literature values to compare with", len(literature))

sq = {label: replica_tables(results, "sq", "Q_inv_A")[0] for label, results in models.items()}
composition = snakemake.params.composition
total = sum(composition.values())
conc = {s: c / total for s, c in composition.items()}
mean_b_sq_barn = 0.01 * mean_factor(conc, neutron_lengths_fm(list(conc))) ** 2
rows, measured = [], {}
for spec in an.experiment:
    if spec.phase != wc.phase:
        continue
    column = "neutron_F" if spec.radiation == "neutron" else "xray_S"
    found, curve = experiment_comparison(sq, {**spec.as_dict(), "file": str(base / spec.file)}, column, an,
                                         mean_b_sq_barn)
    rows += found
    r_chi = {r["model"]: r["r_chi"] for r in found}
    measured[column] = figures.Measured(curve, tuple(spec.r_chi_range_inv_A), r_chi)
write_csv(snakemake.output.experiment,
          pd.DataFrame(rows, columns=["model", "column", "experiment_file", "r_chi", "fsdp_Q1_model_inv_A",
                                      "fsdp_Q1_experiment_inv_A", "fsdp_Q1_delta_inv_A", "fsdp_amplitude_delta",
                                      "fsdp_fwhm_delta_inv_A"]))

out = dict(zip(STRUCTURE_FIGURES, snakemake.output.figures))
fsdp_window = tuple(an.fsdp_search_inv_A)
figures.sq_overlay(sq, out["sq"], experiment=measured, fsdp_window_inv_A=fsdp_window)
peaks = {label: float(table.loc[table.metric == "fsdp_neutron_Q1_inv_A", f"{label}_mean"].iloc[0]) for label in models}
peaks.update({"experiment": r["fsdp_Q1_experiment_inv_A"] for r in rows if r["column"] == "neutron_F"})
figures.fsdp_zoom(sq, out["fsdp"], experiment=measured.get("neutron_F"), peaks=peaks)
figures.total_correlation({label: replica_tables(r, "realspace", "r_A")[0] for label, r in models.items()}, out["T"])
figures.partial_rdf_bands({label: replica_tables(r, "gr", "r_A") for label, r in models.items()}, out["gr"])
method = an.ring_figure_method
figures.ring_distribution(
    {label: replica_tables(r, "rings", "n", by="method")[0].query("method == @method") for label, r in models.items()},
    out["rings"], method=method)
angle_means = {label: replica_tables(r, "angles", "angle_deg", by="triplet")[0] for label, r in models.items()}
figures.angle_distributions(
    {label: {t: df[df.triplet == t] for t in df.triplet.unique()} for label, df in angle_means.items()}, out["angles"])
figures.model_overlay({label: replica_tables(r, "sq", "Q_inv_A") for label, r in models.items()},
                      {label: tuple(t.query("method == @method") for t in replica_tables(r, "rings", "n", by="method"))
                       for label, r in models.items()}, out["overlay"], method, tuple(an.fsdp_search_inv_A))
