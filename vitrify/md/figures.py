"""Figures of the MD stage: thermo traces of a run, energy against temperature of a quench."""

from __future__ import annotations

import pandas as pd

from ..plot_style import STYLE, plt, save_figure
from .summary import glass_properties, production_segment


def _segment_spans(ax, thermo: pd.DataFrame) -> None:
    """Shade alternate protocol segments and name them along the top."""
    ends = thermo.groupby("segment", sort=False)["time_ps"].max()
    starts = [thermo["time_ps"].min(), *ends.iloc[:-1]]
    for i, (name, t0, t1) in enumerate(zip(ends.index, starts, ends)):
        if i % 2:
            ax.axvspan(t0, t1, color="0.9", zorder=0)
        ax.text((t0 + t1) / 2, 1.01, name, transform=ax.get_xaxis_transform(), ha="center", va="bottom", fontsize=7)


def thermo_traces(thermo: pd.DataFrame, n_atoms: int, title: str, path: str) -> None:
    """Temperature, density, potential energy and pressure against time through the protocol."""
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(4, 1, figsize=(6.5, 8), sharex=True)
        t = thermo["time_ps"]
        axes[0].plot(t, thermo["temperature_K"], lw=0.8, label="instantaneous")
        axes[0].plot(t, thermo["T_target_K"], "k--", lw=0.8, label="thermostat target")
        axes[0].set_ylabel("T (K)")
        axes[0].legend(fontsize=7, loc="upper right")
        axes[1].plot(t, thermo["density_g_per_cm3"], lw=0.8, color="C1")
        axes[1].set_ylabel("density (g/cm$^3$)")
        axes[2].plot(t, thermo["potential_energy_eV"] / n_atoms, lw=0.8, color="C2")
        axes[2].set_ylabel("PE (eV/atom)")
        axes[3].plot(t, thermo["pressure_GPa"], lw=0.8, color="C3")
        axes[3].set_ylabel("P (GPa)")
        axes[3].set_xlabel("time (ps)")
        for ax in axes:
            _segment_spans(ax, thermo)
        fig.suptitle(title, fontsize=9)
        save_figure(fig, path)


def quench_energy(runs: list[dict], title: str, path: str) -> None:
    """Potential energy per atom against temperature during the quench, one line per rate.

    `runs` items carry cooling_rate_K_per_ps, replica, n_atoms, thermo and segments (as
    in run.json). The change of slope marks the glass transition; slower quenches fall lower.
    """
    with plt.rc_context(STYLE):
        fig, (ax, ax_rate) = plt.subplots(1, 2, figsize=(9, 3.8), gridspec_kw={"width_ratios": [2, 1]})
        rates = sorted({r["cooling_rate_K_per_ps"] for r in runs})
        cmap = plt.get_cmap("viridis")
        for run in runs:
            quench = next(seg["name"] for seg in run["segments"] if seg["quench"])
            q = run["thermo"][run["thermo"]["segment"] == quench]
            # viridis without its pale yellow end, which vanishes on white
            colour = cmap(0.85 * rates.index(run["cooling_rate_K_per_ps"]) / max(1, len(rates) - 1))
            label = f"{run['cooling_rate_K_per_ps']:g} K/ps" if run["replica"] == 0 else None
            ax.plot(q["T_target_K"], q["potential_energy_eV"] / run["n_atoms"], lw=0.8, color=colour, label=label)
        ax.set_xlabel("thermostat temperature (K)")
        ax.set_ylabel("potential energy (eV/atom)")
        ax.legend(fontsize=7, title="cooling rate", title_fontsize=7)
        table = pd.DataFrame([
            {"rate": r["cooling_rate_K_per_ps"],
             "pe": glass_properties(r["thermo"], r["n_atoms"], production_segment(r["segments"]))["potential_energy_eV_per_atom"]}
            for r in runs
        ])
        ax_rate.plot(table["rate"], table["pe"], "o", color="k")
        ax_rate.set_xscale("log")
        ax_rate.set_xlabel("cooling rate (K/ps)")
        ax_rate.set_ylabel("glass PE (eV/atom)")
        fig.suptitle(title, fontsize=9)
        save_figure(fig, path)
