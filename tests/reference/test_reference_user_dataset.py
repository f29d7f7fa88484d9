"""User datasets: round trip under the user's keys and units, and one clear error per bad input."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from ase.io import read, write

from vitrify.reference.labelers import LabelFailed
from vitrify.reference.structures import build_polymorph, rattled
from vitrify.reference.user_dataset import DatasetError, DatasetLabeler, ingest_user_dataset

GPA = 1.0 / 160.21766208  # eV/A^3 per GPa


def frames(n=3):
    """Synthetic labelled frames under a published-dataset-like naming (numbers are test data)."""
    rng = np.random.default_rng(0)
    out = []
    for k in range(n):
        a = rattled(build_polymorph("alpha-quartz"), 0.05, k)
        a.info["DFT_energy"] = -2949.0 + 0.1 * k
        a.arrays["DFT_forces"] = rng.normal(0, 1, (len(a), 3))
        a.info["DFT_stress"] = rng.normal(0, 2, 6)  # GPa
        a.info["config_id"] = f"user-{k}"
        out.append(a)
    return out


OPTIONS = dict(energy_key="DFT_energy", forces_key="DFT_forces", stress_key="DFT_stress",
               stress_unit="GPa", method="PBE (test data)")


def test_round_trip(tmp_path):
    src, dst = tmp_path / "user.extxyz", tmp_path / "ingested.extxyz"
    original = frames()
    write(src, original, format="extxyz")
    ingest_user_dataset(src, dst, **OPTIONS)
    back = read(dst, index=":")
    assert len(back) == len(original)
    for a, b in zip(original, back):
        assert b.info["REF_energy"] == pytest.approx(a.info["DFT_energy"], abs=1e-8)
        assert np.allclose(b.arrays["REF_forces"], a.arrays["DFT_forces"], atol=1e-7)
        assert np.allclose(b.info["REF_stress"], a.info["DFT_stress"] * GPA, atol=1e-9)
        assert b.info["label_method"] == "PBE (test data)" and b.info["label_kind"] == "dataset"
        assert np.allclose(b.positions, a.positions) and b.info["config_id"] == a.info["config_id"]
    lab = DatasetLabeler(dst, energy_key="REF_energy", forces_key="REF_forces", stress_key="REF_stress")
    hit = lab.label(original[1])  # found by config_id
    assert hit.info["REF_energy"] == pytest.approx(-2948.9)
    anonymous = original[2].copy()
    del anonymous.info["config_id"]
    assert lab.label(anonymous).info["config_id"] == "user-2"  # found by geometry
    stranger = rattled(build_polymorph("alpha-quartz"), 0.05, 99)
    with pytest.raises(LabelFailed, match="not in user dataset"):
        lab.label(stranger)


def _break(kind, frames_):
    """Spoil frame 1 (frame 0 stays good, so the index in the message is tested)."""
    a = frames_[1]
    if kind == "missing energy":
        del a.info["DFT_energy"]
    elif kind == "missing forces":
        del a.arrays["DFT_forces"]
    elif kind == "unknown species":
        a.symbols[0] = "Al"
    elif kind == "non-periodic":
        a.pbc = [True, True, False]
    elif kind == "NaN energy":
        a.info["DFT_energy"] = float("nan")
    elif kind == "NaN forces":
        a.arrays["DFT_forces"][2, 1] = np.nan
    elif kind == "forces length":
        f = a.arrays.pop("DFT_forces")
        a.info["DFT_forces"] = f.ravel()[:-3]  # one atom short
    elif kind == "stress length":
        a.info["DFT_stress"] = np.zeros(5)
    return frames_


CASES = {
    "missing energy": "missing energy key 'DFT_energy'",
    "missing forces": "missing forces key 'DFT_forces'",
    "unknown species": r"unknown species \['Al'\]",
    "non-periodic": "not periodic",
    "NaN energy": "non-finite energy",
    "NaN forces": "non-finite forces",
    "forces length": "have 24 numbers for 9 atoms",
    "stress length": "has 5 numbers",
}


@pytest.mark.parametrize("kind", list(CASES))
def test_bad_input_gives_one_clear_error_and_writes_nothing(tmp_path, kind):
    src, dst = tmp_path / "user.extxyz", tmp_path / "out" / "ingested.extxyz"
    write(src, _break(kind, frames()), format="extxyz")
    with pytest.raises(DatasetError) as err:
        ingest_user_dataset(src, dst, **OPTIONS)
    message = str(err.value)
    assert message.startswith(f"{src}: frame 1: ") and "\n" not in message
    assert __import__("re").search(CASES[kind], message), message
    assert not dst.exists()
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_malformed_text_names_the_frame(tmp_path):
    src, dst = tmp_path / "user.extxyz", tmp_path / "ingested.extxyz"
    good = frames(2)
    write(src, good, format="extxyz")
    lines = src.read_text().splitlines(keepends=True)
    n = len(good[0]) + 2
    lines = lines[:n] + ["12\n"] + lines[n + 1:]  # frame 1 claims 12 atoms but has 9
    src.write_text("".join(lines))
    with pytest.raises(DatasetError, match=r"frame 1: "):
        ingest_user_dataset(src, dst, **OPTIONS)
    assert not dst.exists()


def test_cli_ingest_reports_error(tmp_path, repo):
    src = tmp_path / "user.extxyz"
    write(src, _break("missing forces", frames()), format="extxyz")
    res = subprocess.run([sys.executable, "-m", "vitrify.reference_cli", "ingest", "--dataset", str(src),
                          "--out", str(tmp_path / "x.extxyz"), "--energy-key", "DFT_energy",
                          "--forces-key", "DFT_forces", "--stress-key", "DFT_stress", "--stress-unit", "GPa"],
                         capture_output=True, text=True, cwd=repo, timeout=120)
    assert res.returncode == 2
    assert res.stderr.strip() == f"error: {src}: frame 1: missing forces key 'DFT_forces'"
    assert not (tmp_path / "x.extxyz").exists()
