"""Print the tables of docs/validation.md from a finished validation run.

    .venv/bin/python docs/validation_tables.py [results/validation]

Reads the teacher deltas of each phase (structure_compare), the active-learning summary
and each model's test errors; prints Markdown.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

ROWS = [
    ("density_g_per_cm3", "density (g/cm3)", "{:.3f}"),
    ("fsdp_neutron_Q1_inv_A", "FSDP position Q1 (1/A)", "{:.3f}"),
    ("fsdp_neutron_amplitude", "FSDP amplitude above background (barn/sr/atom)", "{:.4f}"),
    ("fsdp_neutron_fwhm_inv_A", "FSDP width FWHM (1/A)", "{:.3f}"),
    ("principal_neutron_Q_inv_A", "principal peak Q2 (1/A)", "{:.3f}"),
    ("angle_SiOSi_mean_deg", "Si-O-Si mean (deg)", "{:.1f}"),
    ("angle_SiOSi_std_deg", "Si-O-Si width, SD (deg)", "{:.1f}"),
    ("cn_SiO", "Si coordination", "{:.3f}"),
    ("r_SiO_A", "Si-O peak (A)", "{:.3f}"),
    *[(f"rings_primitive_fraction_{n}", f"{n}-rings, share", "{:.3f}") for n in range(3, 11)],
]


def _pm(mean: float, spread: float, fmt: str) -> str:
    if pd.isna(mean):
        return "n/a"
    return fmt.format(mean) + ("" if pd.isna(spread) else " ± " + fmt.format(spread))


def deltas_table(path: Path) -> str:
    t = pd.read_csv(path)
    models = list(dict.fromkeys(t.model))
    head = "| quantity | teacher (mean ± SD) | " + " | ".join(f"{m} minus teacher (± s.e.)" for m in models) + " |"
    lines = [head, "|---" * (2 + len(models)) + "|"]
    for metric, name, fmt in ROWS:
        rows = t[t.metric == metric]
        if rows.empty:
            continue
        first = rows.iloc[0]
        cells = [_pm(first.teacher_mean, first.teacher_sd, fmt)]
        for m in models:
            r = rows[rows.model == m].iloc[0]
            cells.append(_pm(r.delta, r.delta_sem, fmt) + f" (n={int(r.n_model)})")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(root: str = "results/validation") -> int:
    root = Path(root)
    for phase in ("glass", "liquid"):
        path = root / "silica" / "analysis" / "compare" / phase / "teacher_deltas.csv"
        if path.exists():
            print(f"\n### {phase}\n\n{deltas_table(path)}")
    al = root / "silica" / "active" / "summary.csv"
    if al.exists():
        t = pd.read_csv(al)
        cols = ["iteration", "arch", "n_train", "candidate_fraction", "broken_fraction", "score_mean_eV_per_A",
                "test_forces_rmse_meV_per_A", "test_energy_rmse_meV_per_atom", "exploration_completed", "decision"]
        print("\n### active learning\n\n" + t[cols].to_markdown(index=False, floatfmt=".3g"))
    ev = root / "silica" / "models" / "evaluation.csv"
    if ev.exists():
        print("\n### test errors of the production models\n\n" + pd.read_csv(ev).to_markdown(index=False,
                                                                                         floatfmt=".4g"))
    runs = sorted((root / "silica" / "md").glob("*/rate*/rep*/run.json"))
    print("\n### melt-quench runs\n")
    for run in runs:
        meta = json.loads(run.read_text())
        print(f"- {run.parent.relative_to(root)}: {meta['n_frames']} frames, steps {meta['total_steps']}, "
              f"{meta['atom_steps_per_s']:.0f} atom-steps/s")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
