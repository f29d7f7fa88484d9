"""Resumable batch labelling: SIGKILL mid-batch, resume, nothing finished is recomputed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from ase.io import read, write

from vitrify.reference.identity import config_id, ensure_config_id, structure_hash
from vitrify.reference.labelers import XTBLabeler
from vitrify.reference.persist import SettingsChanged, label_batch
from vitrify.reference.structures import build_polymorph, rattled

pytest.importorskip("tblite", reason="tblite (pip) provides GFN1-xTB")


def small_configs(n: int, reps=(2, 1, 1)):
    """n rattled 18-atom quartz cells (~0.5 s each with GFN1-xTB): small on purpose, so the
    batch is quick; min_atoms=0 lets the labeler accept them."""
    out = []
    for seed in range(n):
        a = rattled(build_polymorph("alpha-quartz").repeat(reps), 0.05, seed)
        a.info["origin"] = "crystal"
        a.info["source"] = f"quartz 2x1x1 rattle 0.05 A seed {seed}"
        ensure_config_id(a)
        out.append(a)
    return out


def _snapshot(done_dir):
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes()) for p in done_dir.glob("*.extxyz")}


def test_killed_batch_resumes_without_recomputing(tmp_path, repo):
    configs = small_configs(8)
    pool = tmp_path / "pool.extxyz"
    write(pool, configs, format="extxyz")
    out = tmp_path / "labels"
    cmd = [sys.executable, "-m", "vitrify.reference_cli", "label", "--configs", str(pool),
           "--backend", "gfn1-xtb", "--outdir", str(out), "--min-atoms", "0"]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(repo)}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    try:
        while len(list((out / "done").glob("*.extxyz"))) < 2:
            assert proc.poll() is None, proc.stdout.read().decode()[-3000:]
            assert time.monotonic() < deadline, "no labels appeared within 120 s"
            time.sleep(0.02)
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    before = _snapshot(out / "done")
    assert 2 <= len(before) < len(configs), "the kill must land mid-batch"
    assert not (out / "labelled.extxyz").exists()

    time.sleep(0.05)  # a rewrite would now get a different mtime
    rerun = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stdout[-3000:] + rerun.stderr[-3000:]
    after = _snapshot(out / "done")
    assert len(after) == len(configs)
    for name, stamp in before.items():
        assert after[name] == stamp, f"{name} was rewritten"
    summary = json.loads((out / "summary.json").read_text())
    assert summary["n_done"] == len(configs) and summary["n_failed"] == 0
    assert summary["n_reused"] == len(before)
    assert summary["n_computed_this_run"] == len(configs) - len(before)
    assert set(summary["computed_this_run"]).isdisjoint(n.removesuffix(".extxyz") for n in before)
    merged = read(out / "labelled.extxyz", index=":")
    assert [a.info["config_id"] for a in merged] == [a.info["config_id"] for a in configs]
    assert all("REF_forces" in a.arrays for a in merged)
    assert not list(out.rglob(".*.tmp"))


def test_failures_are_recorded_and_excluded(tmp_path):
    good = small_configs(2)
    tiny = rattled(build_polymorph("alpha-quartz"), 0.05, 9)
    tiny.info.update(origin="crystal", source="quartz 1x1x1")
    lab = XTBLabeler(min_atoms=10)
    summary = label_batch([good[0], tiny, good[1]], lab, tmp_path)
    assert summary["n_done"] == 2 and summary["n_failed"] == 1
    failed = json.loads((tmp_path / "failed" / f"{config_id(tiny)}.json").read_text())
    assert "9 atoms < 10" in failed["reason"] and failed["source"] == "quartz 1x1x1"
    assert list(summary["failure_reasons"].values()) == [1]
    assert len(read(tmp_path / "labelled.extxyz", index=":")) == 2
    # a rerun neither retries the failure nor recomputes the others
    again = label_batch([good[0], tiny, good[1]], lab, tmp_path)
    assert again["n_computed_this_run"] == 0 and again["n_failed"] == 1
    # a labeler with other settings may not write into the same directory
    with pytest.raises(SettingsChanged, match="min_atoms"):
        label_batch(good, XTBLabeler(min_atoms=0), tmp_path)


def test_config_ids():
    a = small_configs(1)[0]
    b = a.copy()
    del b.info["config_id"]
    assert config_id(b) == structure_hash(b) == a.info["config_id"]
    b.positions[0, 0] += 1e-9
    assert config_id(b) != a.info["config_id"]
    b.info["config_id"] = "../escape"
    with pytest.raises(ValueError, match="safe file name"):
        config_id(b)


def test_torn_label_file_is_labelled_again(tmp_path):
    good = small_configs(2)
    lab = XTBLabeler(min_atoms=10)
    label_batch(good, lab, tmp_path)
    done = tmp_path / "done" / f"{config_id(good[1])}.extxyz"
    text = done.read_text()
    done.write_text(text[: len(text) // 2])  # cut short by a full disk
    again = label_batch(good, lab, tmp_path)
    assert again["n_computed_this_run"] == 1 and again["n_done"] == 2
    assert (tmp_path / "done" / f"{done.name}.torn").exists()
    assert len(read(tmp_path / "labelled.extxyz", index=":")) == 2
