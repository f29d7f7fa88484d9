# Adapter: heat one glass to an annealing temperature and hold it (resumable).
from pathlib import Path

from vitrify.logs import setup_logging
from vitrify.md.melt_quench import MeltQuench
from vitrify.md.potentials import make_potential
from vitrify.md.anneal import anneal_spec

setup_logging(snakemake.log[0])
wc, params = snakemake.wildcards, snakemake.params
potential = make_potential(params.system, params.model, snakemake.input.model or None, params.model_md,
                           snakemake.threads)
spec = anneal_spec(params.system, params.rise, params.model, potential, snakemake.input.glass, float(wc.rate),
                   int(wc.rep), float(wc.T), params.seed)
label = f"rise/{wc.study}/rate{wc.rate}/rep{wc.rep}/T{wc.T}"
MeltQuench(spec, Path(snakemake.output.meta).parent, potential, label=label).run()
