"""RISE figures: one function per figure, PNG out, inputs are the plain dicts the study writes."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from ..plot_style import STYLE, plt, save_figure


def _save(fig, path: Path) -> None:
    save_figure(fig, path, tight=False, bbox_inches="tight")


def rmse_vs_radius(summary: dict, path: Path, title: str = "") -> None:
    """Mean test RMSE over seeds vs SOAP radius, standard-deviation error bars, RISE marked.

    `summary` is `regression.summarise_rise(...)`; the shaded band is its rise_interval_A.
    """
    r = np.asarray(summary["radii_A"])
    mean = np.asarray(summary["rmse_mean_meV_per_atom"])
    std = np.asarray(summary["rmse_std_meV_per_atom"])
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(4.5, 3.2))
        ax.errorbar(r, mean, yerr=std, fmt="o-", ms=4, capsize=3, lw=1,
                    label=f"test RMSE, mean $\\pm$ sd ({min(summary['n_seeds'])}+ seeds)")
        lo, hi = summary["rise_interval_A"]
        if hi > lo:
            ax.axvspan(lo, hi, color="C1", alpha=0.15, lw=0, label="within 1 s.e. of minimum")
        ax.axvline(summary["rise_A"], color="C1", ls="--", lw=1, label=f"RISE = {summary['rise_A']:g} $\\AA$")
        ax.set_xlabel("SOAP cutoff radius ($\\AA$)")
        ax.set_ylabel("test RMSE (meV/atom)")
        ax.legend(fontsize=7)
        if title:
            ax.set_title(title)
        _save(fig, path)


def environments_vs_radius(stats: Sequence[dict], path: Path, title: str = "") -> None:
    """Number of unique environments (log scale) and structural entropy vs radius.

    `stats`: one dict per radius with radius_A, n_environments and entropy_nats (as from
    `environments.environment_statistics` plus the radius).
    """
    rows = sorted(stats, key=lambda s: s["radius_A"])
    r = [s["radius_A"] for s in rows]
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(4.5, 3.2))
        ax.plot(r, [s["n_environments"] for s in rows], "o-", ms=4, lw=1, color="C0")
        ax.set_yscale("log")
        ax.set_xlabel("SOAP cutoff radius ($\\AA$)")
        ax.set_ylabel("unique environments", color="C0")
        ax2 = ax.twinx()
        ax2.plot(r, [s["entropy_nats"] for s in rows], "s--", ms=4, lw=1, color="C3")
        ax2.set_ylabel("structural entropy $-\\sum p \\ln p$ (nats)", color="C3")
        ax2.grid(False)
        if title:
            ax.set_title(title)
        _save(fig, path)


def parity(y_ref_eV: Sequence[float], y_pred_eV: Sequence[float], path: Path, title: str = "") -> None:
    """Predicted vs reference energy per atom (test samples), RMSE in the corner."""
    ref, pred = np.asarray(y_ref_eV, float), np.asarray(y_pred_eV, float)
    rmse_meV = float(np.sqrt(np.mean((pred - ref) ** 2)) * 1000.0)
    lo, hi = min(ref.min(), pred.min()), max(ref.max(), pred.max())
    pad = 0.05 * (hi - lo or 1e-3)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(3.6, 3.4))
        ax.plot([lo - pad, hi + pad], [lo - pad, hi + pad], "k-", lw=0.7)
        ax.scatter(ref, pred, s=8, alpha=0.7)
        ax.set_xlim(lo - pad, hi + pad)
        ax.set_ylim(lo - pad, hi + pad)
        ax.set_aspect("equal")
        ax.set_xlabel("reference energy (eV/atom)")
        ax.set_ylabel("predicted energy (eV/atom)")
        ax.text(0.04, 0.96, f"RMSE {rmse_meV:.2f} meV/atom\nn = {len(ref)}", transform=ax.transAxes,
                va="top", fontsize=7)
        if title:
            ax.set_title(title)
        _save(fig, path)


def parity_at_rise(results: Sequence[dict], summary: dict, path: Path) -> None:
    """Parity plot of every seed's test predictions at the RISE radius, pooled."""
    at = [r for r in results if float(r["radius_A"]) == float(summary["rise_A"])]
    if not at:
        raise ValueError(f"no results at the RISE radius {summary['rise_A']}")
    ref = [v for r in at for v in r["y_test_eV_per_atom"]]
    pred = [v for r in at for v in r["y_pred_eV_per_atom"]]
    parity(ref, pred, path, title=f"RISE {summary['rise_A']:g} $\\AA$, {len(at)} seeds")


def rmse_vs_communication_length(summary: dict, path: Path, rise_A: float | None = None, title: str = "") -> None:
    """ViT test RMSE (mean +- sd over seeds) vs communication length, saturation and RISE marked."""
    L = np.asarray(summary["communication_length_A"])
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(4.5, 3.2))
        ax.errorbar(L, summary["rmse_mean_meV_per_atom"], yerr=summary["rmse_std_meV_per_atom"], fmt="s-", ms=4,
                    capsize=3, lw=1, color="C2", label=f"ViT test RMSE, mean $\\pm$ sd ({min(summary['n_seeds'])}+ seeds)")
        ax.axvline(summary["saturation_length_A"], color="C2", ls=":", lw=1,
                   label=f"saturation = {summary['saturation_length_A']:.1f} $\\AA$")
        if rise_A is not None:
            ax.axvline(rise_A, color="C1", ls="--", lw=1, label=f"XGBoost RISE = {rise_A:g} $\\AA$")
        for r, x in zip(summary["r"], L):
            ax.annotate(f"r={r}", (x, 0), xycoords=("data", "axes fraction"), xytext=(0, 3),
                        textcoords="offset points", ha="center", fontsize=7)
        ax.set_xlabel("communication length r x patch x voxel ($\\AA$)")
        ax.set_ylabel("test RMSE (meV/atom)")
        ax.set_title(title, fontsize=9)
        ax.legend(fontsize=7)
        _save(fig, path)


def attribution_profiles(results: Sequence[dict], path: Path, title: str = "") -> None:
    """Radial profile of the gradient saliency around the most attributed voxels, per
    communication length (mean over seeds): how far from a hot spot the model still looks."""
    by_r: dict[int, list[dict]] = {}
    for res in results:
        if "attribution_profile" in res:
            by_r.setdefault(int(res["r"]), []).append(res)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(4.5, 3.2))
        cmap = plt.get_cmap("viridis")
        for i, r in enumerate(sorted(by_r)):
            n = min(len(x["attribution_profile"]) for x in by_r[r])
            prof = np.mean([x["attribution_profile"][:n] for x in by_r[r]], axis=0)
            ax.plot(by_r[r][0]["attribution_r_A"][:n], prof, "o-", ms=3, lw=1, color=cmap(i / max(1, len(by_r) - 1)),
                    label=f"r={r} ({by_r[r][0]['communication_length_A']:.1f} $\\AA$)")
        ax.set_xlabel("distance from high-saliency voxels ($\\AA$)")
        ax.set_ylabel("mean saliency (normalised)")
        ax.set_title(title, fontsize=9)
        ax.legend(fontsize=7)
        _save(fig, path)


def rmse_vs_radius_studies(summaries: dict[str, dict], path: Path) -> None:
    """Each study's mean test RMSE over seeds vs radius, divided by its own minimum."""
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(5, 3.4))
        for i, (name, s) in enumerate(sorted(summaries.items())):
            mean = np.asarray(s["rmse_mean_meV_per_atom"])
            sd = np.asarray(s["rmse_std_meV_per_atom"])
            ax.errorbar(s["radii_A"], mean / mean.min(), yerr=sd / mean.min(), fmt="o-", ms=4, capsize=3, lw=1,
                        color=f"C{i}", label=f"{name} (RISE {s['rise_A']:g} $\\AA$, min {mean.min():.2g} meV/atom)")
            ax.axvline(s["rise_A"], color=f"C{i}", ls="--", lw=0.8)
        ax.set_xlabel("SOAP cutoff radius ($\\AA$)")
        ax.set_ylabel("test RMSE / its minimum")
        ax.legend(fontsize=7)
        _save(fig, path)


def rise_overview(summary: dict, stats: Sequence[dict], path: Path, vit_summary: dict | None = None,
                  title: str = "") -> None:
    """The RISE paper's three indicators against one length axis, side by side.

    (a) XGBoost test RMSE vs SOAP radius (mean +- sd over seeds, the 1-s.e. interval
    shaded, the mean predictor's RMSE dashed) and, when given, the ViT's test RMSE vs its
    communication length; (b) the number of unique environments; (c) the spread (sd over
    samples) of the per-sample structural entropy. `stats`: environment statistics per
    radius (environments.environment_statistics plus radius_A).
    """
    rows = sorted({s["radius_A"]: s for s in stats}.values(), key=lambda s: s["radius_A"])
    r = np.asarray(summary["radii_A"])
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, 3, figsize=(11, 3.3), sharex=True)
        ax = axes[0]
        ax.errorbar(r, summary["rmse_mean_meV_per_atom"], yerr=summary["rmse_std_meV_per_atom"], fmt="o-", ms=4,
                    capsize=3, lw=1, color="C0", label=f"XGBoost, mean $\\pm$ sd ({min(summary['n_seeds'])} seeds)")
        lo, hi = summary["rise_interval_A"]
        ax.axvspan(lo - 0.05, hi + 0.05, color="C1", alpha=0.15, lw=0, label="within 1 s.e. of the minimum")
        ax.axvline(summary["rise_A"], color="C1", ls="--", lw=1, label=f"RISE {summary['rise_A']:g} $\\AA$")
        if summary.get("rmse_predict_mean_meV_per_atom"):
            ax.axhline(summary["rmse_predict_mean_meV_per_atom"], color="0.5", ls=":", lw=1,
                       label="predicting the training mean")
        if vit_summary is not None:
            ax.errorbar(vit_summary["communication_length_A"], vit_summary["rmse_mean_meV_per_atom"],
                        yerr=vit_summary["rmse_std_meV_per_atom"], fmt="s-", ms=4, capsize=3, lw=1, color="C2",
                        label=f"ViT vs communication length (saturates {vit_summary['saturation_length_A']:.1f} $\\AA$)")
        ax.set_ylabel("test RMSE (meV/atom)")
        ax.set_title("(a) " + ("resolved" if summary.get("resolved") else "not resolved"), fontsize=9)
        ax.legend(fontsize=6)
        axes[1].plot([s["radius_A"] for s in rows], [s["n_environments"] for s in rows], "o-", ms=4, lw=1, color="C3")
        axes[1].set_yscale("log")
        axes[1].set_ylabel("unique environments")
        axes[1].set_title("(b) environments mined", fontsize=9)
        axes[2].plot([s["radius_A"] for s in rows], [s.get("sample_entropy_sd_nats", np.nan) for s in rows], "o-",
                     ms=4, lw=1, color="C4")
        axes[2].set_ylabel("sd over samples of $-\\sum f \\ln f$ (nats)")
        axes[2].set_title("(c) spread of the structural entropy", fontsize=9)
        for a in axes:
            a.set_xlabel("SOAP radius / ViT communication length ($\\AA$)")
        if title:
            fig.suptitle(title, fontsize=9)
        _save(fig, path)
