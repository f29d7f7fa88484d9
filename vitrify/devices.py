"""Which torch device a job runs on, one rule for every stage."""

from __future__ import annotations

import torch


def resolve_device(device: str) -> str:
    """'auto' means CUDA when this process sees a GPU, else CPU; CUDA without one is an error.

    Strict on purpose: a job that asked for a GPU and silently ran on the CPU would look
    fine and take hours longer, and its timings would be mislabelled.
    """
    device = str(device)
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise RuntimeError(f"device {device!r} requested but torch sees no CUDA device "
                           "(CUDA_VISIBLE_DEVICES, driver?)")
    return device
