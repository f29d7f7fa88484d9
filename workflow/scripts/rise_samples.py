# Adapter: minimise the hold snapshots of one anneal to inherent structures.
from vitrify.logs import setup_logging
from vitrify.md.potentials import make_potential
from vitrify.rise.samples import hold_snapshots, minimise_snapshots, write_samples

setup_logging(snakemake.log[0])
wc, params = snakemake.wildcards, snakemake.params
rise, system = params.rise, params.system
potential = make_potential(system, params.model, snakemake.input.model or None, params.model_md,
                           snakemake.threads)
samples = minimise_snapshots(
    hold_snapshots(snakemake.input.trajectory, rise.snapshots_per_anneal),
    potential=potential,
    species=list(system.species),
    workdir=params.work,
    labels={"cooling_rate_K_per_ps": float(wc.rate), "replica": int(wc.rep), "T_anneal_K": float(wc.T)},
    ftol_eV_per_A=rise.minimize_ftol_eV_per_A,
    max_iterations=rise.minimize_max_iterations,
)
write_samples(samples, snakemake.output.samples)
