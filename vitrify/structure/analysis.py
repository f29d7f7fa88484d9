"""Everything a diffraction scientist reads off one set of frames, in one call.

frames -> partial g(r), Faber-Ziman partials S_ab(Q), neutron F(Q)/S(Q), X-ray S(Q),
Keen's G/D/T(r), FSDP and principal-peak fits, distances, coordination, Qn, angles,
rings. Tables carry units in their column names; scalars go to one metrics dict.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd
from ase import Atoms

from ..files import write_csv, write_json
from ..settings import AnalysisSettings
from .angles import bond_angle_distribution
from .cell import density_g_per_cm3, perpendicular_widths_A
from .coordination import bonds_of, coordination_distribution, coordination_numbers, defect_counts, qn_speciation
from .fsdp import fit_peak, window_around_max
from .rdf import partial_rdf
from .rings import ring_statistics
from .structure_factor import neutron_F, neutron_real_space, neutron_S, partial_sq, xray_S


@dataclass
class Analysis:
    gr: pd.DataFrame
    sq: pd.DataFrame
    realspace: pd.DataFrame
    angles: pd.DataFrame
    rings: pd.DataFrame
    metrics: dict = field(default_factory=dict)


def _peak_position(r: np.ndarray, g: np.ndarray, lo: float, hi: float) -> float:
    sel = (r >= lo) & (r <= hi)
    return float(r[sel][np.argmax(g[sel])]) if sel.any() else float("nan")


def _fit(Q, S, search, half_width, model) -> dict:
    try:
        return fit_peak(Q, S, window_around_max(Q, S, search, half_width), model).as_dict()
    except (ValueError, RuntimeError) as exc:  # a peak absent from the curve is a finding
        return {"error": str(exc)}


def analyse_silica(frames: list[Atoms], settings: AnalysisSettings, species: Sequence[str] = ("Si", "O")) -> Analysis:
    """Structure of SiO2 frames (one phase of one run); `species` in the system's order."""
    s = settings
    half_width = 0.5 * min(float(perpendicular_widths_A(np.asarray(f.cell)).min()) for f in frames)
    r_max = s.r_max_A if s.r_max_A is not None else np.floor(half_width / s.dr_A) * s.dr_A
    if r_max > half_width + 1e-9:
        raise ValueError(f"r_max_A={r_max} exceeds half the smallest cell width ({half_width:.3f} A)")
    rdf = partial_rdf(frames, r_max, s.dr_A, species=tuple(species))
    Q = np.arange(s.Q_min_inv_A, s.Q_max_inv_A + s.dQ_inv_A / 2, s.dQ_inv_A)
    sq = partial_sq(rdf, Q, lorch=s.lorch)
    sq_table = sq.to_frame()
    sq_table["neutron_F"] = neutron_F(sq)
    sq_table["neutron_S"] = neutron_S(sq)
    sq_table["xray_S"] = xray_S(sq)
    real = neutron_real_space(rdf)
    realspace = pd.DataFrame({"r_A": real.r_A, "G": real.G, "D": real.D, "T": real.T})

    cutoffs = {("Si", "O"): s.si_o_cutoff_A}
    cn, qn, defects = [], [], []
    for f in frames:
        bonds = bonds_of(f, cutoffs)
        symbols = f.get_chemical_symbols()
        cn.append(coordination_numbers(bonds, symbols, "Si", "O"))
        qn.append(qn_speciation(bonds, symbols))
        defects.append(defect_counts(bonds, symbols, {("Si", "O"): 4, ("O", "Si"): 2}))
    cn_all = np.concatenate(cn)

    angle_rows, angle_metrics = [], {}
    for name, triplet in (("O-Si-O", ("O", "Si", "O")), ("Si-O-Si", ("Si", "O", "Si"))):
        dist = bond_angle_distribution(frames, triplet, cutoffs, s.angle_bin_deg)
        table = dist.to_frame()
        table.insert(0, "triplet", name)
        angle_rows.append(table)
        angle_metrics[name] = {"mean_deg": dist.mean_deg, "std_deg": dist.std_deg, "n_angles": dist.n_angles}

    ring_rows, ring_metrics = [], {}
    for method in s.ring_methods:
        stats = ring_statistics(frames, method, s.ring_max_size, cutoffs_A=cutoffs)
        table = stats.to_frame()
        table.insert(0, "method", method)
        ring_rows.append(table)
        total = max(float(np.sum(stats.R_N)), 1e-12)
        ring_metrics[method] = {"R_N_total": float(np.sum(stats.R_N)),
                                "mean_size": float(np.sum(stats.sizes * stats.R_N) / total),
                                # share of rings of each size (a ring-size distribution summing to 1)
                                "fractions": {int(n): float(v / total) for n, v in zip(stats.sizes, stats.R_N)}}

    r = rdf.r_A
    metrics = {
        "n_frames": len(frames),
        "n_atoms": len(frames[0]),
        "r_max_A": float(r_max),
        "number_density_A3": rdf.number_density_A3,
        "density_g_per_cm3": float(np.mean([density_g_per_cm3(f) for f in frames])),
        "lorch": s.lorch,
        "r_SiO_A": _peak_position(r, rdf.pair("Si", "O"), 1.3, 2.0),
        "r_OO_A": _peak_position(r, rdf.pair("O", "O"), 2.2, 3.0),
        "r_SiSi_A": _peak_position(r, rdf.pair("Si", "Si"), 2.6, 3.6),
        "cn_SiO_mean": float(cn_all.mean()),
        "cn_SiO_distribution": {int(k): v for k, v in coordination_distribution(cn_all).items()},
        "qn": _mean_dicts(qn),
        "defects": _mean_dicts(defects),
        "angles": angle_metrics,
        "rings": ring_metrics,
        "fsdp_neutron": _fit(Q, sq_table["neutron_F"].to_numpy(), s.fsdp_search_inv_A, s.fsdp_half_width_inv_A, s.peak_model),
        "fsdp_xray": _fit(Q, sq_table["xray_S"].to_numpy(), s.fsdp_search_inv_A, s.fsdp_half_width_inv_A, s.peak_model),
        "principal_neutron": _fit(Q, sq_table["neutron_F"].to_numpy(), s.principal_search_inv_A,
                                  s.principal_half_width_inv_A, s.peak_model),
    }
    return Analysis(rdf.to_frame(), sq_table, realspace, pd.concat(angle_rows, ignore_index=True),
                    pd.concat(ring_rows, ignore_index=True), metrics)


def _mean_dicts(dicts: list[dict]) -> dict:
    """Mean over frames of (possibly nested) numeric dicts."""
    out = {}
    for key in dicts[0]:
        values = [d[key] for d in dicts]
        if isinstance(values[0], dict):
            out[str(key)] = _mean_dicts(values)
        elif isinstance(values[0], (int, float, np.number)):
            out[str(key)] = float(np.mean(values))
    return out


TABLES = ("gr", "sq", "realspace", "angles", "rings")


def write_analysis(result: Analysis, outdir: Path, provenance: dict) -> None:
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    for name in TABLES:
        write_csv(outdir / f"{name}.csv", getattr(result, name))
    write_json(outdir / "metrics.json", {**provenance, **result.metrics})


def read_analysis(outdir: Path) -> Analysis:
    outdir = Path(outdir)
    tables = {name: pd.read_csv(outdir / f"{name}.csv") for name in TABLES}
    return Analysis(**tables, metrics=json.loads((outdir / "metrics.json").read_text()))
