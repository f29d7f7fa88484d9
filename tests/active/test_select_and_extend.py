"""Selection of candidates (tagged, diverse, deterministic) and the growing dataset."""

import numpy as np
import pytest

from tests.support.mlip_samples import labelled_frames
from vitrify.active.dataset import extend
from vitrify.active.select import ORIGIN, select_frames
from vitrify.active.trust import SCORE
from vitrify.md.random_start import random_packing


def _row(i, cls="candidate"):
    return {"frame": i, "arch": "lr", "class": cls, SCORE: 0.5 + i, "step": 100 * i, "segment": "liquid",
            "temperature_K": 3000.0}


def _frames(n):
    return [random_packing({"Si": 24, "O": 48}, 2.2, 1.5, seed=s) for s in range(n)]


def test_selection_tags_and_thins_candidates_deterministically():
    frames = _frames(6)
    cands = [(f, _row(i)) for i, f in enumerate(frames)]
    picked = select_frames(cands, 3, 2, training=_frames(2))
    again = select_frames(cands, 3, 2, training=_frames(2))
    assert len(picked) == 3 and [a.info["config_id"] for a in picked] == [a.info["config_id"] for a in again]
    for a in picked:
        assert a.info["origin"] == ORIGIN and a.info["al_iteration"] == 2 and a.info["al_arch"] == "lr"
        assert "iteration 2, lr exploration" in a.info["source"]
    assert len(select_frames(cands[:2], 3, 2, training=[])) == 2  # fewer candidates than allowed: all of them


def test_selection_refuses_a_frame_that_is_not_a_candidate():
    with pytest.raises(ValueError, match="not a candidate"):
        select_frames([(_frames(1)[0], _row(0, "broken"))], 3, 0, training=[])


def test_extension_keeps_earlier_splits_and_adds_new_frames(tmp_path):
    base = labelled_frames(6, 48, seed=2, workdir=tmp_path)
    previous = {"train": base[:4], "valid": base[4:5], "test": base[5:]}
    new = labelled_frames(10, 48, seed=9, workdir=tmp_path)
    for a in new:
        a.info.update(origin=ORIGIN, al_iteration=1)
    grown, removed = extend(previous, new, (0.8, 0.1, 0.1), 0, 1, 1e6)
    assert removed == []
    assert grown["train"][:4] == previous["train"] and grown["test"][:1] == previous["test"]
    assert sum(len(v) for v in grown.values()) == 16
    assert len(grown["test"]) == 2 and len(grown["valid"]) == 2
    with pytest.raises(ValueError, match="not 2"):
        extend(previous, new, (0.8, 0.1, 0.1), 0, 2, 1e6)
    limit = max(np.linalg.norm(a.arrays["REF_forces"], axis=1).max() for a in new) + 1.0
    new[0].arrays["REF_forces"][3, 1] = 10 * limit  # a label its labeller found absurd
    grown, removed = extend(previous, new, (0.8, 0.1, 0.1), 0, 1, limit)
    assert sum(len(v) for v in grown.values()) == 15
    assert [r["config_id"] for r in removed] == [new[0].info["config_id"]]
