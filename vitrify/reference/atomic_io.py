"""Files that are either complete or absent: write to a temp file beside the target,
fsync, then os.replace. A job killed at any instant leaves no half-written output
under the final name (at worst a hidden `.*.tmp` file, which readers ignore)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from ase import Atoms
from ase.io import write


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _atomic(path: Path, write_fn) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual permissions
        with os.fdopen(fd, "w") as fh:
            write_fn(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_extxyz_atomic(path: str | Path, frames: Atoms | list[Atoms]) -> None:
    _atomic(Path(path), lambda fh: write(fh, frames, format="extxyz"))


def write_json_atomic(path: str | Path, obj) -> None:
    _atomic(Path(path), lambda fh: json.dump(obj, fh, indent=2, sort_keys=True, default=str))


def remove_stale_temps(directory: str | Path) -> int:
    """Delete temp files a killed writer left behind; returns how many."""
    n = 0
    for tmp in Path(directory).glob(".*.tmp"):
        tmp.unlink(missing_ok=True)
        n += 1
    return n
