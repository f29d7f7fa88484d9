"""Model comparison: replica statistics, literature values, and an experiment file round trip."""

import numpy as np
import pytest

from vitrify.settings import AnalysisSettings
from vitrify.structure.analysis import analyse_silica
from vitrify.structure.compare import (experiment_comparison, literature_comparison, metric_table,
                                       read_literature, replica_tables)
from vitrify.structure.experiment import write_columns
from vitrify.structure.frames import read_frames


@pytest.fixture(scope="module")
def glass(repo, tmp_path_factory, venv_bin):
    import subprocess

    out = tmp_path_factory.mktemp("glass")
    subprocess.run([venv_bin / "vitrify-md", "--config", repo / "config" / "test.yaml", "--system", "silica",
                    "--rate", "2000", "--outdir", out], check=True, capture_output=True, timeout=300)
    frames = read_frames(out / "trajectory.extxyz", segment="glass")
    settings = AnalysisSettings.defaults(system="silica", ring_max_size=8)
    return [analyse_silica(frames[:1], settings), analyse_silica(frames[-1:], settings)], settings


def test_replica_means_and_metric_table(glass):
    results, _ = glass
    mean, sem = replica_tables(results, "gr", "r_A")
    direct = (results[0].gr["g_Si_O"] + results[1].gr["g_Si_O"]) / 2
    assert np.allclose(mean["g_Si_O"], direct)
    table = metric_table({"classical": results}).set_index("metric")
    assert 1.55 < table.loc["r_SiO_A", "classical_mean"] < 1.70
    assert table.loc["cn_SiO", "classical_n_replicas"] == 2


def test_experiment_file_of_the_model_itself_gives_zero_r_chi(glass, tmp_path):
    results, settings = glass
    sq = replica_tables(results, "sq", "Q_inv_A")[0]
    # Write the model's own X-ray S(Q) as Q bin left edges in 1/nm: the loader must undo both.
    q, y = sq["Q_inv_A"].to_numpy(), sq["xray_S"].to_numpy()
    dq = q[1] - q[0]
    write_columns(tmp_path / "xray.dat", (q - dq / 2) * 10.0, y, "Q (1/nm, left bin edges)  S(Q)")
    spec = {"file": str(tmp_path / "xray.dat"), "kind": "S", "q_unit": "1/nm", "q_column": "left_edge",
            "r_chi_range_inv_A": [1.0, 15.0]}
    rows, curve = experiment_comparison({"self": sq}, spec, "xray_S", settings)
    assert rows[0]["r_chi"] == pytest.approx(0.0, abs=1e-6)
    # Round-off in the reloaded Q grid can move one point across the fit-window edge.
    assert rows[0]["fsdp_Q1_delta_inv_A"] == pytest.approx(0.0, abs=5e-3)
    assert np.allclose(curve["Q_inv_A"], q)


def test_literature_rows_carry_citations(repo, glass):
    results, _ = glass
    literature = read_literature(repo / "resources" / "literature" / "silica_structure.csv", "glass")
    assert len(literature) > 0 and literature["citation"].str.len().min() > 10
    table = metric_table({"classical": results})
    comparison = literature_comparison(table, literature, ["classical"])
    row = comparison[comparison.metric == "r_SiO_A"].iloc[0]
    assert row["literature_value"] == pytest.approx(1.62)
    assert "Mozzi" in row["citation"]
    assert abs(row["classical_minus_literature"]) < 0.1
