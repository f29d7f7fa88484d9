"""The whole analysis on the vitrify-md test glass, and every figure written from it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from vitrify.structure import figures
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
    exp = pd.DataFrame({"Q_inv_A": Q[::4], "value": model["neutron_F"][::4] + rng.normal(0, 0.01, len(Q[::4]))})
    models = {"classical, Lorch": model, "classical, no window": model2}
    paths = []

    p = tmp_path / "sq.png"
    figures.sq_overlay(models, p, experiment={"neutron_F": exp}, Q_max_inv_A=15)
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
