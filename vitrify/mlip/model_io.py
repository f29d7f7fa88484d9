"""The one model file format of vitrify potentials (SR and LR).

A file is a ``torch.save`` of plain data: format tag, spec, E0s, dataset statistics, the
state dict and json-able metadata. It is read with ``weights_only=True``: loading a model
never runs pickled code, and the model is rebuilt from its spec, so the file does not
depend on class paths inside mace or vitrify.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch

from vitrify.mlip.models import ModelSpec, Potential, build_model
from ..files import atomic_path

FORMAT = "vitrify-mlip-potential"
VERSION = 1
DTYPES = {"float32": torch.float32, "float64": torch.float64}


def torch_dtype(dtype: str | torch.dtype) -> torch.dtype:
    if isinstance(dtype, torch.dtype) and dtype in DTYPES.values():
        return dtype
    if dtype not in DTYPES:
        raise ValueError(f"dtype must be one of {sorted(DTYPES)}, got {dtype!r}")
    return DTYPES[dtype]


def _json_checked(metadata: dict) -> dict:
    try:
        return json.loads(json.dumps(metadata))
    except (TypeError, ValueError) as err:
        raise ValueError(f"model metadata must be json-serialisable: {err}") from err


def save_model(path, model: Potential, metadata: dict) -> None:
    path = Path(path)
    payload = {
        "format": FORMAT,
        "version": VERSION,
        "spec": model.spec.to_dict(),
        "e0s_eV": dict(model.e0s_eV),
        "statistics": dict(model.statistics),
        "metadata": _json_checked(metadata),
        "state_dict": {k: v.detach().to("cpu").clone() for k, v in model.state_dict().items()},
    }
    with atomic_path(path) as tmp:
        torch.save(payload, tmp)


def read_payload(path) -> dict:
    """The raw content of a model file; ValueError naming the file if it is not one."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"model file {path} does not exist")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # torch raises several unrelated types for foreign files
        raise ValueError(f"{path} is not a vitrify model file (unreadable as one: "
                         f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''})") from err
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ValueError(f"{path} is not a vitrify model file (no '{FORMAT}' format tag; a mace "
                         "model or checkpoint cannot be loaded here)")
    if payload.get("version") != VERSION:
        raise ValueError(f"{path}: model file version {payload.get('version')!r}, this code reads {VERSION}")
    return payload


def load_model(path, device: str = "cpu", dtype: str = "float64") -> tuple[Potential, dict]:
    payload = read_payload(path)
    spec = ModelSpec.from_dict(payload["spec"])
    model = build_model(spec, payload["e0s_eV"], **payload["statistics"])
    model.load_state_dict(payload["state_dict"])
    model = model.to(device=device, dtype=torch_dtype(dtype)).eval()
    return model, payload["metadata"]
