"""The candidate pool for reference labelling, and a diverse subset chosen from it.

Pool members come from (a) distorted crystals (`structures.crystal_variants`) and
(b, c) frames of classical melt-quench trajectories written by `vitrify.md`: hot liquid
and supercooled frames, and frames along the quench. Every member carries
info["origin"] in {"crystal", "liquid", "quench"}, a human-readable info["source"]
and a stable info["config_id"].

Selection is farthest-point sampling (FPS) on block-scaled structural descriptors
(`descriptors.py`): deterministic, so the same pool and settings always give the same
subset in the same order.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
from ase import Atoms
from ase.io import iread

from .descriptors import DescriptorSettings, descriptor_matrix, scale_blocks
from .identity import ensure_config_id

log = logging.getLogger("vitrify.reference")

ORIGINS = ("crystal", "liquid", "quench")


# ---- farthest-point sampling ---------------------------------------------------------
def farthest_point_sampling(X: np.ndarray, n: int, preselected: list[int] | tuple[int, ...] = ()) -> list[int]:
    """Indices of `n` rows of X picked greedily to be as spread out as possible.

    First pick (when nothing is preselected): the row farthest (Euclidean) from the
    mean of all rows, i.e. the most atypical configuration. Each later pick is the row
    whose distance to its nearest already-picked row is largest. Ties go to the lowest
    index. `preselected` rows (e.g. an existing training set) count as picked but are not
    returned. Duplicates of picked rows have distance 0 and are picked last.
    """
    X = np.asarray(X, dtype=float)
    m = len(X)
    n = min(n, m - len(set(preselected)))
    if n <= 0:
        return []
    picked: list[int] = []
    if preselected:
        min_d = np.min(np.linalg.norm(X[:, None, :] - X[list(preselected)][None, :, :], axis=2), axis=1)
        min_d[list(preselected)] = -1.0
    else:
        first = int(np.argmax(np.linalg.norm(X - X.mean(axis=0), axis=1)))  # argmax: lowest index on ties
        picked.append(first)
        min_d = np.linalg.norm(X - X[first], axis=1)
        min_d[first] = -1.0
    while len(picked) < n:
        nxt = int(np.argmax(min_d))
        picked.append(nxt)
        min_d = np.minimum(min_d, np.linalg.norm(X - X[nxt], axis=1))
        min_d[picked] = -1.0
    return picked


# ---- MD frames -------------------------------------------------------------------
def quench_segment_names(trajectory: Path) -> set[str]:
    """Names of the quench segments, read from the run.json the MD engine writes beside
    the trajectory; without one, segments whose name contains "quench"."""
    meta = Path(trajectory).with_name("run.json")
    if meta.exists():
        segments = json.loads(meta.read_text()).get("segments", [])
        return {s["name"] for s in segments if s.get("quench")}
    return set()


def md_frames(trajectory: str | Path, liquid_min_T_K: float = 2000.0, every: int = 1,
              min_atoms: int = 72, skip_first: int = 0) -> list[Atoms]:
    """Frames of one MD trajectory as pool members.

    origin "quench": frames from a quench segment, and frames held below liquid_min_T_K
    (the glass the quench made); origin "liquid": frames held at a target temperature
    >= liquid_min_T_K (melt, liquid, supercooled liquid).
    Frames with fewer than min_atoms atoms are refused, not silently kept: the
    reference codes are Gamma-point only.
    """
    trajectory = Path(trajectory)
    quench = quench_segment_names(trajectory)
    out = []
    for k, atoms in enumerate(iread(str(trajectory), index=":", format="extxyz")):
        if k < skip_first or (k - skip_first) % every:
            continue
        if len(atoms) < min_atoms:
            raise ValueError(f"{trajectory}: frame {k} has {len(atoms)} atoms < {min_atoms}; "
                             "run the MD with more atoms (Gamma-point-only labels)")
        info = atoms.info
        T = float(info.get("T_target_K", info.get("temperature_K", float("nan"))))
        segment = str(info.get("segment", ""))
        in_quench = segment in quench or (not quench and "quench" in segment)
        origin = "quench" if in_quench or not T >= liquid_min_T_K else "liquid"
        atoms.calc = None  # the classical potential's numbers are not reference labels
        info["origin"] = origin
        info["source"] = (f"md {trajectory.parent.name} segment {segment} step {info.get('step', k)} "
                          f"T_target {T:.0f} K rho {info.get('density_g_per_cm3', float('nan')):.3f} g/cm3")
        info["md_trajectory"] = str(trajectory)
        info["md_frame"] = k
        out.append(atoms)
    return out


# ---- pool and selection ----------------------------------------------------------
def candidate_pool(crystals: list[Atoms], trajectories: list[str | Path] = (),
                   liquid_min_T_K: float = 2000.0, every: int = 1, min_atoms: int = 72) -> list[Atoms]:
    """Crystal variants followed by MD frames, each with origin, source and config_id."""
    pool = [a.copy() for a in crystals]
    for traj in trajectories:
        pool.extend(md_frames(traj, liquid_min_T_K, every, min_atoms))
    for atoms in pool:
        if atoms.info.get("origin") not in ORIGINS:
            raise ValueError(f"pool member without a valid origin: {atoms.info.get('source')}")
        if len(atoms) < min_atoms:
            raise ValueError(f"pool member {atoms.info.get('source')} has {len(atoms)} atoms < {min_atoms}")
        ensure_config_id(atoms)
    ids = [a.info["config_id"] for a in pool]
    if len(set(ids)) != len(ids):
        log.warning("candidate pool has %d duplicate configurations", len(ids) - len(set(ids)))
    return pool


def select_diverse(pool: list[Atoms], n: int, settings: DescriptorSettings = DescriptorSettings(),
                   preselected: list[Atoms] = ()) -> tuple[list[Atoms], np.ndarray]:
    """FPS-chosen members of `pool` (in pick order) and the scaled descriptor matrix."""
    everything = list(pool) + list(preselected)
    X = scale_blocks(descriptor_matrix(everything, settings), settings)
    pre = list(range(len(pool), len(everything)))
    # Preselected rows take part in distances but must never be returned.
    picks = [i for i in farthest_point_sampling(X, n + len(pre), pre) if i < len(pool)][:n]
    chosen = []
    for rank, i in enumerate(picks):
        atoms = pool[i].copy()
        atoms.info["fps_rank"] = rank
        chosen.append(atoms)
    return chosen, X[: len(pool)]
