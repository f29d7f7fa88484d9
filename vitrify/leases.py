"""One writer per checkpoint folder: a lease with host, PID, SLURM job id and a heartbeat.

On a cluster the Snakemake controller can die while its SLURM jobs keep running; a rerun
then submits the same job again. The new instance must not write into the folder the old
one still writes. Each long job holds `lease.json` in its work folder while it runs:

* a live lease (its holder's heartbeat is recent, or its process is alive on this host,
  or its SLURM job is still queued or running) makes the newcomer wait, saying who holds
  it, until the lease is released; then it resumes from the checkpoints the holder left
  (usually: the finished run, so it only rewrites the outputs);
* a dead lease (no heartbeat for `stale_after_s`, process gone, job ended) is taken over,
  and the log says so.

The heartbeat is rewritten by a background thread every `heartbeat_s` seconds.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import threading
import time
from pathlib import Path

from .files import read_json, write_json

log = logging.getLogger("vitrify.lease")

LEASE_NAME = "lease.json"


class LeaseHeld(RuntimeError):
    """Another live process holds the lease and did not release it in time."""


def _describe(lease: dict) -> str:
    job = f", SLURM job {lease['slurm_job_id']}" if lease.get("slurm_job_id") else ""
    return f"host {lease.get('host')} PID {lease.get('pid')}{job}, heartbeat {time.time() - lease.get('heartbeat', 0):.0f} s ago"


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _slurm_job_alive(job_id: str) -> bool | None:
    """True/False when squeue answers, None when it cannot be asked."""
    try:
        res = subprocess.run(["squeue", "-h", "-j", str(job_id), "-o", "%T"], capture_output=True, text=True,
                             timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if res.returncode != 0:
        return False if "Invalid job id" in res.stderr else None
    return bool(res.stdout.strip()) and res.stdout.split()[0] not in ("COMPLETED", "FAILED", "CANCELLED", "TIMEOUT")


def lease_is_live(lease: dict, stale_after_s: float) -> bool:
    if lease.get("host") == socket.gethostname():
        # On this host the process table is the truth; a PID reused by another program
        # is caught by the heartbeat going stale.
        return _process_alive(int(lease.get("pid", -1))) and time.time() - lease.get("heartbeat", 0) < stale_after_s
    if lease.get("slurm_job_id"):
        alive = _slurm_job_alive(lease["slurm_job_id"])
        if alive is not None:
            return alive
    return time.time() - lease.get("heartbeat", 0) < stale_after_s


class WorkLease:
    """Hold the lease on `folder` for the life of a `with` block."""

    def __init__(self, folder: str | Path, label: str = "", heartbeat_s: float = 30.0, stale_after_s: float = 300.0,
                 wait_s: float = 7 * 24 * 3600.0, poll_s: float = 5.0):
        self.path = Path(folder) / LEASE_NAME
        self.label = label or str(folder)
        self.heartbeat_s, self.stale_after_s = heartbeat_s, stale_after_s
        self.wait_s, self.poll_s = wait_s, poll_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.me = {"host": socket.gethostname(), "pid": os.getpid(),
                   "slurm_job_id": os.environ.get("SLURM_JOB_ID"), "started": time.time()}

    def _holder(self) -> dict | None:
        try:
            return read_json(self.path)
        except (FileNotFoundError, ValueError):
            return None

    def _write(self) -> None:
        write_json(self.path, {**self.me, "heartbeat": time.time()})

    def __enter__(self) -> "WorkLease":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.time() + self.wait_s
        said = False
        while True:
            holder = self._holder()
            if holder is None or (holder.get("host"), holder.get("pid")) == (self.me["host"], self.me["pid"]):
                break
            if not lease_is_live(holder, self.stale_after_s):
                log.warning("%s: taking over the lease of a writer that is gone (%s)", self.label, _describe(holder))
                break
            if time.time() > deadline:
                raise LeaseHeld(f"{self.label}: {self.path.parent} is still being written by {_describe(holder)}")
            if not said:
                log.warning("%s: another job writes %s (%s): waiting for it to finish, then resuming from its "
                            "checkpoints", self.label, self.path.parent, _describe(holder))
                said = True
            time.sleep(self.poll_s)
        self._write()
        self._thread = threading.Thread(target=self._beat, name="lease-heartbeat", daemon=True)
        self._thread.start()
        return self

    def _beat(self) -> None:
        while not self._stop.wait(self.heartbeat_s):
            try:
                self._write()
            except OSError as exc:  # a full disk must not kill the job; the lease just ages
                log.warning("%s: lease heartbeat not written: %s", self.label, exc)

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        holder = self._holder()
        if holder is not None and (holder.get("host"), holder.get("pid")) == (self.me["host"], self.me["pid"]):
            self.path.unlink(missing_ok=True)
