# Adapter: glass properties of all runs of one system and model, table and figure.
import json

import pandas as pd

from vitrify.logs import setup_logging
from vitrify.md.summary import glass_table
from vitrify.plotting import quench_energy

setup_logging(snakemake.log[0])
runs = []
for thermo_path, meta_path in zip(snakemake.input.thermo, snakemake.input.meta):
    meta = json.loads(open(meta_path).read())
    quench = next(s["name"] for s in meta["segments"] if s["name"] == "quench" or s["T_start_K"] != s["T_end_K"])
    runs.append({**meta, "thermo": pd.read_csv(thermo_path), "quench_segment": quench})
table = glass_table(runs)
table.to_csv(snakemake.output.table, index=False)
for run in runs:
    row = table[(table.cooling_rate_K_per_ps == run["cooling_rate_K_per_ps"]) & (table.replica == run["replica"])]
    run["glass_pe_eV_per_atom"] = float(row["potential_energy_eV_per_atom"].iloc[0])
w = snakemake.wildcards
quench_energy(runs, f"{w.system} / {w.model}: potential {runs[0]['potential']['name']}", snakemake.output.figure)
