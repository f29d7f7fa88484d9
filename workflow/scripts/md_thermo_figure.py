# Adapter: thermo traces of one run as a figure.
import json

import pandas as pd

from vitrify.logs import setup_logging
from vitrify.md.figures import thermo_traces

setup_logging(snakemake.log[0])
meta = json.loads(open(snakemake.input.meta).read())
title = f"{meta['label']}: {meta['n_atoms']} atoms, potential {meta['potential']['name']}"
thermo_traces(pd.read_csv(snakemake.input.thermo), meta["n_atoms"], title, snakemake.output[0])
