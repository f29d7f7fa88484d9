"""Training and evaluation of SR and LR on each device: CPU against CUDA in the same run.

The same labelled SiO2 frames (random packings labelled with the classical Vashishta 1990
potential through vitrify's LAMMPS engine: real labels, cheap to make anywhere), the same
architecture (config/config.yaml's mlip.model unless --spec campaign), the same seeds and
settings; on each device: seconds per training epoch for SR and LR, then milliseconds
per atom for one energy+forces+stress evaluation at the given sizes. Devices that torch
cannot see are reported as such, never silently replaced by the CPU.

    .venv/bin/python benchmarks/mlip_device.py [--devices cpu cuda] [--epochs 3] [--sizes 1536 12288]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from mlip_cost import structure  # noqa: E402
from tests.support.mlip_samples import labelled_frames  # noqa: E402

from vitrify.mlip.model_io import load_model  # noqa: E402
from vitrify.mlip.models import make_batch  # noqa: E402
from vitrify.config import load_config  # noqa: E402
from vitrify.mlip.train import model_spec, train_model  # noqa: E402
from vitrify.settings import ModelSettings, TrainingSettings  # noqa: E402


def synchronise(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def evaluation_time(model, atoms, device: str, dtype: torch.dtype, repeats: int) -> float:
    batch = make_batch([atoms], model.spec, dtype=dtype, device=device)
    model(batch)  # warm-up (CUDA kernels, allocator)
    synchronise(device)
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        model(batch)
        synchronise(device)
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--devices", nargs="+", default=["cpu", "cuda"])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--frames", type=int, default=24, help="labelled frames (2/3 train, 1/3 validation)")
    parser.add_argument("--atoms", type=int, default=96, help="atoms per training frame")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1536, 12288])
    parser.add_argument("--spec", choices=["default", "campaign"], default="default")
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float64")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    cfg = load_config(REPO / "config" / ("config.yaml" if args.spec == "default" else "campaign.yaml"))
    species = cfg["systems"]["silica"]["species"]
    settings = TrainingSettings.from_dict({**cfg["mlip"]["training"], "max_epochs": args.epochs, "dtype": args.dtype,
                                           "patience_epochs": args.epochs + 1})
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none visible to torch"
    print(f"machine: {platform.node()}, {os.cpu_count()} cores, GPU: {gpu}; torch {torch.__version__}, "
          f"{torch.get_num_threads()} CPU thread(s), {args.dtype}; model: {args.spec} config mlip.model")

    with tempfile.TemporaryDirectory() as tmp:
        frames = labelled_frames(args.frames, args.atoms, seed=5, workdir=tmp)
        n_train = (2 * len(frames)) // 3
        rows = {}
        for device in args.devices:
            if device.startswith("cuda") and not torch.cuda.is_available():
                rows[device] = None
                continue
            for arch in ("sr", "lr"):
                spec = model_spec(ModelSettings.from_dict(cfg["mlip"]["model"]), species, arch)
                model_file = Path(tmp) / f"{device}-{arch}.pt"
                synchronise(device)
                t0 = time.perf_counter()
                train_model(spec, frames[:n_train], frames[n_train:], settings, 0, Path(tmp) / f"{device}-{arch}",
                            model_file, device=device, metadata={"label_method": "classical Vashishta 1990"})
                synchronise(device)
                per_epoch = (time.perf_counter() - t0) / args.epochs
                model, _ = load_model(model_file, device=device, dtype=args.dtype)
                evals = [1e3 * evaluation_time(model, structure(n), device, getattr(torch, args.dtype), args.repeats)
                         / len(structure(n)) for n in args.sizes]
                rows.setdefault(device, {})[arch] = (per_epoch, evals)

    sizes = " | ".join(f"ms/atom at {n}" for n in args.sizes)
    print(f"| device | model | s per epoch ({n_train} frames of {args.atoms} atoms) | {sizes} | epoch vs cpu |")
    print("|---|---|---|" + "---|" * len(args.sizes) + "---|")
    for device, by_arch in rows.items():
        if by_arch is None:
            print(f"| {device} | - | not available: torch.cuda.is_available() is False | "
                  + " | " * len(args.sizes) + " |")
            continue
        for arch, (per_epoch, evals) in by_arch.items():
            cpu = rows.get("cpu", {}) or {}
            ratio = f"{per_epoch / cpu[arch][0]:.2f}" if arch in cpu else "-"
            print(f"| {device} | {arch} | {per_epoch:.2f} | " + " | ".join(f"{e:.3f}" for e in evals) + f" | {ratio} |")


if __name__ == "__main__":
    main()
