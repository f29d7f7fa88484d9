"""TorchScript export of SR models for LAMMPS ``pair_style mace``.

Uses mace's own LAMMPS wrapper (``mace.calculators.LAMMPS_MACE``, what
``mace_create_lammps_model`` scripts), applied to the inner ScaleShiftMACE.
"""

from __future__ import annotations

import copy
from pathlib import Path

import ase
import torch

# mace before e3nn: with torch 2.13, importing e3nn first fails (UnpicklingError: weights only load).
from mace.calculators import LAMMPS_MACE  # noqa: I001
from e3nn.util import jit

from vitrify.mlip.model_io import load_model, read_payload
from vitrify.mlip.models import ModelSpec, make_batch
from ..files import atomic_path

LR_NOT_SUPPORTED = (
    "TorchScript export for LAMMPS pair_style mace supports SR models only; {file} is an LR model. "
    "pair_style mace hands the model one MPI domain's local + ghost atoms within the cutoff, "
    "without the cell or the other domains' atoms, so the reciprocal-space term (a sum over all "
    "atoms of the periodic cell) cannot be evaluated there. Run LR models in LAMMPS through "
    "`fix external` with the Python PotentialCalculator instead.")


def _require_sr(model_file) -> None:
    if ModelSpec.from_dict(read_payload(model_file)["spec"]).long_range:
        raise ValueError(LR_NOT_SUPPORTED.format(file=model_file))


def export_sr_torchscript(model_file, out_file, dtype="float64") -> Path:
    _require_sr(model_file)
    model, _ = load_model(model_file, dtype=dtype)
    # LAMMPS_MACE freezes the parameters it wraps: give it a copy.
    scripted = jit.compile(LAMMPS_MACE(copy.deepcopy(model.mace)))
    out_file = Path(out_file)
    with atomic_path(out_file) as tmp:
        scripted.save(str(tmp))
    return out_file


def _scripted_dtype(scripted: torch.jit.ScriptModule) -> torch.dtype:
    return next(t.dtype for t in scripted.parameters() if t.is_floating_point())


def check_torchscript_export(torchscript_file, model_file, atoms: ase.Atoms) -> dict:
    """Energy and forces of the TorchScript model vs the Python Potential (float64) on atoms.

    Returns {"max_abs_dE_eV", "max_abs_dF_eV_A", "n_atoms", "dtype"}.
    """
    _require_sr(model_file)
    scripted = torch.jit.load(str(torchscript_file), map_location="cpu")
    dtype = _scripted_dtype(scripted)
    model, _ = load_model(model_file, dtype="float64")
    reference = model(make_batch([atoms], model.spec), compute_forces=True, compute_stress=False)
    batch = make_batch([atoms], model.spec, dtype=dtype)
    data = {k: batch[k] for k in ("positions", "node_attrs", "batch", "ptr", "edge_index",
                                  "unit_shifts", "shifts", "cell")}
    local = torch.ones(len(atoms), dtype=dtype)
    out = scripted(data, local, False)
    d_e = (out["total_energy_local"].detach().double() - reference["energy"].detach()).abs().max()
    d_f = (out["forces"].detach().double() - reference["forces"].detach()).abs().max()
    return {"max_abs_dE_eV": float(d_e), "max_abs_dF_eV_A": float(d_f), "n_atoms": len(atoms),
            "dtype": str(dtype).replace("torch.", "")}
