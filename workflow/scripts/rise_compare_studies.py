# Adapter: the RISE of every study side by side (silica SR vs LR among them).
import logging
from pathlib import Path

from vitrify.files import read_json, write_json
from vitrify.logs import setup_logging
from vitrify.rise.figures import rmse_vs_radius_studies
from vitrify.rise.studies import compare_studies

setup_logging(snakemake.log[0])
summaries = {name: read_json(Path(p)) for name, p in zip(snakemake.params.studies, snakemake.input.summaries)}
comparison = compare_studies(summaries)
for pair in comparison["same_system_pairs"]:
    logging.info(pair["statement"])
write_json(Path(snakemake.output.table), comparison)
rmse_vs_radius_studies(summaries, Path(snakemake.output.figure))
