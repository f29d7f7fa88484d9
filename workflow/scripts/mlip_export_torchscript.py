# Adapter: the SR model as TorchScript for LAMMPS `pair_style mace`, checked against Python.
import logging

from ase.io import read

from vitrify.files import write_json
from vitrify.logs import setup_logging
from vitrify.mlip.export import check_torchscript_export, export_sr_torchscript
from vitrify.reference.dataset import is_isolated_atom

setup_logging(snakemake.log[0])
export_sr_torchscript(snakemake.input.model, snakemake.output.model, dtype="float64")
frames = [a for a in read(snakemake.input.test, ":") if not is_isolated_atom(a)]
check = check_torchscript_export(snakemake.output.model, snakemake.input.model, frames[0])
logging.info("TorchScript vs Python on %s: %s", frames[0].info.get("config_id"), check)
write_json(snakemake.output.check, {"frame": frames[0].info.get("config_id"), **check})
