# Adapter: the active-learning statistics table and convergence figure.
from pathlib import Path

import pandas as pd
from ase.io import read

from vitrify.active.summary import convergence_figure, iteration_table
from vitrify.files import read_json, write_csv
from vitrify.logs import setup_logging

setup_logging(snakemake.log[0])
al, inp = snakemake.params.active, snakemake.input
scores = pd.concat([pd.read_csv(p) for p in inp.scores], ignore_index=True)
errors = pd.concat([pd.read_csv(p) for p in inp.errors], ignore_index=True)
decisions = [read_json(p) for p in inp.decisions]
n_train = {i: sum(1 for a in read(p, ":") if a.info.get("config_type") != "IsolatedAtom")
           for i, p in enumerate(inp.datasets) if Path(p).stat().st_size}
table = iteration_table(scores, errors, decisions, n_train)
write_csv(snakemake.output.table, table)
final = decisions[-1]
convergence_figure(table, scores, al.lower_trust_eV_per_A, al.upper_trust_eV_per_A, al.converged_candidate_fraction,
                   f"{snakemake.wildcards.system}: active learning, {len(decisions)} iteration(s); {final['reason']}",
                   snakemake.output.figure)
