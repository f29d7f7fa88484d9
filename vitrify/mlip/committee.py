"""Committee disagreement along a trajectory: where the models extrapolate.

Several models that differ only in their training seed agree where the training data
constrain them and scatter where they do not. Per frame: the spread of the members'
forces (per atom, then mean and max over atoms) and of their energies.
"""

from __future__ import annotations

import numpy as np
from ase import Atoms


def member_predictions(atoms: Atoms, calculators: list) -> tuple[np.ndarray, np.ndarray]:
    """Energies (M,) in eV and forces (M, N, 3) in eV/A of every committee member."""
    energies, forces = [], []
    for calc in calculators:
        probe = atoms.copy()
        probe.calc = calc
        energies.append(probe.get_potential_energy())
        forces.append(probe.get_forces())
    return np.array(energies), np.array(forces)


def disagreement(energies: np.ndarray, forces: np.ndarray) -> dict[str, float]:
    """Committee spread of one frame.

    Force spread per atom: sqrt(mean over members of |F_m - <F>|^2), the usual
    committee force deviation; reported as mean and max over atoms.
    """
    if len(energies) < 2:
        raise ValueError("a committee needs at least two members")
    n_atoms = forces.shape[1]
    per_atom = np.sqrt(np.mean(np.sum((forces - forces.mean(axis=0)) ** 2, axis=2), axis=0))
    return {
        "energy_sd_meV_per_atom": float(np.std(energies) / n_atoms * 1e3),
        "force_sd_mean_eV_per_A": float(per_atom.mean()),
        "force_sd_max_eV_per_A": float(per_atom.max()),
    }


def trajectory_disagreement(frames: list[Atoms], calculators: list) -> list[dict]:
    """One row per frame: where it is in the protocol and the committee spread."""
    rows = []
    for atoms in frames:
        energies, forces = member_predictions(atoms, calculators)
        rows.append({
            "step": int(atoms.info.get("step", -1)),
            "time_ps": float(atoms.info.get("time_ps", np.nan)),
            "segment": atoms.info.get("segment", ""),
            "temperature_K": float(atoms.info.get("temperature_K", np.nan)),
            "T_target_K": float(atoms.info.get("T_target_K", np.nan)),
            "n_members": len(calculators),
            "energy_mean_eV_per_atom": float(energies.mean() / len(atoms)),
            **disagreement(energies, forces),
        })
    return rows
