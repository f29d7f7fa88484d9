"""Structure figures for diffraction readers: one function per figure, PNG output.

Every function takes data (pandas DataFrames keyed by model label) and an output path,
and nothing else is read from disk. Column names carry units (Q_inv_A, r_A, angle_deg).
Curves of several models share one axis; experiment is drawn in black on top. The figures
that compare models with a measured curve (`*_figure` builds them, for tests to inspect)
keep to the simulated Q or r range, show measured minus model offset below, and give each
model's R_chi and the window it was computed over in the legend.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class Measured:
    """A measured curve as the comparison figures draw it: the x column (Q_inv_A or r_A)
    and `value`, the window R_chi was computed over (x units) and each model's R_chi."""

    curve: pd.DataFrame
    window: tuple[float, float] | None = None
    r_chi: Mapping[str, float] = field(default_factory=dict)
    label: str = "experiment"


X_UNITS = {"Q_inv_A": r"$\AA^{-1}$", "r_A": r"$\AA$"}


def simulated_range(models: Mapping[str, pd.DataFrame], x: str) -> tuple[float, float]:
    """From the lowest to the highest x any model reaches: the axis of a comparison."""
    return (float(min(df[x].min() for df in models.values())), float(max(df[x].max() for df in models.values())))


def clip(df: pd.DataFrame, x: str, x_range: tuple[float, float]) -> pd.DataFrame:
    return df[(df[x] >= x_range[0]) & (df[x] <= x_range[1])]


def compared_window(measured: Measured, x: str, x_range: tuple[float, float]) -> tuple[float, float] | None:
    """The part of the R_chi window that measured points and the simulation both cover
    (where R_chi was evaluated), or None without a window."""
    if measured.window is None:
        return None
    lo = max(measured.window[0], x_range[0], float(measured.curve[x].min()))
    hi = min(measured.window[1], x_range[1], float(measured.curve[x].max()))
    return (lo, hi) if hi > lo else None


def difference(measured: pd.DataFrame, model: pd.DataFrame, x: str, column: str) -> pd.DataFrame:
    """Measured minus model at the measured points the model covers (model interpolated)."""
    inside = clip(measured, x, (float(model[x].min()), float(model[x].max())))
    return pd.DataFrame({x: inside[x].to_numpy(),
                         "value": inside["value"].to_numpy() - np.interp(inside[x], model[x], model[column])})


def _legend_label(label: str, measured: Measured | None) -> str:
    if measured is not None and label in measured.r_chi and np.isfinite(measured.r_chi[label]):
        return rf"{label}, $R_\chi$ = {measured.r_chi[label]:.3f}"
    return label


def _comparison(ax, models: Mapping[str, pd.DataFrame], x: str, column: str, measured: Measured | None,
                x_range: tuple[float, float]) -> None:
    """Models, the measured points and the measured-minus-model curves offset below, on
    the simulated range; R_chi of each model and the window it was computed over in the legend."""
    drawn = []
    for k, (label, df) in enumerate(models.items()):
        part = clip(df, x, x_range)
        ax.plot(part[x], part[column], lw=1.0, color=f"C{k}", label=_legend_label(label, measured))
        drawn.append(part[column].to_numpy())
    if measured is not None:
        points = clip(measured.curve, x, x_range)
        ax.plot(points[x], points["value"], "k.", ms=2.5, label=measured.label, zorder=5)
        drawn.append(points["value"].to_numpy())
        # R_chi covers the whole simulated range, also where a zoomed axis shows less of it.
        window = compared_window(measured, x, simulated_range(models, x))
        if window is not None:
            ax.axvspan(*window, color="0.5", alpha=0.08, lw=0,
                       label=rf"$R_\chi$ window {window[0]:g}–{window[1]:g} {X_UNITS.get(x, '')}")
        diffs = {label: difference(points, df, x, column) for label, df in models.items()}
        spread = max((float(np.ptp(d["value"])) for d in diffs.values() if len(d)), default=0.0)
        values = np.concatenate([v[np.isfinite(v)] for v in drawn]) if drawn else np.zeros(1)
        step = max(spread, 0.1 * float(np.ptp(values)) or 1.0) * 1.1
        base = float(values.min()) - 0.6 * step
        for k, (label, d) in enumerate(diffs.items()):
            offset = base - k * step
            ax.axhline(offset, color=f"C{k}", lw=0.5, ls=":")
            ax.plot(d[x], d["value"] + offset, lw=0.8, color=f"C{k}")
        ax.plot([], [], color="0.4", lw=0.8, label=f"{measured.label} − model, offset below (dotted: zero)")
    ax.set_xlim(*x_range)


INSET = (0.6, 0.58, 0.38, 0.38)  # axes fractions: over the weak high-Q tail


def _legend(ax) -> None:
    """Beside the axes: a comparison's legend is long, and inside it would cover curves."""
    ax.legend(fontsize=6, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)


def _fsdp_inset(ax, models: Mapping[str, pd.DataFrame], x: str, column: str, measured: Measured | None,
                window: tuple[float, float]) -> None:
    """The FSDP region in the upper right, with the y axis raised so no curve runs under it."""
    x0, x1 = ax.get_xlim()
    behind = x0 + INSET[0] * (x1 - x0)
    curves = [clip(df, x, (behind, x1))[column] for df in models.values()]
    if measured is not None:
        curves.append(clip(measured.curve, x, (behind, x1))["value"])
    bottom, top = ax.get_ylim()
    highest = max((float(c.max()) for c in curves if len(c)), default=bottom)
    free = INSET[1] - 0.1  # room for the inset's tick labels
    ax.set_ylim(bottom, max(top, bottom + (highest - bottom) / free))
    inset = ax.inset_axes(list(INSET))
    for k, (label, df) in enumerate(models.items()):
        part = clip(df, x, window)
        inset.plot(part[x], part[column], lw=1.0, color=f"C{k}")
    if measured is not None:
        points = clip(measured.curve, x, window)
        inset.plot(points[x], points["value"], "k.", ms=2)
    inset.set_xlim(*window)
    inset.text(0.03, 0.9, "FSDP", transform=inset.transAxes, fontsize=7)
    inset.tick_params(labelsize=6)


def sq_overlay_figure(models: Mapping[str, pd.DataFrame], columns: Sequence[str] = ("neutron_F", "xray_S"),
                      experiment: Mapping[str, Measured] | None = None,
                      fsdp_window_inv_A: tuple[float, float] = (0.8, 2.4)):
    """One panel per column (e.g. neutron F(Q), X-ray S(Q)), every model overlaid on the
    simulated Q range, with an FSDP inset; against a measured curve, the difference
    curves below and R_chi in the legend.

    models[label] has Q_inv_A and the columns; experiment[column] (optional) a Measured.
    """
    experiment = experiment or {}
    x_range = simulated_range(models, "Q_inv_A")
    fsdp = (max(fsdp_window_inv_A[0], x_range[0]), min(fsdp_window_inv_A[1], x_range[1]))
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(len(columns), 1, figsize=(8.5, 3.2 * len(columns)), squeeze=False)
        for ax, col in zip(axes[:, 0], columns):
            _comparison(ax, models, "Q_inv_A", col, experiment.get(col), x_range)
            if fsdp[1] > fsdp[0]:
                _fsdp_inset(ax, models, "Q_inv_A", col, experiment.get(col), fsdp)
            ax.set_ylabel(LABELS.get(col, col))
            ax.set_xlabel(r"$Q$ ($\AA^{-1}$)")
            _legend(ax)
    return fig


def sq_overlay(models: Mapping[str, pd.DataFrame], path, columns: Sequence[str] = ("neutron_F", "xray_S"),
               experiment: Mapping[str, Measured] | None = None,
               fsdp_window_inv_A: tuple[float, float] = (0.8, 2.4)) -> None:
    _save(sq_overlay_figure(models, columns, experiment, fsdp_window_inv_A), path)


def fsdp_zoom_figure(models: Mapping[str, pd.DataFrame], column: str = "neutron_F",
                     experiment: Measured | None = None, window_inv_A: tuple[float, float] = (0.5, 3.5),
                     peaks: Mapping[str, float] | None = None):
    """The FSDP region of one column (within the simulated range), fitted peak positions
    as dashed lines; against a measured curve, the difference curves and R_chi as in sq_overlay."""
    full = simulated_range(models, "Q_inv_A")
    x_range = (max(window_inv_A[0], full[0]), min(window_inv_A[1], full[1]))
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(7, 3.8))
        _comparison(ax, models, "Q_inv_A", column, experiment, x_range)
        for k, label in enumerate(models):
            if peaks and label in peaks:
                ax.axvline(peaks[label], color=f"C{k}", ls="--", lw=0.8)
        if experiment is not None and peaks and "experiment" in peaks:
            ax.axvline(peaks["experiment"], color="k", ls="--", lw=0.8)
        ax.set_xlabel(r"$Q$ ($\AA^{-1}$)")
        ax.set_ylabel(LABELS.get(column, column))
        _legend(ax)
    return fig


def fsdp_zoom(models: Mapping[str, pd.DataFrame], path, column: str = "neutron_F",
              experiment: Measured | None = None, window_inv_A: tuple[float, float] = (0.5, 3.5),
              peaks: Mapping[str, float] | None = None) -> None:
    _save(fsdp_zoom_figure(models, column, experiment, window_inv_A, peaks), path)


def total_correlation_figure(models: Mapping[str, pd.DataFrame], column: str = "T",
                             experiment: Measured | None = None):
    """Neutron T(r) (or D(r)) of several models on the simulated r range; against a
    measured curve, the difference curves and R_chi as in sq_overlay."""
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(8, 3.8))
        _comparison(ax, models, "r_A", column, experiment, simulated_range(models, "r_A"))
        ax.set_xlabel(r"$r$ ($\AA$)")
        ax.set_ylabel(LABELS.get(column, column))
        _legend(ax)
    return fig


def total_correlation(models: Mapping[str, pd.DataFrame], path, column: str = "T",
                      experiment: Measured | None = None) -> None:
    _save(total_correlation_figure(models, column, experiment), path)


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
