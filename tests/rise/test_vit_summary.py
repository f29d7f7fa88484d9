"""The ViT half's summary: saturation length by the 1-SE rule, and the statement vs XGBoost."""

import pytest

from vitrify.rise.figures import attribution_profiles, rmse_vs_communication_length
from vitrify.rise.vit_summary import summarise_vit


def _results(curve):
    # r -> test RMSEs of three seeds; lengths are r x 2 patches x 1.2 A voxels
    return [{"r": r, "seed": s, "communication_length_A": 2.4 * r, "rmse_test_meV_per_atom": v,
             "attribution_r_A": [0.0, 1.2, 2.4], "attribution_profile": [1.0, 0.5, 0.2]}
            for r, values in curve.items() for s, v in enumerate(values)]


def test_saturation_is_the_shortest_length_within_one_standard_error():
    curve = {1: [10.0, 10.5, 9.5], 2: [6.1, 6.0, 5.9], 4: [6.0, 5.9, 6.1]}
    summary = summarise_vit(_results(curve), {"rise_A": 5.0, "rise_interval_A": [4.5, 6.5]})
    assert summary["communication_length_A"] == pytest.approx([2.4, 4.8, 9.6])
    assert summary["saturation_length_A"] == pytest.approx(4.8) and summary["saturation_r"] == 2
    assert summary["agree_within_xgboost_interval"] and "agree" in summary["statement"]
    far = summarise_vit(_results(curve), {"rise_A": 8.0, "rise_interval_A": [7.0, 9.0]})
    assert not far["agree_within_xgboost_interval"] and "differ by -3.2 A" in far["statement"]


def test_vit_figures_are_written(tmp_path):
    results = _results({1: [3.0, 3.2, 3.1], 2: [2.0, 2.1, 2.2]})
    summary = summarise_vit(results, {"rise_A": 5.0, "rise_interval_A": [5.0, 5.0]})
    rmse_vs_communication_length(summary, tmp_path / "rmse.png", rise_A=5.0)
    attribution_profiles(results, tmp_path / "attr.png")
    assert (tmp_path / "rmse.png").stat().st_size > 10_000 and (tmp_path / "attr.png").stat().st_size > 10_000
