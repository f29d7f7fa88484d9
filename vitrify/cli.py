"""Command line: `vitrify-md` runs (or resumes) one melt-quench outside Snakemake."""

from __future__ import annotations

import argparse
import sys

from .config import ConfigError, load_config
from .logs import setup_logging
from .md.melt_quench import MeltQuench, SimulationError, spec_from_config


def md_main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="vitrify-md", description="Run or resume one melt-quench from a vitrify config file."
    )
    parser.add_argument("--config", required=True, help="a complete vitrify config YAML")
    parser.add_argument("--system", required=True, help="key under `systems`")
    parser.add_argument("--model", default="classical", help="classical, sr or lr")
    parser.add_argument("--model-file", default=None, help="trained model (model.pt) for --model sr/lr")
    parser.add_argument("--device", default="auto", help="auto, cpu or cuda (ML models)")
    parser.add_argument("--dtype", default="float64", help="float32 or float64 (ML models)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (ML models)")
    parser.add_argument("--rate", type=float, required=True, help="cooling rate in K/ps")
    parser.add_argument("--replica", type=int, default=0)
    parser.add_argument("--outdir", required=True)
    parser.add_argument("--log", default=None, help="log file (appended)")
    args = parser.parse_args(argv)
    setup_logging(args.log)
    try:
        config = load_config(args.config)
        if args.system not in config["systems"]:
            raise ConfigError(args.config, "systems", args.system, f"one of {sorted(config['systems'])}")
        potential = None
        if args.model != "classical":
            if not args.model_file:
                raise ValueError(f"--model {args.model} needs --model-file (a trained model.pt)")
            from .md.mlip_driver import mlip_potential

            potential = mlip_potential(args.model_file, args.device, args.dtype, args.threads)
        spec = spec_from_config(config, args.system, args.model, args.rate, args.replica,
                                potential_id=potential.name if potential else None)
        MeltQuench(spec, args.outdir, potential=potential).run()
    except (ConfigError, SimulationError, ValueError) as exc:
        print(f"vitrify-md: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(md_main())
