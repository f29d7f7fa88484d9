"""Command line: `vitrify-md` runs (or resumes) one melt-quench outside Snakemake."""

from __future__ import annotations

import argparse
import sys

from .config import ConfigError, load_config
from .logs import setup_logging
from .md.melt_quench import SimulationError, melt_quench_run
from .md.potentials import MODEL_KINDS
from .settings import ModelMDSettings, Settings


def md_main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="vitrify-md", description="Run or resume one melt-quench from a vitrify config file."
    )
    parser.add_argument("--config", required=True, help="a complete vitrify config YAML")
    parser.add_argument("--system", required=True, help="key under `systems`")
    parser.add_argument("--model", default="classical", choices=sorted(MODEL_KINDS),
                        help="which model drives the MD (trained ones need --model-file)")
    parser.add_argument("--model-file", default=None, help="trained model (model.pt) for --model sr/lr")
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"], help="trained models")
    parser.add_argument("--dtype", default="float64", choices=["float32", "float64"], help="trained models")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (ML models)")
    parser.add_argument("--rate", type=float, required=True, help="cooling rate in K/ps")
    parser.add_argument("--replica", type=int, default=0)
    parser.add_argument("--outdir", required=True)
    parser.add_argument("--log", default=None, help="log file (appended)")
    args = parser.parse_args(argv)
    setup_logging(args.log)
    try:
        settings = Settings.from_config(load_config(args.config))
        if args.system not in settings.systems:
            raise ConfigError(args.config, "systems", args.system, f"one of {sorted(settings.systems)}")
        md = None
        if MODEL_KINDS[args.model].trained:
            if not args.model_file:
                raise ValueError(f"--model {args.model} needs --model-file (a trained model.pt)")
            # The callback driver: LAMMPS' own pair_style mace is a cluster build's option.
            md = ModelMDSettings(dtype=args.dtype, device=args.device, driver="callback")
        melt_quench_run(settings.systems[args.system], args.model, args.rate, args.replica, settings.seed, args.outdir,
                        model_file=args.model_file, md=md, threads=args.threads).run()
    except (ConfigError, SimulationError, ValueError) as exc:
        print(f"vitrify-md: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(md_main())
