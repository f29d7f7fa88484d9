"""Command line for the reference-data stage.

    vitrify-reference pool    --out pool.extxyz [--trajectory T ...] [--md-config C] [--select N --selected S]
    vitrify-reference label   --configs S --backend gfn1-xtb|cp2k --outdir D
    vitrify-reference ingest  --dataset F --out G --energy-key K --forces-key K ...
    vitrify-reference dataset --labelled D/labelled.extxyz --outdir P [--e0 Si=... O=...]

Each subcommand is a thin wrapper: the science lives in the modules it calls. `pool
--md-config C` first runs (or resumes) the reference MD conditions of config C with the
same engine and potential factory as the workflow's reference_md rule.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from ase.io import read

from .reference.labelers import LabelKeys, make_labeler, set_single_thread


def _pool(args) -> int:
    from .files import write_extxyz  # noqa: PLC0415
    from .reference.sampling import candidate_pool, select_diverse  # noqa: PLC0415
    from .reference.structures import crystal_variants  # noqa: PLC0415

    crystals = crystal_variants(strains=tuple(args.strains), rattles_A=tuple(args.rattles),
                                seeds=tuple(args.seeds), min_atoms=args.min_atoms)
    trajectories = list(args.trajectory)
    if args.md_config:
        trajectories += run_reference_conditions(args.md_config, Path(args.out).parent / "md")
    pool = candidate_pool(crystals, trajectories, args.liquid_min_T, args.every, args.min_atoms)
    write_extxyz(args.out, pool)
    print(f"pool: {len(pool)} configurations -> {args.out}")
    if args.select:
        chosen, _ = select_diverse(pool, args.select)
        write_extxyz(args.selected, chosen)
        print(f"selected {len(chosen)} by farthest-point sampling -> {args.selected}")
    return 0


def run_reference_conditions(config_file: str | Path, outdir: str | Path) -> list[Path]:
    """Run (or resume) the reference MD conditions of a config; return the trajectory paths."""
    from .config import load_config  # noqa: PLC0415
    from .md.conditions import reference_condition_spec  # noqa: PLC0415
    from .md.melt_quench import MeltQuench  # noqa: PLC0415
    from .md.potentials import make_potential  # noqa: PLC0415
    from .settings import Settings  # noqa: PLC0415

    settings = Settings.from_config(load_config(config_file))
    ref = settings.reference
    if ref is None:
        raise SystemExit(f"{config_file}: no reference section, so no reference MD conditions to run")
    system = settings.systems[ref.system]
    potential = make_potential(system, ref.md_model)
    paths = []
    for i, cond in enumerate(ref.md_conditions):
        run_dir = Path(outdir) / f"cond{i}"
        if not (run_dir / "trajectory.extxyz").exists():
            spec = reference_condition_spec(system, potential, settings.seed, ref, i)
            MeltQuench(spec, run_dir, potential, label=f"reference/cond{i} T={cond.T_K} K").run()
        paths.append(run_dir / "trajectory.extxyz")
    return paths


def _label(args) -> int:
    set_single_thread()
    keys = LabelKeys(args.energy_key, args.forces_key, args.stress_key)
    options = {"keys": keys, "min_atoms": args.min_atoms}
    if args.backend.lower() in ("cp2k", "cp2k-pbe", "pbe"):
        options["cutoff_Ry"] = args.cutoff_Ry
        if args.max_scf:
            options["max_scf"] = args.max_scf
    elif args.max_scf:
        options["max_iterations"] = args.max_scf
    from .reference.persist import label_batch  # noqa: PLC0415

    configs = read(args.configs, index=":", format="extxyz")
    summary = label_batch(configs, make_labeler(args.backend, **options), args.outdir, args.retry_failed)
    print(json.dumps({k: summary[k] for k in ("n_configs", "n_done", "n_failed", "n_computed_this_run",
                                               "n_reused", "failure_reasons")}))
    return 0 if summary["n_missing"] == 0 else 1


def _ingest(args) -> int:
    from .reference.user_dataset import DatasetError, ingest_user_dataset  # noqa: PLC0415

    try:
        frames = ingest_user_dataset(args.dataset, args.out, energy_key=args.energy_key,
                                     forces_key=args.forces_key, stress_key=args.stress_key or None,
                                     allowed_species=tuple(args.species), stress_unit=args.stress_unit,
                                     method=args.method)
    except DatasetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"ingested {len(frames)} frames -> {args.out}")
    return 0


def _dataset(args) -> int:
    from .reference.dataset import build_dataset  # noqa: PLC0415

    e0 = dict(kv.split("=") for kv in args.e0) if args.e0 else None
    labeler = make_labeler(args.e0_backend) if args.e0_backend and not e0 else None
    report = build_dataset(read(args.labelled, index=":", format="extxyz"), args.outdir,
                           fractions=tuple(args.fractions), seed=args.seed,
                           max_force_eV_per_A=args.max_force, labeler=labeler,
                           e0_eV={k: float(v) for k, v in e0.items()} if e0 else None)
    print(report["table"])
    return 0


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    p = argparse.ArgumentParser(prog="vitrify-reference", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)

    q = sub.add_parser("pool", help="build the candidate pool and optionally select by FPS")
    q.add_argument("--out", required=True)
    q.add_argument("--trajectory", nargs="*", default=[], help="existing vitrify-md trajectory.extxyz files")
    q.add_argument("--md-config", help="also run the reference MD conditions of this config (its reference.md_model)")
    q.add_argument("--strains", type=float, nargs="*", default=[0.0, 0.02, 0.05])
    q.add_argument("--rattles", type=float, nargs="*", default=[0.0, 0.05, 0.1])
    q.add_argument("--seeds", type=int, nargs="*", default=[0])
    q.add_argument("--liquid-min-T", type=float, default=2000.0)
    q.add_argument("--every", type=int, default=1)
    q.add_argument("--min-atoms", type=int, default=72)
    q.add_argument("--select", type=int, default=0)
    q.add_argument("--selected", default="selected.extxyz")
    q.set_defaults(fn=_pool)

    lab = sub.add_parser("label", help="label configurations, resumably")
    lab.add_argument("--configs", required=True)
    lab.add_argument("--backend", default="gfn1-xtb")
    lab.add_argument("--outdir", required=True)
    lab.add_argument("--min-atoms", type=int, default=72)
    lab.add_argument("--cutoff-Ry", type=float, default=400.0)
    lab.add_argument("--max-scf", type=int, default=None)
    lab.add_argument("--retry-failed", action="store_true")
    lab.add_argument("--energy-key", default="REF_energy")
    lab.add_argument("--forces-key", default="REF_forces")
    lab.add_argument("--stress-key", default="REF_stress")
    lab.set_defaults(fn=_label)

    ing = sub.add_parser("ingest", help="validate a user dataset and rewrite it under REF_* keys")
    ing.add_argument("--dataset", required=True)
    ing.add_argument("--out", required=True)
    ing.add_argument("--energy-key", default="energy")
    ing.add_argument("--forces-key", default="forces")
    ing.add_argument("--stress-key", default="stress")
    ing.add_argument("--stress-unit", default="eV/A^3", choices=["eV/A^3", "GPa", "kbar"])
    ing.add_argument("--species", nargs="*", default=["Si", "O"])
    ing.add_argument("--method", default=None, help="level of theory of the dataset, as its authors state it")
    ing.set_defaults(fn=_ingest)

    ds = sub.add_parser("dataset", help="split, check, filter, summarise a labelled set")
    ds.add_argument("--labelled", required=True)
    ds.add_argument("--outdir", required=True)
    ds.add_argument("--fractions", type=float, nargs=3, default=[0.8, 0.1, 0.1])
    ds.add_argument("--seed", type=int, default=0)
    ds.add_argument("--max-force", type=float, default=50.0)
    ds.add_argument("--e0", nargs="*", help="isolated-atom energies, e.g. Si=-103.2 O=-430.1 (eV)")
    ds.add_argument("--e0-backend", help="compute isolated-atom energies with this backend instead "
                    "(gfn1-xtb or cp2k; must be the backend that made the labels)")
    ds.set_defaults(fn=_dataset)

    args = p.parse_args(argv)
    return args.fn(args)


if __name__ == "__main__":
    sys.exit(main())
