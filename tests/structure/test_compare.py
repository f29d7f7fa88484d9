"""Model comparison: replica statistics, literature values, and an experiment file round trip."""

import numpy as np
import pytest

from vitrify.settings import AnalysisSettings
from vitrify.structure.analysis import analyse_silica
from vitrify.structure.compare import (experiment_comparison, literature_comparison, metric_table,
                                       read_literature, replica_tables, ring_fraction_metrics, teacher_deltas)
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
    heights = [r.metrics["fsdp_neutron"]["height"] for r in results]
    assert table.loc["fsdp_neutron_height", "classical_mean"] == pytest.approx(np.mean(heights))
    # Ring fractions join the table when asked for (the report's front page reads them there).
    rings = metric_table({"classical": results}, ring_fraction_metrics("primitive", 8)).set_index("metric")
    shares = [rings.loc[f"rings_primitive_fraction_{n}", "classical_mean"] for n in range(3, 9)]
    assert 0.5 < sum(shares) <= 1.0 + 1e-9 and "rings_primitive_fraction_6" not in table.index


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


def test_teacher_deltas_subtract_replica_means(glass):
    results, settings = glass
    rings = ring_fraction_metrics("primitive", settings.ring_max_size)
    table = teacher_deltas({"teacher": results, "copy": list(results[::-1]), "half": results[:1]}, "teacher", rings)
    same = table[table.model == "copy"].set_index("metric")
    assert np.allclose(same["delta"].dropna(), 0.0, atol=1e-12)   # the same replicas in another order
    assert same.loc["density_g_per_cm3", "teacher_mean"] == pytest.approx(2.2, abs=0.01)  # NVT glass at 2.2
    half = table[table.model == "half"].set_index("metric")
    expected = results[0].metrics["angles"]["Si-O-Si"]["mean_deg"] - np.mean(
        [r.metrics["angles"]["Si-O-Si"]["mean_deg"] for r in results])
    assert half.loc["angle_SiOSi_mean_deg", "delta"] == pytest.approx(expected)
    fractions = [results[0].metrics["rings"]["primitive"]["fractions"][n] for n in range(1, settings.ring_max_size + 1)]
    assert sum(fractions) == pytest.approx(1.0)
    assert set(rings) <= set(table.metric)
    six = half.loc["rings_primitive_fraction_6"]
    assert six["model_mean"] == pytest.approx(fractions[5]) and np.isfinite(six["teacher_mean"])
    with pytest.raises(ValueError, match="no teacher"):
        teacher_deltas({"a": results}, "teacher")


def test_model_overlay_draws_sq_with_fsdp_inset_and_ring_shares(glass, tmp_path):
    from vitrify.structure.figures import model_overlay

    results, _ = glass
    sq = {"teacher": replica_tables(results, "sq", "Q_inv_A"), "one": replica_tables(results[:1], "sq", "Q_inv_A")}
    rings = {label: tuple(t[t.method == "primitive"] for t in replica_tables(r, "rings", "n", by="method"))
             for label, r in (("teacher", results), ("one", results[:1]))}
    model_overlay(sq, rings, tmp_path / "overlay.png", "primitive")
    assert (tmp_path / "overlay.png").stat().st_size > 20_000
