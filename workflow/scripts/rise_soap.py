# Adapter: per-atom SOAP of every RISE sample at one cutoff radius, in chunks.
import logging
from pathlib import Path

from vitrify.logs import setup_logging
from vitrify.rise.samples import read_sample_sets
from vitrify.rise.soap import SoapSettings, write_soap_store

setup_logging(snakemake.log[0])
rise = snakemake.params.rise
settings = SoapSettings(tuple(snakemake.params.species), float(snakemake.wildcards.r), rise.soap_n_max,
                        rise.soap_l_max, rise.soap_sigma_A)
samples = read_sample_sets(snakemake.input.samples)
logging.info("SOAP r_cut=%s A of %d samples", snakemake.wildcards.r, len(samples))
write_soap_store(samples, Path(snakemake.output.index).parent, settings, rise.soap_samples_per_chunk)
