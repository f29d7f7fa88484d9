"""Classical melt-quench runs that feed the candidate pool: one per density.

Liquid and supercooled frames at several densities widen what the reference set
covers (compressed and expanded networks); each run is the project's resumable
`vitrify.md` melt-quench with only the density changed, so its frames carry the
usual step / segment / T_target_K / density_g_per_cm3 info.
"""

from __future__ import annotations

import copy
from pathlib import Path

from ..md.melt_quench import MeltQuench, spec_from_config


def run_md_sources(config: dict, system: str, densities_g_per_cm3: list[float], rate_K_per_ps: float,
                   outdir: str | Path, replica: int = 0) -> list[Path]:
    """Run (or resume) one classical melt-quench per density; return the trajectory paths."""
    paths = []
    for rho in densities_g_per_cm3:
        cfg = copy.deepcopy(config)
        cfg["systems"][system]["density_g_per_cm3"] = float(rho)
        spec = spec_from_config(cfg, system, "classical", rate_K_per_ps, replica)
        run_dir = Path(outdir) / f"{system}_rho{rho:.3f}_rate{rate_K_per_ps:g}_rep{replica}"
        if not (run_dir / "trajectory.extxyz").exists():
            MeltQuench(spec, run_dir, label=f"reference-pool/{system}/rho{rho:g}").run()
        paths.append(run_dir / "trajectory.extxyz")
    return paths
