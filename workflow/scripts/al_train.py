# Adapter: one committee member of one active-learning iteration (warm start, resumes), and its test errors.
from pathlib import Path

import pandas as pd
import torch

from vitrify.devices import resolve_device
from vitrify.files import read_extxyz, write_csv
from vitrify.logs import setup_logging
from vitrify.mlip.calculator import PotentialCalculator
from vitrify.mlip.evaluate import error_table, predictions
from vitrify.mlip.model_io import load_model
from vitrify.mlip.train import model_spec, train_model

setup_logging(snakemake.log[0])
torch.set_num_threads(snakemake.threads)
params, wc = snakemake.params, snakemake.wildcards
train = read_extxyz(snakemake.input.train)
history = train_model(
    model_spec(params.model, params.species, wc.arch), train, read_extxyz(snakemake.input.valid), params.training,
    seed=int(wc.seed), workdir=Path(params.work), model_file=Path(snakemake.output.model),
    device=resolve_device(params.device), warm_start_file=snakemake.input.previous or None,
    metadata={"member": f"seed{wc.seed}", "active_learning_iteration": int(wc.it),
              "label_method": "; ".join(sorted({a.info.get("label_method", "unknown") for a in train})),
              "train_file": snakemake.input.train},
)
model, meta = load_model(snakemake.output.model)
test = read_extxyz(snakemake.input.test)
table = error_table(predictions(test, PotentialCalculator(model))) if test else pd.DataFrame([{}])
for col, value in (("seed", int(wc.seed)), ("arch", wc.arch), ("iteration", int(wc.it))):
    table.insert(0, col, value)
table["n_train"] = meta["n_train"]
write_csv(snakemake.output.errors, table)
write_csv(snakemake.output.history, pd.DataFrame(history))
