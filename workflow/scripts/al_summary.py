# Adapter: the active-learning statistics table and convergence figure.
import pandas as pd

from vitrify.active.summary import convergence_figure, iteration_table
from vitrify.files import read_extxyz, read_json, write_csv
from vitrify.logs import setup_logging
from vitrify.reference.dataset import is_isolated_atom

setup_logging(snakemake.log[0])
al, inp = snakemake.params.active, snakemake.input
scores = pd.concat([pd.read_csv(p) for p in inp.scores], ignore_index=True)
errors = pd.concat([pd.read_csv(p) for p in inp.errors], ignore_index=True)
decisions = [read_json(p) for p in inp.decisions]
n_train = {i: sum(1 for a in read_extxyz(p) if not is_isolated_atom(a)) for i, p in enumerate(inp.datasets)}
table = iteration_table(scores, errors, decisions, n_train)
write_csv(snakemake.output.table, table)
final = decisions[-1]
convergence_figure(table, scores, al.lower_trust_eV_per_A, al.upper_trust_eV_per_A, al.converged_candidate_fraction,
                   f"{snakemake.wildcards.system}: active learning, {len(decisions)} iteration(s); {final['reason']}",
                   snakemake.output.figure)
