"""Loaders for measured data (round trips, units, bin edges, errors) and R_chi."""

from __future__ import annotations

import numpy as np
import pytest

from vitrify.structure.experiment import (fsdp_deltas, load_gr, load_sq, r_chi, read_columns,
                                          write_columns)
from vitrify.structure.fsdp import fit_peak, lorentzian


def test_round_trip_with_comments_and_units(tmp_path):
    Q = np.linspace(0.5, 20.0, 40)
    S = 1 + 0.3 * np.sin(Q) / Q
    path = tmp_path / "sq.dat"
    write_columns(path, Q * 10.0, S, "Q (1/nm)  S(Q)\nnormalised")
    # Extra comment styles and blank lines in the middle.
    text = path.read_text().splitlines()
    text.insert(5, "")
    text.insert(7, "! instrument comment")
    path.write_text("\n".join(text) + "\n")
    data = load_sq(path, kind="S", q_unit="1/nm")
    np.testing.assert_allclose(data.Q_inv_A, Q, rtol=1e-7)
    np.testing.assert_allclose(data.values, S, rtol=1e-7)
    assert data.kind == "S" and data.source == str(path)


def test_bin_edges_become_centres(tmp_path):
    left = np.arange(0.0, 5.0, 0.025)
    path = tmp_path / "edges.csv"
    path.write_text("Q,F\n" + "\n".join(f"{q},{0.1 * q + 1.0}" for q in left))  # no all-zero row
    data = load_sq(path, kind="F", q_column="left_edge", skip_rows=1)
    np.testing.assert_allclose(data.Q_inv_A, left + 0.0125)
    right = load_sq(path, kind="F", q_column="right_edge", skip_rows=1)
    np.testing.assert_allclose(right.Q_inv_A, (left - 0.0125)[1:])  # a bin ending at Q = 0 holds no data


def test_normalisation_conversions(tmp_path):
    path = tmp_path / "f.dat"
    write_columns(path, [1.0, 2.0, 3.0], [0.1, -0.2, 0.05], "Q F(Q) barn/sr/atom")
    data = load_sq(path, kind="F")
    mean_b2 = 0.2758
    np.testing.assert_allclose(data.as_S(mean_b2), 1 + np.array([0.1, -0.2, 0.05]) / mean_b2)
    np.testing.assert_allclose(data.as_F(mean_b2), [0.1, -0.2, 0.05])
    with pytest.raises(ValueError, match="needs <b>\\^2"):
        data.as_S()


def test_bad_files_give_one_line_errors_with_file_and_line(tmp_path):
    path = tmp_path / "bad.dat"
    path.write_text("# header\n0.5 1.0\n0.6 abc\n0.7 1.1\n")
    with pytest.raises(ValueError) as err:
        load_sq(path)
    msg = str(err.value)
    assert f"{path}:3:" in msg and "numeric columns" in msg and "\n" not in msg
    path.write_text("# only a header\n1.0 2.0\n")
    with pytest.raises(ValueError, match="at least 2 data rows"):
        read_columns(path)
    with pytest.raises(ValueError, match="cannot read"):
        load_sq(tmp_path / "missing.dat")
    with pytest.raises(ValueError, match="q_unit must be one of"):
        load_sq(path, q_unit="1/m")


def test_gr_loader_in_nm(tmp_path):
    path = tmp_path / "gr.dat"
    write_columns(path, [0.1, 0.2, 0.3], [0.0, 1.5, 1.0], "r (nm)  T(r)")
    data = load_gr(path, kind="T", r_unit="nm")
    np.testing.assert_allclose(data.r_A, [1.0, 2.0, 3.0])


def test_r_chi_known_values():
    x = np.linspace(0.5, 10, 200)
    y = np.sin(x) / x
    assert r_chi(x, y, x, y) == pytest.approx(0.0)
    assert r_chi(x, y, x, 1.1 * y) == pytest.approx(0.1)
    assert r_chi(x, y, x, np.zeros_like(y)) == pytest.approx(1.0)
    # Only points inside the range count.
    y2 = np.where(x < 5, y, 5 * y)
    assert r_chi(x, y, x, y2, x_range=(0.5, 4.9)) == pytest.approx(0.0)


def test_fsdp_deltas():
    Q = np.linspace(0.5, 3.0, 251)
    sim = fit_peak(Q, lorentzian(Q, 1.60, 0.2, 0.5, 0.0, 0.0), (1.0, 2.2))
    exp = fit_peak(Q, lorentzian(Q, 1.50, 0.25, 0.45, 0.0, 0.0), (1.0, 2.2))
    d = fsdp_deltas(sim, exp)
    assert d["Q1_inv_A"] == pytest.approx(0.10, abs=1e-4)
    assert d["height"] == pytest.approx(-0.05, abs=1e-4)


def test_read_frames_filters_by_segment(tmp_path):
    from ase import Atoms
    from ase.io import write

    from vitrify.structure.frames import read_frames

    path = tmp_path / "traj.extxyz"
    frames = []
    for k, seg in enumerate(["quench", "glass", "glass", "glass"]):
        a = Atoms("SiO2", positions=[[0, 0, 0], [1.6, 0, 0], [0, 1.6, 0]], cell=[8, 8, 8], pbc=True)
        a.info.update(segment=seg, step=k)
        frames.append(a)
    write(path, frames, format="extxyz")
    glass = read_frames(path, segment="glass", last=2)
    assert [f.info["step"] for f in glass] == [2, 3]
    with pytest.raises(ValueError, match="no frames in segment 'melt'"):
        read_frames(path, segment="melt")


def test_rows_without_data_are_skipped_with_a_note(tmp_path, caplog):
    import logging

    from vitrify.structure.experiment import load_sq

    path = tmp_path / "nimrod.dat"
    path.write_text("# Q F(Q) err\n-0.05 0.3 0.1\n0.0 0.0 0.0\n0.05 -0.4 0.01\n0.10 -0.35 0.01\n")
    with caplog.at_level(logging.INFO, logger="vitrify.structure"):
        data = load_sq(path, kind="F")
    assert data.Q_inv_A.tolist() == [0.05, 0.10]
    assert "2 row(s) without data skipped" in caplog.text
