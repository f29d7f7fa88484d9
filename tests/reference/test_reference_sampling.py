"""Farthest-point sampling, structural descriptors, and the pool built from a real MD run."""

from __future__ import annotations

import numpy as np
import pytest

from ase.io import read

import yaml

from tests.support.configs import config
from vitrify.reference.descriptors import (
    MAX_CN, DescriptorSettings, block_slices, density_g_per_cm3, structural_descriptor,
)
from vitrify.reference.sampling import candidate_pool, farthest_point_sampling, md_frames, select_diverse
from vitrify.reference.structures import build_polymorph, crystal_variants, make_supercell
from vitrify.reference_cli import run_reference_conditions


def test_fps_on_a_line_has_known_order():
    X = np.arange(11, dtype=float)[:, None]  # 0..10; mean 5
    # first: farthest from the mean, 0 and 10 tie -> lowest index 0; then 10; then 5;
    # then 2, 3, 7, 8 all at distance 2 -> 2; then 7 (distance 2); then ties at 1 -> lowest index 1
    assert farthest_point_sampling(X, 7) == [0, 10, 5, 2, 7, 1, 3]


def test_fps_square_and_preselected():
    X = np.array([[0, 0], [1, 0], [0, 1], [1, 1], [0.5, 0.5], [0.1, 0.0]])
    # point 5 pulls the mean towards corner 0, so corner 3 is farthest from it; then the
    # opposite corner 0; then corners 1 and 2 tie (distance 1) -> lowest index first
    assert farthest_point_sampling(X, 4) == [3, 0, 1, 2]
    # with corner 0 already in a training set, it is never returned and 5 (next to it) comes last
    picks = farthest_point_sampling(X, 5, preselected=[0])
    assert 0 not in picks and picks[-1] == 5
    assert farthest_point_sampling(X, 100) == farthest_point_sampling(X, 6)


def test_descriptor_blocks_and_physics():
    s = DescriptorSettings()
    quartz = make_supercell(build_polymorph("alpha-quartz"))
    d = structural_descriptor(quartz, s)
    blocks = block_slices(s)
    assert d.shape == (sum(sl.stop - sl.start for sl in blocks.values()),)
    assert d[blocks["cn_Si"]][4] == pytest.approx(1.0)
    assert d[blocks["density"]][0] == pytest.approx(density_g_per_cm3(quartz))
    assert d[blocks["angle_OSiO"]].sum() == pytest.approx(1.0)
    st = structural_descriptor(make_supercell(build_polymorph("stishovite")), s)
    assert st[blocks["cn_Si"]][6] == pytest.approx(1.0) and MAX_CN >= 6
    # size-independent: a bigger supercell of the same crystal gives the same fingerprint
    big = build_polymorph("alpha-quartz").repeat((3, 3, 3))
    assert np.allclose(structural_descriptor(big, s), d, atol=1e-9)


@pytest.fixture(scope="module")
def md_runs(tmp_path_factory, repo):
    """Reference MD of the test config at two densities, run by `vitrify-reference pool
    --md-config` (seconds of Vashishta MD: 72 atoms quenched to and held at 3000 K)."""
    out = tmp_path_factory.mktemp("md")
    cfg = config("test")
    cfg["reference"]["md_conditions"] = [{"T_K": 3000, "density_g_per_cm3": 2.2},
                                         {"T_K": 3000, "density_g_per_cm3": 2.6}]
    path = out / "config.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return run_reference_conditions(path, out / "md")


@pytest.fixture(scope="module")
def md_run(md_runs):
    return md_runs[0]


def test_reference_md_covers_densities(md_runs):
    rho = [read(p, index="-1").info["density_g_per_cm3"] for p in md_runs]
    assert rho == pytest.approx([2.2, 2.6], abs=1e-3)


def test_md_frames_origins(md_run):
    frames = md_frames(md_run, liquid_min_T_K=2000.0)
    assert frames and all(len(a) >= 72 for a in frames)
    for a in frames:
        seg, T = a.info["segment"], a.info["T_target_K"]
        expected = "quench" if seg == "quench" or T < 2000.0 else "liquid"
        assert a.info["origin"] == expected, (seg, T)
        assert f"segment {seg}" in a.info["source"]
    origins = {a.info["origin"] for a in frames}
    assert origins == {"liquid", "quench"}
    with pytest.raises(ValueError, match="atoms < 200"):
        md_frames(md_run, min_atoms=200)


def test_pool_and_selection_are_deterministic(md_runs):
    crystals = crystal_variants(["alpha-quartz", "stishovite"], strains=(0.0, 0.03), rattles_A=(0.0,))
    pool = candidate_pool(crystals, md_runs, every=2)
    assert {a.info["origin"] for a in pool} == {"crystal", "liquid", "quench"}
    ids = [a.info["config_id"] for a in pool]
    assert len(set(ids)) == len(ids)
    assert ids == [a.info["config_id"] for a in candidate_pool(crystals, md_runs, every=2)]
    chosen, X = select_diverse(pool, 5)
    again, _ = select_diverse(pool, 5)
    assert [a.info["config_id"] for a in chosen] == [a.info["config_id"] for a in again]
    assert [a.info["fps_rank"] for a in chosen] == list(range(5))
    assert X.shape[0] == len(pool)
    # selecting more with the first picks preselected continues the same FPS sequence
    more, _ = select_diverse(pool, 3, preselected=chosen[:2])
    assert [a.info["config_id"] for a in more] == [a.info["config_id"] for a in chosen[2:5]]
