"""Training the block ViT on voxelised samples, and one (communication length, seed) run.

Targets are standardised with the training mean and standard deviation; the loss is the
mean squared error of the standardised energy. AdamW on shuffled mini-batches, early
stopping on the validation loss (the best epoch's weights are returned).

Inputs are standardised per channel with the training grids' statistics, held by the
model (`BlockViT.set_input_norm`). Without that, on 1,000 Cu-Zr samples of 500 atoms
(grid 16, 0.07 atoms per voxel on average) the model sat at the variance for 3-30+ epochs
before it started to learn, and early stopping ended most runs on that plateau; with it,
the training loss falls from the first epochs.

Augmentation: the inherent-structure energy does not change when the periodic sample is
translated, so each training sample is rolled along each axis every time it is drawn
(exact for the voxel grid: see `voxels`). `augment` says by how much:

* "patch" (default): a random whole number of patches. Each token keeps its content and
  only its position changes, so what varies is where the block edges fall: the one
  translation the block model is not built to be invariant to (see `vit`).
* "voxel": a random whole number of voxels. This also changes what every patch holds,
  so the patch embedding has to learn sub-patch invariance from data. Measured on 60
  Cu-Zr samples (grid 16, patch 2; inputs not yet standardised): without augmentation
  the training loss falls from 1.08 to 0.006 in 150 epochs, with whole-patch rolls to
  0.07-0.16, with voxel rolls it stays at 1.0 (the variance).
* "none": no rolls.

Checkpoints: after every epoch `checkpoint.pt` in `checkpoint_dir` is replaced atomically
(temp file + rename) by model, optimiser, epoch, best weights and loss, history and the
random-number states (torch's and the shuffling generator's). A call that finds one
resumes after its epoch, so a killed job loses at most one epoch, and on CPU a resumed run
ends with the same weights as an uninterrupted one. The checkpoint carries a fingerprint
of the data and of everything that shapes the trajectory; resuming with a different one
is refused rather than silently mixing two runs. max_epochs, patience and device may
change between calls.
"""

from __future__ import annotations

import json
import logging
import math
import platform
import time
from pathlib import Path
from typing import Sequence

import numpy as np
import torch

from vitrify.devices import resolve_device

from ..files import load_checkpoint, save_checkpoint
from ..leases import WorkLease
from .regression import MEV_PER_EV
from .splits import random_split, regression_split
from .samples import IS_ENERGY_KEY, read_sample_sets, sample_rates
from .vit import BlockViT, BlockViTConfig, communication_length_A, n_parameters
from .voxels import voxel_size_A, voxelise_samples

log = logging.getLogger("vitrify.rise")

CHECKPOINT_NAME = "checkpoint.pt"
CHECKPOINT_FORMAT = 2

MODEL_KEYS = ("patch", "embed_dim", "depth", "heads", "block", "mlp_ratio", "dropout",
              "pos_embedding", "tokens_attend_cls")

# The published model (embedding 64, 2 layers, 2 heads, 2^3 patches of a 32^3 grid) with
# training settings for a few hundred to a few thousand samples.
DEFAULT_CONFIG = {
    # voxels
    "species": ["Cu", "Zr"],
    "grid": 32,
    "sigma_A": None,
    # splits: test_fraction as the XGBoost half; validation carved from the training ids
    "test_fraction": 0.2,
    "valid_fraction": 0.1,
    # model
    "patch": 2,
    "embed_dim": 64,
    "depth": 2,
    "heads": 2,
    "block": 2,
    "mlp_ratio": 4.0,
    "dropout": 0.0,
    "pos_embedding": "relative",
    "tokens_attend_cls": True,
    # optimisation
    "lr": 1e-3,
    "weight_decay": 0.05,
    "batch_size": 16,
    "max_epochs": 200,
    "patience": 20,
    "grad_clip": 1.0,
    "augment": "patch",
    "device": "cpu",
    "checkpoint_dir": None,
}

# Keys that may change between a checkpoint and its resumption.
_RESUMABLE_CHANGES = {"max_epochs", "patience", "device", "checkpoint_dir"}


def merged_config(cfg: dict | None) -> dict:
    """DEFAULT_CONFIG updated by cfg; an unknown key is an error (a typo would be ignored)."""
    cfg = dict(cfg or {})
    unknown = sorted(set(cfg) - set(DEFAULT_CONFIG))
    if unknown:
        raise ValueError(f"unknown ViT config key(s) {unknown}; known: {sorted(DEFAULT_CONFIG)}")
    merged = {**DEFAULT_CONFIG, **cfg}
    augmentation_step(merged["augment"], merged["patch"])
    return merged


def model_config(cfg: dict, in_channels: int, grid: int) -> BlockViTConfig:
    return BlockViTConfig(in_channels=int(in_channels), grid=int(grid), **{k: cfg[k] for k in MODEL_KEYS})


def target_norm(y: np.ndarray) -> dict:
    """Mean and standard deviation of the training targets (std 1 for a constant target)."""
    y = np.asarray(y, dtype=np.float64)
    std = float(y.std())
    return {"mean": float(y.mean()), "std": std if std > 0 else 1.0}


def periodic_shift(x: torch.Tensor, shifts: torch.Tensor) -> torch.Tensor:
    """x [B, C, G1, G2, G3] with sample b rolled by shifts[b] (3 ints) along the grid axes,
    as np.roll does, in one gather."""
    b, c, *sizes = x.shape
    idx = [(torch.arange(n, device=x.device)[None, :] - shifts[:, k:k + 1].to(x.device)) % n
           for k, n in enumerate(sizes)]
    return x[torch.arange(b, device=x.device)[:, None, None, None, None],
             torch.arange(c, device=x.device)[None, :, None, None, None],
             idx[0][:, None, :, None, None], idx[1][:, None, None, :, None], idx[2][:, None, None, None, :]]


def validation_split(train_ids: Sequence[str], valid_fraction: float, seed: int) -> tuple[list[str], list[str]]:
    """(fit ids, validation ids) carved from the shared training ids with the run's seed:
    the same random_split rule, so it is deterministic and never touches the test ids."""
    split = random_split(train_ids, valid_fraction, seed)
    return split.train, split.test


def _plain(value):
    """Builtin types only: checkpoints load with torch.load(weights_only=True), which
    refuses NumPy scalars a config from code may carry."""
    return json.loads(json.dumps(value, default=lambda v: v.item() if hasattr(v, "item") else str(v)))


def _fingerprint(cfg: dict, seed: int, x_train, y_train, x_valid, y_valid) -> dict:
    def digest(a) -> list:
        a = np.asarray(a)
        return [list(a.shape), float(np.sum(a, dtype=np.float64)), float(np.sum(np.abs(a), dtype=np.float64))]

    return {
        "config": _plain({k: v for k, v in sorted(cfg.items()) if k not in _RESUMABLE_CHANGES}),
        "seed": int(seed),
        "data": [digest(x_train), digest(y_train), digest(x_valid), digest(y_valid)],
    }


def _save_atomic(state: dict, path: Path) -> None:
    save_checkpoint(path, lambda tmp: torch.save(state, tmp))


def _load_checkpoint(path: Path, fingerprint: dict) -> dict | None:
    state, _ = load_checkpoint(path, lambda p: torch.load(p, map_location="cpu", weights_only=True), log)
    if state is None:
        return None
    if state.get("format") != CHECKPOINT_FORMAT:
        raise ValueError(f"{path}: checkpoint format {state.get('format')}, expected {CHECKPOINT_FORMAT}")
    if state["fingerprint"] != fingerprint:
        raise ValueError(f"{path} belongs to a different run (data, seed or settings differ); "
                         "remove it or use another checkpoint_dir")
    return state


def _clone_state(model: torch.nn.Module) -> dict:
    return {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}


def _batches(n: int, batch_size: int, generator: torch.Generator) -> list[torch.Tensor]:
    return list(torch.randperm(n, generator=generator).split(batch_size))


def _mse(model: BlockViT, x: torch.Tensor, y: torch.Tensor, batch_size: int, device: torch.device) -> float:
    model.eval()
    total = 0.0
    with torch.no_grad():
        for s in range(0, len(x), batch_size):
            pred = model(x[s:s + batch_size].to(device))
            total += float(((pred - y[s:s + batch_size].to(device)) ** 2).sum())
    return total / len(x)


AUGMENTATIONS = ("patch", "voxel", "none")


def augmentation_step(augment: str, patch: int) -> int:
    """Voxels per unit of the random rolls (0: no rolls)."""
    if augment not in AUGMENTATIONS:
        raise ValueError(f"ViT augment {augment!r}: expected one of {list(AUGMENTATIONS)}")
    return {"patch": int(patch), "voxel": 1, "none": 0}[augment]


def random_shifts(n: int, grid: int, step: int, generator: torch.Generator) -> torch.Tensor | None:
    """n random (3,) rolls, multiples of step in [0, grid); None when step is 0."""
    if not step:
        return None
    return torch.randint(0, grid // step, (n, 3), generator=generator) * step


def _train_epoch(model, optimiser, x, y, cfg, generator, device) -> float:
    model.train()
    grid = x.shape[-1]
    step = augmentation_step(cfg["augment"], cfg["patch"])
    total = 0.0
    for idx in _batches(len(x), int(cfg["batch_size"]), generator):
        xb = x[idx]
        shifts = random_shifts(len(idx), grid, step, generator)
        if shifts is not None:
            xb = periodic_shift(xb, shifts)
        xb, yb = xb.to(device), y[idx].to(device)
        optimiser.zero_grad(set_to_none=True)
        loss = torch.mean((model(xb) - yb) ** 2)
        loss.backward()
        if cfg["grad_clip"]:
            torch.nn.utils.clip_grad_norm_(model.parameters(), float(cfg["grad_clip"]))
        optimiser.step()
        total += float(loss.detach()) * len(idx)
    return total / len(x)


def train_vit(x_train: np.ndarray, y_train: np.ndarray, x_valid: np.ndarray, y_valid: np.ndarray,
              config: dict | None, seed: int, checkpoint_dir: str | Path | None = None) -> tuple[BlockViT, dict]:
    """Fit a BlockViT (see _train_vit); with a checkpoint folder, holding its lease."""
    if checkpoint_dir is None:
        return _train_vit(x_train, y_train, x_valid, y_valid, config, seed, None)
    Path(checkpoint_dir).mkdir(parents=True, exist_ok=True)
    with WorkLease(checkpoint_dir, f"ViT {Path(checkpoint_dir).name}"):
        return _train_vit(x_train, y_train, x_valid, y_valid, config, seed, checkpoint_dir)


def _train_vit(x_train: np.ndarray, y_train: np.ndarray, x_valid: np.ndarray, y_valid: np.ndarray,
               config: dict | None, seed: int, checkpoint_dir: str | Path | None = None) -> tuple[BlockViT, dict]:
    """Fit a BlockViT to voxel grids x [N, C, G, G, G] and energies y [N] (any unit).

    Returns the model with the weights of its best validation epoch, and a JSON-ready
    history: per-epoch train/valid loss (standardised MSE), valid RMSE (units of y) and
    seconds; best epoch; whether it stopped early; the target normalisation `norm`
    needed by `evaluate`; the device; the epoch it resumed after (0 for a fresh start).
    Caller's global torch RNG state is left as it was.
    """
    cfg = merged_config(config)
    x_train, x_valid = (np.asarray(a, dtype=np.float32) for a in (x_train, x_valid))
    y_train, y_valid = (np.asarray(a, dtype=np.float64) for a in (y_train, y_valid))
    if x_train.ndim != 5 or x_valid.shape[1:] != x_train.shape[1:]:
        raise ValueError(f"expected voxel arrays [N, C, G, G, G], got {x_train.shape} and {x_valid.shape}")
    if len(x_train) != len(y_train) or len(x_valid) != len(y_valid) or len(x_valid) == 0:
        raise ValueError("train/valid inputs and targets must match in length; validation must be non-empty")
    device = torch.device(resolve_device(cfg["device"]))
    norm = target_norm(y_train)
    fingerprint = _fingerprint(cfg, seed, x_train, y_train, x_valid, y_valid)
    path = None
    if checkpoint_dir is not None:
        Path(checkpoint_dir).mkdir(parents=True, exist_ok=True)
        path = Path(checkpoint_dir) / CHECKPOINT_NAME

    xt, xv = torch.from_numpy(x_train), torch.from_numpy(x_valid)
    yt = torch.from_numpy((y_train - norm["mean"]) / norm["std"]).float()
    yv = torch.from_numpy((y_valid - norm["mean"]) / norm["std"]).float()
    cuda_devices = [device.index if device.index is not None else torch.cuda.current_device()] \
        if device.type == "cuda" else []
    with torch.random.fork_rng(devices=cuda_devices):
        torch.manual_seed(seed)
        model = BlockViT(model_config(cfg, x_train.shape[1], x_train.shape[-1]))
        model.set_input_norm(xt)
        model = model.to(device)
        optimiser = torch.optim.AdamW(model.parameters(), lr=float(cfg["lr"]),
                                      weight_decay=float(cfg["weight_decay"]))
        generator = torch.Generator().manual_seed(seed)
        run = {"epoch": 0, "best_loss": math.inf, "best_epoch": 0, "since_best": 0, "stopped": False,
               "history": [], "best_model": _clone_state(model)}
        state = _load_checkpoint(path, fingerprint) if path is not None else None
        if state is not None:
            model.load_state_dict(state["model"])
            optimiser.load_state_dict(state["optimizer"])
            torch.set_rng_state(state["torch_rng"])
            if device.type == "cuda" and state.get("cuda_rng") is not None:
                torch.cuda.set_rng_state(state["cuda_rng"], device)
            generator.set_state(state["generator"])
            run = {k: state[k] for k in run}
            log.info("resuming ViT training after epoch %d from %s", run["epoch"], path)
        resumed_from = run["epoch"]

        while not run["stopped"] and run["epoch"] < int(cfg["max_epochs"]):
            t0 = time.perf_counter()
            train_loss = _train_epoch(model, optimiser, xt, yt, cfg, generator, device)
            valid_loss = _mse(model, xv, yv, int(cfg["batch_size"]), device)
            run["epoch"] += 1
            if valid_loss < run["best_loss"]:
                run.update(best_loss=valid_loss, best_epoch=run["epoch"], since_best=0,
                           best_model=_clone_state(model))
            else:
                run["since_best"] += 1
            run["stopped"] = run["since_best"] >= int(cfg["patience"])
            run["history"].append({"epoch": run["epoch"], "train_loss": train_loss, "valid_loss": valid_loss,
                                   "valid_rmse": math.sqrt(valid_loss) * norm["std"],
                                   "seconds": time.perf_counter() - t0})
            if path is not None:
                _save_atomic({"format": CHECKPOINT_FORMAT, "fingerprint": fingerprint,
                              "model": _clone_state(model), "optimizer": optimiser.state_dict(),
                              "torch_rng": torch.get_rng_state(),
                              "cuda_rng": torch.cuda.get_rng_state(device) if device.type == "cuda" else None,
                              "generator": generator.get_state(), **run}, path)
            log.info("ViT epoch %d: train %.4f valid %.4f (best %d)", run["epoch"], train_loss, valid_loss,
                     run["best_epoch"])

    model.load_state_dict(run["best_model"])
    model.eval()
    history = {
        "epochs": run["history"],
        "n_epochs": run["epoch"],
        "best_epoch": run["best_epoch"],
        "best_valid_loss": run["best_loss"],
        "stopped_early": run["stopped"],
        "resumed_from_epoch": resumed_from,
        "norm": norm,
        "device": str(device),
        "n_parameters": n_parameters(model),
    }
    return model, history


def evaluate(model: BlockViT, x: np.ndarray, y: np.ndarray, norm: dict,
             batch_size: int = 16) -> tuple[np.ndarray, float]:
    """Predictions in the units of y (de-standardised with `norm`) and their RMSE against y."""
    device = next(model.parameters()).device
    dtype = next(model.parameters()).dtype
    model.eval()
    out = []
    with torch.no_grad():
        for s in range(0, len(x), batch_size):
            xb = torch.as_tensor(np.asarray(x[s:s + batch_size]), dtype=dtype, device=device)
            out.append(model(xb).double().cpu().numpy())
    pred = np.concatenate(out) * norm["std"] + norm["mean"] if out else np.zeros(0)
    y = np.asarray(y, dtype=np.float64)
    return pred, float(np.sqrt(np.mean((pred - y) ** 2)))


def run_communication_length(samples_paths: Sequence[str | Path], r: int, seed: int, cfg: dict | None,
                             attribution_top_k: int = 0, split=None) -> dict:
    """One point of the error-vs-communication-length curve: voxelise the samples, split
    them as the XGBoost half does, train with block r, score the test set. Returns a
    JSON-ready dict (energies eV/atom, RMSEs meV/atom).

    split: the RISE split settings (split, test_fraction, validation_fraction; see
    vitrify.rise.splits). A stratified split's validation part stops the training; with
    split "random" or None (then cfg test_fraction) a validation subset of cfg
    valid_fraction is carved from the training ids.

    n_train counts the samples the weights were fitted on (training ids minus validation).
    Checkpoints go to <cfg checkpoint_dir>/r<r>_seed<seed> when cfg names a directory.
    With attribution_top_k > 0 the result also holds the mean radial profile of the
    gradient saliency of the test samples around their top_k voxels.
    """
    cfg = merged_config({**(cfg or {}), "block": int(r)})
    sets = read_sample_sets(samples_paths)
    ids = [sid for sid, _ in sets]
    energies = np.array([atoms.info[IS_ENERGY_KEY] for _, atoms in sets], dtype=np.float64)
    x = voxelise_samples([atoms for _, atoms in sets], cfg["species"], int(cfg["grid"]), cfg["sigma_A"])
    voxel_A = float(np.mean([voxel_size_A(atoms, int(cfg["grid"])) for _, atoms in sets]))

    if split is not None and split.split != "random":
        parts = regression_split(ids, sample_rates([atoms for _, atoms in sets], ids), split, seed)
        fit_ids, valid_ids, test_ids = parts.train, parts.valid, parts.test
    else:
        test_fraction = float(split.test_fraction if split is not None else cfg["test_fraction"])
        parts = random_split(ids, test_fraction, seed)
        test_ids = parts.test
        fit_ids, valid_ids = validation_split(parts.train, float(cfg["valid_fraction"]), seed)
    pos = {sid: i for i, sid in enumerate(ids)}
    fit, valid, test = ([pos[s] for s in part] for part in (fit_ids, valid_ids, test_ids))

    ckpt = Path(cfg["checkpoint_dir"]) / f"r{int(r)}_seed{int(seed)}" if cfg["checkpoint_dir"] else None
    model, history = train_vit(x[fit], energies[fit], x[valid], energies[valid], cfg, seed, ckpt)
    pred, rmse = evaluate(model, x[test], energies[test], history["norm"])
    _, rmse_valid = evaluate(model, x[valid], energies[valid], history["norm"])
    seconds = [e["seconds"] for e in history["epochs"]]
    attribution = {}
    if attribution_top_k > 0:
        from .attribution import mean_radial_profile, saliency

        r_A, profile = mean_radial_profile(saliency(model, x[test]), [sets[i][1].cell.array for i in test],
                                           top_k=attribution_top_k)
        attribution = {"attribution_r_A": np.asarray(r_A, float).tolist(),
                       "attribution_profile": np.asarray(profile, float).tolist(),
                       "attribution_top_k": int(attribution_top_k)}
    return {
        "r": int(r),
        "patch": int(cfg["patch"]),
        "grid": int(cfg["grid"]),
        "voxel_size_A": voxel_A,
        "communication_length_A": communication_length_A(int(r), int(cfg["patch"]), voxel_A),
        "seed": int(seed),
        "rmse_test_meV_per_atom": rmse * MEV_PER_EV,
        "rmse_valid_meV_per_atom": rmse_valid * MEV_PER_EV,
        "n_train": len(fit),
        "n_valid": len(valid),
        "n_test": len(test),
        "epochs": history["n_epochs"],
        "best_epoch": history["best_epoch"],
        "stopped_early": history["stopped_early"],
        "seconds_per_epoch": float(np.mean(seconds)) if seconds else None,
        "device": history["device"],
        "n_parameters": history["n_parameters"],
        "torch_version": torch.__version__,
        "host": platform.node(),
        "config": _plain({k: v for k, v in cfg.items() if k != "checkpoint_dir"}),
        "learning_curve": [{k: e[k] for k in ("epoch", "train_loss", "valid_loss")} for e in history["epochs"]],
        "test_ids": list(test_ids),
        "y_test_eV_per_atom": energies[test].tolist(),
        "y_pred_eV_per_atom": pred.astype(float).tolist(),
        **attribution,
    }
