"""XGBoost from per-sample environment fractions to energy, and the RISE over radii and seeds.

One (radius, seed) run, on the split of vitrify.rise.splits: k-fold CV on the training set
with early stopping on each validation fold; a hyper-parameter search over CV RMSE
(Bayesian, optuna's TPE, when optuna is importable; otherwise a seeded random search);
then the final model. With a validation set (the authors' protocol, split
"stratified_by_rate"), it trains on the training set and stops boosting when the
validation RMSE has not improved for early_stopping_rounds (as the authors' public code,
muchen1453/RISE Reductionist/Step4_Train.py, does); without one, it refits on the whole
training set with the CV-averaged number of rounds. RMSE on the held-out test set, which
selects nothing (the authors' Step4 keeps the best of seven models by test RMSE; vitrify
does not). Energies come in eV/atom; RMSEs are reported in meV/atom.

Features are always passed to XGBoost as CSR with zeros dropped, so a dense or a sparse
input gives the same model: an absent environment is "missing" and XGBoost learns which
branch it takes.
"""

from __future__ import annotations

import json
import math
from typing import Sequence

import numpy as np
import scipy.sparse as sp
import xgboost as xgb

MEV_PER_EV = 1000.0

# First trial of every search: a sensible small-data XGBoost setting.
DEFAULT_PARAMS = {
    "max_depth": 4,
    "learning_rate": 0.05,
    "subsample": 0.8,
    "colsample_bytree": 0.8,
    "min_child_weight": 1.0,
    "reg_lambda": 1.0,
    "reg_alpha": 1e-3,
}

# name: (low, high, log scale, integer)
COMPACT_SPACE = {
    "max_depth": (2, 8, False, True),
    "learning_rate": (0.01, 0.3, True, False),
    "subsample": (0.5, 1.0, False, False),
    "colsample_bytree": (0.3, 1.0, False, False),
    "min_child_weight": (0.5, 20.0, True, False),
    "reg_lambda": (1e-3, 10.0, True, False),
    "reg_alpha": (1e-3, 1.0, True, False),
}

# The authors' Bayesian-search ranges (muchen1453/RISE, Reductionist/Step3_ByOpt.py), on a
# log scale where they span decades. Their min_child_weight starts at 0; 1e-3 here so the
# log scale is defined. Wide: each trial may need thousands of rounds at small eta.
AUTHORS_SPACE = {
    "max_depth": (10, 50, False, True),
    "learning_rate": (0.001, 0.05, True, False),
    "gamma": (1e-4, 10.0, True, False),
    "min_child_weight": (1e-3, 800.0, True, False),
    "subsample": (0.1, 1.0, False, False),
    "colsample_bytree": (0.1, 1.0, False, False),
}

SEARCH_SPACES = {"compact": COMPACT_SPACE, "authors": AUTHORS_SPACE}


def search_space(name: str) -> dict:
    if name not in SEARCH_SPACES:
        raise ValueError(f"unknown xgb_search_space {name!r}: expected one of {sorted(SEARCH_SPACES)}")
    return SEARCH_SPACES[name]


def as_csr(x) -> sp.csr_matrix:
    """Features as float32 CSR without explicit zeros (see module docstring)."""
    m = sp.csr_matrix(x, dtype=np.float32)
    m.eliminate_zeros()
    return m


def _booster_params(params: dict, seed: int) -> dict:
    return {
        "objective": "reg:squarederror",
        "eval_metric": "rmse",
        "tree_method": "hist",
        "nthread": 1,  # jobs run side by side on shared cores; determinism too
        "seed": int(seed),
        **params,
    }


def _rmse(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.sqrt(np.mean((np.asarray(a) - np.asarray(b)) ** 2)))


def kfold_indices(n: int, n_folds: int, seed: int) -> list[np.ndarray]:
    """Validation index sets of a shuffled k-fold split (deterministic from seed)."""
    if not 2 <= n_folds <= n:
        raise ValueError(f"n_folds must be in [2, {n}], got {n_folds}")
    return np.array_split(np.random.default_rng(seed).permutation(n), n_folds)


def cross_validate(x, y: np.ndarray, params: dict, n_folds: int = 5, seed: int = 0,
                   max_rounds: int = 2000, early_stopping_rounds: int = 50) -> dict:
    """k-fold CV RMSE (meV/atom) with early stopping on each validation fold.

    The validation fold both stops training and is scored, as in the published protocol;
    the test set, never seen here, gives the unbiased number.
    """
    x, y = as_csr(x), np.asarray(y, dtype=np.float64)
    fold_rmse, rounds = [], []
    for val in kfold_indices(len(y), n_folds, seed):
        train = np.setdiff1d(np.arange(len(y)), val)
        dtrain = xgb.DMatrix(x[train], label=y[train])
        dval = xgb.DMatrix(x[val], label=y[val])
        booster = xgb.train(_booster_params(params, seed), dtrain, num_boost_round=max_rounds,
                            evals=[(dval, "val")], early_stopping_rounds=early_stopping_rounds,
                            verbose_eval=False)
        n = booster.best_iteration + 1
        pred = booster.predict(dval, iteration_range=(0, n))
        fold_rmse.append(_rmse(pred, y[val]) * MEV_PER_EV)
        rounds.append(n)
    return {"rmse_cv_meV_per_atom": float(np.mean(fold_rmse)),
            "rmse_folds_meV_per_atom": fold_rmse,
            "n_rounds": int(round(np.mean(rounds)))}


def _optuna():
    try:
        import optuna  # noqa: PLC0415  (optional dependency)
    except ImportError:
        return None
    return optuna


def _random_params(rng: np.random.Generator, space: dict) -> dict:
    out = {}
    for name, (lo, hi, log, integer) in space.items():
        if integer:
            out[name] = int(rng.integers(lo, hi + 1))
        elif log:
            out[name] = float(math.exp(rng.uniform(math.log(lo), math.log(hi))))
        else:
            out[name] = float(rng.uniform(lo, hi))
    return out


def search_hyperparameters(x, y: np.ndarray, n_trials: int, seed: int, n_folds: int = 5,
                           max_rounds: int = 2000, early_stopping_rounds: int = 50,
                           method: str = "auto", space: str = "compact") -> dict:
    """Minimise CV RMSE over the named search space; trial 0 is DEFAULT_PARAMS.

    method: "optuna" (TPE, seeded), "random" (seeded), or "auto" (optuna if importable).
    Returns best_params, their CV result, the method used and every trial's CV RMSE.
    """
    if n_trials < 1:
        raise ValueError(f"n_trials must be >= 1, got {n_trials}")
    optuna = _optuna() if method in ("auto", "optuna") else None
    if method == "optuna" and optuna is None:
        raise ImportError("method='optuna' but optuna is not installed")
    if method not in ("auto", "optuna", "random"):
        raise ValueError(f"unknown search method {method!r}")
    ranges = search_space(space)
    x = as_csr(x)
    cv_of = {}

    def evaluate(params: dict) -> float:
        res = cross_validate(x, y, params, n_folds, seed, max_rounds, early_stopping_rounds)
        cv_of[json.dumps(params, sort_keys=True)] = res
        return res["rmse_cv_meV_per_atom"]

    trials = []
    if optuna is not None:
        used = "optuna-tpe"
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=seed))
        study.enqueue_trial(DEFAULT_PARAMS)

        def objective(trial) -> float:
            params = {}
            for name, (lo, hi, log, integer) in ranges.items():
                params[name] = (trial.suggest_int(name, lo, hi) if integer
                                else trial.suggest_float(name, lo, hi, log=log))
            return evaluate(params)

        study.optimize(objective, n_trials=n_trials)
        trials = [{"params": t.params, "rmse_cv_meV_per_atom": t.value} for t in study.trials]
    else:
        used = "random"
        rng = np.random.default_rng(seed)
        for i in range(n_trials):
            params = dict(DEFAULT_PARAMS) if i == 0 else _random_params(rng, ranges)
            trials.append({"params": params, "rmse_cv_meV_per_atom": evaluate(params)})
    # First minimum wins on ties, so the result does not depend on dict ordering.
    best = min(range(len(trials)), key=lambda i: (trials[i]["rmse_cv_meV_per_atom"], i))
    best_params = trials[best]["params"]
    return {"method": used, "best_params": best_params,
            "cv": cv_of[json.dumps(best_params, sort_keys=True)], "trials": trials}


def shap_importances(booster: xgb.Booster, x, top: int = 20, max_floats: int = 1 << 25) -> list[dict]:
    """Mean |SHAP value| per feature (meV/atom), largest first, via XGBoost's TreeSHAP.

    XGBoost computes exact TreeSHAP itself (`pred_contribs`), so the `shap` package is not
    needed. Rows are processed in batches so the dense (rows, n_features + 1) output stays
    under `max_floats` floats even for hundreds of thousands of environments.
    """
    x = as_csr(x)
    total = np.zeros(x.shape[1] + 1)
    step = max(1, max_floats // (x.shape[1] + 1))
    for s in range(0, x.shape[0], step):
        contrib = booster.predict(xgb.DMatrix(x[s:s + step]), pred_contribs=True)
        total += np.abs(contrib).sum(axis=0)
    mean_abs = total[:-1] / x.shape[0] * MEV_PER_EV  # last column is the bias term
    order = np.argsort(-mean_abs, kind="stable")[:top]
    return [{"feature": int(i), "mean_abs_shap_meV_per_atom": float(mean_abs[i])}
            for i in order if mean_abs[i] > 0]


def fit_and_evaluate(x_train, y_train: np.ndarray, x_test, y_test: np.ndarray, *, radius_A: float,
                     seed: int, n_trials: int = 30, n_folds: int = 5, max_rounds: int = 2000,
                     early_stopping_rounds: int = 50, method: str = "auto",
                     test_ids: Sequence[str] | None = None, with_shap: bool = False,
                     x_valid=None, y_valid: np.ndarray | None = None,
                     space: str = "compact") -> tuple[dict, xgb.Booster]:
    """Search, fit the final model, score the test set. Returns (results, booster).

    With x_valid/y_valid the final model stops boosting on the validation set; otherwise
    it is refitted on all training samples with the CV-averaged number of rounds.

    `results` is JSON-ready: radius_A, seed, rmse_test_meV_per_atom, rmse_cv_meV_per_atom,
    best_params, n_rounds, n_environments, sizes, search method, and the test predictions
    (eV/atom) for a parity plot.
    """
    x_train, x_test = as_csr(x_train), as_csr(x_test)
    y_train, y_test = np.asarray(y_train, np.float64), np.asarray(y_test, np.float64)
    if x_train.shape[1] != x_test.shape[1]:
        raise ValueError(f"train has {x_train.shape[1]} features, test {x_test.shape[1]}")
    if len(y_train) != x_train.shape[0] or len(y_test) != x_test.shape[0]:
        raise ValueError("features and targets have different numbers of samples")
    if len(y_train) < n_folds:
        raise ValueError(f"{len(y_train)} training samples for {n_folds}-fold cross-validation")
    search = search_hyperparameters(x_train, y_train, n_trials, seed, n_folds, max_rounds,
                                    early_stopping_rounds, method, space)
    params = _booster_params(search["best_params"], seed)
    dtrain = xgb.DMatrix(x_train, label=y_train)
    rmse_valid = None
    if y_valid is not None and len(y_valid):
        x_valid, y_valid = as_csr(x_valid), np.asarray(y_valid, np.float64)
        dvalid = xgb.DMatrix(x_valid, label=y_valid)
        booster = xgb.train(params, dtrain, num_boost_round=max_rounds, evals=[(dvalid, "valid")],
                            early_stopping_rounds=early_stopping_rounds, verbose_eval=False)
        n_rounds = booster.best_iteration + 1
        rmse_valid = _rmse(booster.predict(dvalid, iteration_range=(0, n_rounds)), y_valid) * MEV_PER_EV
        final_rule = "early stopping on the validation set"
    else:
        n_rounds = search["cv"]["n_rounds"]
        booster = xgb.train(params, dtrain, num_boost_round=n_rounds)
        final_rule = "refit on the training set with the CV-averaged number of rounds"
    pred = booster.predict(xgb.DMatrix(x_test), iteration_range=(0, n_rounds))
    results = {
        "radius_A": float(radius_A),
        "seed": int(seed),
        "rmse_test_meV_per_atom": _rmse(pred, y_test) * MEV_PER_EV,
        "rmse_cv_meV_per_atom": search["cv"]["rmse_cv_meV_per_atom"],
        "rmse_valid_meV_per_atom": rmse_valid,
        "rmse_predict_mean_meV_per_atom": _rmse(np.full_like(y_test, y_train.mean()), y_test) * MEV_PER_EV,
        "best_params": search["best_params"],
        "n_rounds": n_rounds,
        "final_model": final_rule,
        "n_environments": int(x_train.shape[1]),
        "n_train": int(len(y_train)),
        "n_valid": int(len(y_valid)) if y_valid is not None else 0,
        "n_test": int(len(y_test)),
        "search_method": search["method"],
        "search_space": space,
        "n_trials": int(n_trials),
        "test_ids": list(map(str, test_ids)) if test_ids is not None else None,
        "y_test_eV_per_atom": y_test.tolist(),
        "y_pred_eV_per_atom": pred.astype(float).tolist(),
    }
    if with_shap:
        results["shap_top"] = shap_importances(booster, x_train)
    return results, booster


def summarise_rise(results: Sequence[dict], min_seeds: int = 3) -> dict:
    """Test RMSE mean and spread per radius, and the RISE with its uncertainty.

    RISE = the radius with the lowest mean test RMSE over seeds. Uncertainty, two ways:
      - rise_interval_A: the smallest and largest radius whose mean RMSE is within one
        standard error (of the minimum's mean) of that minimum (the one-standard-error
        rule): radii the data cannot tell apart from the RISE;
      - per_seed_rise_A: each seed's own argmin (seeds present at every radius), with
        its standard deviation.
    """
    by_radius: dict[float, dict[int, float]] = {}
    for r in results:
        by_radius.setdefault(float(r["radius_A"]), {})[int(r["seed"])] = float(r["rmse_test_meV_per_atom"])
    if len(by_radius) < 2:
        raise ValueError(f"need at least 2 radii, got {sorted(by_radius)}")
    few = {r: len(s) for r, s in by_radius.items() if len(s) < min_seeds}
    if few:
        raise ValueError(f"need >= {min_seeds} seeds per radius; radius -> seeds: {few}")
    radii = sorted(by_radius)
    vals = [np.array(list(by_radius[r].values())) for r in radii]
    mean = np.array([v.mean() for v in vals])
    std = np.array([v.std(ddof=1) for v in vals])
    sem = std / np.sqrt([len(v) for v in vals])
    i_min = int(np.argmin(mean))
    within = [r for r, m in zip(radii, mean) if m <= mean[i_min] + sem[i_min]]
    lo, hi = min(within), max(within)
    resolved = bool(radii[0] < lo and hi < radii[-1])
    baseline = [float(r["rmse_predict_mean_meV_per_atom"]) for r in results if "rmse_predict_mean_meV_per_atom" in r]
    common = set.intersection(*(set(by_radius[r]) for r in radii))
    per_seed = {s: radii[int(np.argmin([by_radius[r][s] for r in radii]))] for s in sorted(common)}
    return {
        "radii_A": radii,
        "rmse_mean_meV_per_atom": mean.tolist(),
        "rmse_std_meV_per_atom": std.tolist(),
        "rmse_sem_meV_per_atom": sem.tolist(),
        "n_seeds": [len(v) for v in vals],
        "rise_A": radii[i_min],
        "rise_rmse_meV_per_atom": float(mean[i_min]),
        "rise_interval_A": [lo, hi],
        "resolved": resolved,
        "resolution_statement": (
            f"RISE {radii[i_min]:g} A, 1-s.e. interval {lo:g}-{hi:g} A within the sweep {radii[0]:g}-{radii[-1]:g} A: "
            + ("resolved (the interval touches neither end of the sweep)." if resolved else
               "not resolved (the interval reaches an end of the sweep).")),
        "rmse_predict_mean_meV_per_atom": float(np.mean(baseline)) if baseline else None,
        "per_seed_rise_A": {str(s): r for s, r in per_seed.items()},
        "per_seed_rise_std_A": float(np.std(list(per_seed.values()), ddof=1)) if len(per_seed) > 1 else None,
        "rise_definition": "argmin over radii of the mean test RMSE over seeds; interval: radii whose "
                           "mean is within one standard error of the minimum",
    }


