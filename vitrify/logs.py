"""Logging for rule jobs: progress to the rule's log file and to stderr."""

from __future__ import annotations

import logging
import sys
from pathlib import Path


def setup_logging(log_path: str | Path | None = None, level: int = logging.INFO) -> None:
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_path:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_path, mode="a"))
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(message)s", handlers=handlers, force=True
    )
    # A job that dies should say why in its own log, not only in Snakemake's main output.
    def log_uncaught(exc_type, exc, tb):
        logging.getLogger("vitrify").error("%s: %s", exc_type.__name__, exc, exc_info=(exc_type, exc, tb))

    sys.excepthook = log_uncaught
