# Adapter: committee disagreement vs temperature for every ML trajectory of a system.
from pathlib import Path

import pandas as pd

from vitrify.logs import setup_logging
from vitrify.mlip.figures import committee_vs_temperature

setup_logging(snakemake.log[0])
tables = []
for path in snakemake.input.tables:
    t = pd.read_csv(path)
    run = Path(path).parent
    t["run"] = f"{t['model'].iloc[0].upper()} {run.parent.name} {run.name}"
    tables.append(t)
committee_vs_temperature(tables, snakemake.output[0], snakemake.params.trust)
