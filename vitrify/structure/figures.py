"""Structure figures for diffraction readers: one function per figure, PNG output.

Every function takes data (pandas DataFrames keyed by model label) and an output path,
and nothing else is read from disk. Column names carry units (Q_inv_A, r_A, angle_deg).
Curves of several models share one axis; experiment is drawn in black on top.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ..plot_style import STYLE, plt, save_figure

LABELS = {
    "neutron_F": r"$F(Q)$ (barn sr$^{-1}$ atom$^{-1}$)",
    "neutron_S": r"$S_\mathrm{N}(Q)$",
    "xray_S": r"$S_\mathrm{X}(Q)$",
    "T": r"$T(r)$ (barn $\AA^{-2}$)",
    "D": r"$D(r)$ (barn $\AA^{-2}$)",
}


def _save(fig, path) -> None:
    save_figure(fig, path)


def _experiment(ax, exp: pd.DataFrame | None, x: str, label: str = "experiment") -> None:
    if exp is not None:
        ax.plot(exp[x], exp["value"], "k.", ms=2.5, label=label, zorder=5)


def sq_overlay(models: Mapping[str, pd.DataFrame], path, columns: Sequence[str] = ("neutron_F", "xray_S"),
               experiment: Mapping[str, pd.DataFrame] | None = None, Q_max_inv_A: float | None = None
               ) -> None:
    """One panel per column (e.g. neutron F(Q), X-ray S(Q)); every model overlaid.

    models[label] has Q_inv_A and the columns; experiment[column] (optional) has
    Q_inv_A and value.
    """
    experiment = experiment or {}
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(len(columns), 1, figsize=(6.5, 2.8 * len(columns)), squeeze=False)
        for ax, col in zip(axes[:, 0], columns):
            for label, df in models.items():
                ax.plot(df["Q_inv_A"], df[col], lw=1.0, label=label)
            _experiment(ax, experiment.get(col), "Q_inv_A")
            ax.set_ylabel(LABELS.get(col, col))
            ax.set_xlabel(r"$Q$ ($\AA^{-1}$)")
            if Q_max_inv_A:
                ax.set_xlim(0, Q_max_inv_A)
            ax.legend(fontsize=7)
        _save(fig, path)


def fsdp_zoom(models: Mapping[str, pd.DataFrame], path, column: str = "neutron_F",
              experiment: pd.DataFrame | None = None, window_inv_A: tuple[float, float] = (0.5, 3.5),
              peaks: Mapping[str, float] | None = None) -> None:
    """The FSDP region of one column, with fitted peak positions as dashed lines."""
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(5, 3.5))
        for k, (label, df) in enumerate(models.items()):
            sel = (df["Q_inv_A"] >= window_inv_A[0]) & (df["Q_inv_A"] <= window_inv_A[1])
            ax.plot(df["Q_inv_A"][sel], df[column][sel], lw=1.2, color=f"C{k}", label=label)
            if peaks and label in peaks:
                ax.axvline(peaks[label], color=f"C{k}", ls="--", lw=0.8)
        if experiment is not None:
            sel = (experiment["Q_inv_A"] >= window_inv_A[0]) & (experiment["Q_inv_A"] <= window_inv_A[1])
            _experiment(ax, experiment[sel], "Q_inv_A")
            if peaks and "experiment" in peaks:
                ax.axvline(peaks["experiment"], color="k", ls="--", lw=0.8)
        ax.set_xlabel(r"$Q$ ($\AA^{-1}$)")
        ax.set_ylabel(LABELS.get(column, column))
        ax.legend(fontsize=7)
        _save(fig, path)


def total_correlation(models: Mapping[str, pd.DataFrame], path, column: str = "T",
                      experiment: pd.DataFrame | None = None, r_max_A: float | None = None) -> None:
    """Neutron T(r) (or D(r)) of several models, experiment on top."""
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(6, 3.5))
        for label, df in models.items():
            ax.plot(df["r_A"], df[column], lw=1.0, label=label)
        _experiment(ax, experiment, "r_A")
        ax.set_xlabel(r"$r$ ($\AA$)")
        ax.set_ylabel(LABELS.get(column, column))
        if r_max_A:
            ax.set_xlim(0, r_max_A)
        ax.legend(fontsize=7)
        _save(fig, path)


def partial_rdf_bands(models: Mapping[str, tuple[pd.DataFrame, pd.DataFrame | None]], path,
                      r_max_A: float | None = None) -> None:
    """One panel per pair column g_<a>_<b>: replica mean with a +-1 standard-error band.

    models[label] = (mean DataFrame, standard-error DataFrame or None), both with r_A
    and the same g_ columns.
    """
    first = next(iter(models.values()))[0]
    cols = [c for c in first.columns if c.startswith("g_")]
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(len(cols), 1, figsize=(6, 2.3 * len(cols)), sharex=True, squeeze=False)
        for ax, col in zip(axes[:, 0], cols):
            for k, (label, (mean, sem)) in enumerate(models.items()):
                ax.plot(mean["r_A"], mean[col], lw=1.0, color=f"C{k}", label=label)
                if sem is not None and np.isfinite(sem[col]).any():
                    ax.fill_between(mean["r_A"], mean[col] - sem[col], mean[col] + sem[col],
                                    color=f"C{k}", alpha=0.3, lw=0)
            a, b = col[2:].split("_", 1)
            ax.set_ylabel(rf"$g_{{\mathrm{{{a}{b}}}}}(r)$")
            ax.legend(fontsize=7)
        axes[-1, 0].set_xlabel(r"$r$ ($\AA$)")
        if r_max_A:
            axes[-1, 0].set_xlim(0, r_max_A)
        _save(fig, path)


def ring_distribution(models: Mapping[str, pd.DataFrame], path, method: str = "") -> None:
    """Grouped bars of R_N(n) and points of P_N(n) against ring size n (Si per ring)."""
    with plt.rc_context(STYLE):
        fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(6, 5), sharex=True)
        width = 0.8 / max(len(models), 1)
        for k, (label, df) in enumerate(models.items()):
            x = df["n"].to_numpy() + (k - (len(models) - 1) / 2) * width
            ax1.bar(x, df["R_N"], width=width, label=label, color=f"C{k}")
            ax2.plot(df["n"], df["P_N"], "o-", ms=3, lw=0.8, color=f"C{k}", label=label)
        ax1.set_ylabel(r"$R_N(n)$ (rings per Si)")
        ax2.set_ylabel(r"$P_N(n)$")
        ax2.set_xlabel("ring size n (Si atoms)")
        if method:
            ax1.set_title(f"{method} rings", fontsize=9)
        ax1.legend(fontsize=7)
        _save(fig, path)


def angle_distributions(models: Mapping[str, Mapping[str, pd.DataFrame]], path) -> None:
    """One panel per triplet name (e.g. 'O-Si-O'); density per degree of every model."""
    names = list(next(iter(models.values())).keys())
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, len(names), figsize=(3.3 * len(names), 3), squeeze=False)
        for ax, name in zip(axes[0], names):
            for label, per in models.items():
                df = per[name]
                ax.plot(df["angle_deg"], df["density_per_deg"], lw=1.0, label=label)
            ax.set_title(name, fontsize=9)
            ax.set_xlabel("angle (deg)")
        axes[0, 0].set_ylabel("probability density (1/deg)")
        axes[0, 0].legend(fontsize=7)
        _save(fig, path)


def model_overlay(sq: Mapping[str, tuple[pd.DataFrame, pd.DataFrame | None]],
                  rings: Mapping[str, tuple[pd.DataFrame, pd.DataFrame | None]], path, method: str,
                  fsdp_window_inv_A: tuple[float, float] = (0.8, 2.4), column: str = "neutron_F") -> None:
    """The models side by side: neutron F(Q) with an FSDP inset, and the ring-size
    distribution (share of rings of each size), each with its replica standard error."""
    with plt.rc_context(STYLE):
        fig, (ax, ax_r) = plt.subplots(1, 2, figsize=(10, 3.8))
        inset = ax.inset_axes([0.58, 0.56, 0.4, 0.4])  # over the weak high-Q tail
        for k, (label, (mean, sem)) in enumerate(sq.items()):
            q, y = mean["Q_inv_A"], mean[column]
            ax.plot(q, y, lw=1.0, color=f"C{k}", label=label)
            sel = (q >= fsdp_window_inv_A[0]) & (q <= fsdp_window_inv_A[1])
            inset.plot(q[sel], y[sel], lw=1.0, color=f"C{k}")
            if sem is not None:
                inset.fill_between(q[sel], (y - sem[column])[sel], (y + sem[column])[sel], color=f"C{k}", alpha=0.25,
                                   lw=0)
        ax.set_xlim(0, float(max(m["Q_inv_A"].max() for m, _ in sq.values())))
        ax.set_xlabel(r"$Q$ ($\AA^{-1}$)")
        ax.set_ylabel(LABELS.get(column, column))
        inset.set_title("FSDP (band: replica s.e.)", fontsize=7)
        inset.tick_params(labelsize=6)
        ax.legend(fontsize=7, loc="lower right")
        width = 0.8 / max(len(rings), 1)
        for k, (label, (mean, sem)) in enumerate(rings.items()):
            total = mean["R_N"].sum()
            share = mean["R_N"] / total if total > 0 else mean["R_N"] * 0
            err = sem["R_N"] / total if sem is not None and total > 0 else None
            x = mean["n"].to_numpy() + (k - (len(rings) - 1) / 2) * width
            ax_r.bar(x, share, width=width, yerr=err, capsize=2, color=f"C{k}", label=label)
        ax_r.set_xlabel("ring size n (Si atoms)")
        ax_r.set_ylabel("share of rings")
        ax_r.set_title(f"{method} rings", fontsize=9)
        ax_r.legend(fontsize=7)
        _save(fig, path)
