"""Where a report's figures come from, in words every caption can carry.

Each figure of the Snakemake report names the potential that made it, where that
potential's training labels came from (tight binding, DFT, a classical teacher, a user
dataset, or none for a published classical potential), the vitrify commit and a hash of
the validated config. The sentences are built here once per run (common.smk puts them in
the config under PROVENANCE_KEY, the one mapping Snakemake hands to every caption's Jinja
template) and each caption picks the one of its scope:

    model[system][model]  one model        system[system]  every model of a system
    mlip[system]          the trained archs reference[system]  the reference data
    study[study]          a RISE study     studies, run    every study, the whole run
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path
from typing import Collection, Mapping

from .potential_table import classical_entry, is_teacher
from .settings import LabelerSettings, Settings

# Not a config key (the schema forbids unknown keys, so none can clash): added after validation.
PROVENANCE_KEY = "provenance"
NOT_A_CHECKOUT = "unknown (not a git checkout)"


def git_commit(repo: str | Path) -> str:
    """HEAD of the checkout at `repo`, marked when tracked files differ from it."""
    try:
        head = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=10)
        if head.returncode != 0:
            return NOT_A_CHECKOUT
        status = subprocess.run(["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no"],
                                capture_output=True, text=True, timeout=30)
    except FileNotFoundError:
        return "unknown (git is not installed)"
    except subprocess.TimeoutExpired:
        return "unknown (git did not answer)"
    dirty = " with uncommitted changes" if status.returncode == 0 and status.stdout.strip() else ""
    return head.stdout.strip() + dirty


def config_sha256(config: Mapping) -> str:
    """sha256 of the config as canonical JSON (sorted keys, no whitespace): the same
    validated config hashes the same whatever the order or layout of its YAML file."""
    text = json.dumps(config, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def label_source(labeler: LabelerSettings | None) -> str:
    """The reference labels in words; tight binding is never called DFT."""
    if labeler is None:
        return "no reference labels configured"
    opts = labeler.options
    if labeler.backend == "gfn1-xtb":
        return f"{opts.get('method', 'GFN1-xTB')} tight binding (tblite; not DFT)"
    if labeler.backend == "cp2k":
        return f"DFT, {opts.get('xc', 'PBE')}/{opts.get('basis_set', 'DZVP-MOLOPT-SR-GTH')} (CP2K)"
    if labeler.backend == "teacher":
        return f"the classical teacher {opts.get('potential', 'bks_ssp')} (rigid ions, Ewald sums; not a quantum method)"
    if labeler.backend == "dataset":
        ds = labeler.dataset
        method = ds.method if ds is not None and ds.method else "method not stated"
        return f"a user dataset ({method}; {ds.file if ds is not None else 'no file'})"
    return f"labeller {labeler.backend}"


def potential_sentence(label: str, trained: bool, classical_potential: str, labels: str) -> str:
    """One potential and the origin of its energies."""
    if trained:
        return f"{label}, machine-learned, trained on labels from {labels}"
    entry = classical_entry(classical_potential)
    if is_teacher(classical_potential):
        return f"{label}, the classical teacher as published ({entry.citation}), no training labels"
    return f"{label}, a published classical potential ({entry.citation}), no training labels"


def stamp(commit: str, sha256: str, config_source: str) -> str:
    """The commit (12 hex digits, as `git log --abbrev=12` names it) and config hash."""
    head, _, rest = commit.partition(" ")
    if len(head) == 40 and all(c in "0123456789abcdef" for c in head):
        commit = f"{head[:12]} {rest}".strip()
    return f"Report built from vitrify commit {commit}, config {config_source} (sha256 {sha256[:16]})."


def caption_provenance(settings: Settings, labels: Mapping[str, Mapping[str, str]], trained: Collection[str],
                       commit: str, sha256: str, config_source: str) -> dict:
    """The provenance sentence of every caption scope (module doc), each ending with the
    commit and config stamp; `labels[system][model]` is the model's legend label and
    `trained` the model kinds a model file of the mlip stage drives."""
    tail = stamp(commit, sha256, config_source)
    source = label_source(settings.reference.labeler if settings.reference else None)

    def describe(system: str, model: str) -> str:
        return potential_sentence(labels[system][model], model in trained,
                                  settings.systems[system].classical_potential, source)

    def sentence(parts: list[str]) -> str:
        head = "Potential: " if len(parts) == 1 else "Potentials: "
        return head + "; ".join(parts) + ". " + tail

    model = {s: {m: sentence([describe(s, m)]) for m in labels[s]} for s in settings.systems}
    system = {s: sentence([describe(s, m) for m in sys_.models]) for s, sys_ in settings.systems.items()}
    mlip = {}
    if settings.mlip is not None:
        mlip[settings.mlip.system] = sentence([describe(settings.mlip.system, a) for a in settings.mlip.archs])
    reference = {}
    if settings.reference is not None:
        ref = settings.reference
        md = describe(ref.system, ref.md_model)
        reference[ref.system] = f"Labels: {source}; candidate configurations sampled by MD with {md}. {tail}"
    rise_studies = settings.rise.studies if settings.rise else ()
    studies = {st.name: sentence([f"{describe(st.system, st.model)} (study {st.name})"]) for st in rise_studies}
    every_study = (sentence([f"{describe(st.system, st.model)} (study {st.name})" for st in rise_studies])
                   if rise_studies else tail)
    run = sentence([f"{describe(s, m)} ({s})" for s, sys_ in settings.systems.items() for m in sys_.models])
    return {"commit": commit, "config_sha256": sha256, "config_source": config_source, "stamp": tail,
            "model": model, "system": system, "mlip": mlip, "reference": reference, "study": studies,
            "studies": every_study, "run": run}
