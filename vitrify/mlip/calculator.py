"""ASE calculator for vitrify potentials (SR and LR alike)."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import torch
from ase.calculators.calculator import Calculator, all_changes

from vitrify.mlip.model_io import load_model, torch_dtype
from vitrify.mlip.models import Potential, make_batch


def full_to_voigt(stress: np.ndarray) -> np.ndarray:
    """3x3 -> ASE Voigt order xx yy zz yz xz xy."""
    return np.array([stress[0, 0], stress[1, 1], stress[2, 2], stress[1, 2], stress[0, 2], stress[0, 1]])


def _needs_conversion(model: torch.nn.Module, dtype: torch.dtype, device) -> bool:
    tensor = next(model.parameters())
    return tensor.dtype != dtype or tensor.device != torch.device(device)


class PotentialCalculator(Calculator):
    implemented_properties = ["energy", "free_energy", "forces", "stress"]

    def __init__(self, model: Potential | str | Path, device="cpu", dtype="float64", **kw):
        super().__init__(**kw)
        self.dtype = torch_dtype(dtype)
        self.device = device
        if isinstance(model, (str, Path)):
            model, _ = load_model(model, device=device, dtype=dtype)
        elif _needs_conversion(model, self.dtype, device):
            model = copy.deepcopy(model)  # never convert the caller's model in place
        self.model = model.to(device=device, dtype=self.dtype).eval()

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        super().calculate(atoms, properties, system_changes)
        periodic = bool(self.atoms.pbc.all()) and bool(abs(self.atoms.cell.volume) > 1e-6)
        batch = make_batch([self.atoms], self.model.spec, dtype=self.dtype, device=self.device)
        out = self.model(batch, compute_forces=True, compute_stress=periodic)
        energy = float(out["energy"].detach()[0])
        self.results = {"energy": energy, "free_energy": energy,
                        "forces": out["forces"].detach().cpu().double().numpy()}
        if periodic:
            self.results["stress"] = full_to_voigt(out["stress"].detach()[0].cpu().double().numpy())
