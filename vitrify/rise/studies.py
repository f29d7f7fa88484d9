"""RISE across studies: the same analysis on glasses made by different systems or models."""

from __future__ import annotations

from itertools import combinations

# Keys a study may set for itself: what makes sense for Cu-Zr at 500-700 K (or for a
# classical potential's cost) need not for silica with an ML potential.
STUDY_OVERRIDES = ("anneal_temperatures_K", "anneal_duration_ps", "heating_rate_K_per_ps", "snapshots_per_anneal",
                   "minimize_ftol_eV_per_A", "minimize_max_iterations")


def study_settings(rise: dict, study: dict) -> dict:
    """The rise section with the study's own values of STUDY_OVERRIDES in place."""
    return {**rise, **{k: study[k] for k in STUDY_OVERRIDES if k in study}}


def compare_studies(summaries: dict[str, dict]) -> dict:
    """RISE of each study and, for every pair of studies of one system, whether they differ.

    Two RISE estimates are called different when their one-standard-error intervals do
    not overlap: with the seeds and radii sampled, the data can then tell them apart.
    """
    rows = {name: {"rise_A": s["rise_A"], "rise_interval_A": s["rise_interval_A"],
                   "rise_rmse_meV_per_atom": s["rise_rmse_meV_per_atom"], "energy_source": s.get("energy_source")}
            for name, s in summaries.items()}
    pairs = []
    for a, b in combinations(sorted(summaries), 2):
        if a.split("_")[0] != b.split("_")[0]:
            continue
        (lo_a, hi_a), (lo_b, hi_b) = summaries[a]["rise_interval_A"], summaries[b]["rise_interval_A"]
        overlap = lo_a <= hi_b and lo_b <= hi_a
        pairs.append({
            "studies": [a, b],
            "rise_A": [summaries[a]["rise_A"], summaries[b]["rise_A"]],
            "intervals_overlap": overlap,
            "statement": (f"{a}: RISE {summaries[a]['rise_A']:g} A ({lo_a:g}-{hi_a:g}); {b}: "
                          f"{summaries[b]['rise_A']:g} A ({lo_b:g}-{hi_b:g}): "
                          + ("not distinguishable with these data." if overlap else "the informative radii differ.")),
        })
    return {"studies": rows, "same_system_pairs": pairs}
