"""The potential factory: the one place that turns a model name into what drives LAMMPS.

Every MD and minimisation entry point (melt-quench, reference MD, RISE anneal and
inherent structures, `vitrify-md`) asks `make_potential`; nothing else compares model
names. A model kind is one entry of MODEL_KINDS: how to build its potential, whether a
model file from the mlip stage drives it, whether LAMMPS can run it as `pair_style mace`,
and its label in figures. Adding a kind (a classical teacher with Ewald sums, say) is a
`vitrify.lammps.potential.Potential` subclass plus one entry here, and its name in the
schema's list of models.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..lammps.classical import get_potential
from ..lammps.external import ExternalPotential
from ..lammps.mace_pair import PairStyleMace, file_digest
from ..lammps.potential import Potential
from ..potential_table import is_teacher
from ..settings import ModelMDSettings, SystemSettings

log = logging.getLogger("vitrify.md")


@dataclass(frozen=True)
class PotentialRequest:
    """Everything a builder may use: the system, the model's name and file, how to run it."""

    system: SystemSettings
    model: str
    model_file: str | None = None
    md: ModelMDSettings | None = None
    threads: int = 1


@dataclass(frozen=True)
class ModelKind:
    build: Callable[[PotentialRequest], Potential]
    trained: bool             # driven by a model file of the mlip stage (its arch has this name)
    label: str                # legend label; {classical_potential} is the system's, {classical} its kind
    source: str               # where its energies come from, in words (same fields, and {system})
    lammps_pair_style: bool = False  # can run as LAMMPS `pair_style mace` (mlip.md.driver)


def _classical(req: PotentialRequest) -> Potential:
    return get_potential(req.system.classical_potential)


def trained_potential(model_file: str | Path, device: str = "auto", dtype: str = "float64",
                      threads: int = 1) -> ExternalPotential:
    """A trained vitrify model (SR or LR) in a `fix external` callback: LAMMPS integrates,
    thermostats and barostats; the model gives energy, forces and virial on CPU or CUDA.

    Its name carries the file's hash, so the MD fingerprint changes when the model does.
    """
    import torch  # noqa: PLC0415  (torch and the model code only where a model runs)

    from ..devices import resolve_device  # noqa: PLC0415
    from ..mlip.calculator import PotentialCalculator  # noqa: PLC0415
    from ..mlip.model_io import load_model  # noqa: PLC0415

    torch.set_num_threads(max(1, int(threads)))
    device = resolve_device(device)
    model, meta = load_model(model_file, device=device, dtype=dtype)
    calc = PotentialCalculator(model, device=device, dtype=dtype)
    spec = model.spec
    name = f"mace-{spec.arch}-{file_digest(model_file)}"
    log.info("%s: %s on %s in %s, r_max %.2f A, %d torch threads", model_file, name, device, dtype,
             spec.r_max_A, torch.get_num_threads())
    return ExternalPotential(
        name=name,
        calculator=calc,
        cutoff_A=float(spec.r_max_A),
        citation=(f"{spec.description} trained by vitrify on {meta.get('label_method', 'unknown')} labels; "
                  f"model file {Path(model_file).name}; device {device}, {dtype}"),
        filename=str(model_file),
    )


def _trained(req: PotentialRequest) -> Potential:
    if req.model_file is None or req.md is None:
        raise ValueError(f"model {req.model!r} is trained: it needs its model file and the mlip.md settings")
    if req.md.driver == "pair_style_mace" and MODEL_KINDS[req.model].lammps_pair_style:
        from ..mlip.model_io import read_payload  # noqa: PLC0415

        payload = read_payload(req.model_file)
        return PairStyleMace(lammps_model_file(req.model_file), payload["spec"]["r_max_A"],
                             payload.get("metadata", {}).get("label_method", "unknown"))
    return trained_potential(req.model_file, req.md.device, req.md.dtype, req.threads)


def lammps_model_file(model_file: str | Path) -> Path:
    """The TorchScript export beside a model file (mlip_export_torchscript writes it)."""
    return Path(model_file).with_name("model-lammps.pt")


MODEL_KINDS: dict[str, ModelKind] = {
    "classical": ModelKind(_classical, trained=False, label="{classical} ({classical_potential})",
                           source="{classical} potential {classical_potential}"),
    # SR can be a LAMMPS pair style; LR cannot: its reciprocal-space sum needs the whole
    # cell, which a pair style never sees (it runs through the callback on one rank).
    "sr": ModelKind(_trained, trained=True, label="MACE SR", lammps_pair_style=True,
                    source="MACE SR (first committee seed) trained on the {system} reference data"),
    "lr": ModelKind(_trained, trained=True, label="MACE LR",
                    source="MACE LR (first committee seed) trained on the {system} reference data"),
}


def model_kind(model: str) -> ModelKind:
    try:
        return MODEL_KINDS[model]
    except KeyError:
        raise KeyError(f"unknown model {model!r}; known: {sorted(MODEL_KINDS)}") from None


def _fields(system: SystemSettings) -> dict:
    # A teacher (rigid ions, Ewald) is named as such wherever its numbers appear.
    return {"classical_potential": system.classical_potential, "system": system.name,
            "classical": "classical teacher" if is_teacher(system.classical_potential) else "classical"}


def teacher_model(system: SystemSettings) -> str | None:
    """The model of `system` whose energies are the classical teacher's (the ground truth
    trained models are judged against), or None when the system has no teacher."""
    if not is_teacher(system.classical_potential):
        return None
    return next((name for name, kind in MODEL_KINDS.items() if kind.build is _classical and name in system.models),
                None)


def model_label(system: SystemSettings, model: str) -> str:
    return model_kind(model).label.format(**_fields(system))


def model_source(system: SystemSettings, model: str) -> str:
    """Where the energies of `model` for `system` come from, as the RISE outputs say it."""
    return model_kind(model).source.format(**_fields(system))


def make_potential(system: SystemSettings, model: str, model_file: str | Path | None = None,
                   md: ModelMDSettings | None = None, threads: int = 1) -> Potential:
    """The potential that runs `model` for `system` (model_file and md for trained models)."""
    return model_kind(model).build(PotentialRequest(system, model, None if model_file is None else str(model_file),
                                                    md, threads))


def start_potential(system: SystemSettings, model: str) -> Potential | None:
    """The potential that relaxes a random start before `model` takes over, or None.

    A minimiser on a model trained on little data can walk into a hole at short range;
    the system's classical potential relaxes the random packing first.
    """
    return get_potential(system.classical_potential) if model_kind(model).trained else None
