"""Provenance in every caption: the potential, its labels, the commit and the config hash."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from pathlib import Path

from tests.support.configs import config, settings
from vitrify.md.potentials import MODEL_KINDS, model_label
from vitrify.provenance import (NOT_A_CHECKOUT, caption_provenance, config_sha256, git_commit, label_source,
                                stamp)
from vitrify.settings import LabelerSettings

REPO = Path(__file__).resolve().parents[1]
TRAINED = {m for m, kind in MODEL_KINDS.items() if kind.trained}


def _provenance(name: str) -> dict:
    s = settings(name)
    labels = {n: {m: model_label(system, m) for m in MODEL_KINDS} for n, system in s.systems.items()}
    return caption_provenance(s, labels, TRAINED, "0123456789abcdef0123456789abcdef01234567 with uncommitted changes",
                              config_sha256(config(name)), f"config/{name}.yaml")


def test_the_config_hash_is_of_canonical_json():
    cfg = config("test")
    reordered = json.loads(json.dumps(cfg, sort_keys=True))
    reordered = dict(reversed(list(reordered.items())))
    assert config_sha256(reordered) == config_sha256(cfg)
    canonical = json.dumps(cfg, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert config_sha256(cfg) == hashlib.sha256(canonical.encode()).hexdigest()
    cfg["seed"] += 1
    assert config_sha256(cfg) != config_sha256(reordered)


def test_git_commit_of_this_checkout_and_of_a_plain_folder(tmp_path):
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True)
    commit = git_commit(REPO)
    if head.returncode == 0:
        assert commit.split()[0] == head.stdout.strip() and re.fullmatch(r"[0-9a-f]{40}( with uncommitted changes)?",
                                                                         commit)
    else:  # a copy of the repository without .git
        assert commit == NOT_A_CHECKOUT
    assert git_commit(tmp_path) == NOT_A_CHECKOUT
    assert stamp(commit, "ab" * 32, "c.yaml").count(commit.split()[0][:12]) == 1


def test_label_sources_in_words():
    xtb = label_source(LabelerSettings("gfn1-xtb", {}))
    assert xtb.startswith("GFN1-xTB tight binding") and "not DFT" in xtb
    assert label_source(LabelerSettings("cp2k", {"xc": "PBE"})).startswith("DFT, PBE/")
    teacher = label_source(LabelerSettings("teacher", {}))
    assert "classical teacher bks_ssp" in teacher and "not a quantum method" in teacher
    assert label_source(None) == "no reference labels configured"


def test_every_scope_names_potential_labels_commit_and_config():
    p = _provenance("test")
    sentences = ([v for per in p["model"].values() for v in per.values()] + list(p["system"].values())
                 + list(p["mlip"].values()) + list(p["reference"].values()) + list(p["study"].values())
                 + [p["studies"], p["run"]])
    for sentence in sentences:
        assert sentence.endswith("Report built from vitrify commit 0123456789ab with uncommitted changes, config "
                                 f"config/test.yaml (sha256 {p['config_sha256'][:16]}).")
    assert "Vashishta" in p["model"]["silica"]["classical"] and "no training labels" in p["model"]["silica"]["classical"]
    assert p["model"]["silica"]["lr"].startswith("Potential: MACE LR, machine-learned, trained on labels from "
                                                 "GFN1-xTB tight binding")
    assert "classical (vashishta_1990)" in p["system"]["silica"] and "MACE SR" in p["system"]["silica"]
    assert "classical" not in p["mlip"]["silica"]  # the potentials figures show the trained models only
    assert p["reference"]["silica"].startswith("Labels: GFN1-xTB tight binding")
    assert "Mendelev" in p["study"]["cuzr_classical"] and "(study silica_lr)" in p["studies"]


def test_a_classical_teacher_is_named_as_such():
    p = _provenance("validation")
    teacher = p["model"]["silica"]["classical"]
    assert teacher.startswith("Potential: classical teacher (bks_ssp), the classical teacher as published (BKS")
    assert "no training labels" in teacher
    assert "trained on labels from the classical teacher bks_ssp" in p["model"]["silica"]["sr"]


def test_every_caption_ends_with_its_provenance():
    """Snakemake renders captions with the config; the sentences live in it (common.smk), and
    each caption picks the scope of its rule's wildcards."""
    p = _provenance("test")
    report = REPO / "workflow" / "report"
    missing = []
    for path in sorted(report.glob("*.rst")):
        if path.name == "workflow.rst":
            continue
        last = path.read_text().strip().splitlines()[-1]
        found = re.fullmatch(r"\{\{ snakemake\.config\.provenance\.(\w+)(\[.*\])? \}\}", last)
        if found is None or found.group(1) not in p:
            missing.append(path.name)
    assert missing == [], f"captions without a provenance line: {missing}"
