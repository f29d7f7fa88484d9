# Adapter: train one SR or LR model (a committee seed or a learning-curve point); resumes.
import logging
from pathlib import Path

import pandas as pd
import torch
from ase.io import read

from vitrify.devices import resolve_device
from vitrify.files import write_bytes, write_csv
from vitrify.logs import setup_logging
from vitrify.mlip.train import model_spec, parse_member, train_model, training_subset

setup_logging(snakemake.log[0])
torch.set_num_threads(snakemake.threads)
params, wc = snakemake.params, snakemake.wildcards
if snakemake.input.last_iteration:
    # active_learning.production: last_iteration: the loop's last committee member, which
    # trained on this same dataset, is the production model (its file records the iteration).
    model_in, history_in = snakemake.input.last_iteration
    logging.getLogger("vitrify.mlip").info("production model %s = active-learning model %s", wc.member, model_in)
    write_bytes(snakemake.output.model, Path(model_in).read_bytes())
    write_bytes(snakemake.output.history, Path(history_in).read_bytes())
else:
    seed, fraction = parse_member(wc.member, params.seeds)
    train = read(snakemake.input.train, ":")
    label_methods = sorted({a.info.get("label_method", "unknown") for a in train})
    history = train_model(
        model_spec(params.model, params.species, wc.arch),
        training_subset(train, fraction, seed),
        read(snakemake.input.valid, ":"),
        params.training,
        seed=seed,
        workdir=Path(params.work),
        model_file=Path(snakemake.output.model),
        device=resolve_device(params.device),
        metadata={"member": wc.member, "training_fraction": fraction, "label_method": "; ".join(label_methods),
                  "train_file": snakemake.input.train},
    )
    write_csv(snakemake.output.history, pd.DataFrame(history))
