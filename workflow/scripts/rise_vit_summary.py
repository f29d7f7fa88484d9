# Adapter: ViT error vs communication length, saturation vs the XGBoost RISE, figures.
from pathlib import Path

from vitrify.files import read_json, write_json
from vitrify.logs import setup_logging
from vitrify.rise.figures import attribution_profiles, rmse_vs_communication_length
from vitrify.rise.vit_summary import summarise_vit

setup_logging(snakemake.log[0])
results = [read_json(Path(p)) for p in snakemake.input.results]
xgb = read_json(Path(snakemake.input.xgb_summary))
summary = summarise_vit(results, xgb)
summary["energy_source"] = results[0].get("energy_source")
write_json(Path(snakemake.output.summary), summary)
rmse_vs_communication_length(summary, Path(snakemake.output.rmse), rise_A=xgb["rise_A"],
                             title="ViT with block attention: " + summary["statement"].split(":")[0])
attribution_profiles(results, Path(snakemake.output.attribution), title="gradient saliency around hot spots")
