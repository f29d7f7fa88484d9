"""Model file round trip, ASE calculator, TorchScript export for LAMMPS."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from tests.support.mlip_samples import random_sio2

from vitrify.mlip.calculator import PotentialCalculator
from vitrify.mlip.export import check_torchscript_export, export_sr_torchscript
from vitrify.mlip.model_io import load_model, save_model
from vitrify.mlip.models import ModelSpec, build_model, make_batch

torch.set_num_threads(1)
E0S = {"Si": -3.2, "O": -1.9}
METADATA = {"trained_on": "unit test", "epochs": 0, "labels": ["GFN1-xTB"]}


ATOMS = random_sio2(8, [[7.3, 0.0, 0.0], [1.5, 7.0, 0.0], [-0.8, 1.1, 7.4]], seed=1)


def spec_for(arch: str) -> ModelSpec:
    return ModelSpec(arch=arch, species=("Si", "O"), r_max_A=4.0, num_channels=8, max_L=1,
                     correlation=2, radial_mlp=(16, 16), lr_k_cutoff_inv_A=2.0)


@pytest.fixture(scope="module", params=["sr", "lr"])
def saved(request, tmp_path_factory):
    """(model, path) with every parameter randomised, so a missed tensor would show."""
    model = build_model(spec_for(request.param), E0S, avg_num_neighbors=7.5, scale=1.2, shift=0.1, seed=5)
    gen = torch.Generator().manual_seed(9)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.05 * torch.randn(p.shape, generator=gen, dtype=p.dtype))
    path = tmp_path_factory.mktemp(request.param) / "model.pt"
    save_model(path, model, METADATA)
    return model, path


def outputs(model, atoms, dtype=torch.float64):
    return {k: v.detach().double() for k, v in model(make_batch([atoms], model.spec, dtype=dtype)).items()}


def test_round_trip_float64_is_exact(saved):
    model, path = saved
    loaded, metadata = load_model(path)
    assert metadata == METADATA and loaded.spec == model.spec
    assert loaded.e0s_eV == model.e0s_eV and loaded.statistics == model.statistics
    ref, out = outputs(model, ATOMS), outputs(loaded, ATOMS)
    for key in ("energy", "forces", "stress"):
        torch.testing.assert_close(out[key], ref[key], rtol=0, atol=0)
    assert [p.name for p in path.parent.iterdir()] == ["model.pt"], "no temporary file left behind"


def test_round_trip_float32_is_close(saved):
    model, path = saved
    loaded, _ = load_model(path, dtype="float32")
    assert next(loaded.parameters()).dtype == torch.float32
    ref, out = outputs(model, ATOMS), outputs(loaded, ATOMS, dtype=torch.float32)
    torch.testing.assert_close(out["energy"], ref["energy"], rtol=1e-6, atol=1e-4)
    torch.testing.assert_close(out["forces"], ref["forces"], rtol=1e-4, atol=1e-4)
    torch.testing.assert_close(out["stress"], ref["stress"], rtol=1e-4, atol=1e-5)


def test_calculator_matches_forward_in_ase_conventions(saved):
    model, path = saved
    ref = outputs(model, ATOMS)
    for calc in (PotentialCalculator(model), PotentialCalculator(path)):
        atoms = ATOMS.copy()
        atoms.calc = calc
        assert atoms.get_potential_energy() == pytest.approx(float(ref["energy"][0]), rel=1e-13)
        assert atoms.get_potential_energy(force_consistent=True) == atoms.get_potential_energy()
        np.testing.assert_allclose(atoms.get_forces(), ref["forces"].numpy(), rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(atoms.get_stress(voigt=False), ref["stress"][0].numpy(), rtol=1e-12, atol=1e-15)
        s = ref["stress"][0].numpy()
        np.testing.assert_allclose(atoms.get_stress(), [s[0, 0], s[1, 1], s[2, 2], s[1, 2], s[0, 2], s[0, 1]],
                                   rtol=1e-12, atol=1e-15)


def test_calculator_does_not_convert_the_callers_model(saved):
    model, _ = saved
    calc = PotentialCalculator(model, dtype="float32")
    assert next(model.parameters()).dtype == torch.float64
    assert next(calc.model.parameters()).dtype == torch.float32


def test_files_that_are_not_vitrify_models_are_named_in_the_error(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("not a model")
    foreign = tmp_path / "other.pt"
    torch.save({"weights": torch.zeros(3)}, foreign)
    for path in (text, foreign):
        with pytest.raises(ValueError, match=f"{path}.* not a vitrify model file"):
            load_model(path)


def test_metadata_must_be_json(tmp_path, saved):
    model, _ = saved
    with pytest.raises(ValueError, match="json"):
        save_model(tmp_path / "m.pt", model, {"array": np.zeros(2)})
    assert not list(tmp_path.iterdir())


def test_sr_torchscript_export_matches_python_model(saved, tmp_path):
    model, path = saved
    if model.spec.arch != "sr":
        with pytest.raises(ValueError, match="supports SR models only.*cannot be evaluated"):
            export_sr_torchscript(path, tmp_path / "lr-lammps.pt")
        return
    out = export_sr_torchscript(path, tmp_path / "sr-lammps.pt")
    assert out.is_file()
    for atoms in (ATOMS, ATOMS.repeat((2, 1, 1))):
        check = check_torchscript_export(out, path, atoms)
        assert check["n_atoms"] == len(atoms) and check["dtype"] == "float64"
        assert check["max_abs_dE_eV"] < 1e-8
        assert check["max_abs_dF_eV_A"] < 1e-8
