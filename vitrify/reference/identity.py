"""Stable configuration ids: the name a configuration keeps through every stage.

An id is assigned once, when a configuration enters the candidate pool, and then travels
in `info["config_id"]` through extxyz files. Re-hashing positions read back from text
would not be stable (the last printed digit can round either way), so the hash is only
ever taken of the in-memory structure that is being named.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np
from ase import Atoms

ID_KEY = "config_id"
_SAFE = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


def structure_hash(atoms: Atoms, length: int = 16) -> str:
    """sha256 over species, positions, cell and periodicity (exact float64 bytes)."""
    h = hashlib.sha256()
    h.update(np.ascontiguousarray(atoms.numbers, dtype=np.int64).tobytes())
    h.update(np.ascontiguousarray(atoms.positions, dtype=np.float64).tobytes())
    h.update(np.ascontiguousarray(np.asarray(atoms.cell), dtype=np.float64).tobytes())
    h.update(np.ascontiguousarray(atoms.pbc, dtype=np.int8).tobytes())
    return h.hexdigest()[:length]


def config_id(atoms: Atoms) -> str:
    """The explicit info["config_id"] if present (checked to be a safe file name), else the hash."""
    explicit = atoms.info.get(ID_KEY)
    if explicit is None:
        return structure_hash(atoms)
    explicit = str(explicit)
    if not _SAFE.match(explicit):
        raise ValueError(f"config_id {explicit!r} is not a safe file name "
                         "(letters, digits, '.', '_', '-'; at most 128 characters)")
    return explicit


def ensure_config_id(atoms: Atoms) -> str:
    """Give `atoms` its id if it has none yet; return the id."""
    cid = config_id(atoms)
    atoms.info[ID_KEY] = cid
    return cid
