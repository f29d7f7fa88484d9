"""Real LAMMPS melt-quench runs: complete protocol, SIGKILL and resume, divergence."""

import copy
import json
import subprocess

import numpy as np
import pandas as pd
import pytest
import yaml
from ase.io import read

from tests.support.processes import sigkill_after_restart
from tests.support.configs import melt_quench
from vitrify.md.melt_quench import SimulationError


@pytest.fixture(scope="module")
def test_config(repo):
    return yaml.safe_load((repo / "config" / "test.yaml").read_text())


def _expected_frame_steps(spec):
    steps = set()
    for seg in spec.segments:
        if seg.save_frames:
            steps |= {s for s in range(seg.first_step, seg.last_step + 1) if s % spec.frame_every == 0}
    return sorted(steps | {spec.total_steps})


def _check_complete(outdir, spec):
    frames = read(outdir / "trajectory.extxyz", ":")
    steps = [a.info["step"] for a in frames]
    assert steps == _expected_frame_steps(spec)
    assert all(a.get_chemical_symbols().count("Si") == spec.counts["Si"] for a in frames)
    thermo = pd.read_csv(outdir / "thermo.csv")
    assert thermo["step"].is_unique and thermo["step"].is_monotonic_increasing
    assert thermo["step"].iloc[-1] == spec.total_steps
    assert thermo["step"].iloc[0] == 0
    final = read(outdir / "final.extxyz")
    assert final.info["step"] == spec.total_steps and len(final) == spec.n_atoms
    assert (outdir / "final.data").read_text().count("\n") > spec.n_atoms
    return json.loads((outdir / "run.json").read_text())


def test_full_protocol_produces_glass_outputs(test_config, tmp_path):
    run = melt_quench(test_config, "silica", "classical", 2000, 0, tmp_path)
    spec = run.spec
    meta = run.run()
    assert _check_complete(tmp_path, spec) == json.loads(json.dumps(meta, default=str))
    assert meta["resumed_from_steps"] == []
    assert "Vashishta" in meta["energy_source"]
    thermo = pd.read_csv(tmp_path / "thermo.csv")
    melt = thermo[thermo.segment == "melt"]
    glass = thermo[thermo.segment == "glass"]
    assert glass.temperature_K.mean() < 0.3 * melt.temperature_K.mean()
    assert glass.potential_energy_eV.mean() < melt.potential_energy_eV.mean()


def test_teacher_runs_the_protocol_with_ewald_sums_and_conserves_energy(test_config, tmp_path):
    """The classical teacher (rigid ions, Ewald) through melt, quench, an NPT glass at
    0 GPa and an NVE check: a silica network at a sane density, energy conserved."""
    cfg = copy.deepcopy(test_config)
    silica = cfg["systems"]["silica"]
    silica["classical_potential"] = "bks_ssp"
    silica["md"]["thermo_interval_ps"] = 0.01
    silica["protocol"][3] = {"name": "glass", "ensemble": "npt", "T_K": 300, "duration_ps": 1, "pressure_GPa": 0.0}
    silica["protocol"][4]["duration_ps"] = 0.5
    run = melt_quench(cfg, "silica", "classical", 2000, 0, tmp_path)
    meta = run.run()
    _check_complete(tmp_path, run.spec)
    assert "classical teacher bks_ssp" in meta["energy_source"]
    assert (tmp_path / "final.data").read_text().count("Atoms # charge") == 1
    thermo = pd.read_csv(tmp_path / "thermo.csv")
    nve = thermo[thermo.segment == "nve_check"]["total_energy_eV"] / run.spec.n_atoms
    assert nve.max() - nve.min() < 1e-3, nve.tolist()   # eV/atom over 0.5 ps
    glass = read(tmp_path / "final.extxyz")
    density = sum(glass.get_masses()) / glass.get_volume() * 1.66053907
    assert 1.9 < density < 2.8, density   # 96 atoms after a 2 ps quench: a silica density, not a collapse
    from ase.neighborlist import neighbor_list

    i, j, d = neighbor_list("ijd", glass, 2.0)
    si = np.array(glass.get_chemical_symbols()) == "Si"
    bonds = si[i] & ~si[j]
    assert 1.55 < d[bonds].mean() < 1.68
    assert np.mean(np.bincount(i[bonds], minlength=len(glass))[si] == 4) > 0.8


def test_sigkill_mid_run_resumes_to_complete_protocol(repo, test_config, tmp_path, venv_bin):
    cfg = copy.deepcopy(test_config)
    silica = cfg["systems"]["silica"]
    silica["protocol"][0]["duration_ps"] = 4  # long enough to be killed in the middle
    silica["md"]["restart_interval_ps"] = 0.2
    cfg_path = tmp_path / "config.yaml"
    cfg_path.write_text(yaml.safe_dump(cfg))
    outdir = tmp_path / "run"
    cmd = [venv_bin / "vitrify-md", "--config", cfg_path, "--system", "silica", "--rate", "2000",
           "--outdir", outdir, "--log", tmp_path / "md.log"]

    sigkill_after_restart(cmd, outdir, 1000, timeout=120)
    assert not (outdir / "run.json").exists()

    res = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    spec = melt_quench(cfg, "silica", "classical", 2000, 0, outdir).spec
    meta = _check_complete(outdir, spec)
    assert len(meta["resumed_from_steps"]) == 1 and meta["resumed_from_steps"][0] >= 1000
    assert meta["steps_this_attempt"] == spec.total_steps - meta["resumed_from_steps"][0]
    assert "resuming from restart at step" in (tmp_path / "md.log").read_text()


def test_changed_settings_discard_old_checkpoints(test_config, tmp_path):
    run = melt_quench(test_config, "cuzr", "classical", 2000, 0, tmp_path)
    spec = run.spec
    run.run()
    cfg = copy.deepcopy(test_config)
    cfg["systems"]["cuzr"]["protocol"][-1]["duration_ps"] = 0.5
    run2 = melt_quench(cfg, "cuzr", "classical", 2000, 0, tmp_path)
    spec2 = run2.spec
    meta = run2.run()
    assert meta["resumed_from_steps"] == []
    assert meta["total_steps"] == spec2.total_steps < spec.total_steps


def test_rerun_of_finished_run_resumes_at_end(test_config, tmp_path):
    run = melt_quench(test_config, "cuzr", "classical", 2000, 0, tmp_path)
    spec = run.spec
    run.run()
    meta = melt_quench(test_config, "cuzr", "classical", 2000, 0, tmp_path).run()
    assert meta["resumed_from_steps"] == [spec.total_steps]
    assert meta["steps_this_attempt"] == 0
    _ = read(tmp_path / "trajectory.extxyz", ":")


def test_lost_atoms_stop_with_clear_error_and_last_good_frame(test_config, tmp_path):
    cfg = copy.deepcopy(test_config)
    silica = cfg["systems"]["silica"]
    silica["md"].update(timestep_fs=10.0, minimize_start=False, thermo_interval_ps=0.05)
    silica["min_distance_A"] = 1.0
    run = melt_quench(cfg, "silica", "classical", 2000, 0, tmp_path)
    spec = run.spec
    with pytest.raises(SimulationError, match=r"MD failed at step \d+ in segment 'melt': .*Lost atoms.*last good frame \(step 0\) kept at"):
        run.run()
    kept = read(tmp_path / "last_good.extxyz")
    assert len(kept) == spec.n_atoms and kept.info["step"] == 0
    assert not (tmp_path / "run.json").exists()


def test_start_from_given_structure(test_config, tmp_path):
    from vitrify.md.random_start import random_packing
    from ase.io import write

    start = tmp_path / "start.extxyz"
    write(start, random_packing({"Cu": 40, "Zr": 24}, 7.0, 2.0, seed=9))
    cfg = copy.deepcopy(test_config)
    cfg["systems"]["cuzr"]["start_structure_file"] = str(start)
    run = melt_quench(cfg, "cuzr", "classical", 2000, 0, tmp_path / "run")
    assert run.spec.counts == {"Cu": 40, "Zr": 24}
    meta = run.run()
    assert meta["n_atoms"] == 64


def test_non_finite_energy_stops_the_run(test_config, tmp_path):
    from vitrify.md.random_start import random_packing
    from ase.io import write

    atoms = random_packing({"Cu": 40, "Zr": 24}, 7.0, 2.0, seed=9)
    atoms.positions[1] = atoms.positions[0]  # two atoms on one site: singular pair energy
    write(tmp_path / "overlap.extxyz", atoms)
    cfg = copy.deepcopy(test_config)
    cfg["systems"]["cuzr"]["start_structure_file"] = str(tmp_path / "overlap.extxyz")
    cfg["systems"]["cuzr"]["md"]["minimize_start"] = False
    run = melt_quench(cfg, "cuzr", "classical", 2000, 0, tmp_path / "run")
    with pytest.raises(SimulationError, match=r"failed at step 0 in segment 'melt': non-finite pe=inf.*no good frame yet"):
        run.run()


def test_energy_is_conserved_across_restart_writes(test_config, tmp_path):
    # Regression: write_restart rebuilds LAMMPS' ghost atoms; a following `run ... pre no`
    # used stale neighbour lists and the NVE total energy jumped after each restart write.
    cfg = copy.deepcopy(test_config)
    silica = cfg["systems"]["silica"]
    silica["md"].update(thermo_interval_ps=0.01, frame_interval_ps=0.1, restart_interval_ps=0.05)
    silica["protocol"] = [
        {"name": "warm", "ensemble": "nvt", "T_K": 1500, "duration_ps": 0.2},
        {"name": "quench", "ensemble": "nvt", "T_start_K": 1500, "T_end_K": 1499, "quench": True},
        {"name": "nve", "ensemble": "nve", "T_K": 1500, "duration_ps": 0.5},
    ]
    run = melt_quench(cfg, "silica", "classical", 1000, 0, tmp_path)
    spec = run.spec
    meta = run.run()
    rows = pd.read_csv(tmp_path / "thermo.csv")
    nve = rows[rows["segment"] == "nve"]["total_energy_eV"] / spec.n_atoms
    assert nve.max() - nve.min() < 2e-3, nve.tolist()  # eV/atom over 10 restart writes
    assert abs(meta["nve_drift_meV_per_atom_per_ps"]["nve"]) < 2.0


def test_torn_restart_file_falls_back_to_the_previous_one(test_config, tmp_path, caplog):
    """A restart file cut short (a full disk) is set aside; the run resumes from the one before."""
    import logging

    cfg = copy.deepcopy(test_config)
    cfg["systems"]["cuzr"]["md"]["restart_interval_ps"] = 0.5
    run = melt_quench(cfg, "cuzr", "classical", 2000, 0, tmp_path)
    spec = run.spec
    run.run()
    restarts = sorted((tmp_path / "work" / "restart").glob("restart.*.lmp"))
    assert len(restarts) == 2
    newest, previous = restarts[-1], restarts[0]
    newest.write_bytes(newest.read_bytes()[: newest.stat().st_size // 3])
    with caplog.at_level(logging.WARNING, logger="vitrify.md"):
        meta = melt_quench(cfg, "cuzr", "classical", 2000, 0, tmp_path).run()
    assert "cannot be read" in caplog.text and (tmp_path / "work" / "restart" / f"{newest.name}.torn").exists()
    assert meta["resumed_from_steps"] == [int(previous.name.split(".")[1])]
    thermo = pd.read_csv(tmp_path / "thermo.csv")
    assert thermo["step"].is_unique and thermo["step"].iloc[-1] == spec.total_steps
    assert read(tmp_path / "final.extxyz").info["step"] == spec.total_steps
