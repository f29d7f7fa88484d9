# Adapter: minimise the hold snapshots of one anneal to inherent structures.
from vitrify.logs import setup_logging
from vitrify.rise.samples import hold_snapshots, minimise_snapshots, write_samples

setup_logging(snakemake.log[0])
wc, rise, study = snakemake.wildcards, snakemake.params.rise, snakemake.params.study
system = snakemake.config["systems"][study["system"]]
potential = system["classical_potential"]
if study["model"] != "classical":
    from vitrify.md.mlip_driver import md_potential

    potential = md_potential(study["model"], snakemake.input.model, snakemake.params.mlip_md, snakemake.threads)
samples = minimise_snapshots(
    hold_snapshots(snakemake.input.trajectory, rise["snapshots_per_anneal"]),
    potential=potential,
    species=system["species"],
    workdir=snakemake.params.work,
    labels={"cooling_rate_K_per_ps": float(wc.rate), "replica": int(wc.rep), "T_anneal_K": float(wc.T)},
    ftol_eV_per_A=rise["minimize_ftol_eV_per_A"],
    max_iterations=rise["minimize_max_iterations"],
)
write_samples(samples, snakemake.output.samples)
