"""Dataset assembly: stratified deterministic split, E0 frames, unit checks, filter, summary, figure."""

from __future__ import annotations

import json

import numpy as np
import pytest
from ase import Atoms
from ase.io import read

from vitrify.reference.dataset import (
    build_dataset, e0s_argument, filter_max_force, isolated_atom_frames, split_by_origin, unit_warnings,
)
from vitrify.reference.structures import build_polymorph, rattled

E0 = {"Si": -100.0, "O": -400.0}  # test numbers, not a method's values


def labelled(n_per_origin=(10, 20, 10), seed=0):
    """Synthetic labelled SiO2 frames: energies near -6.5 eV/atom cohesive, forces ~1 eV/A."""
    rng = np.random.default_rng(seed)
    out = []
    for origin, n in zip(("crystal", "liquid", "quench"), n_per_origin):
        for k in range(n):
            a = rattled(build_polymorph("alpha-quartz"), 0.05, 1000 * len(out) + k)
            e0 = sum(E0[s] for s in a.get_chemical_symbols())
            a.info.update(origin=origin, config_id=f"{origin}-{k:03d}", label_method="test labels",
                          REF_energy=e0 + len(a) * rng.uniform(-7.0, -6.0), REF_stress=rng.normal(0, 0.01, 6))
            if origin != "crystal":
                a.info["T_target_K"] = float(rng.uniform(300, 5000))
            a.arrays["REF_forces"] = rng.normal(0, 1, (len(a), 3))
            out.append(a)
    return out


def test_split_is_stratified_deterministic_and_order_free():
    frames = labelled()
    s1 = split_by_origin(frames, (0.8, 0.1, 0.1), seed=3)
    s2 = split_by_origin(list(reversed(frames)), (0.8, 0.1, 0.1), seed=3)
    ids = {k: [a.info["config_id"] for a in v] for k, v in s1.items()}
    assert ids == {k: [a.info["config_id"] for a in v] for k, v in s2.items()}
    every = sum(ids.values(), [])
    assert sorted(every) == sorted(a.info["config_id"] for a in frames)  # a partition
    count = lambda split, origin: sum(a.info["origin"] == origin for a in s1[split])  # noqa: E731
    assert (count("train", "liquid"), count("valid", "liquid"), count("test", "liquid")) == (16, 2, 2)
    assert (count("train", "crystal"), count("valid", "crystal"), count("test", "crystal")) == (8, 1, 1)
    assert all(a.info["split"] == k for k, v in s1.items() for a in v)
    other = split_by_origin(frames, (0.8, 0.1, 0.1), seed=4)
    assert [a.info["config_id"] for a in other["test"]] != ids["test"]
    with pytest.raises(ValueError, match="summing to 1"):
        split_by_origin(frames, (0.8, 0.1, 0.2))


def test_isolated_atoms_from_arguments():
    iso = isolated_atom_frames(("Si", "O"), e0_eV=E0)
    assert [a.info["config_type"] for a in iso] == ["IsolatedAtom"] * 2
    assert [a.info["REF_energy"] for a in iso] == [-100.0, -400.0]
    assert e0s_argument(E0) == "{8: -400.00000000, 14: -100.00000000}"
    with pytest.raises(ValueError, match="exactly one"):
        isolated_atom_frames(("Si",))


def test_unit_checks_flag_wrong_units():
    frames = labelled((2, 2, 2))
    assert unit_warnings(frames, e0_eV=E0) == []
    gpa = frames[0].copy()
    gpa.info["REF_stress"] = np.array([5.0, 4.0, 6.0, 0.1, 0.2, 0.3])  # GPa written as eV/A^3
    kcal = frames[1].copy()
    kcal.arrays["REF_forces"] = frames[1].arrays["REF_forces"] * 23.06 * 10  # kcal/mol/A, hot frame
    hartree = frames[2].copy()
    hartree.info["REF_energy"] = frames[2].info["REF_energy"] / 27.211  # Hartree
    warnings = unit_warnings([gpa, kcal, hartree], e0_eV=E0)
    assert any("GPa or kbar" in w and w.startswith(gpa.info["config_id"]) for w in warnings)
    assert any("kcal/mol/A" in w and w.startswith(kcal.info["config_id"]) for w in warnings)
    assert any("cohesive energy" in w and w.startswith(hartree.info["config_id"]) for w in warnings)


def test_outlier_filter_lists_removed():
    frames = labelled((3, 3, 3))
    frames[4].arrays["REF_forces"][0] = [0.0, 0.0, 80.0]
    kept, removed = filter_max_force(frames, 20.0)
    assert len(kept) == 8 and [r["config_id"] for r in removed] == [frames[4].info["config_id"]]
    assert removed[0]["max_force_eV_per_A"] == pytest.approx(80.0)


def test_build_dataset_writes_everything(tmp_path):
    frames = labelled()
    frames[0].arrays["REF_forces"][0] = [0.0, 90.0, 0.0]
    report = build_dataset(frames, tmp_path, fractions=(0.8, 0.1, 0.1), seed=1, max_force_eV_per_A=50.0,
                           e0_eV=E0)
    train = read(tmp_path / "train.extxyz", index=":")
    assert [a.info.get("config_type") for a in train[:2]] == ["IsolatedAtom", "IsolatedAtom"]
    n_split = sum(len(read(tmp_path / f"{s}.extxyz", index=":")) for s in ("valid", "test"))
    assert len(train) - 2 + n_split == len(frames) - 1
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["n_removed"] == 1 and summary["removed"][0]["config_id"] == frames[0].info["config_id"]
    assert summary["e0s_argument"] == "{8: -400.00000000, 14: -100.00000000}"
    assert "| liquid | train | 16 |" in report["table"]
    png = tmp_path / "dataset_overview.png"
    assert png.exists() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000


def test_isolated_atoms_with_a_labeler():
    pytest.importorskip("tblite")
    from vitrify.reference.labelers import XTBLabeler  # noqa: PLC0415

    iso = isolated_atom_frames(("Si",), labeler=XTBLabeler(), box_A=15.0)
    assert iso[0].info["config_type"] == "IsolatedAtom" and isinstance(iso[0], Atoms)
    assert "GFN1-xTB" in iso[0].info["label_method"]
