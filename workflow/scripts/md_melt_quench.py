# Adapter: one melt-quench run (resumes from its own checkpoints after a crash or kill).
from pathlib import Path

from vitrify.logs import setup_logging
from vitrify.md.melt_quench import MeltQuench, spec_from_config

setup_logging(snakemake.log[0])
wc = snakemake.wildcards
potential = None
if wc.model != "classical":
    from vitrify.md.mlip_driver import md_potential

    potential = md_potential(wc.model, snakemake.input.model, snakemake.params.mlip_md, snakemake.threads)
spec = spec_from_config(snakemake.config, wc.system, wc.model, float(wc.rate), int(wc.rep),
                        potential_id=potential.name if potential else None)
MeltQuench(spec, Path(snakemake.output.meta).parent, potential=potential).run()
