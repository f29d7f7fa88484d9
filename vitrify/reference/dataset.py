"""From labelled frames to a training-ready dataset: checks, filter, split, E0s, summary.

* `unit_warnings`: flags numbers that suggest wrong units (forces in kcal/mol/A,
  stress in GPa or kbar, energies far from a plausible cohesive energy).
* `filter_max_force`: drops frames whose largest |force| exceeds a threshold and lists them.
* `split_by_origin`: deterministic train/valid/test split, stratified by info["origin"].
* `isolated_atom_frames`: one frame per element with info["config_type"]="IsolatedAtom"
  (MACE reads these from the training file as E0s, or use `e0s_argument` for --E0s).
* `summary_table`: counts per origin and split, energy and force ranges.
* `build_dataset`: all of the above, writing train/valid/test extxyz, JSON and Markdown.
"""

from __future__ import annotations

import zlib
from collections import Counter
from pathlib import Path

import numpy as np
from ase import Atoms

from ..files import write_extxyz, write_json, write_text
from .labeler import ISOLATED_ATOM, Labeler, LabelKeys

SPLITS = ("train", "valid", "test")
EV_PER_A3_IN_GPA = 160.21766208

# Plausibility limits (eV, A units). A configuration beyond them is not necessarily
# wrong, but is far outside what SiO2 between crystal and 6000 K liquid produces.
MAX_ABS_STRESS_EV_PER_A3 = 1.0  # 160 GPa; stress in GPa or kbar is 160x or 1602x bigger
MAX_FORCE_EV_PER_A = 100.0  # forces in kcal/mol/A are 23x, in kJ/mol/A 96x bigger
COHESIVE_RANGE_EV_PER_ATOM = (-15.0, 2.0)  # SiO2 cohesive energy is about -6 eV/atom


def _energy(a: Atoms, keys: LabelKeys) -> float:
    return float(a.info[keys.energy])


def _fmax(a: Atoms, keys: LabelKeys) -> float:
    return float(np.linalg.norm(a.arrays[keys.forces], axis=1).max())


def cohesive_energy_per_atom(a: Atoms, e0_eV: dict[str, float], keys: LabelKeys = LabelKeys()) -> float:
    """(E - sum of isolated-atom energies) / N, eV/atom."""
    return (_energy(a, keys) - sum(e0_eV[s] for s in a.get_chemical_symbols())) / len(a)


def unit_warnings(frames: list[Atoms], keys: LabelKeys = LabelKeys(),
                  e0_eV: dict[str, float] | None = None) -> list[str]:
    """One line per suspicious frame (config_id first); an empty list means nothing looked off."""
    out = []
    for k, a in enumerate(frames):
        cid = a.info.get("config_id", f"frame {k}")
        fmax = _fmax(a, keys)
        if fmax > MAX_FORCE_EV_PER_A:
            out.append(f"{cid}: max |force| {fmax:.3g} eV/A > {MAX_FORCE_EV_PER_A:g}: forces in "
                       "kcal/mol/A or kJ/mol/A? (expected eV/A)")
        if keys.stress in a.info:
            smax = float(np.abs(np.asarray(a.info[keys.stress], dtype=float)).max())
            if smax > MAX_ABS_STRESS_EV_PER_A3:
                out.append(f"{cid}: max |stress| {smax:.3g} > {MAX_ABS_STRESS_EV_PER_A3:g} eV/A^3 "
                           f"(= {smax * EV_PER_A3_IN_GPA:.3g} GPa): stress given in GPa or kbar? "
                           "(expected eV/A^3)")
        if e0_eV is not None:
            ec = cohesive_energy_per_atom(a, e0_eV, keys)
            lo, hi = COHESIVE_RANGE_EV_PER_ATOM
            if not lo <= ec <= hi:
                out.append(f"{cid}: cohesive energy {ec:.3g} eV/atom outside [{lo:g}, {hi:g}]: energy "
                           "in Hartree or kcal/mol, or E0s from another method?")
        elif abs(_energy(a, keys)) / len(a) > 5.0e3:
            out.append(f"{cid}: |energy| per atom {abs(_energy(a, keys)) / len(a):.3g} eV: implausible in eV")
    return out


def filter_max_force(frames: list[Atoms], max_force_eV_per_A: float,
                     keys: LabelKeys = LabelKeys()) -> tuple[list[Atoms], list[dict]]:
    """Frames with max |F| <= threshold, and a record of every removed frame."""
    kept, removed = [], []
    for a in frames:
        fmax = _fmax(a, keys)
        if fmax > max_force_eV_per_A:
            removed.append({"config_id": a.info.get("config_id"), "origin": a.info.get("origin"),
                            "source": a.info.get("source"), "max_force_eV_per_A": round(fmax, 4)})
        else:
            kept.append(a)
    return kept, removed


def split_by_origin(frames: list[Atoms], fractions: tuple[float, float, float] = (0.8, 0.1, 0.1),
                    seed: int = 0) -> dict[str, list[Atoms]]:
    """Split each origin separately in the given train/valid/test fractions.

    Deterministic for a given set of config_ids, whatever their input order: each
    origin's frames are sorted by config_id, then permuted by a generator seeded with
    (seed, crc32(origin)). valid and test get round(fraction * n) frames each (test
    first served), train the rest, so small groups stay in train.
    """
    if len(fractions) != 3 or min(fractions) < 0 or abs(sum(fractions) - 1.0) > 1e-6:
        raise ValueError(f"fractions {fractions} must be three non-negative numbers summing to 1")
    groups: dict[str, list[Atoms]] = {}
    for a in frames:
        groups.setdefault(str(a.info.get("origin", "unknown")), []).append(a)
    out: dict[str, list[Atoms]] = {s: [] for s in SPLITS}
    for origin in sorted(groups):
        members = sorted(groups[origin], key=lambda a: str(a.info.get("config_id", "")))
        rng = np.random.default_rng([seed, zlib.crc32(origin.encode())])
        perm = rng.permutation(len(members))
        n = len(members)
        n_test = int(round(fractions[2] * n))
        n_valid = min(int(round(fractions[1] * n)), n - n_test)
        parts = {"test": perm[:n_test], "valid": perm[n_test:n_test + n_valid], "train": perm[n_test + n_valid:]}
        for split, idx in parts.items():
            for i in sorted(idx):
                a = members[i].copy()
                a.info["split"] = split
                out[split].append(a)
    return out


def isolated_atom_frames(species: tuple[str, ...] = ("Si", "O"), labeler: Labeler | None = None,
                         e0_eV: dict[str, float] | None = None, keys: LabelKeys = LabelKeys(),
                         box_A: float = 20.0, method: str | None = None) -> list[Atoms]:
    """IsolatedAtom frames, computed with `labeler` or built from given energies (eV)."""
    if (labeler is None) == (e0_eV is None):
        raise ValueError("give exactly one of labeler or e0_eV")
    frames = []
    for s in species:
        if labeler is not None:
            a = labeler.isolated_atom(s, box_A)
        else:
            a = Atoms(s, positions=[[box_A / 2] * 3], cell=[box_A] * 3, pbc=True)
            a.info[keys.energy] = float(e0_eV[s])
            a.arrays[keys.forces] = np.zeros((1, 3))
            a.info["config_type"] = ISOLATED_ATOM
            a.info["label_method"] = method or "isolated-atom energy given as argument"
        a.info["config_id"] = f"isolated-{s}"
        a.info["origin"] = "isolated"
        frames.append(a)
    return frames


def is_isolated_atom(atoms: Atoms) -> bool:
    """An E0 frame (info config_type 'IsolatedAtom', MACE's convention), not a training structure."""
    return atoms.info.get("config_type") == ISOLATED_ATOM


def e0s_from_frames(frames: list[Atoms], keys: LabelKeys = LabelKeys()) -> dict[str, float]:
    """E0 per element from the IsolatedAtom frames among `frames`."""
    return {a.get_chemical_symbols()[0]: float(a.info[keys.energy]) for a in frames if is_isolated_atom(a)}


def e0s_argument(e0_eV: dict[str, float]) -> str:
    """The string for `mace_run_train --E0s`: {Z: energy_eV, ...}."""
    from ase.data import atomic_numbers  # noqa: PLC0415

    return "{" + ", ".join(f"{atomic_numbers[s]}: {e:.8f}" for s, e in sorted(e0_eV.items())) + "}"


def summary_table(splits: dict[str, list[Atoms]], keys: LabelKeys = LabelKeys(),
                  e0_eV: dict[str, float] | None = None) -> tuple[list[dict], str]:
    """Rows (origin x split: count, energy/atom range, |F| range, max |stress|) and Markdown."""
    rows = []
    origins = sorted({str(a.info.get("origin")) for fr in splits.values() for a in fr})
    e_label = "E_coh/atom (eV)" if e0_eV else "E/atom (eV)"
    for origin in origins:
        for split in SPLITS:
            fr = [a for a in splits.get(split, []) if str(a.info.get("origin")) == origin]
            if not fr:
                rows.append({"origin": origin, "split": split, "n": 0})
                continue
            e = [cohesive_energy_per_atom(a, e0_eV, keys) if e0_eV else _energy(a, keys) / len(a) for a in fr]
            f = np.concatenate([np.linalg.norm(a.arrays[keys.forces], axis=1) for a in fr])
            s = [np.abs(np.asarray(a.info[keys.stress])).max() for a in fr if keys.stress in a.info]
            rows.append({"origin": origin, "split": split, "n": len(fr), "n_atoms": int(sum(len(a) for a in fr)),
                         "e_min": float(min(e)), "e_max": float(max(e)),
                         "f_mean": float(f.mean()), "f_max": float(f.max()),
                         "stress_max_GPa": float(max(s) * EV_PER_A3_IN_GPA) if s else None})
    lines = [f"| origin | split | configs | atoms | {e_label} min | max | mean |F| (eV/A) | max |F| | "
             "max |stress| (GPa) |", "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        if not r["n"]:
            lines.append(f"| {r['origin']} | {r['split']} | 0 | 0 | | | | | |")
            continue
        smax = f"{r['stress_max_GPa']:.2f}" if r["stress_max_GPa"] is not None else "-"
        lines.append(f"| {r['origin']} | {r['split']} | {r['n']} | {r['n_atoms']} | {r['e_min']:.4f} | "
                     f"{r['e_max']:.4f} | {r['f_mean']:.3f} | {r['f_max']:.3f} | {smax} |")
    return rows, "\n".join(lines)


def build_dataset(frames: list[Atoms], outdir: str | Path, fractions=(0.8, 0.1, 0.1), seed: int = 0,
                  max_force_eV_per_A: float = 50.0, labeler: Labeler | None = None,
                  e0_eV: dict[str, float] | None = None, keys: LabelKeys = LabelKeys(),
                  species: tuple[str, ...] = ("Si", "O"), figure: bool = True) -> dict:
    """Check, filter, split and write a dataset; isolated atoms go first in train.extxyz."""
    outdir = Path(outdir)
    isolated = []
    if labeler is not None or e0_eV is not None:
        isolated = isolated_atom_frames(species, labeler=labeler, e0_eV=e0_eV, keys=keys)
    e0 = e0s_from_frames(isolated, keys) if isolated else None
    warnings = unit_warnings(frames, keys, e0)
    kept, removed = filter_max_force(frames, max_force_eV_per_A, keys)
    splits = split_by_origin(kept, fractions, seed)
    rows, table = summary_table(splits, keys, e0)
    write_extxyz(outdir / "train.extxyz", isolated + splits["train"])
    for split in ("valid", "test"):
        if splits[split]:
            write_extxyz(outdir / f"{split}.extxyz", splits[split])
    if isolated:
        write_extxyz(outdir / "isolated_atoms.extxyz", isolated)
    report = {
        "n_input": len(frames), "n_removed": len(removed), "removed": removed,
        "max_force_eV_per_A": max_force_eV_per_A, "fractions": list(fractions), "seed": seed,
        "counts": {s: dict(Counter(str(a.info.get("origin")) for a in fr)) for s, fr in splits.items()},
        "unit_warnings": warnings, "e0_eV": e0, "e0s_argument": e0s_argument(e0) if e0 else None,
        "label_methods": sorted({str(a.info.get("label_method")) for a in frames}),
        "keys": {"energy": keys.energy, "forces": keys.forces, "stress": keys.stress,
                 "stress_convention": "Voigt xx yy zz yz xz xy, eV/A^3, positive = tensile (ASE)"},
        "rows": rows, "table": table,
    }
    write_json(outdir / "summary.json", report)
    write_text(outdir / "summary.md", table + "\n")
    if figure and kept:
        from .figures import dataset_overview  # noqa: PLC0415

        dataset_overview(kept, outdir / "dataset_overview.png", keys, e0)
        report["figure"] = str(outdir / "dataset_overview.png")
    return report
