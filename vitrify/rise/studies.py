"""RISE across studies: the same analysis on glasses made by different systems or models."""

from __future__ import annotations

from itertools import combinations

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
