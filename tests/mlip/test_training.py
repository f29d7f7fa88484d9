"""The shared SR/LR training loop: it learns, resumes exactly, and survives SIGKILL."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from ase.io import write

from tests.support.mlip_samples import labelled_frames
from vitrify.mlip.model_io import load_model
from vitrify.mlip.models import ModelSpec
from vitrify.settings import TrainingSettings
from vitrify.mlip.train import parse_member, train_model, training_subset

TINY = dict(species=("Si", "O"), r_max_A=4.0, num_channels=8, max_L=0, correlation=2, num_interactions=1,
            num_radial_basis=6, radial_mlp=(16, 16), lr_k_cutoff_inv_A=1.3, lr_heads=2, lr_head_dim=4,
            lr_filter_basis=4)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    work = tmp_path_factory.mktemp("labels")
    frames = labelled_frames(8, 48, seed=5, workdir=work)
    return frames[:6], frames[6:]


@pytest.mark.parametrize("arch", ["sr", "lr"])
def test_training_lowers_validation_loss_and_writes_a_loadable_model(tmp_path, data, arch):
    torch.set_num_threads(1)
    train, valid = data
    history = train_model(ModelSpec(arch=arch, **TINY), train, valid, TrainingSettings.defaults(lr=0.005, max_epochs=4, batch_size=3),
                          seed=0, workdir=tmp_path / "work", model_file=tmp_path / "model.pt",
                          metadata={"label_method": "test labels"})
    assert len(history) == 4
    assert min(h["valid_loss"] for h in history[1:]) < history[0]["valid_loss"]
    model, meta = load_model(tmp_path / "model.pt")
    assert model.spec.arch == arch
    assert meta["label_method"] == "test labels"
    assert meta["n_train"] == 6 and set(meta["e0s_eV"]) == {"Si", "O"}


def test_resumed_training_equals_uninterrupted(tmp_path, data):
    torch.set_num_threads(1)
    train, valid = data
    spec = ModelSpec(arch="lr", **TINY)
    straight = train_model(spec, train, valid, TrainingSettings.defaults(lr=0.005, max_epochs=4, batch_size=3), 1,
                           tmp_path / "a", tmp_path / "a.pt")
    train_model(spec, train, valid, TrainingSettings.defaults(lr=0.005, max_epochs=2, batch_size=3), 1, tmp_path / "b", tmp_path / "b.pt")
    resumed = train_model(spec, train, valid, TrainingSettings.defaults(lr=0.005, max_epochs=4, batch_size=3), 1,
                          tmp_path / "b", tmp_path / "b.pt")
    assert [h["epoch"] for h in resumed] == [1, 2, 3, 4]
    np.testing.assert_allclose([h["valid_loss"] for h in resumed], [h["valid_loss"] for h in straight], rtol=1e-10)
    a, _ = load_model(tmp_path / "a.pt")
    b, _ = load_model(tmp_path / "b.pt")
    for (name, pa), pb in zip(a.state_dict().items(), b.state_dict().values()):
        assert torch.equal(pa, pb), name


KILL_SCRIPT = """
import sys, torch
from ase.io import read
from vitrify.mlip.models import ModelSpec
from vitrify.mlip.train import train_model
from vitrify.settings import TrainingSettings
torch.set_num_threads(1)
spec = ModelSpec(arch="sr", **{tiny})
train_model(spec, read(sys.argv[1], ":"), read(sys.argv[2], ":"), TrainingSettings.defaults(lr=0.005, max_epochs=int(sys.argv[5]), batch_size=3),
            0, sys.argv[3], sys.argv[4])
"""


def test_sigkilled_training_resumes_from_its_checkpoint(tmp_path, data):
    train, valid = data
    write(tmp_path / "train.extxyz", train)
    write(tmp_path / "valid.extxyz", valid)
    script = tmp_path / "train.py"
    script.write_text(KILL_SCRIPT.format(tiny=repr(TINY)))
    args = [sys.executable, str(script), str(tmp_path / "train.extxyz"), str(tmp_path / "valid.extxyz"),
            str(tmp_path / "work"), str(tmp_path / "model.pt")]
    proc = subprocess.Popen(args + ["200"], env=dict(os.environ, PYTHONPATH=str(Path(__file__).parents[2])))
    checkpoint = tmp_path / "work" / "checkpoint.pt"
    deadline = time.time() + 300
    while time.time() < deadline and not checkpoint.exists():
        time.sleep(0.2)
    time.sleep(1.0)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert checkpoint.exists(), "no checkpoint written before the kill"
    done = torch.load(checkpoint, weights_only=False)["state"]["epoch"]
    assert not (tmp_path / "model.pt").exists()
    subprocess.run(args + [str(done + 2)], check=True, env=dict(os.environ, PYTHONPATH=str(Path(__file__).parents[2])))
    final = torch.load(checkpoint, weights_only=False)["state"]
    assert final["epoch"] == done + 2
    assert [h["epoch"] for h in final["history"]] == list(range(1, done + 3))
    assert (tmp_path / "model.pt").exists()


def test_learning_curve_subsets_are_nested_and_keep_every_origin(data):
    train, _ = data
    small, large = training_subset(train, 0.3, 0), training_subset(train, 0.7, 0)
    ids = lambda fr: {a.info["config_id"] for a in fr}  # noqa: E731
    assert ids(small) <= ids(large) <= ids(train)
    assert {a.info["origin"] for a in small} == {a.info["origin"] for a in train}
    assert parse_member("lc0.5", [3, 4, 5]) == (3, 0.5)
    assert parse_member("seed4", [3, 4, 5]) == (4, 1.0)


def test_torn_checkpoint_resumes_from_the_previous_epoch_and_still_matches(tmp_path, data, caplog):
    """A checkpoint cut short is set aside; training resumes one epoch earlier and ends with
    the same numbers as an uninterrupted run. A torn model file is refused, naming it."""
    import logging

    torch.set_num_threads(1)
    train, valid = data
    spec = ModelSpec(arch="sr", **TINY)
    settings = TrainingSettings.defaults(lr=0.005, max_epochs=3, batch_size=3)
    straight = train_model(spec, train, valid, settings, 2, tmp_path / "a", tmp_path / "a.pt")
    train_model(spec, train, valid, TrainingSettings.defaults(lr=0.005, max_epochs=2, batch_size=3), 2,
                tmp_path / "b", tmp_path / "b.pt")
    checkpoint = tmp_path / "b" / "checkpoint.pt"
    checkpoint.write_bytes(checkpoint.read_bytes()[:1000])
    with caplog.at_level(logging.INFO):
        resumed = train_model(spec, train, valid, settings, 2, tmp_path / "b", tmp_path / "b.pt")
    assert "cannot be read" in caplog.text and "from epoch 1" in caplog.text
    np.testing.assert_allclose([h["valid_loss"] for h in resumed], [h["valid_loss"] for h in straight], rtol=1e-10)
    model_file = tmp_path / "b.pt"
    model_file.write_bytes(model_file.read_bytes()[:2000])
    with pytest.raises(ValueError, match=r"b\.pt is not a vitrify model file"):
        load_model(model_file)


def test_warm_start_begins_from_the_previous_model(tmp_path, data):
    """With a vanishing learning rate the warm-started model is the previous one."""
    from vitrify.mlip.calculator import PotentialCalculator

    torch.set_num_threads(1)
    train, valid = data
    spec = ModelSpec(arch="sr", **TINY)
    train_model(spec, train, valid, TrainingSettings.defaults(lr=0.005, max_epochs=2, batch_size=3), 0,
                tmp_path / "a", tmp_path / "a.pt")
    train_model(spec, train + valid, valid, TrainingSettings.defaults(lr=1e-14, max_epochs=1, batch_size=3), 3,
                tmp_path / "b", tmp_path / "b.pt", warm_start_file=tmp_path / "a.pt")
    probe = valid[0].copy()
    energies = []
    for path in ("a.pt", "b.pt"):
        probe.calc = PotentialCalculator(load_model(tmp_path / path)[0])
        energies.append(probe.get_potential_energy())
    assert energies[1] == pytest.approx(energies[0], abs=1e-8)
    other = ModelSpec(arch="lr", **TINY)
    with pytest.raises(ValueError, match="spec differs"):
        train_model(other, train, valid, TrainingSettings.defaults(max_epochs=1), 0, tmp_path / "c", tmp_path / "c.pt",
                    warm_start_file=tmp_path / "a.pt")
