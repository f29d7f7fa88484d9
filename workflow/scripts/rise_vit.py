# Adapter: train the block-attention ViT at one communication length and seed (resumes).
import logging
from pathlib import Path

import torch

from vitrify.devices import resolve_device
from vitrify.files import write_json
from vitrify.logs import setup_logging
from vitrify.rise.vit_training import run_communication_length

setup_logging(snakemake.log[0])
torch.set_num_threads(snakemake.threads)
params, wc = snakemake.params, snakemake.wildcards
vit = params.vit.as_dict()
top_k = vit.pop("attribution_top_k")
for key in ("communication_blocks", "seeds"):
    vit.pop(key)
cfg = {**vit, "species": snakemake.params.species, "test_fraction": params.split.test_fraction,
       "device": resolve_device(vit["device"]), "checkpoint_dir": snakemake.params.work}
result = run_communication_length(snakemake.input.samples, int(wc.L), int(wc.seed), cfg, attribution_top_k=top_k,
                                  split=params.split)
result["energy_source"] = snakemake.params.energy_source
logging.info("r=%s (%.1f A) seed %s: test RMSE %.3f meV/atom, %.3f s/epoch on %s", wc.L,
             result["communication_length_A"], wc.seed, result["rmse_test_meV_per_atom"],
             result["seconds_per_epoch"] or 0.0, result["device"])
write_json(Path(snakemake.output.result), result)
