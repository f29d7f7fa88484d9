"""Atomic files and checkpoints that survive a torn write."""

import json
import logging

import pytest

from vitrify.files import atomic_path, load_checkpoint, previous_path, save_checkpoint, write_json


def test_write_json_is_whole_or_absent(tmp_path):
    target = tmp_path / "out.json"
    with pytest.raises(ZeroDivisionError):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            1 / 0  # the writer dies mid-write

    assert not target.exists() and not list(tmp_path.glob(".*.tmp"))
    write_json(target, {"x": 1})
    assert json.loads(target.read_text()) == {"x": 1}


def _save(path, value):
    save_checkpoint(path, lambda tmp: tmp.write_text(json.dumps(value)))


def test_torn_checkpoint_falls_back_to_the_previous_one(tmp_path, caplog):
    path = tmp_path / "checkpoint.json"
    _save(path, {"epoch": 1})
    _save(path, {"epoch": 2})
    assert json.loads(previous_path(path).read_text()) == {"epoch": 1}
    path.write_text(path.read_text()[:5])  # cut short
    with caplog.at_level(logging.WARNING):
        value, used = load_checkpoint(path, lambda p: json.loads(p.read_text()))
    assert value == {"epoch": 1} and used == previous_path(path)
    assert "cannot be read" in caplog.text and (tmp_path / "checkpoint.json.torn").exists()


def test_no_readable_checkpoint_means_a_fresh_start(tmp_path):
    path = tmp_path / "checkpoint.json"
    assert load_checkpoint(path, lambda p: json.loads(p.read_text())) == (None, None)
    path.write_text("{")
    assert load_checkpoint(path, lambda p: json.loads(p.read_text())) == (None, None)


def test_a_checkpoint_name_never_disappears_while_the_next_one_is_written(tmp_path):
    """A kill at any moment of a save leaves the current checkpoint under its own name."""
    path = tmp_path / "checkpoint.json"
    _save(path, {"epoch": 1})
    seen = []

    def write(tmp):
        seen.append(json.loads(path.read_text()))  # mid-save: the current name still reads whole
        tmp.write_text(json.dumps({"epoch": 2}))

    save_checkpoint(path, write)
    assert seen == [{"epoch": 1}]
    assert json.loads(path.read_text()) == {"epoch": 2}
    assert json.loads(previous_path(path).read_text()) == {"epoch": 1}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint.json", "checkpoint.prev.json"]


def test_outputs_are_written_through_the_one_atomic_writer():
    """Figures and tables go through vitrify.files (save_figure wraps it): a killed job
    leaves an output whole or absent, never half-written."""
    from pathlib import Path

    repo = Path(__file__).resolve().parents[1]
    offenders = []
    for path in [*repo.glob("vitrify/**/*.py"), *repo.glob("workflow/scripts/*.py")]:
        if path.name in ("files.py", "plot_style.py"):
            continue
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if ".savefig(" in line or ".to_csv(" in line:
                offenders.append(f"{path.relative_to(repo)}:{n}: {line.strip()}")
    assert not offenders, offenders


def test_an_empty_frame_list_round_trips_as_an_empty_file(tmp_path):
    from ase.build import bulk

    from vitrify.files import read_extxyz, write_extxyz

    write_extxyz(tmp_path / "none.extxyz", [])
    assert (tmp_path / "none.extxyz").read_text() == "" and read_extxyz(tmp_path / "none.extxyz") == []
    write_extxyz(tmp_path / "two.extxyz", [bulk("Cu"), bulk("Zr")])
    assert [a.get_chemical_formula() for a in read_extxyz(tmp_path / "two.extxyz")] == ["Cu", "Zr2"]  # hcp Zr: two atoms
