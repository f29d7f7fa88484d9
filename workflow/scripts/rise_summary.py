# Adapter: RMSE vs radius over seeds, the RISE estimate, and its figures.
from pathlib import Path

from vitrify.files import read_json, write_json
from vitrify.logs import setup_logging
from vitrify.rise.figures import environments_vs_radius, parity_at_rise, rmse_vs_radius
from vitrify.rise.regression import summarise_rise

setup_logging(snakemake.log[0])
results = [read_json(Path(p)) for p in snakemake.input.results]
stats = [read_json(Path(p)) for p in snakemake.input.stats]
summary = summarise_rise(results, min_seeds=min(3, len(snakemake.params.seeds)))
summary["energy_source"] = f"inherent-structure energies from {snakemake.params.energy_source}"
write_json(Path(snakemake.output.summary), summary)
rmse_vs_radius(summary, Path(snakemake.output.rmse), title="RISE: XGBoost on unique SOAP environments")
environments_vs_radius(stats, Path(snakemake.output.environments), title="unique environments")
parity_at_rise(results, summary, Path(snakemake.output.parity))
