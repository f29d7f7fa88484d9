"""An exploration stopped by an MD guard is data for the next iteration, not a failure."""

import dataclasses

from ase.io import read

from tests.support.configs import settings
from vitrify.active.explore import explore
from vitrify.files import read_json


def test_guard_stop_keeps_the_frames_and_says_why(tmp_path):
    silica = settings("test").systems["silica"]
    # A guard above the Si-O bond length: the first hot frames trip it.
    strict = dataclasses.replace(silica, md=dataclasses.replace(silica.md, guard_min_distance_A=1.45,
                                                                 frame_interval_ps=0.02))
    record = explore(strict, "classical", None, None, 2000, 0, 7, tmp_path)
    assert record["completed"] is False and "closer than guard_min_distance_A 1.45" in record["guard_stop"]
    frames = read(tmp_path / "trajectory.extxyz", ":")
    assert len(frames) == record["n_frames"] >= 1
    assert read_json(tmp_path / "explore.json") == record
    again = explore(strict, "classical", None, None, 2000, 0, 7, tmp_path)  # a rerun stops at the same place
    assert again["guard_stop"] == record["guard_stop"]


def test_the_exploration_anneals_its_glass_as_a_rise_study_would(tmp_path):
    s = settings("test")
    silica = s.systems["silica"]
    study = s.rise.study("silica_lr")
    anneal = dataclasses.replace(s.rise.for_study(study).anneal, anneal_duration_ps=0.1, snapshots_per_anneal=2)
    record = explore(silica, "classical", None, None, 10000, 0, 7, tmp_path, anneals=[(anneal, 900.0)])
    assert record["completed"] and record["anneals"] == [
        {"T_K": 900.0, "completed": True, "n_frames": record["anneals"][0]["n_frames"], "guard_stop": None}]
    frames = read(tmp_path / "trajectory.extxyz", ":")
    held = [a for a in frames if a.info.get("segment") == "anneal"]
    assert len(held) == record["anneals"][0]["n_frames"] >= 2
    assert len(frames) == record["n_frames"] + len(held) == record["n_frames_scored"]
    # A rerun resumes both runs and scores the same frames, not twice as many.
    again = explore(silica, "classical", None, None, 10000, 0, 7, tmp_path, anneals=[(anneal, 900.0)])
    assert again["n_frames_scored"] == record["n_frames_scored"]
    assert len(read(tmp_path / "trajectory.extxyz", ":")) == len(frames)
