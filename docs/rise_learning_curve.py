"""Learning curve of the RISE: test RMSE vs SOAP radius at growing numbers of samples
and of atoms per sample.

Reads a finished RISE run (its inherent-structure samples and SOAP stores, e.g. from
`./vitrify.sh run --configfile config/rise.yaml`) and repeats the study's own chain on nested
subsets of the samples (the same number from every cooling-rate set): environments mined
with the run's conventions, XGBoost over the run's seeds, summarise_rise. Writes a CSV of
every (samples, atoms per sample, radius, seed) result, a JSON of each point's RISE and
whether it is resolved, and a figure of RMSE vs radius per point.

Atoms per sample (--atoms-per-sample): each sample is cut to a compact sub-region of n
atoms around a random point (vitrify.rise.subregions, seed 0); its target becomes the
mean per-atom excess inherent-structure energy of those atoms (each atom's energy minus its
species' mean, so the sub-region's composition fluctuation is not the target; LAMMPS
compute pe/atom with the study's classical potential, cached next to the output), its
fractions count only them.

    .venv/bin/python docs/rise_learning_curve.py --run results/rise --study cuzr_classical \
        --per-set 20 50 100 200 --out docs/figures/rise_learning_curve
    .venv/bin/python docs/rise_learning_curve.py --per-set 100 --atoms-per-sample 125 250 \
        --out docs/figures/rise_atoms_curve
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import yaml  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from vitrify.config import validate_config  # noqa: E402
from vitrify.files import atomic_path, write_csv, write_json  # noqa: E402
from vitrify.plot_style import STYLE, plt, save_figure  # noqa: E402
from vitrify.rise.environments import (  # noqa: E402
    environment_fractions,
    environment_statistics,
    mine_leaders,
    sample_environment_counts,
)
from vitrify.rise.regression import fit_and_evaluate, summarise_rise  # noqa: E402
from vitrify.rise.samples import read_sample_sets, sample_table  # noqa: E402
from vitrify.rise.subregions import excess_energies, random_subregions, subregion_energies  # noqa: E402
from vitrify.rise.soap import iter_sample_features  # noqa: E402
from vitrify.rise.splits import mining_ids, per_set_subset, regression_split  # noqa: E402
from vitrify.settings import Settings  # noqa: E402


SUBREGION_SEED = 0


def run_subset(ids, y, rates, stores, rise, seeds, trials, rows=None) -> tuple[list[dict], list[dict]]:
    """rows: {sample id: atom indices} to keep only those atoms' SOAP rows (None: all)."""
    pos = {s: i for i, s in enumerate(ids)}

    def features(store, which):
        for sid, x in iter_sample_features(store, which):
            yield x if rows is None else x[rows[sid]]

    results, stats = [], []
    # Radii whose SOAP store is written first; wait for the others (the run may still be on).
    for radius, store in sorted(stores.items(), key=lambda kv: not (kv[1] / "index.json").exists()):
        while not (store / "index.json").exists():
            time.sleep(10)
        t0 = time.perf_counter()
        mined = mining_ids(ids, rates, rise.environments, rise.mining_seed)
        env = mine_leaders(features(store, mined), rise.environments.cosine_cutoff)
        counts, unmatched = sample_environment_counts(features(store, ids), env, rise.unmatched_atoms)
        frac = environment_fractions(counts)
        stats.append({"radius_A": radius, **environment_statistics(counts, unmatched),
                      "seconds_environments": time.perf_counter() - t0})
        for seed in seeds:
            split = regression_split(ids, rates, rise.regression, seed)
            tr, va, te = ([pos[s] for s in part] for part in (split.train, split.valid, split.test))
            res, _ = fit_and_evaluate(frac[tr], y[tr], frac[te], y[te], radius_A=radius, seed=seed, n_trials=trials,
                                      n_folds=rise.xgb_folds, max_rounds=rise.xgb_max_rounds,
                                      early_stopping_rounds=rise.xgb_early_stopping_rounds,
                                      x_valid=frac[va] if va else None, y_valid=y[va] if va else None,
                                      space=rise.xgb_search_space)
            results.append(res)
        print(f"  r={radius:g} A: {env.n_environments} environments, "
              f"{100 * stats[-1]['unmatched_fraction']:.1f} % unmatched, RMSE "
              + ", ".join(f"{r['rmse_test_meV_per_atom']:.3f}" for r in results[-len(seeds):]), flush=True)
    return results, stats


def per_atom_energies_of(samples, sample_energies, cfg, study, out: Path) -> list:
    """Per-atom inherent-structure energies (eV) of every sample, from LAMMPS with the
    study's classical potential; cached in <out>_per_atom_energies.npz, which is used only
    while its per-sample means still reproduce the samples' energies."""
    cache = Path(f"{out}_per_atom_energies.npz")

    def largest_error(energies):
        return float(np.abs(energies.mean(axis=1) - sample_energies).max())

    if cache.exists():
        energies = np.load(cache)["energies"]
        if energies.shape == (len(samples), len(samples[0])) and largest_error(energies) < 1e-9:
            return list(energies)
    if study.model != "classical":
        raise SystemExit(f"per-atom energies need the classical potential; study model is {study.model}")
    import tempfile

    from vitrify.lammps.classical import get_potential
    from vitrify.lammps.session import per_atom_energies

    system = cfg["systems"][study.system]
    potential = get_potential(system["classical_potential"])
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as work:
        energies = np.array([per_atom_energies(a, potential, list(system["species"]), Path(work)) for a in samples])
    print(f"per-atom energies of {len(samples)} samples in {time.perf_counter() - t0:.0f} s; "
          f"largest |mean - sample energy| {largest_error(energies):.2e} eV/atom", flush=True)
    with atomic_path(cache) as tmp, open(tmp, "wb") as fh:
        np.savez(fh, energies=energies)
    return list(energies)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--run", default="results/rise", help="the run's results directory")
    ap.add_argument("--config", default="config/rise.yaml")
    ap.add_argument("--study", default="cuzr_classical")
    ap.add_argument("--per-set", type=int, nargs="+", required=True)
    ap.add_argument("--atoms-per-sample", type=int, nargs="+", default=None,
                    help="compact sub-regions of this many atoms (default: whole samples)")
    ap.add_argument("--trials", type=int, default=None, help="search trials (default: the config's)")
    ap.add_argument("--out", default="docs/figures/rise_learning_curve")
    ap.add_argument("--with-run", action="store_true",
                    help="add the run's own summary (all samples, the config's trials) as the last point")
    args = ap.parse_args()

    cfg = yaml.safe_load(Path(args.config).read_text())
    validate_config(cfg, args.config, REPO)
    rise_all = Settings.from_config(cfg).rise
    study = rise_all.study(args.study)
    rise = rise_all.for_study(study)
    run = Path(args.run) / "rise" / args.study
    sample_files = sorted((run / "samples").glob("*.extxyz"))
    all_ids, all_y, all_rates = sample_table(sample_files)
    all_samples = [atoms for _, atoms in read_sample_sets(sample_files)]
    n_full = len(all_samples[0])
    if len({len(a) for a in all_samples}) != 1:
        raise SystemExit("samples of different sizes: the atoms-per-sample axis needs one size")
    stores = {r: run / "soap" / f"r{r:g}" for r in rise.soap_r_cut_A}
    trials = args.trials or rise.xgb_trials
    print(f"{len(all_ids)} samples in {len(set(all_rates))} cooling-rate sets; radii {list(stores)}; "
          f"seeds {list(rise.seeds)}; {trials} trials; cosine {rise.environments.cosine_cutoff}", flush=True)

    out = Path(args.out)
    # Subsets already computed (same config and trials) are read back, not recomputed: the
    # script resumes after a kill and can add the run's own point later.
    done = {}
    if out.with_suffix(".json").exists():
        old = json.loads(out.with_suffix(".json").read_text())
        if old.get("config") == args.config and old.get("trials") == trials:
            done = {(s["samples_per_set"], s.get("atoms_per_sample", n_full)): s for s in old["summaries"]
                    if s.get("from") != "run"}
            old_rows = pd.read_csv(out.with_suffix(".csv")).to_dict("records")
            for r in old_rows:
                r.setdefault("atoms_per_sample", n_full)
    @functools.cache
    def excess():
        """Per-atom excess energies, computed when a sub-region point first needs them."""
        return excess_energies(per_atom_energies_of(all_samples, all_y, cfg, study, out),
                               [a.get_chemical_symbols() for a in all_samples])

    rows, summaries = [], []
    for per_set in args.per_set:
        for n_atoms in args.atoms_per_sample or [n_full]:
            key = (per_set, n_atoms)
            if key in done:
                summaries.append(done[key])
                rows += [r for r in old_rows if (r["samples_per_set"], r["atoms_per_sample"]) == key]
                print(f"{per_set} per set, {n_atoms} atoms: read back from {out.with_suffix('.json')}")
                continue
            keep = set(per_set_subset(all_ids, all_rates, per_set, [0, 0x5355]))
            idx = [i for i, s in enumerate(all_ids) if s in keep]
            ids, y, rates = [all_ids[i] for i in idx], all_y[idx], [all_rates[i] for i in idx]
            atom_rows = None
            if n_atoms < n_full:
                cut = random_subregions([all_samples[i] for i in idx], n_atoms, SUBREGION_SEED)
                atom_rows = dict(zip(ids, cut))
                y = subregion_energies([excess()[i] for i in idx], cut)
            t0 = time.perf_counter()
            print(f"{per_set} per set ({len(ids)} samples), {n_atoms} atoms per sample:", flush=True)
            results, stats = run_subset(ids, y, rates, stores, rise, rise.seeds, trials, atom_rows)
            results.sort(key=lambda r: (r["radius_A"], r["seed"]))
            summary = summarise_rise(results)
            summary.update({"samples_per_set": per_set, "n_samples": len(ids), "atoms_per_sample": n_atoms,
                            "seconds": time.perf_counter() - t0, "environment_stats": stats})
            summaries.append(summary)
            print(f"  -> {summary['resolution_statement']} ({summary['seconds']:.0f} s)", flush=True)
            rows += [{"samples_per_set": per_set, "n_samples": len(ids), "atoms_per_sample": n_atoms,
                      "radius_A": r["radius_A"], "seed": r["seed"],
                      "rmse_test_meV_per_atom": r["rmse_test_meV_per_atom"],
                      "rmse_predict_mean_meV_per_atom": r["rmse_predict_mean_meV_per_atom"],
                      "n_environments": r["n_environments"]} for r in results]
            # Written after every point: a killed run keeps what it finished.
            write_csv(out.with_suffix(".csv"), pd.DataFrame(rows))
            write_json(out.with_suffix(".json"), {"config": args.config, "study": args.study, "trials": trials,
                                                  "summaries": summaries})
    if args.with_run:
        own = json.loads((run / "summary.json").read_text())
        own.update({"samples_per_set": len(all_ids) // len(set(all_rates)), "n_samples": len(all_ids),
                    "atoms_per_sample": n_full, "seconds": None, "from": "run", "trials": rise.xgb_trials})
        summaries.append(own)
        print(f"run itself ({len(all_ids)} samples): {own['resolution_statement']}")
    write_csv(out.with_suffix(".csv"), pd.DataFrame(rows))
    write_json(out.with_suffix(".json"), {"config": args.config, "study": args.study, "trials": trials,
                                          "summaries": summaries})
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(5, 3.4))
        for i, s in enumerate(summaries):
            ax.errorbar(s["radii_A"], s["rmse_mean_meV_per_atom"], yerr=s["rmse_sem_meV_per_atom"], fmt="o-",
                        ms=3, capsize=2, lw=1, color=f"C{i}",
                        label=f"{s['n_samples']} x {s.get('atoms_per_sample', n_full)} atoms: RISE {s['rise_A']:g} A "
                              f"[{s['rise_interval_A'][0]:g}-{s['rise_interval_A'][1]:g}]")
        ax.set_xlabel("SOAP radius ($\\AA$)")
        ax.set_ylabel("test RMSE (meV/atom), mean $\\pm$ s.e.")
        ax.legend(fontsize=6)
        save_figure(fig, out.with_suffix(".png"), tight=False, bbox_inches="tight")
    print(json.dumps([{k: s.get(k, n_full) for k in ("n_samples", "atoms_per_sample", "rise_A", "rise_interval_A",
                                                       "resolved", "seconds")}
                      for s in summaries], indent=1))


if __name__ == "__main__":
    main()
