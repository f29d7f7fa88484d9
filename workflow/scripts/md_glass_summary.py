# Adapter: glass properties of all runs of one system and model, table and figure.
import json

import pandas as pd

from vitrify.files import write_csv
from vitrify.logs import setup_logging
from vitrify.md.figures import quench_energy
from vitrify.md.summary import glass_table

setup_logging(snakemake.log[0])
runs = [
    {**json.loads(open(meta).read()), "thermo": pd.read_csv(thermo)}
    for thermo, meta in zip(snakemake.input.thermo, snakemake.input.meta)
]
write_csv(snakemake.output.table, glass_table(runs))
w = snakemake.wildcards
title = f"{w.system} / {w.model}: potential {runs[0]['potential']['name']}"
quench_energy(runs, title, snakemake.output.figure)
