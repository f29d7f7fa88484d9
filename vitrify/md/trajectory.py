"""Crash-safe extxyz trajectories and CSV tables written frame by frame.

A SIGKILL can leave a half-written frame or row at the end of a file. Resuming trims
each file back to the complete records at or before the restart step, so a resumed run
ends with every step exactly once.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

from ase import Atoms
from ase.io import write

from ..files import write_text

_STEP = re.compile(r"(?:^|\s)step=(\d+)")


def append_frame(path: Path, atoms: Atoms) -> None:
    buf = io.StringIO()
    write(buf, atoms, format="extxyz")
    with open(path, "a") as fh:
        fh.write(buf.getvalue())
        fh.flush()
        os.fsync(fh.fileno())


def _complete_frames(text: str) -> list[tuple[int, str]]:
    """(step, frame text) for each complete frame; stops at the first damaged one."""
    lines = text.splitlines(keepends=True)
    frames = []
    i = 0
    while i < len(lines):
        head = lines[i].strip()
        if not head.isdigit():
            break
        n = int(head)
        end = i + 2 + n
        if end > len(lines) or not lines[end - 1].endswith("\n"):
            break
        match = _STEP.search(lines[i + 1])
        if match is None:
            break
        frames.append((int(match.group(1)), "".join(lines[i:end])))
        i = end
    return frames




def trim_trajectory(path: Path, max_step: int) -> int:
    """Keep complete frames with step <= max_step, each step once. Returns frames kept."""
    if not path.exists():
        return 0
    kept: dict[int, str] = {}
    for step, frame in _complete_frames(path.read_text()):
        if step <= max_step:
            kept.setdefault(step, frame)
    write_text(path, "".join(kept[s] for s in sorted(kept)))
    return len(kept)


def frame_steps(path: Path) -> list[int]:
    return [s for s, _ in _complete_frames(path.read_text())] if path.exists() else []


def append_row(path: Path, header: list[str], row: list) -> None:
    new = not path.exists()
    with open(path, "a") as fh:
        if new:
            fh.write(",".join(header) + "\n")
        fh.write(",".join(_fmt(v) for v in row) + "\n")
        fh.flush()


def _fmt(value) -> str:
    return f"{value:.10g}" if isinstance(value, float) else str(value)


def trim_table(path: Path, max_step: int) -> int:
    """Keep the header and complete rows whose first column (step) is <= max_step."""
    if not path.exists():
        return 0
    lines = path.read_text().splitlines(keepends=True)
    if not lines:
        path.unlink()
        return 0
    header, rows = lines[0], lines[1:]
    n_cols = header.count(",") + 1
    kept, seen = [], set()
    for line in rows:
        if not line.endswith("\n") or line.count(",") + 1 != n_cols:
            break
        step = int(line.split(",", 1)[0])
        if step <= max_step and step not in seen:
            kept.append(line)
            seen.add(step)
    write_text(path, header + "".join(kept))
    return len(kept)
