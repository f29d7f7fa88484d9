"""XGBoost on environment fractions and the RISE estimate: known answers on synthetic data."""

from __future__ import annotations

import json

import numpy as np
import pytest

from vitrify.rise.splits import random_split
from vitrify.rise.regression import (
    cross_validate,
    fit_and_evaluate,
    kfold_indices,
    search_hyperparameters,
    summarise_rise,
)

FAST = {"n_folds": 3, "max_rounds": 300, "early_stopping_rounds": 20}


def fractions_data(n: int, n_env: int, seed: int, noise_eV: float = 0.0):
    """Dirichlet environment fractions; energy depends on environment 3 only."""
    rng = np.random.default_rng(seed)
    x = rng.dirichlet(np.ones(n_env), size=n)
    y = -5.9 + 0.05 * x[:, 3] + noise_eV * rng.standard_normal(n)
    return x, y


def test_kfold_covers_every_sample_once():
    folds = kfold_indices(23, 5, seed=1)
    assert sorted(np.concatenate(folds).tolist()) == list(range(23))


def test_target_from_one_feature_is_learned():
    x, y = fractions_data(300, 8, seed=0)
    res, booster = fit_and_evaluate(x[:240], y[:240], x[240:], y[240:], radius_A=5.0, seed=0,
                                    n_trials=2, with_shap=True, **FAST)
    spread_meV = y[240:].std() * 1000
    # Piecewise-constant trees on a linear signal from 160-sample folds: ~0.15-0.2 of the spread.
    assert res["rmse_test_meV_per_atom"] < 0.3 * spread_meV
    assert res["rmse_cv_meV_per_atom"] < 0.3 * spread_meV
    assert res["shap_top"][0]["feature"] == 3  # the only informative environment
    assert res["shap_top"][0]["mean_abs_shap_meV_per_atom"] > 5 * res["shap_top"][1]["mean_abs_shap_meV_per_atom"]
    assert res["n_environments"] == 8 and res["n_train"] == 240 and res["n_test"] == 60
    assert len(res["y_pred_eV_per_atom"]) == 60
    assert res["search_method"] in ("optuna-tpe", "random")
    json.dumps(res)  # JSON-ready


def test_unrelated_target_is_not_learned():
    x, _ = fractions_data(160, 8, seed=0)
    y = -5.9 + 0.01 * np.random.default_rng(5).standard_normal(160)
    res, _ = fit_and_evaluate(x[:120], y[:120], x[120:], y[120:], radius_A=5.0, seed=0, n_trials=1, **FAST)
    assert res["rmse_test_meV_per_atom"] > 0.8 * y[120:].std() * 1000


def test_search_is_deterministic_for_both_methods():
    x, y = fractions_data(80, 6, seed=1, noise_eV=1e-4)
    for method in ("random", "auto"):
        a = search_hyperparameters(x, y, n_trials=3, seed=4, method=method, **FAST)
        b = search_hyperparameters(x, y, n_trials=3, seed=4, method=method, **FAST)
        assert a["best_params"] == b["best_params"]
        assert a["cv"]["rmse_cv_meV_per_atom"] == b["cv"]["rmse_cv_meV_per_atom"]
        assert len(a["trials"]) == 3


def test_dense_and_sparse_inputs_give_the_same_model():
    import scipy.sparse as sp

    x, y = fractions_data(60, 5, seed=2)
    x[x < 0.1] = 0.0
    dense = cross_validate(x, y, {"max_depth": 3}, n_folds=3, seed=0, max_rounds=50)
    sparse = cross_validate(sp.csr_matrix(x), y, {"max_depth": 3}, n_folds=3, seed=0, max_rounds=50)
    assert dense == sparse


def synthetic_results(rise: float, seeds=(0, 1, 2)):
    rng = np.random.default_rng(0)
    return [{"radius_A": r, "seed": s, "rmse_test_meV_per_atom": 3.0 + 0.5 * (r - rise) ** 2 + 0.05 * rng.standard_normal()}
            for r in (3.0, 4.0, 5.0, 6.0, 7.0) for s in seeds]


def test_summary_picks_the_known_radius():
    summary = summarise_rise(synthetic_results(5.0))
    assert summary["rise_A"] == 5.0
    assert summary["rise_interval_A"] == [5.0, 5.0]
    assert summary["per_seed_rise_A"] == {"0": 5.0, "1": 5.0, "2": 5.0}
    assert summary["n_seeds"] == [3] * 5
    i = summary["radii_A"].index(5.0)
    assert summary["rmse_mean_meV_per_atom"][i] == pytest.approx(3.0, abs=0.1)
    json.dumps(summary)


def test_summary_interval_widens_when_radii_are_indistinguishable():
    rmse = {3.0: [5.0, 5.2, 5.1], 4.0: [3.0, 3.4, 3.2], 5.0: [3.1, 3.3, 3.0], 6.0: [4.0, 4.1, 4.2]}
    results = [{"radius_A": r, "seed": s, "rmse_test_meV_per_atom": v}
               for r, vals in rmse.items() for s, v in enumerate(vals)]
    summary = summarise_rise(results)
    assert summary["rise_A"] == 5.0  # mean 3.133 against 3.2 at 4 A
    assert summary["rise_interval_A"] == [4.0, 5.0]  # 3.2 <= 3.133 + s.e. 0.088
    assert summary["per_seed_rise_A"] == {"0": 4.0, "1": 5.0, "2": 5.0}
    assert summary["resolved"] and "resolved" in summary["resolution_statement"]
    # the same data without the 6 A radius: the interval reaches the end of the sweep
    edge = summarise_rise([r for r in results if r["radius_A"] != 6.0])
    assert edge["rise_interval_A"] == [4.0, 5.0] and not edge["resolved"]


def test_summary_needs_three_seeds():
    with pytest.raises(ValueError, match=">= 3 seeds"):
        summarise_rise(synthetic_results(5.0, seeds=(0, 1)))


def test_rise_of_a_synthetic_radius_sweep():
    """Features carry the signal cleanly at 5 A and blurred elsewhere: the RISE is 5 A."""
    rng = np.random.default_rng(3)
    n = 120
    x_true, y = fractions_data(n, 6, seed=3)
    results = []
    for radius, blur in ((3.0, 0.6), (5.0, 0.0), (7.0, 0.6)):
        x = np.abs(x_true + blur * rng.standard_normal(x_true.shape) * x_true.std())
        for seed in (0, 1, 2):
            sp = random_split([str(i) for i in range(n)], 0.25, seed)
            train, test = [int(i) for i in sp.train], [int(i) for i in sp.test]
            tr, te = np.array(train, int), np.array(test, int)
            res, _ = fit_and_evaluate(x[tr], y[tr], x[te], y[te], radius_A=radius, seed=seed,
                                      n_trials=1, **FAST)
            results.append(res)
    summary = summarise_rise(results)
    assert summary["rise_A"] == 5.0
    assert summary["rise_rmse_meV_per_atom"] < 0.3 * y.std() * 1000


def test_random_search_when_optuna_is_missing(monkeypatch):
    import vitrify.rise.regression as reg

    monkeypatch.setattr(reg, "_optuna", lambda: None)
    x, y = fractions_data(60, 5, seed=4)
    assert search_hyperparameters(x, y, n_trials=2, seed=0, **FAST)["method"] == "random"
    with pytest.raises(ImportError, match="optuna"):
        search_hyperparameters(x, y, n_trials=2, seed=0, method="optuna", **FAST)


def test_final_model_stops_early_on_the_validation_set():
    x, y = fractions_data(150, 6, seed=4, noise_eV=1e-4)
    res, booster = fit_and_evaluate(x[:90], y[:90], x[120:], y[120:], radius_A=5.0, seed=0, n_trials=1,
                                    x_valid=x[90:120], y_valid=y[90:120], **FAST)
    assert res["final_model"] == "early stopping on the validation set"
    assert res["n_valid"] == 30 and res["rmse_valid_meV_per_atom"] > 0
    assert res["n_rounds"] <= FAST["max_rounds"]
    # the signal is learnt: far better than predicting the training mean
    assert res["rmse_test_meV_per_atom"] < 0.5 * res["rmse_predict_mean_meV_per_atom"]


def test_authors_search_space_and_errors():
    x, y = fractions_data(40, 4, seed=1)
    out = search_hyperparameters(x, y, n_trials=2, seed=0, method="random", space="authors", **FAST)
    assert 10 <= out["trials"][1]["params"]["max_depth"] <= 50 and "gamma" in out["trials"][1]["params"]
    with pytest.raises(ValueError, match="unknown xgb_search_space"):
        search_hyperparameters(x, y, n_trials=1, seed=0, space="huge", **FAST)
    with pytest.raises(ValueError, match="training samples for 5-fold"):
        fit_and_evaluate(x[:4], y[:4], x[4:], y[4:], radius_A=1.0, seed=0, n_trials=1, n_folds=5)
