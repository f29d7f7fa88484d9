# Adapter: test-set errors and predictions of one model.
from pathlib import Path

import torch
from ase.io import read

from vitrify.files import write_csv
from vitrify.logs import setup_logging
from vitrify.mlip.calculator import PotentialCalculator
from vitrify.mlip.evaluate import error_table, predictions, save_predictions
from vitrify.mlip.model_io import load_model

setup_logging(snakemake.log[0])
torch.set_num_threads(snakemake.threads)
wc = snakemake.wildcards
model, meta = load_model(snakemake.input.model)
rows = predictions(read(snakemake.input.test, ":"), PotentialCalculator(model))
table = error_table(rows)
table.insert(0, "member", wc.member)
table.insert(0, "arch", wc.arch)
table["n_train"] = meta["n_train"]
table["reference_labels"] = meta.get("label_method", "unknown")
write_csv(snakemake.output.errors, table)
save_predictions(Path(snakemake.output.predictions), rows)
