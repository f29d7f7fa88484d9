# Adapter (checkpoint): candidates of every architecture's exploration, the diversity
# filter, and the decision whether the loop goes on.
import logging

import pandas as pd

from vitrify.active.select import select_frames
from vitrify.active.trust import CANDIDATE, decide
from vitrify.files import read_extxyz, read_json, write_extxyz, write_json
from vitrify.logs import setup_logging

setup_logging(snakemake.log[0])
al, it = snakemake.params.active, int(snakemake.wildcards.it)
tables, candidates, stops = [], [], {}
for scores, trajectory, record in zip(snakemake.input.scores, snakemake.input.trajectories, snakemake.input.records):
    table = pd.read_csv(scores)
    rec = read_json(record)
    stops[rec["arch"]] = rec["guard_stop"]
    tables.append(table.assign(arch=rec["arch"]))
    frames = read_extxyz(trajectory)
    candidates += [(frames[int(r["frame"])], r) for _, r in table.iterrows() if r["class"] == CANDIDATE]
scores = pd.concat(tables, ignore_index=True)
selected = []
if it < al.max_iterations:
    selected = select_frames(candidates, al.max_new_per_iteration, it, read_extxyz(snakemake.input.train))
decision = decide(it, scores, stops, len(selected), al.max_iterations, al.converged_candidate_fraction)
logging.info("iteration %d: %d frames, %d candidates, %.1f%% above the upper level: %s", it, len(scores),
             len(candidates), 100 * decision["broken_fraction"], decision["reason"])
if decision["stop"]:
    selected = []
write_extxyz(snakemake.output.selected, selected)
write_json(snakemake.output.decision, decision)
