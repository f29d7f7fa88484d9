"""Small labelled SiO2 sets for the training and ML-MD tests, made here and now.

Labels come from the classical Vashishta (1990) potential through the project's LAMMPS
engine: real energies, forces and stresses, cheap enough for a test, and recorded as
such in label_method. The quantum-mechanical labels of the workflow are tested elsewhere.
"""

from __future__ import annotations

import ase
import numpy as np
from ase import Atoms

from vitrify.lammps.session import single_point
from vitrify.lammps.classical import get_potential
from vitrify.md.random_start import random_packing

SPECIES = ["Si", "O"]


def labelled_frames(n: int, n_atoms: int, seed: int, workdir, origin: str = "liquid") -> list[Atoms]:
    pot = get_potential("vashishta_1990")
    frames = []
    for i in range(n):
        atoms = random_packing({"Si": n_atoms // 3, "O": 2 * n_atoms // 3}, 2.2 + 0.05 * (i % 3), 1.6, seed + i)
        energy, forces, stress = single_point(atoms, pot, SPECIES, workdir)
        atoms.info.update({"REF_energy": energy, "REF_stress": stress, "origin": origin if i % 2 else "quench",
                           "config_id": f"{origin}-{seed}-{i}", "label_method": "classical Vashishta 1990 (test labels)"})
        atoms.arrays["REF_forces"] = np.asarray(forces)
        frames.append(atoms)
    return frames


def random_sio2(n_formula: int, cell, seed: int, min_dist: float = 1.5) -> ase.Atoms:
    """Random SiO2 in a periodic (possibly triclinic) cell, no two atoms closer than min_dist."""
    rng = np.random.default_rng(seed)
    atoms = ase.Atoms(cell=cell, pbc=True)
    for symbol in ["Si"] * n_formula + ["O"] * (2 * n_formula):
        while True:
            trial = atoms + ase.Atoms(symbol, scaled_positions=[rng.uniform(size=3)], cell=cell, pbc=True)
            if len(atoms) == 0 or trial.get_distances(len(atoms), range(len(atoms)), mic=True).min() > min_dist:
                atoms = trial
                break
    return atoms
