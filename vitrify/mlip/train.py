"""One training loop for both silica potentials (SR and LR), resumable after a kill.

SR and LR go through the same loop, loss, optimiser, batches and seeds, so that the
comparison between them measures the architecture and nothing else. The loss is the usual
weighted sum of squared errors: energy per atom, force components and stress components
(frames without a stress label contribute no stress term).

Every epoch ends with a checkpoint (model, optimiser, scheduler, early-stopping state,
history) written atomically; a killed job restarts from it and, because the batch order
of an epoch depends only on (seed, epoch), continues exactly as if never interrupted.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import torch
from ase import Atoms

from ..files import load_checkpoint, save_checkpoint
from ..leases import WorkLease
from ..reference.dataset import e0s_from_frames, is_isolated_atom
from ..reference.labeler import LabelKeys
from ..settings import ModelSettings, TrainingSettings
from .model_io import read_payload, save_model
from .models import ModelSpec, build_model, collate, dataset_statistics, make_graphs

log = logging.getLogger("vitrify.mlip")

DTYPES = {"float32": torch.float32, "float64": torch.float64}


def least_squares_e0s(frames: list[Atoms], species: tuple[str, ...], keys: LabelKeys = LabelKeys()) -> dict[str, float]:
    """E0s by least squares of total energy on composition, when no isolated atoms are given.

    With only one composition (all SiO2) the system is rank-deficient; lstsq then gives the
    minimum-norm solution, which is what matters here: E0s only shift the baseline.
    """
    counts = np.array([[a.get_chemical_symbols().count(s) for s in species] for a in frames], float)
    energies = np.array([float(a.info[keys.energy]) for a in frames])
    solution, *_ = np.linalg.lstsq(counts, energies, rcond=None)
    return {s: float(e) for s, e in zip(species, solution)}


def _stress_matrix(atoms: Atoms, keys: LabelKeys) -> np.ndarray | None:
    if keys.stress not in atoms.info:
        return None
    s = np.asarray(atoms.info[keys.stress], float).reshape(-1)
    if s.size == 9:
        return s.reshape(3, 3)
    if s.size == 6:  # ASE Voigt order xx yy zz yz xz xy
        xx, yy, zz, yz, xz, xy = s
        return np.array([[xx, xy, xz], [xy, yy, yz], [xz, yz, zz]])
    raise ValueError(f"stress '{keys.stress}' of config {atoms.info.get('config_id')} has {s.size} values, expected 6 or 9")


@dataclass
class LabelledSet:
    """Structures as model graphs plus their reference labels, indexed per frame."""

    graphs: list
    energy: list[float]
    forces: list[np.ndarray]
    stress: list[np.ndarray | None]
    n_atoms: list[int]
    origin: list[str]

    def __len__(self) -> int:
        return len(self.graphs)


def labelled_set(frames: list[Atoms], spec: ModelSpec, keys: LabelKeys = LabelKeys()) -> LabelledSet:
    frames = [a for a in frames if not is_isolated_atom(a)]
    return LabelledSet(
        graphs=make_graphs(frames, spec),
        energy=[float(a.info[keys.energy]) for a in frames],
        forces=[np.asarray(a.arrays[keys.forces], float) for a in frames],
        stress=[_stress_matrix(a, keys) for a in frames],
        n_atoms=[len(a) for a in frames],
        origin=[str(a.info.get("origin", "unknown")) for a in frames],
    )


def _labels(data: LabelledSet, idx, dtype, device) -> dict:
    t = lambda x: torch.as_tensor(np.asarray(x), dtype=dtype, device=device)  # noqa: E731
    has_stress = [data.stress[i] is not None for i in idx]
    return {
        "energy": t([data.energy[i] for i in idx]),
        "n_atoms": t([data.n_atoms[i] for i in idx]),
        "forces": t(np.concatenate([data.forces[i] for i in idx])),
        "stress": t(np.stack([data.stress[i] if data.stress[i] is not None else np.zeros((3, 3)) for i in idx])),
        "stress_mask": torch.as_tensor(has_stress, device=device),
    }


def loss_terms(pred: dict, ref: dict) -> dict[str, torch.Tensor]:
    """Mean squared errors: energy per atom (eV^2), force and stress components."""
    de = (pred["energy"] - ref["energy"]) / ref["n_atoms"]
    terms = {"energy": torch.mean(de**2), "forces": torch.mean((pred["forces"] - ref["forces"]) ** 2)}
    mask = ref["stress_mask"]
    terms["stress"] = (torch.mean((pred["stress"][mask] - ref["stress"][mask]) ** 2) if bool(mask.any())
                       else torch.zeros((), dtype=de.dtype, device=de.device))
    return terms


def weighted_loss(terms: dict, s: TrainingSettings) -> torch.Tensor:
    return s.energy_weight * terms["energy"] + s.forces_weight * terms["forces"] + s.stress_weight * terms["stress"]


def epoch_order(n: int, seed: int, epoch: int) -> np.ndarray:
    """Batch order of an epoch: a function of (seed, epoch) only, so a resumed run repeats it."""
    return np.random.default_rng([seed, epoch]).permutation(n)


def _batches(order: np.ndarray, batch_size: int):
    return [order[i:i + batch_size] for i in range(0, len(order), batch_size)]


def evaluate_set(model, data: LabelledSet, settings: TrainingSettings, dtype, device) -> dict[str, float]:
    """Loss and RMSEs (meV/atom, meV/A, GPa) over a labelled set, with gradients for forces only."""
    sums = {"energy": 0.0, "forces": 0.0, "stress": 0.0}
    n_frames = n_force_components = n_stress = 0
    for idx in _batches(np.arange(len(data)), settings.batch_size):
        batch = collate([data.graphs[i] for i in idx], dtype=dtype, device=device)
        ref = _labels(data, idx, dtype, device)
        pred = model(batch, compute_forces=True, compute_stress=True, training=False)
        terms = loss_terms({k: v.detach() for k, v in pred.items()}, ref)
        k_stress = int(ref["stress_mask"].sum())
        sums["energy"] += float(terms["energy"]) * len(idx)
        sums["forces"] += float(terms["forces"]) * ref["forces"].numel()
        sums["stress"] += float(terms["stress"]) * 9 * k_stress
        n_frames += len(idx)
        n_force_components += ref["forces"].numel()
        n_stress += 9 * k_stress
    mse = {"energy": sums["energy"] / n_frames, "forces": sums["forces"] / n_force_components,
           "stress": sums["stress"] / n_stress if n_stress else 0.0}
    loss = settings.energy_weight * mse["energy"] + settings.forces_weight * mse["forces"] + settings.stress_weight * mse["stress"]
    return {
        "loss": loss,
        "energy_rmse_meV_per_atom": 1e3 * math.sqrt(mse["energy"]),
        "forces_rmse_meV_per_A": 1e3 * math.sqrt(mse["forces"]),
        "stress_rmse_GPa": 160.21766208 * math.sqrt(mse["stress"]) if n_stress else float("nan"),
    }


def train_model(spec: ModelSpec, train_frames: list[Atoms], valid_frames: list[Atoms], settings: TrainingSettings,
                seed: int, workdir: Path, model_file: Path, keys: LabelKeys = LabelKeys(), device: str = "cpu",
                metadata: dict | None = None, warm_start_file: Path | None = None) -> list[dict]:
    """Train one model (or continue a killed training) and write the best one to `model_file`,
    holding the lease on `workdir` (one writer at a time). `warm_start_file`: a model file
    of the same spec whose weights (and energy scale) the training starts from.

    Returns the history: one row per epoch (losses and validation RMSEs).
    """
    Path(workdir).mkdir(parents=True, exist_ok=True)
    with WorkLease(workdir, f"training {spec.arch} seed {seed}"):
        return _train_model(spec, train_frames, valid_frames, settings, seed, workdir, model_file, keys, device,
                            metadata, warm_start_file)


def _train_model(spec: ModelSpec, train_frames: list[Atoms], valid_frames: list[Atoms], settings: TrainingSettings,
                 seed: int, workdir: Path, model_file: Path, keys: LabelKeys, device: str,
                 metadata: dict | None, warm_start_file: Path | None = None) -> list[dict]:
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    dtype = DTYPES[settings.dtype]
    torch.manual_seed(seed)
    e0s = e0s_from_frames(train_frames, keys) or least_squares_e0s(
        [a for a in train_frames if not is_isolated_atom(a)], spec.species, keys)
    missing = [s for s in spec.species if s not in e0s]
    if missing:
        raise ValueError(f"no isolated-atom energy for {missing} in the training set and none derivable")
    frames = [a for a in train_frames if not is_isolated_atom(a)]
    stats = dataset_statistics(frames, [float(a.info[keys.energy]) for a in frames], spec, e0s)
    if warm_start_file is None:
        model = build_model(spec, e0s, stats["avg_num_neighbors"], stats["scale"], stats["shift"], seed=seed)
    else:
        previous = read_payload(warm_start_file)
        if previous["spec"] != spec.to_dict():
            raise ValueError(f"warm start from {warm_start_file}: its model spec differs from this training's")
        # The previous model's weights with its E0s and scale: the data grew, the model goes on.
        model = build_model(spec, previous["e0s_eV"], **previous["statistics"])
        model.load_state_dict(previous["state_dict"])
        e0s, stats = dict(previous["e0s_eV"]), {**stats, **previous["statistics"]}
        log.info("%s seed %d: warm start from %s", spec.arch, seed, warm_start_file)
    model.to(device=device, dtype=dtype)
    optimiser = torch.optim.Adam(model.parameters(), lr=settings.lr, amsgrad=True)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(
        optimiser, factor=settings.scheduler_factor, patience=settings.scheduler_patience_epochs)
    train_set, valid_set = labelled_set(frames, spec, keys), labelled_set(valid_frames, spec, keys)
    if len(train_set) == 0 or len(valid_set) == 0:
        raise ValueError(f"need labelled training and validation frames, got {len(train_set)} and {len(valid_set)}")

    checkpoint = workdir / "checkpoint.pt"
    state = {"epoch": 0, "best_loss": float("inf"), "best_epoch": 0, "best_state": None, "history": []}
    saved, checkpoint_used = load_checkpoint(
        checkpoint, lambda p: torch.load(p, map_location=device, weights_only=False), log)
    if saved is not None:
        model.load_state_dict(saved["model"])
        optimiser.load_state_dict(saved["optimiser"])
        scheduler.load_state_dict(saved["scheduler"])
        state = saved["state"]
        log.info("resuming %s seed %d from epoch %d (%s)", spec.arch, seed, state["epoch"], checkpoint_used)

    while state["epoch"] < settings.max_epochs and state["epoch"] - state["best_epoch"] < settings.patience_epochs:
        epoch = state["epoch"] + 1
        t0 = time.perf_counter()
        model.train()
        train_loss, n = 0.0, 0
        for idx in _batches(epoch_order(len(train_set), seed, epoch), settings.batch_size):
            batch = collate([train_set.graphs[i] for i in idx], dtype=dtype, device=device)
            ref = _labels(train_set, idx, dtype, device)
            optimiser.zero_grad(set_to_none=True)
            loss = weighted_loss(loss_terms(model(batch, training=True), ref), settings)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 10.0)
            optimiser.step()
            train_loss += float(loss.detach()) * len(idx)
            n += len(idx)
        model.eval()
        valid = evaluate_set(model, valid_set, settings, dtype, device)
        scheduler.step(valid["loss"])
        row = {"epoch": epoch, "train_loss": train_loss / n, "valid_loss": valid["loss"],
               "valid_energy_rmse_meV_per_atom": valid["energy_rmse_meV_per_atom"],
               "valid_forces_rmse_meV_per_A": valid["forces_rmse_meV_per_A"],
               "valid_stress_rmse_GPa": valid["stress_rmse_GPa"],
               "lr": optimiser.param_groups[0]["lr"], "seconds": time.perf_counter() - t0}
        state["history"].append(row)
        if valid["loss"] < state["best_loss"]:
            state.update(best_loss=valid["loss"], best_epoch=epoch,
                         best_state={k: v.detach().clone() for k, v in model.state_dict().items()})
        state["epoch"] = epoch
        payload = {"model": model.state_dict(), "optimiser": optimiser.state_dict(),
                   "scheduler": scheduler.state_dict(), "state": state}
        save_checkpoint(checkpoint, lambda tmp: torch.save(payload, tmp))
        log.info("%s seed %d epoch %d: train loss %.4g, valid loss %.4g, E %.2f meV/atom, F %.1f meV/A (%.1f s)",
                 spec.arch, seed, epoch, row["train_loss"], row["valid_loss"], row["valid_energy_rmse_meV_per_atom"],
                 row["valid_forces_rmse_meV_per_A"], row["seconds"])

    model.load_state_dict(state["best_state"])
    info = {"seed": seed, "best_epoch": state["best_epoch"], "epochs": state["epoch"], "e0s_eV": e0s,
            "statistics": stats, "train_settings": dataclasses.asdict(settings), "n_train": len(train_set),
            "n_valid": len(valid_set), **(metadata or {})}
    save_model(model_file, model, info)
    return state["history"]


def model_spec(model: ModelSettings, species: Sequence[str], arch: str) -> ModelSpec:
    """The architecture `arch` for `species` from the mlip.model settings."""
    return ModelSpec(arch=arch, species=tuple(species), **model.as_dict())


def parse_member(member: str, seeds: list[int]) -> tuple[int, float]:
    """(seed, training fraction) of a member name: 'seed<k>' (all data) or 'lc<f>' (first seed)."""
    if member.startswith("seed"):
        return int(member[4:]), 1.0
    if member.startswith("lc"):
        return int(seeds[0]), float(member[2:])
    raise ValueError(f"model member {member!r}: expected 'seed<k>' or 'lc<fraction>'")


def training_subset(frames: list[Atoms], fraction: float, seed: int) -> list[Atoms]:
    """A fraction of each origin's frames (at least one), isolated atoms always kept.

    Nested in the fraction for a fixed seed: a smaller subset is part of every larger one,
    so a learning curve measures the effect of more data and not of different data.
    """
    if fraction >= 1.0:
        return list(frames)
    keep = [a for a in frames if is_isolated_atom(a)]
    groups: dict[str, list[Atoms]] = {}
    for a in frames:
        if not is_isolated_atom(a):
            groups.setdefault(str(a.info.get("origin", "unknown")), []).append(a)
    for origin in sorted(groups):
        members = groups[origin]
        order = np.random.default_rng([seed, zlib.crc32(origin.encode())]).permutation(len(members))
        n = max(1, int(round(fraction * len(members))))
        keep += [members[i] for i in sorted(order[:n])]
    return keep
