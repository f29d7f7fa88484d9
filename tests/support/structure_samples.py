"""Structures with known answers for the structure-analysis tests.

Plain functions, imported from `tests.support`. The expensive ones are cached, so each
runs once per test session; callers get copies.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from ase import Atoms
from ase.build import bulk
from ase.spacegroup import crystal


def make_quartz() -> Atoms:
    """alpha-quartz, L. Levien, C. T. Prewitt and D. J. Weidner, Am. Mineral. 65, 920 (1980),
    refinement at P = 1 atm (AMCSD entry 0000789): P3_221, a = 4.916 A, c = 5.4054 A,
    Si (0.4697, 0, 0), O (0.4135, 0.2669, 0.1191). AMCSD lists the coordinates with an
    origin shifted along c relative to the International Tables setting that
    ase.spacegroup uses for group 154; adding 2/3 to z maps one onto the other (checked
    by the test: 3 Si + 6 O per cell, Si-O 1.605 and 1.614 A).
    """
    return crystal(["Si", "O"], basis=[(0.4697, 0.0, 2.0 / 3.0), (0.4135, 0.2669, 0.1191 + 2.0 / 3.0)],
                   spacegroup=154, cellpar=[4.916, 4.916, 5.4054, 90, 90, 120])


def make_cristobalite(a: float = 7.16) -> Atoms:
    """Idealised beta-cristobalite (a test geometry, not a refined structure): Si on a
    diamond lattice (8 per cubic cell), O at the midpoint of every Si-Si nearest-neighbour
    pair, so Si-O = a sqrt(3)/8 (1.55 A for a = 7.16 A) and Si-O-Si = 180 deg."""
    si = bulk("Si", "diamond", a=a, cubic=True)
    pos, cell = si.get_positions(), np.asarray(si.cell)
    frac = pos @ np.linalg.inv(cell)
    mids = []
    for p in pos:
        d = frac - p @ np.linalg.inv(cell)
        d -= np.round(d)
        cart = d @ cell
        near = np.nonzero(np.isclose(np.linalg.norm(cart, axis=1), a * np.sqrt(3) / 4))[0]
        mids += [p + cart[k] / 2 for k in near]
    mids = np.array(mids)
    # Each O was generated from both of its Si: keep one copy (compare wrapped positions).
    mfrac = (mids @ np.linalg.inv(cell)) % 1.0
    mfrac = np.round(mfrac, 6) % 1.0
    _, keep = np.unique(mfrac, axis=0, return_index=True)
    atoms = Atoms(["Si"] * len(pos) + ["O"] * len(keep), positions=np.vstack([pos, mids[np.sort(keep)]]),
                  cell=cell, pbc=True)
    atoms.wrap()
    return atoms


def random_sequential_addition(n_si: int, n_o: int, box_A: float, seed: int) -> Atoms:
    """A disordered two-species packing: atoms added at random positions, rejected when
    closer than a pair minimum distance to any atom already placed (periodic cube)."""
    dmin = {("O", "O"): 2.3, ("O", "Si"): 1.5, ("Si", "O"): 1.5, ("Si", "Si"): 2.8}
    rng = np.random.default_rng(seed)
    species = np.array(["Si"] * n_si + ["O"] * n_o)
    rng.shuffle(species)
    pos, sym = [], []
    for s in species:
        for _ in range(5000):
            p = rng.random(3) * box_A
            if pos:
                d = np.array(pos) - p
                d -= box_A * np.round(d / box_A)
                r = np.linalg.norm(d, axis=1)
                if np.any(r < np.array([dmin[(s, t)] for t in sym])):
                    continue
            pos.append(p)
            sym.append(s)
            break
        else:
            raise RuntimeError("random packing jammed")
    return Atoms(sym, positions=pos, cell=[box_A] * 3, pbc=True)


def ideal_gas(counts: dict[str, int], cell, seed: int) -> Atoms:
    rng = np.random.default_rng(seed)
    cell = np.asarray(cell, float)
    n = sum(counts.values())
    sym = [s for s, c in counts.items() for _ in range(c)]
    return Atoms(sym, scaled_positions=rng.random((n, 3)), cell=cell, pbc=True)


def fcc(a: float = 4.05, rep: int = 5) -> Atoms:
    return bulk("Cu", "fcc", a=a, cubic=True).repeat(rep)


REPO = Path(__file__).resolve().parents[2]


@functools.lru_cache(maxsize=None)
def _rsa_frames() -> tuple[Atoms, ...]:
    return tuple(random_sequential_addition(60, 120, 15.0, seed) for seed in range(4))


@functools.lru_cache(maxsize=None)
def _glass_frames() -> tuple[Atoms, ...]:
    """Glass-segment frames of the 96-atom SiO2 test glass made by vitrify-md (seconds)."""
    from ase.io import read

    exe = Path(sys.executable).parent / "vitrify-md"
    env = dict(os.environ, OMP_NUM_THREADS="1")
    with tempfile.TemporaryDirectory(prefix="vitrify_structure_glass_") as out:
        proc = subprocess.run([str(exe), "--config", str(REPO / "config" / "test.yaml"), "--system", "silica",
                               "--rate", "2000", "--outdir", out], capture_output=True, text=True,
                              timeout=300, env=env, cwd=REPO)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        frames = read(Path(out) / "trajectory.extxyz", index=":")
    return tuple(f for f in frames if f.info.get("segment") == "glass")


def rsa_frames() -> list[Atoms]:
    """Four disordered two-species packings of 180 atoms in a 15 A box."""
    return [a.copy() for a in _rsa_frames()]


def glass_frames() -> list[Atoms]:
    """Glass-segment frames of the vitrify-md 96-atom SiO2 test glass."""
    return [a.copy() for a in _glass_frames()]
