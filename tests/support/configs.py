"""The repository's config files as the workflow sees them: completed with the schema's
defaults, validated, and as typed settings."""

from __future__ import annotations

import copy
from pathlib import Path

from vitrify.config import fill_defaults, load_config, load_schema
from vitrify.md.melt_quench import MeltQuench, melt_quench_run
from vitrify.settings import Settings

CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"


def config(name: str = "test") -> dict:
    """config/<name>.yaml, completed and validated (a fresh dict each call)."""
    return load_config(CONFIG_DIR / f"{name}.yaml")


def settings(name: str = "test") -> Settings:
    return Settings.from_config(config(name))


def complete(cfg: dict) -> dict:
    """A copy of a (possibly hand-edited) config dict with the schema's defaults filled in,
    not validated: tests build deliberately odd configs."""
    out = copy.deepcopy(cfg)
    fill_defaults(out, load_schema())
    return out


def melt_quench(cfg: dict, system: str, model: str, rate: float, replica: int, outdir, **kwargs) -> MeltQuench:
    """The campaign's melt-quench of `system` under config dict `cfg`, built through the
    potential factory exactly as the workflow builds it (`.spec`, `.run()`)."""
    s = Settings.from_config(complete(cfg))
    return melt_quench_run(s.systems[system], model, rate, replica, s.seed, outdir, **kwargs)
