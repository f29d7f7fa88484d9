# Adapter: heat one glass to an annealing temperature and hold it (resumable).
from pathlib import Path

from vitrify.logs import setup_logging
from vitrify.md.melt_quench import MeltQuench
from vitrify.rise.samples import anneal_spec

setup_logging(snakemake.log[0])
wc = snakemake.wildcards
spec = anneal_spec(snakemake.config, snakemake.input.glass, float(wc.rate), int(wc.rep), float(wc.T))
label = f"rise/rate{wc.rate}/rep{wc.rep}/T{wc.T}"
MeltQuench(spec, Path(snakemake.output.meta).parent, label=label).run()
