"""SR vs LR: test errors of the committees, side by side, and the learning-curve points."""

from __future__ import annotations

import pandas as pd

METRICS = ["energy_rmse_meV_per_atom", "energy_mae_meV_per_atom", "forces_rmse_meV_per_A",
           "forces_mae_meV_per_A", "stress_rmse_GPa", "stress_mae_GPa"]


def evaluation_table(errors: list[pd.DataFrame], label_method: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(committee table, learning-curve table) from the per-model test error tables.

    Committee table: one row per (arch, origin) with the mean and standard deviation of
    each metric over the committee seeds. Learning-curve table: overall ('all') errors of
    every model with its number of training configurations.
    """
    every = pd.concat(errors, ignore_index=True)
    committee = every[every["member"].str.startswith("seed")]
    rows = []
    for (arch, origin), part in committee.groupby(["arch", "origin"], sort=False):
        row = {"arch": arch, "origin": origin, "n_members": len(part), "n_configs": int(part["n_configs"].iloc[0])}
        for m in METRICS:
            row[m] = part[m].mean()
            row[m.replace("_meV", "_sd_meV").replace("_GPa", "_sd_GPa")] = part[m].std(ddof=1) if len(part) > 1 else float("nan")
        row["reference_labels"] = label_method
        rows.append(row)
    table = pd.DataFrame(rows)
    order = {"all": 0}
    table = table.sort_values(["origin", "arch"], key=lambda c: c.map(lambda v: order.get(v, 1)) if c.name == "origin" else c,
                              ignore_index=True)
    curve = every[every["origin"] == "all"][["arch", "member", "n_train", "energy_rmse_meV_per_atom",
                                              "forces_rmse_meV_per_A", "stress_rmse_GPa"]].reset_index(drop=True)
    return table, curve
