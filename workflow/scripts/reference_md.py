# Adapter: reference MD at one (T, density) condition, for liquid/supercooled/quench snapshots.
from pathlib import Path

from vitrify.logs import setup_logging
from vitrify.md.conditions import reference_condition_spec
from vitrify.md.melt_quench import MeltQuench
from vitrify.md.potentials import make_potential

setup_logging(snakemake.log[0])
ref, wc, params = snakemake.params.reference, snakemake.wildcards, snakemake.params
index = int(wc.cond)
cond = ref.md_conditions[index]
potential = make_potential(params.system, ref.md_model)
spec = reference_condition_spec(params.system, potential, params.seed, ref, index)
label = f"reference/cond{wc.cond} T={cond.T_K} K rho={cond.density_g_per_cm3}"
MeltQuench(spec, Path(snakemake.output.meta).parent, potential, label=label).run()
