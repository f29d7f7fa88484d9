"""Each RISE figure writes a non-empty PNG."""

from __future__ import annotations

import numpy as np

from vitrify.rise import figures
from vitrify.rise.regression import summarise_rise

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def results():
    rng = np.random.default_rng(0)
    out = []
    for r in (3.0, 4.0, 5.0, 6.0):
        for s in range(3):
            y = -5.9 + 0.01 * rng.standard_normal(20)
            out.append({"radius_A": r, "seed": s, "rmse_test_meV_per_atom": 2 + (r - 5) ** 2 + 0.1 * s,
                        "y_test_eV_per_atom": y.tolist(),
                        "y_pred_eV_per_atom": (y + 0.002 * rng.standard_normal(20)).tolist()})
    return out


def assert_png(path):
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC and len(data) > 5000


def test_rmse_vs_radius(tmp_path):
    figures.rmse_vs_radius(summarise_rise(results()), tmp_path / "sub" / "rmse.png", title="Cu56Zr44")
    assert_png(tmp_path / "sub" / "rmse.png")


def test_environments_vs_radius(tmp_path):
    stats = [{"radius_A": r, "n_environments": int(10 * r**3), "entropy_nats": np.log(10 * r**3) * 0.9}
             for r in (3.0, 4.0, 5.0, 6.0)]
    figures.environments_vs_radius(stats, tmp_path / "env.png")
    assert_png(tmp_path / "env.png")


def test_parity_at_rise(tmp_path):
    res = results()
    summary = summarise_rise(res)
    figures.parity_at_rise(res, summary, tmp_path / "parity.png")
    assert_png(tmp_path / "parity.png")
    figures.parity(res[0]["y_test_eV_per_atom"], res[0]["y_pred_eV_per_atom"], tmp_path / "p2.png")
    assert_png(tmp_path / "p2.png")


def test_rise_overview_with_and_without_vit(tmp_path):
    summary = summarise_rise(results())
    stats = [{"radius_A": r, "n_environments": int(10 * r**3), "sample_entropy_sd_nats": 0.1 * r}
             for r in (3.0, 4.0, 5.0, 6.0)]
    vit = {"communication_length_A": [2.6, 5.2, 10.4], "rmse_mean_meV_per_atom": [3.0, 2.2, 2.1],
           "rmse_std_meV_per_atom": [0.2, 0.2, 0.3], "saturation_length_A": 5.2}
    figures.rise_overview(summary, stats, tmp_path / "o.png", vit_summary=vit, title="test")
    figures.rise_overview(summary, stats, tmp_path / "p.png")
    assert_png(tmp_path / "o.png") and assert_png(tmp_path / "p.png")
