# Adapter: classical MD at one (T, density) condition, for liquid/supercooled/quench snapshots.
from pathlib import Path

from vitrify.logs import setup_logging
from vitrify.md.conditions import condition_spec
from vitrify.md.melt_quench import MeltQuench

setup_logging(snakemake.log[0])
ref, wc = snakemake.params.reference, snakemake.wildcards
cond = ref["md_conditions"][int(wc.cond)]
spec = condition_spec(
    snakemake.config, wc.system, T_K=cond["T_K"], density_g_per_cm3=cond["density_g_per_cm3"],
    n_atoms=ref["md_n_atoms"], melt_T_K=ref["md_melt_T_K"], melt_ps=ref["md_melt_ps"],
    cooling_rate_K_per_ps=ref["md_cooling_rate_K_per_ps"], hold_ps=ref["md_hold_ps"],
    frame_interval_ps=ref["md_frame_interval_ps"], seed_offset=100 + int(wc.cond),
)
label = f"reference/cond{wc.cond} T={cond['T_K']} K rho={cond['density_g_per_cm3']}"
MeltQuench(spec, Path(snakemake.output.meta).parent, label=label).run()
