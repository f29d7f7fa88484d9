"""After a crash of the whole workflow, the README's command carries on by itself, and a
second run on a live directory is refused with the holder named."""

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from tests.support.processes import run_group
from vitrify.paths import Layout

pytestmark = pytest.mark.e2e

P = Layout("crash")
CONFIG = "config/crash.yaml"
COPY_IGNORE = shutil.ignore_patterns(".venv", ".git", "results", "logs", ".snakemake", "benchmarks/*/",
                                     "__pycache__", "*.egg-info", ".pytest_cache")
TARGET = P.md_file("run.json", "cuzr", "classical", 2000, 0)


@pytest.fixture
def clone(repo, venv_bin, tmp_path):
    """A copy of the repository sharing the tested venv (VITRIFY_SKIP_INSTALL), with
    config/crash.yaml: the test config whose CuZr MD is long enough (about half a minute)
    for a kill to land inside it; the test config's takes about a second, and a kill a
    second after its first restart file could land after Snakemake had finished."""
    path = tmp_path / "vitrify"
    shutil.copytree(repo, path, symlinks=True, ignore=COPY_IGNORE)
    (path / ".venv").symlink_to(Path(venv_bin).parent)
    cfg = yaml.safe_load((repo / "config" / "test.yaml").read_text())
    cfg["run_name"] = "crash"
    for seg in cfg["systems"]["cuzr"]["protocol"]:
        if "duration_ps" in seg:
            seg["duration_ps"] *= 20
    cfg["systems"]["cuzr"]["md"]["restart_interval_ps"] = 2.0
    (path / CONFIG).write_text(yaml.safe_dump(cfg, sort_keys=False))
    return path


def _env():
    return {**os.environ, "VITRIFY_SKIP_INSTALL": "1"}


def _start(clone, *args):
    # Targets before --configfile: Snakemake reads what follows --configfile as config files.
    return subprocess.Popen(["./vitrify.sh", "run", *args, "--configfile", CONFIG], cwd=clone,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=_env(),
                            start_new_session=True)


def _wait_for(predicate, proc, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        assert proc.poll() is None, proc.communicate()[0][-3000:]
        time.sleep(0.1)
    pytest.fail("timed out waiting")


def test_plain_rerun_after_sigkill_of_the_whole_run(clone):
    restarts = clone / P.md_dir("cuzr", "classical", 2000, 0) / "work" / "restart"
    proc = _start(clone, TARGET)
    _wait_for(lambda: len(list(restarts.glob("restart.*.lmp"))) >= 1 and any((clone / ".snakemake" / "locks").glob("*")),
              proc, timeout=240)
    time.sleep(1.0)
    os.killpg(proc.pid, signal.SIGKILL)  # the whole process group, as a reboot or the OOM killer would
    proc.wait()
    assert any((clone / ".snakemake" / "locks").glob("*.lock")), "the kill should leave Snakemake's lock behind"
    res = run_group(["./vitrify.sh", "run", TARGET, "--configfile", CONFIG], timeout=600, cwd=clone,
                    env=_env())
    assert res.returncode == 0, res.stdout[-4000:]
    assert "stale Snakemake lock" in res.stdout
    log = (clone / P.log("md_melt_quench", "cuzr_classical_rate2000_rep0")).read_text()
    assert "resuming from restart at step" in log
    dry = run_group(["./vitrify.sh", "run", TARGET, "-n", "--configfile", CONFIG], timeout=300,
                    cwd=clone, env=_env())
    assert "Nothing to be done" in dry.stdout, dry.stdout[-3000:]


def test_second_run_on_a_live_directory_is_refused_with_the_holder_named(clone):
    first = _start(clone, TARGET)
    owner = clone / ".snakemake" / "vitrify-run.owner"
    try:
        _wait_for(owner.exists, first, timeout=120)
        second = run_group(["./vitrify.sh", "run", "--configfile", CONFIG, "-n"], timeout=120, cwd=clone,
                           env=_env())
        assert second.returncode == 75, second.stdout[-2000:]
        assert f"pid {first.pid}" in second.stdout and "another run is using this directory" in second.stdout
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
