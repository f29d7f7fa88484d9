# Adapter: merge labelled batches (or read a user dataset), filter, split, summarise, plot.
import json
import logging
from pathlib import Path

from vitrify.files import read_extxyz, read_json, write_extxyz, write_json
from vitrify.logs import setup_logging
from vitrify.reference.dataset import build_dataset
from vitrify.reference.figures import dataset_overview
from vitrify.reference.labelers import make_labeler
from vitrify.reference.user_dataset import read_user_dataset

setup_logging(snakemake.log[0])
ref = snakemake.params.reference
lab = ref.labeler
species = tuple(snakemake.params.species)
if lab.from_dataset:
    ds = lab.dataset
    frames = read_user_dataset(Path(snakemake.params.basedir) / ds.file, energy_key=ds.energy_key,
                               forces_key=ds.forces_key, stress_key=ds.stress_key, stress_unit=ds.stress_unit,
                               allowed_species=species, method=ds.method)
    labeler = None
else:
    frames = [a for path in snakemake.input.labelled for a in read_extxyz(path)]
    labeler = make_labeler(lab.backend, **{"allowed_species": species, **lab.options})
failed = sum(json.loads(Path(p).with_suffix(".json").read_text())["n_failed"] for p in snakemake.input.labelled)
logging.info("%d labelled configurations, %d failed labelling", len(frames), failed)
outdir = Path(snakemake.output.train).parent
report = build_dataset(frames, outdir, ref.split_fractions, ref.split_seed, ref.max_force_eV_per_A,
                       labeler=labeler, species=species, figure=False)
dataset_overview(frames, snakemake.output.figure, e0_eV=report.get("e0_eV"))
for split in ("valid", "test"):  # tiny datasets can leave a split empty: keep the file
    if not (outdir / f"{split}.extxyz").exists():
        write_extxyz(outdir / f"{split}.extxyz", [])
summary = read_json(snakemake.output.summary)
summary["n_failed_labels"] = failed
write_json(snakemake.output.summary, summary)
