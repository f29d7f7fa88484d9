# Adapter: SR vs LR test errors (table), parity, learning curves and training histories.
import numpy as np
import pandas as pd

from vitrify.files import write_csv
from vitrify.logs import setup_logging
from vitrify.mlip.figures import learning_curves, parity, training_histories
from vitrify.mlip.summary import evaluation_table

setup_logging(snakemake.log[0])
members = snakemake.params.members
errors = [pd.read_csv(p) for p in snakemake.input.errors]
histories = {tuple(m): pd.read_csv(p) for m, p in zip(members, snakemake.input.histories)}
label_method = "; ".join(sorted({str(m) for e in errors for m in e["reference_labels"]}))
table, curve = evaluation_table(errors, label_method)
write_csv(snakemake.output.table, table)
first_seed = {}
for (arch, member), path in zip(members, snakemake.input.predictions):
    if member.startswith("seed") and arch not in first_seed:
        first_seed[arch] = dict(np.load(path))
parity(first_seed, label_method, snakemake.output.parity)
learning_curves(curve, snakemake.output.learning)
training_histories(histories, snakemake.output.training)
