# Adapter: XGBoost from environment fractions to inherent-structure energy, one radius and seed.
import logging
from pathlib import Path

from vitrify.files import write_json
from vitrify.logs import setup_logging
from vitrify.rise.environments import environment_fractions, load_counts
from vitrify.rise.regression import fit_and_evaluate
from vitrify.rise.samples import sample_table
from vitrify.rise.splits import regression_split

setup_logging(snakemake.log[0])
rise = snakemake.params.rise
seed, radius = int(snakemake.wildcards.seed), float(snakemake.wildcards.r)
ids, y, rates = sample_table(snakemake.input.samples)
count_ids, counts = load_counts(Path(snakemake.input.counts))
if count_ids != ids:
    raise ValueError(f"{snakemake.input.counts}: sample ids differ from the sample files; rerun rise_environments")
fractions = environment_fractions(counts)
split = regression_split(ids, rates, rise, seed)
row = {sid: i for i, sid in enumerate(ids)}
tr, va, te = ([row[s] for s in part] for part in (split.train, split.valid, split.test))
result, _ = fit_and_evaluate(
    fractions[tr], y[tr], fractions[te], y[te], radius_A=radius, seed=seed, n_trials=rise.xgb_trials,
    n_folds=rise.xgb_folds, max_rounds=rise.xgb_max_rounds,
    early_stopping_rounds=rise.xgb_early_stopping_rounds, test_ids=split.test, with_shap=rise.shap,
    x_valid=fractions[va] if va else None, y_valid=y[va] if va else None, space=rise.xgb_search_space,
)
result["split"] = rise.split
logging.info("r=%s A seed %d: test RMSE %.3f meV/atom (mean predictor %.3f; %d train, %d valid, %d test)",
             radius, seed, result["rmse_test_meV_per_atom"], result["rmse_predict_mean_meV_per_atom"],
             len(tr), len(va), len(te))
write_json(Path(snakemake.output.result), result)
