"""Short-range MACE training through mace-torch: trains, resumes after SIGKILL, evaluates.

The tiny data set is labelled with the classical Vashishta potential (fast, deterministic):
these tests check the training machinery, not a potential's quality.
"""

import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from ase.io import read, write

from vitrify.md.engine import single_point
from vitrify.md.potentials import get_potential
from vitrify.md.random_start import random_packing
from vitrify.mlip.evaluate import error_table

torch = pytest.importorskip("torch")
from vitrify.mlip.mace_train import MaceHyper, train  # noqa: E402

TINY = dict(num_channels=8, max_L=0, num_interactions=2, correlation=2, batch_size=4, r_max_A=4.5)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    out = tmp_path_factory.mktemp("data")
    pot = get_potential("vashishta_1990")
    frames = []
    for seed in range(14):
        atoms = random_packing({"Si": 8, "O": 16}, 2.2, 1.8, seed=seed)
        atoms.rattle(0.02, seed=seed)
        energy, forces, stress = single_point(atoms, pot, ["Si", "O"], out)
        atoms.info.update(REF_energy=energy, REF_stress=stress, origin="liquid" if seed % 2 else "quench")
        atoms.arrays["REF_forces"] = forces
        frames.append(atoms)
    write(out / "train.extxyz", frames[:10])
    write(out / "valid.extxyz", frames[10:12])
    write(out / "test.extxyz", frames[12:])
    return out


def test_train_and_evaluate(dataset, tmp_path):
    from mace.calculators import MACECalculator

    model = train("sr", 3, dataset / "train.extxyz", dataset / "valid.extxyz", tmp_path,
                  MaceHyper(max_num_epochs=2, **TINY))
    calc = MACECalculator(model_paths=str(model), device="cpu", default_dtype="float64")
    frames = read(dataset / "test.extxyz", ":")
    from vitrify.mlip.evaluate import predictions

    rows = predictions(frames, calc)
    table = error_table(rows).set_index("origin")
    assert set(table.index) == {"all", "liquid", "quench"}
    assert table.loc["all", "n_configs"] == 2
    de = [(r["energy_pred_eV"] - r["energy_ref_eV"]) / r["n_atoms"] * 1e3 for r in rows]
    assert table.loc["all", "energy_rmse_meV_per_atom"] == pytest.approx(np.sqrt(np.mean(np.square(de))))
    assert np.isfinite(table.loc["all", "stress_rmse_GPa"])


def test_killed_training_resumes_from_checkpoint(dataset, tmp_path):
    script = (
        "import sys; from pathlib import Path; from vitrify.mlip.mace_train import train, MaceHyper; "
        f"train('sr', 5, Path('{dataset}/train.extxyz'), Path('{dataset}/valid.extxyz'), Path('{tmp_path}'), "
        f"MaceHyper(max_num_epochs=int(sys.argv[1]), patience=1000, **{TINY!r}))"
    )
    proc = subprocess.Popen([sys.executable, "-c", script, "40"])
    checkpoints = tmp_path / "checkpoints"
    deadline = time.time() + 240
    while not list(checkpoints.glob("*_epoch-*.pt")):
        assert time.time() < deadline, "no checkpoint within 240 s"
        assert proc.poll() is None, "training ended before it could be killed"
        time.sleep(0.2)
    time.sleep(1.0)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not (tmp_path / "sr.model").exists()
    killed_at = max(int(p.stem.split("epoch-")[1]) for p in checkpoints.glob("*_epoch-*.pt"))

    res = subprocess.run([sys.executable, "-c", script, str(killed_at + 3)], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    assert (tmp_path / "sr.model").exists()
    log = (tmp_path / "train.log").read_text()
    assert "Loading checkpoint" in log or "loading checkpoint" in log.lower(), log[-2000:]
