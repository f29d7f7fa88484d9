# Adapter: one melt-quench run (resumes from its own checkpoints after a crash or kill).
from pathlib import Path

from vitrify.logs import setup_logging
from vitrify.md.melt_quench import MeltQuench, spec_from_config

setup_logging(snakemake.log[0])
wc = snakemake.wildcards
spec = spec_from_config(snakemake.config, wc.system, wc.model, float(wc.rate), int(wc.rep))
MeltQuench(spec, Path(snakemake.output.meta).parent).run()
