"""The ViT half of RISE: error vs communication length, where it saturates, and how that
compares with the XGBoost RISE."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .attribution import saturation_length


def summarise_vit(results: Sequence[dict], xgb_summary: dict | None = None) -> dict:
    """Mean and spread of the test RMSE per communication length; saturation length (1-SE).

    `results` are run_communication_length dicts (several seeds per r). The saturation
    length is the shortest length whose mean RMSE is within one standard error of the best.
    """
    by_r: dict[int, list[dict]] = {}
    for res in results:
        by_r.setdefault(int(res["r"]), []).append(res)
    rs = sorted(by_r)
    lengths = [float(np.mean([x["communication_length_A"] for x in by_r[r]])) for r in rs]
    rmse = [np.array([x["rmse_test_meV_per_atom"] for x in by_r[r]]) for r in rs]
    mean = [float(v.mean()) for v in rmse]
    std = [float(v.std(ddof=1)) if len(v) > 1 else 0.0 for v in rmse]
    n = [len(v) for v in rmse]
    saturation = saturation_length(lengths, mean, std, n_seeds=n)
    out = {
        "r": rs, "communication_length_A": lengths, "rmse_mean_meV_per_atom": mean,
        "rmse_std_meV_per_atom": std, "n_seeds": n, "saturation_length_A": float(saturation),
        "saturation_r": rs[lengths.index(saturation)] if saturation in lengths else None,
        "saturation_definition": "shortest communication length whose mean test RMSE is within one "
                                 "standard error of the lowest mean (1-SE rule)",
    }
    if xgb_summary is not None:
        rise = float(xgb_summary["rise_A"])
        lo, hi = xgb_summary["rise_interval_A"]
        agree = lo - 1e-9 <= saturation <= hi + 1e-9
        out.update({
            "xgboost_rise_A": rise, "xgboost_rise_interval_A": [lo, hi],
            "statement": (f"The ViT test error saturates at a communication length of {saturation:.1f} A; "
                          f"the XGBoost RISE is {rise:g} A (1-SE interval {lo:g}-{hi:g} A): the two "
                          + ("agree within the XGBoost interval." if agree else
                             f"differ by {saturation - rise:+.1f} A, outside the XGBoost interval.")),
            "agree_within_xgboost_interval": bool(agree),
        })
    return out
