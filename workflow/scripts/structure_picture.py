# Adapter: the last frame of one phase of one model's first replica, rendered with OVITO.
import logging

from vitrify.logs import setup_logging
from vitrify.structure.frames import read_frames
from vitrify.structure.pictures import render_network

setup_logging(snakemake.log[0])
params = snakemake.params
frame = read_frames(snakemake.input.trajectory, segment=params.segment, last=1)[0]
counts = render_network(frame, snakemake.output[0], cutoff_A=params.cutoff_A)
logging.info("%s, %s, step %s: Si coordination counts %s", params.label, params.segment, frame.info.get("step"),
             counts)
