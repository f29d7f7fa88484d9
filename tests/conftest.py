"""Shared fixtures: repository paths, the venv's tools, a loopback SLURM cluster."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
sys.path.insert(0, str(TESTS))

import slurm_cluster  # noqa: E402


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def venv_bin() -> Path:
    """Directory holding the snakemake and vitrify-md executables of this interpreter."""
    path = Path(sys.executable).parent
    assert (path / "snakemake").exists(), f"no snakemake next to {sys.executable}"
    return path


def run_group(cmd, timeout, **kw) -> subprocess.CompletedProcess:
    """Run `cmd` in its own process group; kill the whole group if it overruns."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True, **kw)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        pytest.fail(f"timed out after {timeout} s: {' '.join(map(str, cmd))}\n{out[-6000:]}")
    return subprocess.CompletedProcess(cmd, proc.returncode, out, "")


def sigkill_after_restart(cmd, outdir: Path, step: int, timeout: float) -> None:
    """Start a `vitrify-md` run and SIGKILL it once it has a restart file at or past `step`."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    restarts = Path(outdir) / "work" / "restart"
    deadline = time.time() + timeout
    while time.time() < deadline:
        steps = [int(p.name.split(".")[1]) for p in restarts.glob("restart.*.lmp")] if restarts.exists() else []
        if steps and max(steps) >= step:
            break
        assert proc.poll() is None, "run finished before it could be killed"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


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
