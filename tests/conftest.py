"""Shared fixtures: repository paths, the venv's tools, a loopback SLURM cluster.

Shared helpers (sample structures, labelled frames, subprocess control, configs) live in
the `tests.support` package and are imported from there."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from tests.support import slurm_cluster

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def venv_bin() -> Path:
    """Directory holding the snakemake and vitrify-md executables of this interpreter."""
    path = Path(sys.executable).parent
    assert (path / "snakemake").exists(), f"no snakemake next to {sys.executable}"
    return path


@pytest.fixture(scope="session")
def slurm():
    """A real single-node SLURM on loopback with two fake GPUs, for the whole session."""
    if os.environ.get("VITRIFY_SKIP_SLURM"):
        pytest.skip("VITRIFY_SKIP_SLURM is set")
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        pytest.skip("a local SLURM cluster needs Linux and root")
    if not slurm_cluster.is_installed() and not shutil.which("apt-get"):
        pytest.skip("SLURM is not installed and apt-get is not available")
    slurm_cluster.ensure_installed()
    cluster = slurm_cluster.LocalSlurm()
    cluster.start(timeout=120)
    try:
        yield cluster
    finally:
        cluster.stop()
