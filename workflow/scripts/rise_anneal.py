# Adapter: heat one glass to an annealing temperature and hold it (resumable).
from pathlib import Path

from vitrify.logs import setup_logging
from vitrify.md.melt_quench import MeltQuench
from vitrify.rise.samples import anneal_spec, study_name

setup_logging(snakemake.log[0])
wc, study = snakemake.wildcards, snakemake.params.study
potential = None
if study["model"] != "classical":
    from vitrify.md.mlip_driver import md_potential

    potential = md_potential(study["model"], snakemake.input.model, snakemake.params.mlip_md, snakemake.threads)
spec = anneal_spec(snakemake.config, snakemake.input.glass, float(wc.rate), int(wc.rep), float(wc.T), study,
                   potential_id=potential.name if potential else None)
label = f"rise/{study_name(study)}/rate{wc.rate}/rep{wc.rep}/T{wc.T}"
MeltQuench(spec, Path(snakemake.output.meta).parent, label=label, potential=potential).run()
