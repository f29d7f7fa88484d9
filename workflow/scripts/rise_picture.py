# Adapter: the first inherent structure of the study, atoms coloured by environment at the RISE.
import logging
from pathlib import Path

from ase.io import read

from vitrify.files import read_json
from vitrify.logs import setup_logging
from vitrify.rise.environments import load_environments
from vitrify.rise.pictures import environment_picture
from vitrify.rise.soap import SoapSettings

setup_logging(snakemake.log[0])
params = snakemake.params
summary = read_json(Path(snakemake.input.summary))
rise_A = float(summary["rise_A"])
# The leader files follow the radius sweep's order; pick the RISE's own.
leaders = {float(Path(p).parent.name[1:]): p for p in snakemake.input.leaders}[rise_A]
env = load_environments(Path(leaders))
soap = SoapSettings(tuple(params.species), rise_A, params.soap.soap_n_max, params.soap.soap_l_max,
                    params.soap.soap_sigma_A)
atoms = read(snakemake.input.samples, index=0)
shown = environment_picture(atoms, env, soap, snakemake.output[0], unmatched=params.unmatched)
logging.info("RISE %g A: %d atoms, %d environments in this structure, %d unmatched; most frequent %s", rise_A,
             shown["n_atoms"], shown["n_environments_in_structure"], shown["n_unmatched"],
             [(t["environment"], t["atoms"]) for t in shown["top"]])
