# Adapter: label one batch; each finished label persists on its own (resume), failures recorded.
import json
import shutil
from pathlib import Path

from ase.io import read

from vitrify.logs import setup_logging
from vitrify.reference.labelers import make_labeler, set_single_thread
from vitrify.reference.persist import label_batch

setup_logging(snakemake.log[0])
set_single_thread()
lab = snakemake.params.reference["labeler"]
labeler = make_labeler(lab["backend"], **lab.get("options", {}))
configs = read(snakemake.input.batch, ":") if Path(snakemake.input.batch).stat().st_size else []
work = Path(snakemake.params.work)
summary = label_batch(configs, labeler, work)
merged = work / "labelled.extxyz"
if merged.exists():
    shutil.copyfile(merged, snakemake.output.labelled)
else:
    Path(snakemake.output.labelled).write_text("")  # every configuration of the batch failed
Path(snakemake.output.summary).write_text(json.dumps(summary, indent=1))
