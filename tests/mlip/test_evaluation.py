"""Test-set error tables with known answers, and the SR-vs-LR committee table."""

import numpy as np
import pandas as pd
import pytest
from ase.units import GPa

from vitrify.mlip.evaluate import error_table
from vitrify.mlip.summary import evaluation_table


def _row(origin, de_eV, df, ds):
    n = 2
    return {"origin": origin, "n_atoms": n, "energy_ref_eV": 0.0, "energy_pred_eV": de_eV * n,
            "forces_ref": np.zeros((n, 3)), "forces_pred": np.full((n, 3), df),
            "stress_ref": np.zeros(6), "stress_pred": np.full(6, ds * GPa)}


def test_error_table_known_answers():
    table = error_table([_row("crystal", 0.001, 0.1, 1.0), _row("liquid", -0.003, -0.3, -2.0)]).set_index("origin")
    assert table.loc["crystal", "energy_rmse_meV_per_atom"] == pytest.approx(1.0)
    assert table.loc["liquid", "forces_mae_meV_per_A"] == pytest.approx(300.0)
    assert table.loc["all", "energy_rmse_meV_per_atom"] == pytest.approx(np.sqrt((1 + 9) / 2))
    assert table.loc["all", "stress_mae_GPa"] == pytest.approx(1.5)


def test_committee_table_means_and_spreads_over_seeds():
    errors = []
    for arch, values in (("sr", [1.0, 2.0, 3.0]), ("lr", [2.0, 2.0, 2.0])):
        for k, v in enumerate(values):
            errors.append(pd.DataFrame([{"arch": arch, "member": f"seed{k}", "origin": "all", "n_configs": 4,
                                         "n_train": 10, "energy_rmse_meV_per_atom": v, "energy_mae_meV_per_atom": v,
                                         "forces_rmse_meV_per_A": 10 * v, "forces_mae_meV_per_A": v,
                                         "stress_rmse_GPa": v, "stress_mae_GPa": v}]))
    errors.append(errors[0].assign(member="lc0.5", n_train=5, energy_rmse_meV_per_atom=9.0))
    table, curve = evaluation_table(errors, "GFN1-xTB")
    sr = table.set_index("arch").loc["sr"]
    assert sr["n_members"] == 3 and sr["energy_rmse_meV_per_atom"] == pytest.approx(2.0)
    assert sr["energy_rmse_sd_meV_per_atom"] == pytest.approx(1.0)
    assert table.set_index("arch").loc["lr", "energy_rmse_sd_meV_per_atom"] == 0.0
    assert sorted(curve["n_train"]) == [5, 10, 10, 10, 10, 10, 10]
    assert (table["reference_labels"] == "GFN1-xTB").all()
