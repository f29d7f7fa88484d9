# Adapter: one melt-quench run (resumes from its own checkpoints after a crash or kill).
from pathlib import Path

from vitrify.logs import setup_logging
from vitrify.md.melt_quench import melt_quench_run

setup_logging(snakemake.log[0])
wc, params = snakemake.wildcards, snakemake.params
melt_quench_run(
    params.system, wc.model, float(wc.rate), int(wc.rep), params.seed, Path(snakemake.output.meta).parent,
    model_file=snakemake.input.model or None, md=params.model_md, threads=snakemake.threads,
).run()
