"""One writer per work folder: live leases make newcomers wait, dead ones are taken over."""

import json
import logging
import socket
import subprocess
import threading
import time

import pytest

from vitrify.leases import LEASE_NAME, LeaseHeld, WorkLease


def _lease(folder, **fields):
    data = {"host": socket.gethostname(), "pid": 0, "slurm_job_id": None, "started": time.time(),
            "heartbeat": time.time(), **fields}
    (folder / LEASE_NAME).write_text(json.dumps(data))


def test_lease_is_held_while_working_and_released_after(tmp_path):
    with WorkLease(tmp_path, heartbeat_s=0.05):
        held = json.loads((tmp_path / LEASE_NAME).read_text())
        first = held["heartbeat"]
        time.sleep(0.2)
        assert json.loads((tmp_path / LEASE_NAME).read_text())["heartbeat"] > first  # the heartbeat beats
    assert not (tmp_path / LEASE_NAME).exists()


def test_a_dead_writers_lease_is_taken_over(tmp_path, caplog):
    dead = subprocess.Popen(["true"])
    dead.wait()
    _lease(tmp_path, pid=dead.pid)
    with caplog.at_level(logging.WARNING, logger="vitrify.lease"):
        with WorkLease(tmp_path, label="md run"):
            pass
    assert "taking over the lease of a writer that is gone" in caplog.text and f"PID {dead.pid}" in caplog.text


def test_a_live_writer_makes_the_newcomer_wait_then_refuse_naming_it(tmp_path):
    holder = subprocess.Popen(["sleep", "30"])
    try:
        _lease(tmp_path, pid=holder.pid, slurm_job_id="4242")
        with pytest.raises(LeaseHeld, match=rf"host {socket.gethostname()} PID {holder.pid}, SLURM job 4242"):
            with WorkLease(tmp_path, wait_s=0.5, poll_s=0.1):
                pass
    finally:
        holder.kill()
        holder.wait()


def test_the_newcomer_resumes_once_the_holder_releases(tmp_path, caplog):
    holder = subprocess.Popen(["sleep", "30"])
    _lease(tmp_path, pid=holder.pid)
    threading.Timer(0.5, lambda: (tmp_path / LEASE_NAME).unlink()).start()
    try:
        with caplog.at_level(logging.WARNING, logger="vitrify.lease"):
            t0 = time.time()
            with WorkLease(tmp_path, poll_s=0.1):
                assert time.time() - t0 >= 0.4
        assert "waiting for it to finish" in caplog.text
    finally:
        holder.kill()
        holder.wait()


def test_a_silent_lease_is_dead_even_if_its_pid_was_reused(tmp_path):
    _lease(tmp_path, pid=1, heartbeat=time.time() - 3600)  # PID 1 is always alive
    with WorkLease(tmp_path, stale_after_s=60, wait_s=0.5, poll_s=0.1):
        pass


def test_another_hosts_lease_is_judged_by_its_heartbeat(tmp_path):
    _lease(tmp_path, host="elsewhere", pid=1, heartbeat=time.time())
    with pytest.raises(LeaseHeld, match="host elsewhere"):
        with WorkLease(tmp_path, stale_after_s=60, wait_s=0.3, poll_s=0.1):
            pass
    _lease(tmp_path, host="elsewhere", pid=1, heartbeat=time.time() - 3600)
    with WorkLease(tmp_path, stale_after_s=60, wait_s=0.3, poll_s=0.1):
        pass
