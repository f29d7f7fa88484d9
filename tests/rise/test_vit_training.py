"""ViT training (learning, early stopping, exact resumption), the communication-length run,
and the attribution tools: tiny grids, known answers."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from ase import Atoms
from ase.io import write

from vitrify.rise.attribution import mean_radial_profile, radial_profile, saliency, saturation_length
from vitrify.rise.splits import random_split, stratified_split
from vitrify.rise.samples import IS_ENERGY_KEY
from vitrify.rise.vit_training import (
    CHECKPOINT_NAME,
    evaluate,
    augmentation_step,
    periodic_shift,
    random_shifts,
    run_communication_length,
    train_vit,
    validation_split,
)

torch.set_num_threads(1)

TINY = {"grid": 8, "patch": 2, "embed_dim": 16, "depth": 1, "heads": 2, "block": 2, "mlp_ratio": 2.0,
        "batch_size": 8, "lr": 3e-3, "weight_decay": 0.0, "max_epochs": 20, "patience": 100}


def synthetic(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Random densities with a per-sample scale per channel; y is translation invariant."""
    rng = np.random.default_rng(seed)
    scale = rng.uniform(0.2, 1.0, size=(n, 2, 1, 1, 1))
    x = (rng.random((n, 2, 8, 8, 8)) * scale).astype(np.float32)
    y = -4.6 + 0.05 * (x[:, 0].mean(axis=(1, 2, 3)) - 0.5 * x[:, 1].mean(axis=(1, 2, 3)))
    return x, y


def test_periodic_shift_is_np_roll_per_sample():
    x = torch.arange(2 * 1 * 4 * 5 * 6, dtype=torch.float32).reshape(2, 1, 4, 5, 6)
    shifts = torch.tensor([[1, -2, 3], [0, 4, 11]])
    out = periodic_shift(x, shifts)
    for b in range(2):
        np.testing.assert_array_equal(out[b].numpy(), np.roll(x[b].numpy(), shifts[b].tolist(), axis=(1, 2, 3)))


def test_training_learns_and_evaluates(tmp_path):
    x, y = synthetic(32, 0)
    model, hist = train_vit(x[:24], y[:24], x[24:], y[24:], TINY, seed=0, checkpoint_dir=tmp_path)
    losses = [e["train_loss"] for e in hist["epochs"]]
    assert len(losses) == 20 and losses[-1] < 0.5 * losses[0]
    pred, rmse = evaluate(model, x[24:], y[24:], hist["norm"])
    assert pred.shape == (8,)
    assert rmse < np.std(y[24:])  # better than predicting the mean
    assert hist["best_valid_loss"] == min(e["valid_loss"] for e in hist["epochs"])
    json.dumps(hist)
    assert (tmp_path / CHECKPOINT_NAME).exists()


def test_resumed_training_equals_an_uninterrupted_run(tmp_path):
    x, y = synthetic(20, 1)
    cfg = {**TINY, "dropout": 0.1, "augment": "voxel"}
    split = (x[:14], y[:14], x[14:], y[14:])
    straight, h_straight = train_vit(*split, {**cfg, "max_epochs": 5}, seed=3, checkpoint_dir=tmp_path / "a")
    train_vit(*split, {**cfg, "max_epochs": 3}, seed=3, checkpoint_dir=tmp_path / "b")  # "killed" after 3
    resumed, h_resumed = train_vit(*split, {**cfg, "max_epochs": 5}, seed=3, checkpoint_dir=tmp_path / "b")
    assert h_resumed["resumed_from_epoch"] == 3 and h_resumed["n_epochs"] == 5
    for k, v in straight.state_dict().items():
        assert torch.equal(v, resumed.state_dict()[k]), k
    last = [torch.load(p / CHECKPOINT_NAME, weights_only=True)["model"] for p in (tmp_path / "a", tmp_path / "b")]
    for k, v in last[0].items():
        assert torch.equal(v, last[1][k]), k
    strip = [{k: e[k] for k in ("train_loss", "valid_loss")} for e in h_straight["epochs"]]
    assert strip == [{k: e[k] for k in ("train_loss", "valid_loss")} for e in h_resumed["epochs"]]
    # A checkpoint of another run is refused, not mixed in.
    with pytest.raises(ValueError, match="different run"):
        train_vit(*split, {**cfg, "max_epochs": 5}, seed=4, checkpoint_dir=tmp_path / "b")


def test_patch_rolls_move_whole_patches_and_voxel_rolls_any_voxel():
    g = torch.Generator().manual_seed(0)
    patch = random_shifts(2000, 16, augmentation_step("patch", 2), g)
    assert set(patch.unique().tolist()) == set(range(0, 16, 2))  # every whole-patch roll, nothing else
    voxel = random_shifts(2000, 16, augmentation_step("voxel", 2), g)
    assert set(voxel.unique().tolist()) == set(range(16))
    assert random_shifts(5, 16, augmentation_step("none", 2), g) is None


def test_unknown_augmentation_is_an_error_before_training():
    x, y = synthetic(8, 0)
    with pytest.raises(ValueError, match="augment 'yes'.*patch"):
        train_vit(x[:6], y[:6], x[6:], y[6:], {**TINY, "augment": "yes"}, seed=0)


def test_early_stopping_and_a_finished_run_stays_finished(tmp_path):
    x, y = synthetic(16, 2)
    cfg = {**TINY, "lr": 0.0, "patience": 2, "max_epochs": 50}  # the validation loss never improves
    _, hist = train_vit(x[:12], y[:12], x[12:], y[12:], cfg, seed=0, checkpoint_dir=tmp_path)
    assert hist["stopped_early"] and hist["n_epochs"] == 3 and hist["best_epoch"] == 1
    _, again = train_vit(x[:12], y[:12], x[12:], y[12:], cfg, seed=0, checkpoint_dir=tmp_path)
    assert again["n_epochs"] == 3 and again["resumed_from_epoch"] == 3


def test_unknown_config_key_is_an_error():
    x, y = synthetic(8, 0)
    with pytest.raises(ValueError, match="embed_dims"):
        train_vit(x[:6], y[:6], x[6:], y[6:], {**TINY, "embed_dims": 8}, seed=0)


def write_sample_sets(folder, n_sets: int = 2, per_set: int = 6) -> list:
    rng = np.random.default_rng(0)
    paths = []
    for s in range(n_sets):
        frames = []
        for i in range(per_set):
            cell = np.diag([6.0, 6.0, 6.0]) * (1 + 0.01 * rng.standard_normal())
            atoms = Atoms(["Cu"] * 9 + ["Zr"] * 7, scaled_positions=rng.random((16, 3)), cell=cell, pbc=True)
            atoms.info.update({"sample_index": i, IS_ENERGY_KEY: -4.65 + 0.01 * rng.standard_normal()})
            frames.append(atoms)
        path = folder / f"set{s}.extxyz"
        write(path, frames, format="extxyz")
        paths.append(path)
    return paths


def test_communication_length_run_is_json_ready_and_uses_the_shared_split(tmp_path):
    paths = write_sample_sets(tmp_path)
    cfg = {**TINY, "max_epochs": 2, "batch_size": 4, "test_fraction": 0.25, "valid_fraction": 0.2,
           "checkpoint_dir": str(tmp_path / "ckpt")}
    res = run_communication_length(paths, r=1, seed=5, cfg=cfg)
    json.dumps(res)
    ids = [f"set{s}_s{i}" for s in range(2) for i in range(6)]
    parts = random_split(ids, 0.25, 5)
    train_ids, test_ids = parts.train, parts.test
    assert res["test_ids"] == test_ids
    assert (res["n_train"], res["n_valid"], res["n_test"]) == (len(train_ids) - 2, 2, 3)
    assert validation_split(train_ids, 0.2, 5)[1] == validation_split(train_ids, 0.2, 5)[1]
    assert res["r"] == 1 and res["epochs"] == 2 and res["device"] == "cpu"
    assert res["communication_length_A"] == pytest.approx(res["voxel_size_A"] * 2)
    assert len(res["y_pred_eV_per_atom"]) == 3 and res["rmse_test_meV_per_atom"] > 0
    assert (tmp_path / "ckpt" / "r1_seed5" / CHECKPOINT_NAME).exists()


def test_stratified_split_gives_the_vit_its_validation_part(tmp_path):
    from ase.io import read, write

    from vitrify.settings import SplitSettings

    paths = write_sample_sets(tmp_path)
    for k, path in enumerate(paths):  # two cooling-rate sets of six samples
        frames = read(path, ":")
        for a in frames:
            a.info["cooling_rate_K_per_ps"] = [1000.0, 10.0][k]
        write(path, frames, format="extxyz")
    split = SplitSettings(split="stratified_by_rate", test_fraction=0.2, validation_fraction=0.2)
    cfg = {**TINY, "max_epochs": 1, "batch_size": 4, "test_fraction": 0.5, "valid_fraction": 0.5}
    res = run_communication_length(paths, r=1, seed=2, cfg=cfg, split=split)
    ids = [f"set{s}_s{i}" for s in range(2) for i in range(6)]
    expected = stratified_split(ids, [1000.0] * 6 + [10.0] * 6, 0.2, 0.2, 2)
    assert res["test_ids"] == expected.test
    assert (res["n_train"], res["n_valid"], res["n_test"]) == (8, 2, 2)


# ----------------------------------------------------------------------------- attribution


def test_saliency_is_each_samples_own_input_gradient():
    x, y = synthetic(3, 4)
    model, _ = train_vit(x[:2], y[:2], x[2:], y[2:], {**TINY, "max_epochs": 1}, seed=0)
    sal = saliency(model, x, batch_size=2)
    assert sal.shape == (3, 8, 8, 8) and (sal >= 0).all() and sal.max() > 0
    xi = torch.tensor(x[2:3], requires_grad=True)
    (grad,) = torch.autograd.grad(model(xi).sum(), xi)
    np.testing.assert_allclose(sal[2], grad.abs().sum(dim=1)[0].double().numpy(), rtol=1e-6)


def test_radial_profile_of_a_single_peak():
    a = np.zeros((8, 8, 8))
    a[3, 5, 1] = 2.0
    cell = np.eye(3) * 8.0
    r, profile = radial_profile(a, cell, top_k=1)
    np.testing.assert_allclose(r, [0, 1, 2, 3, 4])
    np.testing.assert_allclose(profile, [512, 0, 0, 0, 0])  # peak / grid mean, then nothing
    # Periodic: the peak on a corner sees the same shells across the boundary.
    _, p2 = radial_profile(np.roll(a, (5, 3, -1), axis=(0, 1, 2)), cell, top_k=1)
    np.testing.assert_allclose(p2, profile)


def test_radial_profile_follows_a_periodic_gaussian_blob():
    grid, L, s = 16, 16.0, 1.5
    frac = np.stack(np.meshgrid(*[np.arange(grid) / grid] * 3, indexing="ij"), -1)
    d = frac - np.array([0.25, 0.5, 0.75])
    d -= np.round(d)
    dist = np.linalg.norm(d * L, axis=-1)
    a = np.exp(-dist**2 / (2 * s**2)) + 0.01
    r, profile = radial_profile(a, np.eye(3) * L, top_k=1, r_max_A=6.0)
    expected = (np.exp(-r**2 / (2 * s**2)) + 0.01) / a.mean()
    assert np.all(np.diff(profile) < 0)
    np.testing.assert_allclose(profile, expected, rtol=0.25)
    # Averaging identical samples returns the same profile; a sheared cell still works.
    _, pm = mean_radial_profile(np.stack([a, a]), [np.eye(3) * L] * 2, top_k=1, r_max_A=6.0)
    np.testing.assert_allclose(pm, profile)
    sheared = np.array([[L, 0, 0], [3.0, L, 0], [0, 2.0, L]])
    _, ps = radial_profile(a, sheared, top_k=3)
    assert ps[0] > 1 and np.isfinite(ps).all()


def test_saturation_length_one_standard_error_rule():
    lengths = [2.0, 4.0, 6.0, 8.0, 10.0]
    mean = [10.0, 6.0, 4.2, 4.0, 4.1]
    std = [0.3] * 5
    assert saturation_length(lengths, mean, std) == 6.0  # within 4.0 + 0.3
    assert saturation_length(lengths, mean, std, n_seeds=9) == 8.0  # SE 0.1: 4.2 is out
    # Order of the input does not matter; a missing point is ignored.
    assert saturation_length(lengths[::-1], mean[::-1], std[::-1]) == 6.0
    assert saturation_length(lengths + [12.0], mean + [float("nan")], std + [0.3]) == 6.0


def test_torn_checkpoint_resumes_from_the_one_before(tmp_path):
    x, y = synthetic(20, 1)
    split = (x[:14], y[:14], x[14:], y[14:])
    straight, _ = train_vit(*split, {**TINY, "max_epochs": 4}, seed=5, checkpoint_dir=tmp_path / "a")
    train_vit(*split, {**TINY, "max_epochs": 3}, seed=5, checkpoint_dir=tmp_path / "b")
    checkpoint = tmp_path / "b" / CHECKPOINT_NAME
    checkpoint.write_bytes(checkpoint.read_bytes()[:500])
    resumed, hist = train_vit(*split, {**TINY, "max_epochs": 4}, seed=5, checkpoint_dir=tmp_path / "b")
    assert hist["resumed_from_epoch"] == 2 and hist["n_epochs"] == 4
    for k, v in straight.state_dict().items():
        assert torch.equal(v, resumed.state_dict()[k]), k
