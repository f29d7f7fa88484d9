"""Cost of one energy+forces+stress evaluation: SR vs LR, and SR vs mace-torch's own calculator.

Same random SiO2 structures (2.2 g/cm3; the larger ones are replicas of a ~1,500-atom cell),
same model architecture (config/config.yaml's mlip.model unless --spec campaign), float64,
one torch thread. Peers in the same run:
  * SR through vitrify's Potential vs the same inner MACE through mace-torch's MACECalculator
    (ratio: vitrify's wrapper and strain-based stress against mace's own path);
  * LR vs SR (the price of the reciprocal-space attention), its k sum evaluated directly
    (exact, O(N^2)) and on the smooth-PME mesh (O(N log N)), with the LR term timed alone
    (energy and its gradients with respect to positions and cell) to show how each scales
    with the number of atoms; --term-sizes adds larger systems for the term alone.
Models are freshly initialised: cost does not depend on the weights.

    .venv/bin/python benchmarks/mlip_cost.py [--sizes 192 1536 12288] [--term-sizes 98304] [--repeats 3]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from vitrify.md.random_start import random_packing  # noqa: E402
from vitrify.mlip.models import build_model, make_batch  # noqa: E402
from vitrify.mlip.reciprocal_attention import reciprocal_vectors  # noqa: E402
from vitrify.config import load_config  # noqa: E402
from vitrify.mlip.train import model_spec  # noqa: E402
from vitrify.settings import ModelSettings  # noqa: E402

E0 = {"Si": -100.0, "O": -430.0}


def structure(n_atoms: int):
    """Random SiO2 of about n_atoms: up to 1,536 atoms packed directly, larger ones replicated."""
    base = min(n_atoms, 1536)
    atoms = random_packing({"Si": base // 3, "O": 2 * (base // 3)}, 2.2, 1.6, 7)
    reps = round((n_atoms / len(atoms)) ** (1 / 3))
    return atoms.repeat(reps) if reps > 1 else atoms


def best_time(fn, repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[192, 1536, 12288])
    parser.add_argument("--term-sizes", type=int, nargs="*", default=[98304],
                        help="extra sizes for the LR term alone, mesh only (the direct sum does not fit)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--spec", choices=["default", "campaign"], default="default")
    args = parser.parse_args()
    torch.set_num_threads(1)
    cfg = load_config(REPO / "config" / ("config.yaml" if args.spec == "default" else "campaign.yaml"))
    species = cfg["systems"]["silica"]["species"]
    model = ModelSettings.from_dict(cfg["mlip"]["model"])
    specs = {"sr": model_spec(model, species, "sr")}
    for method in ("direct", "mesh"):
        specs[f"lr_{method}"] = dataclasses.replace(model_spec(model, species, "lr"), lr_method=method)
    models = {name: build_model(spec, E0, 20.0, 1.0, 0.0, seed=0).double().eval() for name, spec in specs.items()}
    k_cut = cfg["mlip"]["model"]["lr_k_cutoff_inv_A"]
    import warnings

    from mace.calculators import MACECalculator

    warnings.filterwarnings("ignore")

    with tempfile.TemporaryDirectory() as tmp:
        inner = Path(tmp) / "inner.model"
        torch.save(models["sr"].mace, inner)
        mace_calc = MACECalculator(model_paths=str(inner), device="cpu", default_dtype="float64")
        print(f"machine: {platform.node()} {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
              f"python {platform.python_version()}, torch {torch.__version__}, 1 thread, float64; "
              f"model: {args.spec} config mlip.model {cfg['mlip']['model']}")
        print("| atoms | k-vectors | mace-torch SR ms/atom | vitrify SR ms/atom | ratio vitrify/mace | "
              "LR direct ms/atom | LR mesh ms/atom | ratio LR/SR (faster LR) | LR term direct ms | LR term mesh ms |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for n in args.sizes:
            atoms = structure(n)
            n_k = len(reciprocal_vectors(torch.tensor(atoms.cell.array), k_cut))

            def mace_eval():
                mace_calc.reset()  # ASE calculators cache results for unchanged atoms
                a = atoms.copy()
                a.calc = mace_calc
                a.get_forces()
                a.get_stress()

            def ours(name):
                def run():
                    batch = make_batch([atoms], models[name].spec, dtype=torch.float64)
                    models[name](batch, compute_forces=True, compute_stress=True)
                return run

            t_mace = best_time(mace_eval, args.repeats)
            t = {name: best_time(ours(name), args.repeats) for name in models}
            term = {m: best_time(lr_term(models[f"lr_{m}"], atoms), args.repeats) for m in ("direct", "mesh")}
            per_atom = {name: 1e3 * v / len(atoms) for name, v in t.items()}
            print(f"| {len(atoms)} | {n_k} | {1e3 * t_mace / len(atoms):.3f} | {per_atom['sr']:.3f} | "
                  f"{t['sr'] / t_mace:.2f} | {per_atom['lr_direct']:.3f} | {per_atom['lr_mesh']:.3f} | "
                  f"{min(t['lr_direct'], t['lr_mesh']) / t['sr']:.2f} | {1e3 * term['direct']:.0f} | "
                  f"{1e3 * term['mesh']:.0f} |", flush=True)
        for n in args.term_sizes:
            atoms = structure(n)
            n_k = len(reciprocal_vectors(torch.tensor(atoms.cell.array), k_cut))
            t_mesh = best_time(lr_term(models["lr_mesh"], atoms), args.repeats)
            print(f"| {len(atoms)} | {n_k} | | | | | | | (not run) | {1e3 * t_mesh:.0f} |", flush=True)


def lr_term(model, atoms):
    """The LR term alone on random features: energy and its position and cell gradients."""
    long_range = model.long_range
    gen = torch.Generator().manual_seed(0)
    h = torch.randn(len(atoms), model.spec.num_channels, generator=gen, dtype=torch.float64)
    ptr = torch.tensor([0, len(atoms)])

    def run():
        positions = torch.tensor(atoms.positions).requires_grad_(True)
        cell = torch.tensor(atoms.cell.array)[None].requires_grad_(True)
        energy = long_range(h, positions, cell, ptr).sum()
        torch.autograd.grad(energy, (positions, cell))
    return run

if __name__ == "__main__":
    main()
