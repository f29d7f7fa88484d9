"""Statistics of the whole active-learning run: one row per iteration and architecture,
and the figure that shows whether the loop converged."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..plot_style import STYLE, plt, save_figure
from .trust import BROKEN, CANDIDATE, KNOWN, SCORE


def iteration_table(scores: pd.DataFrame, errors: pd.DataFrame, decisions: list[dict],
                    n_train: dict[int, int]) -> pd.DataFrame:
    """Per (iteration, arch): frames, class fractions, mean/max score, test errors (mean
    and spread over the committee), training-set size, the decision's outcome."""
    rows = []
    by_it = {d["iteration"]: d for d in decisions}
    for (it, arch), group in scores.groupby(["iteration", "arch"]):
        err = errors[(errors.iteration == it) & (errors.arch == arch)]
        counts = group["class"].value_counts()
        stop = (by_it.get(it) or {}).get("per_arch", {}).get(arch, {}).get("guard_stop")
        rows.append({
            "iteration": it, "arch": arch, "n_train": n_train.get(it), "n_frames": len(group),
            **{f"{c}_fraction": counts.get(c, 0) / len(group) for c in (KNOWN, CANDIDATE, BROKEN)},
            "score_mean_eV_per_A": group[SCORE].mean(), "score_max_eV_per_A": group[SCORE].max(),
            "test_forces_rmse_meV_per_A": err["forces_rmse_meV_per_A"].mean() if len(err) else np.nan,
            "test_forces_rmse_sd_meV_per_A": err["forces_rmse_meV_per_A"].std(ddof=1) if len(err) > 1 else np.nan,
            "test_energy_rmse_meV_per_atom": err["energy_rmse_meV_per_atom"].mean() if len(err) else np.nan,
            "exploration_completed": not stop,
            "n_selected": (by_it.get(it) or {}).get("n_selected"),
            "decision": (by_it.get(it) or {}).get("reason"),
        })
    for it, n in n_train.items():  # iterations whose committee never explored (none today)
        if not any(r["iteration"] == it for r in rows):
            rows.append({"iteration": it, "n_train": n})
    return pd.DataFrame(rows).sort_values(["iteration", "arch"]).reset_index(drop=True)


def convergence_figure(table: pd.DataFrame, scores: pd.DataFrame, lower: float, upper: float,
                       converged_fraction: float, title: str, path: str) -> None:
    """Candidate fraction and test force error per iteration; committee disagreement vs
    temperature per iteration with the trust levels drawn."""
    archs = sorted(scores["arch"].unique())
    iterations = sorted(scores["iteration"].unique())
    cmap = plt.get_cmap("viridis")
    colour = {it: cmap(i / max(1, len(iterations) - 1)) for i, it in enumerate(iterations)}
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, 2 + len(archs), figsize=(4.2 * (2 + len(archs)), 3.6))
        for k, arch in enumerate(archs):
            t = table[table.arch == arch]
            axes[0].plot(t.iteration, t.candidate_fraction, "o-", color=f"C{k}", label=f"{arch} candidates")
            axes[0].plot(t.iteration, t.broken_fraction, "x--", color=f"C{k}", label=f"{arch} above upper level")
            axes[1].errorbar(t.iteration, t.test_forces_rmse_meV_per_A, yerr=t.test_forces_rmse_sd_meV_per_A,
                             fmt="o-", color=f"C{k}", capsize=3, label=arch)
            ax = axes[2 + k]
            for it in iterations:
                s = scores[(scores.arch == arch) & (scores.iteration == it)]
                ax.scatter(s["temperature_K"], s[SCORE], s=8, color=colour[it], label=f"iteration {it}")
            ax.axhline(lower, color="k", ls="--", lw=0.8, label=f"lower trust {lower:g} eV/A")
            ax.axhline(upper, color="r", ls="--", lw=0.8, label=f"upper trust {upper:g} eV/A")
            ax.set_yscale("log")
            ax.set_xlabel("instantaneous T (K)")
            ax.set_ylabel("max per-atom committee force SD (eV/A)")
            ax.set_title(f"{arch}: disagreement along the protocol", fontsize=8)
            ax.legend(fontsize=6)
        axes[0].axhline(converged_fraction, color="k", ls=":", lw=0.8, label="converged below")
        axes[0].set_xlabel("iteration")
        axes[0].set_ylabel("fraction of explored frames")
        axes[0].legend(fontsize=6)
        axes[1].set_xlabel("iteration")
        axes[1].set_ylabel("test force RMSE (meV/A), committee mean +- SD")
        axes[1].legend(fontsize=6)
        for ax in axes[:2]:
            ax.set_xticks(iterations)
        fig.suptitle(title, fontsize=9)
        save_figure(fig, path)
