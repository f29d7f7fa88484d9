"""Trust levels and the per-iteration decision: pure functions on score tables.

A frame's score is the largest per-atom force disagreement of the committee
(`force_sd_max_eV_per_A`, the usual choice of committee-based active learning: one atom
in an unknown environment is enough to make a frame worth labelling). Below the lower
trust level the committee already agrees (known); between the levels it is a candidate;
above the upper level the frame is too far off for its label to help a model that small
(a runaway, a collapse) and is counted, not labelled.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SCORE = "force_sd_max_eV_per_A"
KNOWN, CANDIDATE, BROKEN = "known", "candidate", "broken"


def classify(scores, lower: float, upper: float) -> np.ndarray:
    """known / candidate / broken for each score (eV/A)."""
    if not 0 < lower < upper:
        raise ValueError(f"trust levels must satisfy 0 < lower < upper, got {lower} and {upper}")
    s = np.asarray(scores, dtype=float)
    out = np.full(s.shape, CANDIDATE, dtype=object)
    out[s < lower] = KNOWN
    out[~(s <= upper)] = BROKEN  # NaN (a frame the committee could not evaluate) is broken too
    return out


def fractions(table: pd.DataFrame) -> dict[str, float]:
    n = len(table)
    counts = table["class"].value_counts()
    return {f"{c}_fraction": float(counts.get(c, 0)) / n if n else float("nan") for c in (KNOWN, CANDIDATE, BROKEN)}


def decide(iteration: int, scores: pd.DataFrame, guard_stops: dict[str, str | None], n_selected: int,
           max_iterations: int, converged_fraction: float) -> dict:
    """Whether the loop stops after `iteration`, and why.

    `scores` holds one row per scored frame with columns arch and class; `guard_stops`
    maps each architecture to the reason its exploration MD stopped early (None if it
    completed). Converged: fewer than `converged_fraction` of all frames are candidates,
    fewer than that are broken, and every exploration completed the protocol.
    """
    overall = fractions(scores)
    per_arch = {arch: {**fractions(group), "n_frames": len(group), "guard_stop": guard_stops.get(arch)}
                for arch, group in scores.groupby("arch")}
    stopped = sorted(a for a, why in guard_stops.items() if why)
    converged = (overall["candidate_fraction"] < converged_fraction
                 and overall["broken_fraction"] < converged_fraction and not stopped)
    if converged:
        stop, reason = True, (f"converged: {overall['candidate_fraction']:.1%} candidates and "
                              f"{overall['broken_fraction']:.1%} broken frames, below {converged_fraction:.1%}")
    elif iteration >= max_iterations:
        stop, reason = True, f"not converged after the maximum of {max_iterations} label round(s)"
    elif n_selected == 0:
        stop, reason = True, ("stalled: no frame between the trust levels to label "
                              f"({overall['broken_fraction']:.1%} above the upper level)")
    else:
        stop, reason = False, f"labelling {n_selected} frame(s)"
    return {"iteration": iteration, "stop": stop, "converged": converged, "reason": reason,
            "n_frames": len(scores), "n_selected": n_selected if not stop else 0,
            "guard_stops": {a: guard_stops[a] for a in stopped}, **overall, "per_arch": per_arch}
