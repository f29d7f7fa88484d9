# Adapter: the three RISE indicators (and the ViT curve) against one length axis.
from pathlib import Path

from vitrify.files import read_json
from vitrify.logs import setup_logging
from vitrify.rise.figures import rise_overview

setup_logging(snakemake.log[0])
summary = read_json(Path(snakemake.input.summary))
stats = [read_json(Path(p)) for p in snakemake.input.stats]
vit = read_json(Path(snakemake.input.vit[0])) if snakemake.input.vit else None
rise_overview(summary, stats, Path(snakemake.output.figure), vit_summary=vit,
              title=f"{snakemake.wildcards.study}: {summary['resolution_statement']}")
