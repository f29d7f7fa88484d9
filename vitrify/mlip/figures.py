"""Figures of the potentials: parity, learning curves, training histories, committee spread."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..plot_style import STYLE, plt, save_figure

ARCH_LABEL = {"sr": "MACE SR", "lr": "MACE LR"}
ARCH_COLOR = {"sr": "C0", "lr": "C3"}


def _diagonal(ax) -> None:
    lo = min(ax.get_xlim()[0], ax.get_ylim()[0])
    hi = max(ax.get_xlim()[1], ax.get_ylim()[1])
    ax.plot([lo, hi], [lo, hi], "k-", lw=0.6, zorder=0)
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)


def parity(predictions: dict[str, dict], label_method: str, path: str) -> None:
    """Energy, force and stress parity, one column per quantity, SR and LR overlaid.

    `predictions` maps arch -> arrays of one committee member (as saved by save_predictions).
    """
    quantities = [("energy", "eV_per_atom", "E (eV/atom)"), ("forces", "eV_per_A", "F (eV/Å)"),
                  ("stress", "GPa", "stress (GPa)")]
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, 3, figsize=(10, 3.6))
        for ax, (q, unit, label) in zip(axes, quantities):
            for arch, p in predictions.items():
                ref, pred = p[f"{q}_ref_{unit}"], p[f"{q}_pred_{unit}"]
                if len(ref) == 0:
                    continue
                rmse = np.sqrt(np.mean((pred - ref) ** 2))
                ax.scatter(ref, pred, s=4 if q == "forces" else 12, alpha=0.5, color=ARCH_COLOR[arch],
                           label=f"{ARCH_LABEL[arch]} (RMSE {rmse:.3g})")
            ax.set_xlabel(f"reference {label}")
            ax.set_ylabel(f"predicted {label}")
            _diagonal(ax)
            ax.legend(fontsize=7)
        fig.suptitle(f"test set; reference labels: {label_method}", fontsize=9)
        save_figure(fig, path)


def learning_curves(table: pd.DataFrame, path: str) -> None:
    """Test RMSE (energy, forces) against the number of training configurations.

    `table` rows: arch, n_train, energy_rmse_meV_per_atom, forces_rmse_meV_per_A (origin 'all');
    several rows at one n_train (the committee) give the error bar.
    """
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, 2, figsize=(8, 3.4))
        for ax, col, label in zip(axes, ("energy_rmse_meV_per_atom", "forces_rmse_meV_per_A"),
                                  ("energy RMSE (meV/atom)", "force RMSE (meV/Å)")):
            for arch, part in table.groupby("arch"):
                g = part.groupby("n_train")[col].agg(["mean", "std"]).reset_index()
                ax.errorbar(g["n_train"], g["mean"], yerr=g["std"].fillna(0), marker="o", capsize=3,
                            color=ARCH_COLOR[arch], label=ARCH_LABEL[arch])
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlabel("training configurations")
            ax.set_ylabel(label)
            ax.legend(fontsize=7)
        if table["n_train"].nunique() < 2:
            # One training size is a point, not a curve: say how to get one.
            fig.suptitle("one training-set size: set mlip.learning_curve_fractions for a learning curve "
                         "(with active learning, summary.csv has the error per iteration)", fontsize=8)
        save_figure(fig, path)


def training_histories(histories: dict[tuple[str, str], pd.DataFrame], path: str) -> None:
    """Validation loss and force RMSE against epoch for every trained model."""
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, 2, figsize=(8, 3.4))
        for (arch, member), h in histories.items():
            style = "-" if member.startswith("seed") else ":"
            axes[0].plot(h["epoch"], h["valid_loss"], style, color=ARCH_COLOR[arch], lw=0.9,
                         label=f"{ARCH_LABEL[arch]} {member}")
            axes[1].plot(h["epoch"], h["valid_forces_rmse_meV_per_A"], style, color=ARCH_COLOR[arch], lw=0.9)
        axes[0].set_yscale("log")
        axes[0].set_ylabel("validation loss")
        axes[1].set_ylabel("validation force RMSE (meV/Å)")
        for ax in axes:
            ax.set_xlabel("epoch")
        axes[0].legend(fontsize=6, ncol=2)
        save_figure(fig, path)


def committee_vs_temperature(tables: list[pd.DataFrame], path: str,
                             trust_eV_per_A: tuple[float, float] | None = None) -> None:
    """Committee force spread against temperature along each ML trajectory.

    Frames of the quench are joined by lines (temperature falls with time); the other
    segments are shown as points. `trust_eV_per_A`: active learning's lower and upper
    trust levels, drawn on the max-over-atoms panel (the score they apply to).
    """
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, 2, figsize=(9, 3.6))
        for i, t in enumerate(tables):
            label = t["run"].iloc[0]
            color = f"C{i % 10}"
            for ax, col in zip(axes, ("force_sd_mean_eV_per_A", "force_sd_max_eV_per_A")):
                ax.plot(t["T_target_K"], t[col], "o-", ms=3, lw=0.8, color=color, label=label)
        if trust_eV_per_A is not None:
            lower, upper = trust_eV_per_A
            axes[1].axhline(lower, color="k", ls="--", lw=0.8, label=f"AL lower trust {lower:g} eV/Å")
            axes[1].axhline(upper, color="r", ls="--", lw=0.8, label=f"AL upper trust {upper:g} eV/Å")
            axes[1].legend(fontsize=7)
        axes[0].set_ylabel("committee force spread, mean over atoms (eV/Å)")
        axes[1].set_ylabel("committee force spread, max over atoms (eV/Å)")
        for ax in axes:
            ax.set_xlabel("thermostat temperature (K)")
            ax.invert_xaxis()
        axes[0].legend(fontsize=7)
        save_figure(fig, path)
