"""Cost of one energy+forces+stress evaluation: SR vs LR, and SR vs mace-torch's own calculator.

Same random SiO2 structures (2.2 g/cm3; the larger ones are replicas of a ~1,500-atom cell),
same model architecture (config/config.yaml's mlip.model unless --spec campaign), float64,
one torch thread. Peers in the same run:
  * SR through vitrify's Potential vs the same inner MACE through mace-torch's MACECalculator
    (ratio: vitrify's wrapper and strain-based stress against mace's own path);
  * LR vs SR (the price of the reciprocal-space attention), with the LR term timed alone
    to show how it scales with the number of atoms.
Models are freshly initialised: cost does not depend on the weights.

    .venv/bin/python benchmarks/mlip_cost.py [--sizes 192 1536 12288] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from vitrify.md.random_start import random_packing  # noqa: E402
from vitrify.mlip.models import build_model, make_batch  # noqa: E402
from vitrify.mlip.reciprocal_attention import reciprocal_vectors  # noqa: E402
from vitrify.mlip.train import spec_from_config  # noqa: E402

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
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--spec", choices=["default", "campaign"], default="default")
    args = parser.parse_args()
    torch.set_num_threads(1)
    cfg = yaml.safe_load((REPO / "config" / ("config.yaml" if args.spec == "default" else "campaign.yaml")).read_text())
    species = cfg["systems"]["silica"]["species"]
    models = {arch: build_model(spec_from_config(cfg["mlip"], species, arch), E0, 20.0, 1.0, 0.0, seed=0).double().eval()
              for arch in ("sr", "lr")}
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
              "vitrify LR ms/atom | ratio LR/SR | LR term alone ms |")
        print("|---|---|---|---|---|---|---|---|")
        for n in args.sizes:
            atoms = structure(n)
            n_k = len(reciprocal_vectors(torch.tensor(atoms.cell.array), cfg["mlip"]["model"]["lr_k_cutoff_inv_A"]))

            def mace_eval():
                mace_calc.reset()  # ASE calculators cache results for unchanged atoms
                a = atoms.copy()
                a.calc = mace_calc
                a.get_forces()
                a.get_stress()

            def ours(arch):
                def run():
                    batch = make_batch([atoms], models[arch].spec, dtype=torch.float64)
                    models[arch](batch, compute_forces=True, compute_stress=True)
                return run

            t_mace = best_time(mace_eval, args.repeats)
            t_sr = best_time(ours("sr"), args.repeats)
            t_lr = best_time(ours("lr"), args.repeats)
            lr_alone = max(t_lr - t_sr, 0.0)
            print(f"| {len(atoms)} | {n_k} | {1e3 * t_mace / len(atoms):.3f} | {1e3 * t_sr / len(atoms):.3f} | "
                  f"{t_sr / t_mace:.2f} | {1e3 * t_lr / len(atoms):.3f} | {t_lr / t_sr:.2f} | {1e3 * lr_alone:.0f} |",
                  flush=True)


if __name__ == "__main__":
    main()
