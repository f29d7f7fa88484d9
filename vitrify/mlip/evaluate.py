"""Test-set errors of a model: energy (meV/atom), forces (meV/A), stress (GPa), by origin."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from ase import Atoms
from ase.units import GPa

from ..reference.dataset import is_isolated_atom
from ..reference.labeler import LabelKeys


def predictions(frames: list[Atoms], calculator, keys: LabelKeys = LabelKeys()) -> list[dict]:
    """Reference and predicted energy, forces and stress for each frame (isolated atoms skipped)."""
    rows = []
    for atoms in frames:
        if is_isolated_atom(atoms):
            continue
        probe = atoms.copy()
        probe.calc = calculator
        rows.append({
            "origin": atoms.info.get("origin", "all"),
            "n_atoms": len(atoms),
            "energy_ref_eV": float(atoms.info[keys.energy]),
            "energy_pred_eV": float(probe.get_potential_energy()),
            "forces_ref": np.asarray(atoms.arrays[keys.forces]),
            "forces_pred": probe.get_forces(),
            "stress_ref": np.asarray(atoms.info[keys.stress]).reshape(-1)[:6] if keys.stress in atoms.info else None,
            "stress_pred": probe.get_stress(voigt=True),
        })
    return rows


def error_table(rows: list[dict]) -> pd.DataFrame:
    """RMSE and MAE per origin and overall ('all')."""
    groups = {"all": rows}
    for row in rows:
        groups.setdefault(row["origin"], []).append(row)
    table = []
    for origin, members in groups.items():
        de = np.array([(r["energy_pred_eV"] - r["energy_ref_eV"]) / r["n_atoms"] for r in members]) * 1e3
        df = np.concatenate([(r["forces_pred"] - r["forces_ref"]).ravel() for r in members]) * 1e3
        with_stress = [r for r in members if r["stress_ref"] is not None]
        ds = (np.concatenate([r["stress_pred"] - r["stress_ref"] for r in with_stress]) / GPa
              if with_stress else np.array([np.nan]))
        table.append({
            "origin": origin, "n_configs": len(members),
            "energy_rmse_meV_per_atom": np.sqrt(np.mean(de**2)), "energy_mae_meV_per_atom": np.mean(np.abs(de)),
            "forces_rmse_meV_per_A": np.sqrt(np.mean(df**2)), "forces_mae_meV_per_A": np.mean(np.abs(df)),
            "stress_rmse_GPa": np.sqrt(np.mean(ds**2)), "stress_mae_GPa": np.mean(np.abs(ds)),
        })
    return pd.DataFrame(table)


def save_predictions(path: Path, rows: list[dict]) -> None:
    """Flat arrays for parity plots: per-frame energies, per-component forces and stress."""
    with_stress = [r for r in rows if r["stress_ref"] is not None]
    np.savez_compressed(
        path,
        origin=np.array([r["origin"] for r in rows]),
        energy_ref_eV_per_atom=np.array([r["energy_ref_eV"] / r["n_atoms"] for r in rows]),
        energy_pred_eV_per_atom=np.array([r["energy_pred_eV"] / r["n_atoms"] for r in rows]),
        forces_ref_eV_per_A=np.concatenate([r["forces_ref"].ravel() for r in rows]),
        forces_pred_eV_per_A=np.concatenate([r["forces_pred"].ravel() for r in rows]),
        stress_ref_GPa=np.concatenate([r["stress_ref"] for r in with_stress]) / GPa if with_stress else np.zeros(0),
        stress_pred_GPa=np.concatenate([r["stress_pred"] for r in with_stress]) / GPa if with_stress else np.zeros(0),
    )
