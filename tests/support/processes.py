"""Subprocesses of the tests: whole process groups under a hard timeout, and SIGKILL at a checkpoint."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest


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
