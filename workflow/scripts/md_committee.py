# Adapter: committee disagreement on every saved frame of one ML trajectory.
import pandas as pd
import torch
from ase.io import read

from vitrify.devices import resolve_device
from vitrify.files import write_csv
from vitrify.logs import setup_logging
from vitrify.mlip.calculator import PotentialCalculator
from vitrify.mlip.committee import trajectory_disagreement

setup_logging(snakemake.log[0])
torch.set_num_threads(snakemake.threads)
md = snakemake.params.model_md
device = resolve_device(md.device)
members = [PotentialCalculator(path, device=device, dtype=md.dtype) for path in snakemake.input.models]
rows = trajectory_disagreement(read(snakemake.input.trajectory, ":"), members)
table = pd.DataFrame(rows)
table.insert(0, "model", snakemake.wildcards.model)
write_csv(snakemake.output.table, table)
