"""The RISE chain end to end on real data: Cu-Zr boxes, EAM energies, SOAP store, XGBoost.

Random packings stand in for quenched glasses (no MD here), so the chain is checked for
wiring and bookkeeping, not for the physics of the RISE.
"""

from __future__ import annotations

import json

import numpy as np

from vitrify.lammps.session import energy_and_forces
from vitrify.lammps.classical import get_potential
from vitrify.md.random_start import random_packing, species_counts
from vitrify.rise import figures
from vitrify.rise.environments import (
    environment_fractions,
    environment_statistics,
    mine_leaders,
    sample_environment_counts,
)
from vitrify.rise.regression import fit_and_evaluate, summarise_rise
from vitrify.rise.splits import random_split
from vitrify.rise.soap import iter_sample_features, write_soap_sweep

SPECIES = ["Cu", "Zr"]
RADII_A = (3.0, 4.5)


def make_samples(tmp_path, n: int, n_atoms: int = 40):
    potential = get_potential("mendelev_cuzr_2009")
    samples, energy = [], {}
    for i in range(n):
        atoms = random_packing(species_counts({"Cu": 56, "Zr": 44}, n_atoms), 7.0, 2.0, seed=100 + i)
        e_eV, _ = energy_and_forces(atoms, potential, SPECIES, tmp_path)
        sid = f"cuzr_{i:03d}"
        atoms.info["energy_eV_per_atom"] = e_eV / len(atoms)
        samples.append((sid, atoms))
        energy[sid] = e_eV / len(atoms)
    return samples, energy


def test_chain_from_structures_to_rise(tmp_path):
    samples, energy = make_samples(tmp_path, 24)
    assert all(-8.0 < e < 0.0 for e in energy.values())  # a real EAM energy, eV/atom
    stores = write_soap_sweep(iter(samples), {r: tmp_path / f"soap_{r}" for r in RADII_A}, SPECIES,
                              n_max=4, l_max=3, samples_per_chunk=5)
    ids = [sid for sid, _ in samples]
    results, stats = [], []
    for r in RADII_A:
        store = stores[r].parent
        for seed in (0, 1, 2):
            split = random_split(ids, 0.25, seed)
            train, test = split.train, split.test
            env = mine_leaders((x for _, x in iter_sample_features(store, train)), 0.99)
            counts, unmatched = sample_environment_counts((x for _, x in iter_sample_features(store, ids)), env)
            frac = environment_fractions(counts)
            if seed == 0:
                stats.append({"radius_A": r, **environment_statistics(counts, unmatched)})
            pos = {s: i for i, s in enumerate(ids)}
            tr, te = [pos[s] for s in train], [pos[s] for s in test]
            y = np.array([energy[s] for s in ids])
            res, _ = fit_and_evaluate(frac[tr], y[tr], frac[te], y[te], radius_A=r, seed=seed, n_trials=1,
                                      n_folds=3, max_rounds=100, early_stopping_rounds=10, test_ids=test)
            assert res["n_environments"] == env.n_environments
            assert res["test_ids"] == test
            results.append(json.loads(json.dumps(res)))
    # More neighbours in the sphere, more distinct environments.
    assert stats[1]["n_environments"] >= stats[0]["n_environments"]
    summary = summarise_rise(results)
    assert summary["rise_A"] in RADII_A
    figures.rmse_vs_radius(summary, tmp_path / "rmse.png")
    figures.environments_vs_radius(stats, tmp_path / "env.png")
    figures.parity_at_rise(results, summary, tmp_path / "parity.png")
    for name in ("rmse.png", "env.png", "parity.png"):
        assert (tmp_path / name).stat().st_size > 5000
