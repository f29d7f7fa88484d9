"""The whole analysis on the vitrify-md test glass, and every figure written from it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from vitrify.plot_style import plt
from vitrify.structure import figures
from vitrify.structure.experiment import r_chi
from vitrify.structure.angles import bond_angle_distribution
from vitrify.structure.coordination import bonds_of, qn_speciation
from vitrify.structure.fsdp import fit_peak, window_around_max
from vitrify.structure.rdf import first_minimum_A, mean_and_sem, partial_rdf
from vitrify.structure.rings import ring_statistics
from vitrify.structure.structure_factor import (neutron_F, neutron_real_space, partial_sq,
                                                xray_S)
from tests.support.structure_samples import glass_frames

CUT = {("Si", "O"): 2.0}


@pytest.fixture(scope="module")
def analysis():
    frames = glass_frames()
    # Two pseudo-replicas (the two halves of the glass segment) for the error bands.
    halves = [frames[: len(frames) // 2], frames[len(frames) // 2:]]
    rdfs = [partial_rdf(h, 5.5, 0.05, species=("Si", "O")) for h in halves]
    rdf = partial_rdf(frames, 5.5, 0.05, species=("Si", "O"))
    Q = np.linspace(0.3, 15.0, 300)
    sq = partial_sq(rdf, Q, lorch=True)
    return dict(frames=frames, rdf=rdf, rdfs=rdfs, Q=Q, sq=sq)


def test_glass_structure_is_tetrahedral_silica(analysis):
    rdf = analysis["rdf"]
    g = rdf.pair("Si", "O")
    assert 1.55 < rdf.r_A[np.argmax(g)] < 1.70
    r_min = first_minimum_A(rdf.r_A, g)
    assert 1.9 < r_min < 2.6
    n_sio = rdf.running_coordination("Si", "O")[np.searchsorted(rdf.edges_A[1:], r_min)]
    assert 3.7 < n_sio < 4.3
    frame = analysis["frames"][-1]
    qn = qn_speciation(bonds_of(frame, CUT), frame.get_chemical_symbols())
    assert sum(qn["counts"].values()) + qn["not_fourfold"] == 32
    sios = bond_angle_distribution(analysis["frames"], ("Si", "O", "Si"), CUT)
    assert 130 < sios.mean_deg < 160
    F = neutron_F(analysis["sq"])
    assert np.all(np.isfinite(F)) and abs(F[-1]) < 0.05


def test_every_figure_writes_a_png(analysis, tmp_path):
    rdf, rdfs, Q, sq = analysis["rdf"], analysis["rdfs"], analysis["Q"], analysis["sq"]
    model = pd.DataFrame({"Q_inv_A": Q, "neutron_F": neutron_F(sq), "xray_S": xray_S(sq)})
    unwindowed = partial_sq(rdf, Q, lorch=False)
    model2 = pd.DataFrame({"Q_inv_A": Q, "neutron_F": neutron_F(unwindowed), "xray_S": xray_S(unwindowed)})
    # A stand-in for measured data: the model itself on a coarser grid, noised.
    rng = np.random.default_rng(0)
    exp = figures.Measured(pd.DataFrame({"Q_inv_A": Q[::4],
                                         "value": model["neutron_F"][::4] + rng.normal(0, 0.01, len(Q[::4]))}))
    models = {"classical, Lorch": model, "classical, no window": model2}
    paths = []

    p = tmp_path / "sq.png"
    figures.sq_overlay(models, p, experiment={"neutron_F": exp})
    paths.append(p)

    window = window_around_max(Q, model["neutron_F"], (1.0, 2.5), 0.7)
    fit = fit_peak(Q, model["neutron_F"], window)
    p = tmp_path / "fsdp.png"
    figures.fsdp_zoom(models, p, experiment=exp, peaks={"classical, Lorch": fit.Q1_inv_A})
    paths.append(p)

    rs = neutron_real_space(rdf)
    p = tmp_path / "T.png"
    figures.total_correlation({"classical": pd.DataFrame({"r_A": rs.r_A, "T": rs.T})}, p)
    paths.append(p)

    cols = {f"g_{a}_{b}": mean_and_sem([r.g[(a, b)] for r in rdfs]) for (a, b) in rdf.g}
    mean = pd.DataFrame({"r_A": rdf.r_A, **{k: v[0] for k, v in cols.items()}})
    sem = pd.DataFrame({"r_A": rdf.r_A, **{k: v[1] for k, v in cols.items()}})
    p = tmp_path / "gr.png"
    figures.partial_rdf_bands({"classical": (mean, sem)}, p)
    paths.append(p)

    frame = analysis["frames"][-1]
    rings = {m: ring_statistics(frame, m, 8).to_frame() for m in ("king", "primitive")}
    p = tmp_path / "rings.png"
    figures.ring_distribution(rings, p, method="King vs primitive")
    paths.append(p)

    angles = {"classical": {name: bond_angle_distribution(analysis["frames"], t, CUT, 2.0).to_frame()
                            for name, t in (("O-Si-O", ("O", "Si", "O")), ("Si-O-Si", ("Si", "O", "Si")))}}
    p = tmp_path / "angles.png"
    figures.angle_distributions(angles, p)
    paths.append(p)

    for p in paths:
        assert p.exists() and p.stat().st_size > 5000, p
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _legend_text(ax) -> str:
    return " | ".join(t.get_text() for t in ax.get_legend().get_texts())


def test_comparison_with_measured_data_as_a_diffraction_paper_draws_it(analysis):
    """Model vs measured: the axis is the simulated Q range, measured minus model is drawn
    offset below for every model, the legend gives each R_chi and the window it covers,
    and an FSDP inset shows the peak region."""
    Q, rdf = analysis["Q"], analysis["rdf"]
    lorch = pd.DataFrame({"Q_inv_A": Q, "neutron_F": neutron_F(analysis["sq"]), "xray_S": xray_S(analysis["sq"])})
    plain_sq = partial_sq(rdf, Q, lorch=False)
    plain = pd.DataFrame({"Q_inv_A": Q, "neutron_F": neutron_F(plain_sq), "xray_S": xray_S(plain_sq)})
    models = {"Lorch": lorch, "no window": plain}
    # A measured stand-in wider than the simulation on both sides: the unwindowed model on
    # a grid from 0.1 to 20 1/A (flat beyond the simulated range), noised.
    q_exp = np.arange(0.1, 20.0, 0.05)
    rng = np.random.default_rng(3)
    y_exp = np.interp(q_exp, Q, plain["neutron_F"]) + rng.normal(0, 0.005, len(q_exp))
    window = (1.0, 25.0)
    r_chis = {label: r_chi(q_exp, y_exp, df["Q_inv_A"], df["neutron_F"], window) for label, df in models.items()}
    measured = figures.Measured(pd.DataFrame({"Q_inv_A": q_exp, "value": y_exp}), window, r_chis)

    fig = figures.sq_overlay_figure(models, columns=("neutron_F",), experiment={"neutron_F": measured},
                                    fsdp_window_inv_A=(1.0, 2.2))
    ax = fig.axes[0]
    assert ax.get_xlim() == pytest.approx((Q.min(), Q.max()))
    points = [line for line in ax.get_lines() if line.get_marker() == "."]
    assert len(points) == 1 and Q.min() <= points[0].get_xdata().min() and points[0].get_xdata().max() <= Q.max()
    for k, (label, df) in enumerate(models.items()):
        expected = y_exp - np.interp(q_exp, df["Q_inv_A"], df["neutron_F"])
        inside = (q_exp >= Q.min()) & (q_exp <= Q.max())
        found = [line for line in ax.get_lines() if line.get_color() == f"C{k}" and len(line.get_xdata()) == inside.sum()
                 and np.allclose(line.get_xdata(), q_exp[inside])]
        assert len(found) == 1, label
        shift = found[0].get_ydata() - expected[inside]
        assert np.ptp(shift) < 1e-9  # the difference itself, moved down by a constant
        curve = [line for line in ax.get_lines() if line.get_color() == f"C{k}" and line.get_label().startswith(label)]
        assert shift[0] < np.min(curve[0].get_ydata())  # below the model's own curve
    text = _legend_text(ax)
    for label, value in r_chis.items():
        assert f"{label}, $R_\\chi$ = {value:.3f}" in text
    # R_chi covers the window where measured points and simulation overlap: 1 to 15 1/A.
    assert f"$R_\\chi$ window 1–{Q.max():g}" in text and "offset below" in text
    inset = ax.child_axes[0]
    assert inset.get_xlim() == pytest.approx((1.0, 2.2))
    assert len(inset.get_lines()) == 3  # both models and the measured points

    zoom = figures.fsdp_zoom_figure(models, experiment=measured, window_inv_A=(0.1, 3.5)).axes[0]
    assert zoom.get_xlim() == pytest.approx((Q.min(), 3.5))
    assert f"$R_\\chi$ window 1–{Q.max():g}" in _legend_text(zoom)  # R_chi's window, not the zoom's

    rs = neutron_real_space(rdf)
    real = pd.DataFrame({"r_A": rs.r_A, "T": rs.T})
    measured_T = figures.Measured(pd.DataFrame({"r_A": np.arange(0.0, 12.0, 0.1), "value": 0.0}))
    t_ax = figures.total_correlation_figure({"model": real}, experiment=measured_T).axes[0]
    assert t_ax.get_xlim() == pytest.approx((rs.r_A.min(), rs.r_A.max()))
    assert "R_\\chi" not in _legend_text(t_ax)  # no R_chi given, none claimed
    plt.close("all")
