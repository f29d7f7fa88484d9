# Adapter: train one SR or LR model (a committee seed or a learning-curve point); resumes.
from pathlib import Path

import pandas as pd
import torch
from ase.io import read

from vitrify.logs import setup_logging
from vitrify.devices import resolve_device
from vitrify.mlip.train import TrainSettings, parse_member, spec_from_config, train_model, training_subset

setup_logging(snakemake.log[0])
torch.set_num_threads(snakemake.threads)
mlip, wc = snakemake.params.mlip, snakemake.wildcards
seed, fraction = parse_member(wc.member, mlip["seeds"])
train = read(snakemake.input.train, ":")
label_methods = sorted({a.info.get("label_method", "unknown") for a in train})
history = train_model(
    spec_from_config(mlip, snakemake.config["systems"][wc.system]["species"], wc.arch),
    training_subset(train, fraction, seed),
    read(snakemake.input.valid, ":"),
    TrainSettings.from_dict(mlip["training"]),
    seed=seed,
    workdir=Path(snakemake.params.work),
    model_file=Path(snakemake.output.model),
    device=resolve_device(mlip["device"]),
    metadata={"member": wc.member, "training_fraction": fraction, "label_method": "; ".join(label_methods),
              "train_file": snakemake.input.train},
)
pd.DataFrame(history).to_csv(snakemake.output.history, index=False)
