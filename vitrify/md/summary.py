"""Per-run glass properties from thermo tables: what a melt-quench produced."""

from __future__ import annotations

import pandas as pd


def glass_properties(thermo: pd.DataFrame, n_atoms: int, segment: str | None = None) -> dict[str, float]:
    """Means (and standard deviations) over the final segment, energies per atom."""
    seg = segment or thermo["segment"].iloc[-1]
    part = thermo[thermo["segment"] == seg]
    if part.empty:
        raise ValueError(f"no thermo rows for segment {seg!r}")
    pe = part["potential_energy_eV"] / n_atoms
    return {
        "segment": seg,
        "temperature_K": part["temperature_K"].mean(),
        "potential_energy_eV_per_atom": pe.mean(),
        "potential_energy_sd_eV_per_atom": pe.std(ddof=0),
        "density_g_per_cm3": part["density_g_per_cm3"].mean(),
        "density_sd_g_per_cm3": part["density_g_per_cm3"].std(ddof=0),
        "pressure_GPa": part["pressure_GPa"].mean(),
        "pressure_sd_GPa": part["pressure_GPa"].std(ddof=0),
    }


def production_segment(segments: list[dict]) -> str:
    """The glass: the last segment that is not an NVE energy-conservation check."""
    held = [seg["name"] for seg in segments if seg.get("ensemble") != "nve"]
    return held[-1] if held else segments[-1]["name"]


def glass_table(runs: list[dict]) -> pd.DataFrame:
    """One row per run: `runs` items carry system, model, rate, replica, n_atoms, thermo
    and segments (as in run.json)."""
    rows = []
    for run in runs:
        props = glass_properties(run["thermo"], run["n_atoms"], production_segment(run["segments"]))
        rows.append({
            "system": run["system"], "model": run["model"],
            "cooling_rate_K_per_ps": run["cooling_rate_K_per_ps"], "replica": run["replica"],
            "n_atoms": run["n_atoms"], "energy_source": run["energy_source"], **props,
        })
    return pd.DataFrame(rows).sort_values(["cooling_rate_K_per_ps", "replica"], ignore_index=True)
