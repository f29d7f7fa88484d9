"""The run's key numbers for the report's front page, read from the stages' own summaries.

Nothing is recomputed: every number is read from the file a stage wrote (test errors
from the mlip evaluation table, glass densities from the glass summaries, FSDP, angles
and rings from the structure comparison, the RISE radius and the ViT saturation length
from the RISE summaries), and each row names that file. A stage the config switches
off has no plan entry and no rows; a file that is absent leaves its rows out.

One row per number (`COLUMNS`): section, system, model (its legend label), quantity,
value, error (a standard deviation or standard error, said in `detail`), low and high
(an interval, for the RISE), unit, detail and source.
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import pandas as pd

from .paths import Layout, fmt_number
from .settings import Settings

COLUMNS = ["section", "system", "model", "quantity", "value", "error", "low", "high", "unit", "detail", "source"]
TEST_ERRORS, GLASS, RISE = "test errors", "glass", "RISE"
# quantity, summary metric, unit: the structure numbers of the front page
STRUCTURE_METRICS = (
    ("FSDP position Q1 (neutron)", "fsdp_neutron_Q1_inv_A", "1/Å"),
    ("FSDP height F(Q1) (neutron)", "fsdp_neutron_height", "barn/sr/atom"),
    ("Si-O-Si angle, mean", "angle_SiOSi_mean_deg", "deg"),
)


@dataclass(frozen=True)
class KeyNumberPlan:
    """What the config promises: which summaries exist, and each model's legend label."""

    labels: Mapping[str, Mapping[str, str]]            # system -> model -> legend label
    models: Mapping[str, tuple[str, ...]]              # system -> models that ran the protocol
    mlip: tuple[str, tuple[str, ...]] | None = None    # (system, archs)
    structure: tuple[str, str] | None = None           # (system, phase) of the comparison
    ring_method: str = "primitive"
    studies: Mapping[str, tuple[str, str, bool]] = field(default_factory=dict)  # name -> (system, model, vit)

    @classmethod
    def from_settings(cls, settings: Settings, labels: Mapping[str, Mapping[str, str]]) -> "KeyNumberPlan":
        an = settings.analysis
        return cls(
            labels={s: dict(labels[s]) for s in settings.systems},
            models={s: tuple(sys_.models) for s, sys_ in settings.systems.items()},
            mlip=(settings.mlip.system, tuple(settings.mlip.archs)) if settings.mlip else None,
            # The last phase listed is the latest in the protocol: the glass, in every config here.
            structure=(an.system, list(an.phases)[-1]) if an else None,
            ring_method=an.ring_figure_method if an else "primitive",
            studies={st.name: (st.system, st.model, st.vit) for st in settings.rise.studies} if settings.rise else {},
        )


def key_number_files(layout: Layout, plan: KeyNumberPlan) -> dict[str, str]:
    """Every summary the key numbers read, by role: the rule's inputs and the reader's files."""
    files = {}
    if plan.mlip:
        files["mlip"] = layout.model_evaluation(plan.mlip[0])
    for system, models in plan.models.items():
        for model in models:
            files[f"glass/{system}/{model}"] = layout.glass_summary(system, model)
    if plan.structure:
        files["structure"] = f"{layout.compare_dir(*plan.structure)}/summary.csv"
    for study, (_, _, vit) in plan.studies.items():
        files[f"rise/{study}"] = f"{layout.rise_dir(study)}/summary.json"
        if vit:
            files[f"vit/{study}"] = f"{layout.rise_dir(study)}/vit_summary.json"
    return files


def _row(section, system, model, quantity, value, unit, source, error=math.nan, low=math.nan, high=math.nan,
         detail="") -> dict:
    return {"section": section, "system": system, "model": model, "quantity": quantity, "value": float(value),
            "error": float(error), "low": float(low), "high": float(high), "unit": unit, "detail": detail,
            "source": str(source)}


def _test_error_rows(path: Path, system: str, archs, labels) -> list[dict]:
    table = pd.read_csv(path)
    rows = []
    for arch in archs:
        part = table[(table["arch"] == arch) & (table["origin"] == "all")]
        if part.empty:
            continue
        r = part.iloc[0]
        detail = (f"test set of {int(r['n_configs'])} configurations; ± SD over a committee of {int(r['n_members'])}; "
                  f"labels: {r['reference_labels']}")
        for quantity, col, sd, unit in (("energy RMSE", "energy_rmse_meV_per_atom", "energy_rmse_sd_meV_per_atom",
                                         "meV/atom"),
                                        ("force RMSE", "forces_rmse_meV_per_A", "forces_rmse_sd_meV_per_A", "meV/Å")):
            rows.append(_row(TEST_ERRORS, system, labels.get(arch, arch), quantity, r[col], unit, path, r[sd],
                             detail=detail))
    return rows


def _replicas(n: int) -> str:
    return f"mean over {n} replicas ± standard error" if n > 1 else "one replica: no error bar"


def _density_rows(path: Path, system: str, label: str) -> list[dict]:
    table = pd.read_csv(path)
    rows = []
    for rate, part in table.groupby("cooling_rate_K_per_ps", sort=True):
        d = part["density_g_per_cm3"]
        sem = d.std(ddof=1) / math.sqrt(len(d)) if len(d) > 1 else math.nan
        rows.append(_row(GLASS, system, label, f"density, quenched at {fmt_number(float(rate))} K/ps", d.mean(),
                         "g/cm³", path, sem, detail=f"{_replicas(len(d))}; segment {part['segment'].iloc[0]}"))
    return rows


def _structure_rows(path: Path, system: str, phase: str, labels: Mapping[str, str], ring_method: str) -> list[dict]:
    table = pd.read_csv(path).set_index("metric")
    section = f"structure ({phase})"
    present = [label for label in labels.values() if f"{label}_mean" in table.columns]
    rows = []

    def add(quantity, metric, unit):
        for label in present:
            mean, sem = table.loc[metric, f"{label}_mean"], table.loc[metric, f"{label}_sem"]
            if pd.notna(mean):
                n = int(table.loc[metric, f"{label}_n_replicas"])
                rows.append(_row(section, system, label, quantity, mean, unit, path, sem, detail=_replicas(n)))

    for quantity, metric, unit in STRUCTURE_METRICS:
        if metric in table.index:
            add(quantity, metric, unit)
    prefix = f"rings_{ring_method}_fraction_"
    for metric in (m for m in table.index if m.startswith(prefix)):
        # Sizes no model forms would fill the page with zeros.
        values = [table.loc[metric, f"{label}_mean"] for label in present]
        if any(pd.notna(v) and v > 0 for v in values):
            add(f"{ring_method} rings of {metric[len(prefix):]} Si, fraction", metric, "")
    return rows


def _rise_rows(path: Path, study: str, system: str, label: str) -> list[dict]:
    s = json.loads(path.read_text())
    low, high = s["rise_interval_A"]
    return [_row(RISE, system, label, f"RISE radius ({study})", s["rise_A"], "Å", path, low=low, high=high,
                 detail=f"interval: radii within one standard error of the lowest test RMSE "
                        f"({s['rise_rmse_meV_per_atom']:.3g} meV/atom); {s.get('energy_source', '')}")]


def _vit_rows(path: Path, study: str, system: str, label: str) -> list[dict]:
    s = json.loads(path.read_text())
    return [_row(RISE, system, label, f"ViT saturation length ({study})", s["saturation_length_A"], "Å", path,
                 detail=s.get("statement", ""))]


def key_numbers(layout: Layout, plan: KeyNumberPlan, root: str | Path = ".") -> pd.DataFrame:
    """The key-number table of a run whose outputs lie under `root` (module doc)."""
    root = Path(root)
    files = {role: root / path for role, path in key_number_files(layout, plan).items()}
    present = {role: path for role, path in files.items() if path.exists()}
    rows = []
    if "mlip" in present:
        system, archs = plan.mlip
        rows += _test_error_rows(present["mlip"], system, archs, plan.labels[system])
    for system, models in plan.models.items():
        for model in models:
            if (path := present.get(f"glass/{system}/{model}")) is not None:
                rows += _density_rows(path, system, plan.labels[system][model])
    if "structure" in present:
        system, phase = plan.structure
        labels = {m: plan.labels[system][m] for m in plan.models[system]}
        rows += _structure_rows(present["structure"], system, phase, labels, plan.ring_method)
    for study, (system, model, _) in plan.studies.items():
        label = plan.labels[system][model]
        if (path := present.get(f"rise/{study}")) is not None:
            rows += _rise_rows(path, study, system, label)
        if (path := present.get(f"vit/{study}")) is not None:
            rows += _vit_rows(path, study, system, label)
    table = pd.DataFrame(rows, columns=COLUMNS)
    table["source"] = [str(Path(p).relative_to(root)) if Path(p).is_relative_to(root) else p for p in table["source"]]
    return table


def _digits(value: float, significant: int) -> int:
    """Decimals that show `significant` digits of `value` (none for large values)."""
    if value == 0 or not math.isfinite(value):
        return 0
    return max(0, significant - 1 - math.floor(math.log10(abs(value))))


def _plain(value: float) -> str:
    """Four significant digits, trailing zeros dropped: without an error bar they say nothing."""
    text = f"{value:.{_digits(value, 4)}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_value(value: float, error: float = math.nan, low: float = math.nan, high: float = math.nan) -> str:
    """'2.2001 ± 0.0043' (the value to the error's second significant digit), '5 (4.5–6)',
    or the value alone to four significant digits."""
    if not math.isfinite(value):
        return "–"
    if math.isfinite(error) and error > 0:
        decimals = _digits(error, 2)
        text = f"{value:.{decimals}f} ± {error:.{decimals}f}"
    else:
        text = _plain(value)
    if math.isfinite(low) and math.isfinite(high):
        text += f" ({_plain(low)}–{_plain(high)})"
    return text


def key_numbers_html(table: pd.DataFrame, title: str) -> str:
    """A self-contained page: per section and system a table, quantities down, models across."""
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>",
             "<style>body{font-family:sans-serif;font-size:14px;margin:1.5em;color:#222}"
             "table{border-collapse:collapse;margin:0.4em 0 1.4em}th,td{border:1px solid #ccc;padding:3px 8px;"
             "text-align:left;vertical-align:top}th{background:#f0f0f0}td.v{font-family:monospace;white-space:nowrap}"
             "p.note{color:#555;font-size:12px;max-width:70em}</style></head><body>",
             f"<h1>{html.escape(title)}</h1>"]
    if table.empty:
        parts.append("<p>No key numbers: none of the summaries they are read from exists.</p>")
    for (section, system), part in table.groupby(["section", "system"], sort=False):
        models = list(dict.fromkeys(part["model"]))
        parts.append(f"<h2>{html.escape(section)}: {html.escape(system)}</h2><table><tr><th>quantity</th><th>unit</th>")
        parts += [f"<th>{html.escape(m)}</th>" for m in models]
        parts.append("</tr>")
        for quantity, rows in part.groupby("quantity", sort=False):
            cells = {r.model: format_value(r.value, r.error, r.low, r.high) for r in rows.itertuples()}
            parts.append(f"<tr><td>{html.escape(quantity)}</td><td>{html.escape(rows['unit'].iloc[0])}</td>")
            parts += [f"<td class='v'>{html.escape(cells.get(m, '–'))}</td>" for m in models]
            parts.append("</tr>")
        parts.append("</table>")
        notes = list(dict.fromkeys(f"{r.detail} [{r.source}]" for r in part.itertuples()))
        parts += [f"<p class='note'>{html.escape(n)}</p>" for n in notes]
    parts.append("</body></html>")
    return "".join(parts) + "\n"
