"""RISE across studies: pairs of one system are compared by their 1-SE intervals."""

from vitrify.rise.figures import rmse_vs_radius_studies
from vitrify.rise.studies import compare_studies


def _summary(rise, interval):
    return {"rise_A": rise, "rise_interval_A": interval, "rise_rmse_meV_per_atom": 1.0,
            "radii_A": [3.0, 5.0, 7.0], "rmse_mean_meV_per_atom": [2.0, 1.0, 1.5],
            "rmse_std_meV_per_atom": [0.1, 0.1, 0.1]}


def test_same_system_pairs_only_and_overlap_rule(tmp_path):
    out = compare_studies({"silica_sr": _summary(4.0, [3.5, 4.5]), "silica_lr": _summary(6.0, [5.5, 7.0]),
                           "cuzr_classical": _summary(5.0, [4.0, 6.0])})
    assert len(out["same_system_pairs"]) == 1
    pair = out["same_system_pairs"][0]
    assert pair["studies"] == ["silica_lr", "silica_sr"] and not pair["intervals_overlap"]
    assert "differ" in pair["statement"]
    close = compare_studies({"silica_sr": _summary(4.0, [3.5, 5.5]), "silica_lr": _summary(5.0, [5.0, 6.0])})
    assert close["same_system_pairs"][0]["intervals_overlap"]
    rmse_vs_radius_studies({"silica_sr": _summary(4.0, [3.5, 4.5]), "silica_lr": _summary(6.0, [5.5, 7.0])},
                           tmp_path / "s.png")
    assert (tmp_path / "s.png").stat().st_size > 10_000
