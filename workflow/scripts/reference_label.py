# Adapter: label one batch; each finished label persists on its own (resume), failures recorded.
import shutil
from pathlib import Path

from vitrify.files import read_extxyz, write_extxyz, write_json
from vitrify.logs import setup_logging
from vitrify.reference.labelers import make_labeler, set_single_thread
from vitrify.reference.persist import label_batch

setup_logging(snakemake.log[0])
set_single_thread()
params = snakemake.params
labeler = make_labeler(params.labeler.backend, **{"min_atoms": params.min_atoms,
                                                  "allowed_species": tuple(params.species), **params.labeler.options})
configs = read_extxyz(snakemake.input.batch)
work = Path(snakemake.params.work)
summary = label_batch(configs, labeler, work)
merged = work / "labelled.extxyz"
if merged.exists():
    shutil.copyfile(merged, snakemake.output.labelled)
else:
    write_extxyz(snakemake.output.labelled, [])  # every configuration of the batch failed
write_json(snakemake.output.summary, summary)
