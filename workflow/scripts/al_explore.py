# Adapter: the first committee member of an iteration runs the protocol and its RISE anneals (a guard stop is data).
from vitrify.active.explore import explore
from vitrify.logs import setup_logging

setup_logging(snakemake.log[0])
wc, params = snakemake.wildcards, snakemake.params
explore(params.system, wc.arch, snakemake.input.model, params.model_md, params.rate, int(wc.it), params.seed,
        snakemake.output.record.rsplit("/", 1)[0], threads=snakemake.threads, anneals=params.anneals)
