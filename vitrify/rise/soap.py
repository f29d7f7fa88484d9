"""Per-atom SOAP vectors, L2-normalised, and a chunked on-disk store for thousands of samples.

A 2000-atom Cu-Zr sample at n_max=8, l_max=6 has 952 features per atom: 7.6 MB in float32.
Thousands of samples per radius do not fit in memory, so the writer computes one sample
at a time and flushes every `samples_per_chunk` samples to one `.npy` file; `index.json`
maps each sample to its chunk and row range. The index is written last (atomically), so a
store without one is an unfinished run, never a silently short one.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np
from ase import Atoms

from ..files import atomic_path, write_json

STORE_FORMAT = 1
INDEX_NAME = "index.json"


@dataclass(frozen=True)
class SoapSettings:
    """Everything that fixes the SOAP vector of an atom; stored in each store's index."""

    species: tuple[str, ...]
    r_cut_A: float
    n_max: int = 8
    l_max: int = 6
    sigma_A: float = 0.5

    def __post_init__(self):
        # Lists from YAML/JSON become tuples so settings compare and hash by value.
        object.__setattr__(self, "species", tuple(self.species))
        if len(set(self.species)) != len(self.species) or not self.species:
            raise ValueError(f"species must be non-empty and unique, got {list(self.species)}")
        if self.r_cut_A <= 1.0:  # dscribe's own lower limit
            raise ValueError(f"r_cut_A must exceed 1 A, got {self.r_cut_A}")

    def as_dict(self) -> dict:
        d = asdict(self)
        d["species"] = list(self.species)
        return d


def soap_descriptor(settings: SoapSettings):
    """The dscribe SOAP object: periodic, GTO radial basis, float32 output."""
    from dscribe.descriptors import SOAP  # noqa: PLC0415  (heavy import, only when computing)

    return SOAP(
        species=list(settings.species),
        periodic=True,
        r_cut=settings.r_cut_A,
        n_max=settings.n_max,
        l_max=settings.l_max,
        sigma=settings.sigma_A,
        dtype="float32",
    )


def n_soap_features(settings: SoapSettings) -> int:
    """Length of one atom's SOAP vector for these settings."""
    return int(soap_descriptor(settings).get_number_of_features())


def check_structure(atoms: Atoms, species: Iterable[str]) -> None:
    """Raise ValueError unless `atoms` is fully periodic and holds only `species`."""
    unknown = sorted(set(atoms.get_chemical_symbols()) - set(species))
    if unknown:
        raise ValueError(
            f"structure contains species {unknown} that the SOAP species {list(species)} "
            "do not cover: their neighbours would be silently ignored"
        )
    if not all(atoms.pbc):
        raise ValueError(f"SOAP here is periodic; the structure has pbc={list(atoms.pbc)}")


def l2_normalise(features: np.ndarray) -> np.ndarray:
    """Rows scaled to unit L2 norm (norm taken in float64), returned as float32.

    Environments are compared by dot products, which are cosines only for unit vectors.
    """
    x = np.asarray(features, dtype=np.float64)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    if np.any(norms == 0) or not np.all(np.isfinite(norms)):
        bad = np.flatnonzero((norms[:, 0] == 0) | ~np.isfinite(norms[:, 0]))
        raise ValueError(f"rows {bad[:10].tolist()} have zero or non-finite norm; cannot normalise")
    return (x / norms).astype(np.float32)


def soap_per_atom(atoms: Atoms, settings: SoapSettings) -> np.ndarray:
    """Unit-length SOAP vector of every atom, in atom order: (n_atoms, n_features) float32."""
    check_structure(atoms, settings.species)
    raw = soap_descriptor(settings).create(atoms, n_jobs=1)
    return l2_normalise(raw)


def _atomic_save_npy(path: Path, array: np.ndarray) -> None:
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        np.save(fh, array)


class SoapChunkWriter:
    """Append per-sample feature arrays; flush every `samples_per_chunk` samples to disk.

    Memory holds at most one chunk. `close()` flushes the rest and writes `index.json`.
    """

    def __init__(self, store_dir: Path, settings: SoapSettings, n_features: int,
                 samples_per_chunk: int = 50):
        if samples_per_chunk < 1:
            raise ValueError(f"samples_per_chunk must be >= 1, got {samples_per_chunk}")
        self.store_dir = Path(store_dir)
        self.settings = settings
        self.n_features = int(n_features)
        self.samples_per_chunk = samples_per_chunk
        self.store_dir.mkdir(parents=True, exist_ok=True)
        # The writer owns the directory: leftovers of an earlier run must not mix in.
        for old in [*self.store_dir.glob("chunk_*.npy"), self.store_dir / INDEX_NAME]:
            old.unlink(missing_ok=True)
        self._pending: list[np.ndarray] = []
        self._pending_ids: list[str] = []
        self._chunks: list[dict] = []
        self._samples: list[dict] = []
        self._seen: set[str] = set()
        self._closed = False

    def add(self, sample_id: str, features: np.ndarray) -> None:
        sample_id = str(sample_id)
        if self._closed:
            raise RuntimeError("writer is closed")
        if sample_id in self._seen:
            raise ValueError(f"sample id {sample_id!r} added twice")
        if features.ndim != 2 or features.shape[1] != self.n_features:
            raise ValueError(
                f"sample {sample_id!r}: features have shape {features.shape}, expected "
                f"(n_atoms, {self.n_features}) for settings {self.settings.as_dict()}"
            )
        self._seen.add(sample_id)
        self._pending.append(np.asarray(features, dtype=np.float32))
        self._pending_ids.append(sample_id)
        if len(self._pending) >= self.samples_per_chunk:
            self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        chunk = len(self._chunks)
        name = f"chunk_{chunk:05d}.npy"
        rows = 0
        for sid, arr in zip(self._pending_ids, self._pending):
            self._samples.append({"id": sid, "chunk": chunk, "row_start": rows, "row_stop": rows + len(arr)})
            rows += len(arr)
        _atomic_save_npy(self.store_dir / name, np.concatenate(self._pending, axis=0))
        self._chunks.append({"file": name, "n_rows": rows})
        self._pending, self._pending_ids = [], []

    def close(self) -> Path:
        if self._closed:
            return self.store_dir / INDEX_NAME
        self._flush()
        index = {
            "format": STORE_FORMAT,
            "settings": self.settings.as_dict(),
            "n_features": self.n_features,
            "dtype": "float32",
            "n_samples": len(self._samples),
            "n_atoms_total": int(sum(s["row_stop"] - s["row_start"] for s in self._samples)),
            "chunks": self._chunks,
            "samples": self._samples,
        }
        write_json(self.store_dir / INDEX_NAME, index)
        self._closed = True
        return self.store_dir / INDEX_NAME

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        # On an exception no index is written: the store stays visibly unfinished.
        if exc_type is None:
            self.close()


def write_soap_sweep(samples: Iterable[tuple[str, Atoms]], store_dirs: dict[float, Path],
                     species: Iterable[str], n_max: int = 8, l_max: int = 6, sigma_A: float = 0.5,
                     samples_per_chunk: int = 50) -> dict[float, Path]:
    """SOAP of each (sample_id, atoms) at every radius in `store_dirs` (r_cut_A -> store dir).

    Samples are read once and processed one at a time, so a generator that loads them from
    disk keeps memory at one sample plus one chunk per radius. Returns r_cut_A -> index path.
    """
    settings = {r: SoapSettings(tuple(species), float(r), n_max, l_max, sigma_A) for r in store_dirs}
    descriptors = {r: soap_descriptor(s) for r, s in settings.items()}
    writers = {
        r: SoapChunkWriter(store_dirs[r], settings[r], descriptors[r].get_number_of_features(),
                           samples_per_chunk)
        for r in store_dirs
    }
    for sample_id, atoms in samples:
        check_structure(atoms, species)
        for r, desc in descriptors.items():
            writers[r].add(sample_id, l2_normalise(desc.create(atoms, n_jobs=1)))
    return {r: w.close() for r, w in writers.items()}


def write_soap_store(samples: Iterable[tuple[str, Atoms]], store_dir: Path, settings: SoapSettings,
                     samples_per_chunk: int = 50) -> Path:
    """One radius of `write_soap_sweep`; returns the index path."""
    out = write_soap_sweep(samples, {settings.r_cut_A: Path(store_dir)}, settings.species,
                           settings.n_max, settings.l_max, settings.sigma_A, samples_per_chunk)
    return out[settings.r_cut_A]


# ----------------------------------------------------------------------------- reading


def read_soap_index(store_dir: Path, expect: SoapSettings | None = None) -> dict:
    """The store's index; with `expect`, raise ValueError unless its settings match."""
    path = Path(store_dir) / INDEX_NAME
    if not path.exists():
        raise FileNotFoundError(f"{path} missing: the SOAP store was never finished")
    index = json.loads(path.read_text())
    if index.get("format") != STORE_FORMAT:
        raise ValueError(f"{path}: store format {index.get('format')!r}, this code reads {STORE_FORMAT}")
    if expect is not None:
        stored = SoapSettings(**index["settings"])
        if stored != expect:
            diff = {k: (v, getattr(expect, k)) for k, v in asdict(stored).items() if v != getattr(expect, k)}
            raise ValueError(f"{path}: SOAP settings differ from those expected (stored, expected): {diff}")
    return index


@dataclass
class SoapChunk:
    """One chunk: its samples, their row ranges in `features`, and the features."""

    sample_ids: list[str]
    row_ranges: list[tuple[int, int]]
    features: np.ndarray


def _load_chunk(store_dir: Path, index: dict, chunk: int, mmap: bool) -> np.ndarray:
    entry = index["chunks"][chunk]
    path = Path(store_dir) / entry["file"]
    arr = np.load(path, mmap_mode="r" if mmap else None)
    expected = (entry["n_rows"], index["n_features"])
    if arr.shape != expected or arr.dtype != np.float32:
        raise ValueError(
            f"{path}: array {arr.shape} {arr.dtype}, index says {expected} float32 "
            "(dimension mismatch: the store is corrupt or mixes settings)"
        )
    return arr


def iter_soap_chunks(store_dir: Path, expect: SoapSettings | None = None,
                     mmap: bool = True) -> Iterator[SoapChunk]:
    """Chunks in store order; with mmap only the rows touched are read from disk."""
    index = read_soap_index(store_dir, expect)
    by_chunk: dict[int, list[dict]] = {}
    for s in index["samples"]:
        by_chunk.setdefault(s["chunk"], []).append(s)
    for chunk in range(len(index["chunks"])):
        members = by_chunk.get(chunk, [])
        yield SoapChunk([m["id"] for m in members], [(m["row_start"], m["row_stop"]) for m in members],
                        _load_chunk(store_dir, index, chunk, mmap))


def iter_sample_features(store_dir: Path, sample_ids: Iterable[str] | None = None,
                         expect: SoapSettings | None = None) -> Iterator[tuple[str, np.ndarray]]:
    """(sample_id, features) for `sample_ids` in the order given (default: store order).

    Chunks are memory-mapped and one is open at a time, so any subset streams in bounded
    memory; a store order request touches each chunk once.
    """
    index = read_soap_index(store_dir, expect)
    where = {s["id"]: s for s in index["samples"]}
    ids = [s["id"] for s in index["samples"]] if sample_ids is None else [str(i) for i in sample_ids]
    missing = [i for i in ids if i not in where]
    if missing:
        raise KeyError(f"samples {missing[:5]} (of {len(missing)}) not in SOAP store {store_dir}")
    open_chunk, arr = None, None
    for sid in ids:
        s = where[sid]
        if s["chunk"] != open_chunk:
            open_chunk, arr = s["chunk"], _load_chunk(store_dir, index, s["chunk"], mmap=True)
        yield sid, np.array(arr[s["row_start"]:s["row_stop"]])
