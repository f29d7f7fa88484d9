"""Files that are either complete or absent, and the one JSON format of the project.

Every writer goes through `atomic_path`: the content is written to a hidden temp file
beside the target, flushed to disk, then renamed over the target (`os.replace` is atomic
on POSIX file systems). A job killed at any instant leaves no half-written file under the
final name, at worst a `.<name>.*.tmp` file, which readers ignore and
`remove_stale_temps` deletes.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_path(path: str | Path):
    """Yield a temp path beside `path`; on normal exit it replaces `path`, else it is removed.

    For writers that want a file name (LAMMPS `write_data`, `torch.save`, numpy).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual permissions
    try:
        yield Path(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_text(path: str | Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text)


def write_bytes(path: str | Path, data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def _jsonable(value):
    """numpy scalars and arrays, paths and other objects as JSON values."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def to_json(obj) -> str:
    """The project's JSON text: two-space indent, keys in insertion order."""
    return json.dumps(obj, indent=2, default=_jsonable) + "\n"


def write_json(path: str | Path, obj) -> None:
    write_text(path, to_json(obj))


def read_json(path: str | Path):
    return json.loads(Path(path).read_text())


def write_extxyz(path: str | Path, frames) -> None:
    """One Atoms or a list of them as extended XYZ; an empty list gives an empty file
    (a declared output that holds no configuration, which `read_extxyz` reads back as [])."""
    from ase.io import write  # noqa: PLC0415  (keeps this module light for Snakemake)

    with atomic_path(path) as tmp:
        if isinstance(frames, (list, tuple)) and not frames:
            tmp.write_text("")
        else:
            write(tmp, frames, format="extxyz")


def read_extxyz(path: str | Path) -> list:
    """Every frame of an extended XYZ file; [] for an empty file (see `write_extxyz`)."""
    from ase.io import read  # noqa: PLC0415

    return read(path, ":", format="extxyz") if Path(path).stat().st_size else []


def write_csv(path: str | Path, table) -> None:
    """A pandas DataFrame as CSV without its index, whole or absent."""
    with atomic_path(path) as tmp:
        table.to_csv(tmp, index=False)


def remove_stale_temps(directory: str | Path) -> int:
    """Delete temp files a killed writer left behind; returns how many."""
    n = 0
    for tmp in Path(directory).glob(".*.tmp"):
        tmp.unlink(missing_ok=True)
        n += 1
    return n


# ---- checkpoints that survive a torn write ----------------------------------------------
# A checkpoint is written whole (atomic_path), and the one before it is kept beside it as
# `<name>.prev<suffix>`. A file cut short anyway (a full disk, a file system that lost the
# tail of a write) fails to load on resume: the previous one is used and the log says so.

def previous_path(path: str | Path) -> Path:
    path = Path(path)
    return path.with_name(f"{path.stem}.prev{path.suffix}")


def save_checkpoint(path: str | Path, write: Callable[[Path], None]) -> None:
    """Keep the current checkpoint as the previous one, then write the new one whole.

    The current name never disappears, whenever a kill lands: the previous checkpoint is
    a second link to the current file (a copy where links are not allowed), and the new one
    replaces the current name in one rename.
    """
    path = Path(path)
    if path.exists():
        prev = previous_path(path)
        staging = prev.with_name(prev.name + f".{os.getpid()}.tmp")
        staging.unlink(missing_ok=True)
        try:
            os.link(path, staging)
        except OSError:
            shutil.copy2(path, staging)
        os.replace(staging, prev)
    with atomic_path(path) as tmp:
        write(tmp)


def load_checkpoint(path: str | Path, read: Callable[[Path], object], log: logging.Logger | None = None):
    """(value, file it came from) of the newest checkpoint `read` can load, or (None, None).

    A checkpoint `read` fails on (torn, truncated, not a checkpoint at all) is renamed to
    `<name>.torn` and the previous one is tried.
    """
    log = log or logging.getLogger("vitrify")
    path = Path(path)
    for candidate in (path, previous_path(path)):
        if not candidate.exists():
            continue
        try:
            value = read(candidate)
        except Exception as exc:  # noqa: BLE001  (any failure to load means: not usable)
            torn = candidate.with_name(candidate.name + ".torn")
            os.replace(candidate, torn)
            log.warning("checkpoint %s cannot be read (%s: %s); kept as %s, trying the one before it",
                        candidate, type(exc).__name__, " ".join(str(exc).split())[:200], torn.name)
            continue
        if candidate != path:
            log.warning("resuming from the previous checkpoint %s", candidate)
        return value, candidate
    return None, None
