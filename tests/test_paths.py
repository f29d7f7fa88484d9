"""One output layout: patterns for the rules, concrete paths for scripts and tests."""

import re
from pathlib import Path

from vitrify.paths import Layout, fmt_number

REPO = Path(__file__).resolve().parents[1]


def test_patterns_and_concrete_paths_agree():
    p = Layout("test")
    assert p.md_dir() == "results/test/{system}/md/{model}/rate{rate}/rep{rep}"
    assert p.md_dir("silica", "lr", 2000.0, 0) == "results/test/silica/md/lr/rate2000/rep0"
    assert p.md_file("run.json", "cuzr", "classical", 0.5, 1) == "results/test/cuzr/md/classical/rate0.5/rep1/run.json"
    assert p.rise_samples("cuzr_classical", 2000, 0, 500.0) == "results/test/rise/cuzr_classical/samples/rate2000_rep0_T500.extxyz"
    assert p.log("md_melt_quench", "{system}") == "logs/test/md_melt_quench/{system}.log"
    assert p.benchmark("rise_vit", "x") == "benchmarks/test/rise_vit/x.tsv"
    assert fmt_number("{rate}") == "{rate}" and fmt_number(1e-1) == "0.1"


def test_rules_build_paths_only_from_the_layout():
    """No rule file writes an output path by hand: results/, logs/ and benchmarks/ appear only
    in vitrify/paths.py."""
    hand_made = []
    for path in (REPO / "workflow" / "rules").glob("*.smk"):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"""["'](results|logs|benchmarks)/|\{(RESULTS|LOGS|BENCH)\}""", line):
                hand_made.append(f"{path.name}:{n}: {line.strip()}")
    assert hand_made == []
