"""Reading trajectory frames (the I/O edge of the structure analysis).

vitrify-md writes extxyz trajectories whose frames carry `segment` (melt, liquid,
quench, glass, ...) in their info; analyses usually average over the final segment.
"""

from __future__ import annotations

from pathlib import Path

from ase import Atoms
from ase.io import read


def read_frames(path: str | Path, segment: str | None = None, last: int | None = None) -> list[Atoms]:
    """Frames of an extxyz (or any ASE-readable) trajectory.

    segment: keep only frames whose info['segment'] equals it; last: then keep the last
    `last` frames. Raises ValueError naming the file if nothing is left.
    """
    frames = read(str(path), index=":")
    frames = frames if isinstance(frames, list) else [frames]
    if segment is not None:
        frames = [f for f in frames if f.info.get("segment") == segment]
    if last is not None:
        frames = frames[-last:]
    if not frames:
        raise ValueError(f"{path}: no frames" + (f" in segment {segment!r}" if segment else ""))
    return frames
