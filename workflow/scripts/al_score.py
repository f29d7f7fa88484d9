# Adapter: the committee scores every frame of one exploration.
import torch

from vitrify.active.score import score_frames
from vitrify.devices import resolve_device
from vitrify.files import read_extxyz, write_csv
from vitrify.logs import setup_logging
from vitrify.mlip.calculator import PotentialCalculator

setup_logging(snakemake.log[0])
torch.set_num_threads(snakemake.threads)
al, md, wc = snakemake.params.active, snakemake.params.model_md, snakemake.wildcards
device = resolve_device(md.device)
members = [PotentialCalculator(path, device=device, dtype=md.dtype) for path in snakemake.input.models]
frames = read_extxyz(snakemake.input.trajectory)
table = score_frames(frames, members, al.lower_trust_eV_per_A, al.upper_trust_eV_per_A, wc.arch, int(wc.it))
write_csv(snakemake.output.scores, table)
