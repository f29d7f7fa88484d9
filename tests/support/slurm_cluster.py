"""A real single-node SLURM cluster on loopback, for tests.

Starts munged, slurmctld and slurmd (Debian slurm 22.05) on 127.0.0.1 with a
node named after ``hostname -s`` that carries two fake GPUs (``gpu:fake:2``,
backed by character devices), and two partitions over that node: ``cpu``
(default) and ``gpu``.  Only the daemons started here are ever stopped, by the
PIDs recorded at start (also written to a state file so that a later process
can stop them: ``python -m tests.support.slurm_cluster start|stop|status``).

Standard library only.  Needs root (it writes /etc/slurm/slurm.conf, which is
where the config MUST live: the executor plugin's job step strips SLURM_CONF).

Talking to SLURM can hang; every command run here has a hard timeout.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

MARKER = "# written by vitrify tests/slurm_cluster.py"
ENV_MARKER = "VITRIFY_SLURM_HARNESS"  # set in the environment of our daemons

PACKAGES = ("slurmctld", "slurmd", "slurm-client", "munge")
SLURM_CONF = Path("/etc/slurm/slurm.conf")
GRES_CONF = Path("/etc/slurm/gres.conf")
DEFAULT_BASE_DIR = Path("/var/tmp/vitrify-slurm")
MUNGE_KEY = Path("/etc/munge/munge.key")
MUNGE_RUN_DIR = Path("/run/munge")
MUNGE_SOCKET = MUNGE_RUN_DIR / "munge.socket.2"

DAEMONS = ("munged", "slurmctld", "slurmd")


class SlurmHarnessError(RuntimeError):
    """The local SLURM cluster could not be installed, started or stopped."""


# --------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------


def _run(cmd, timeout=30, check=False, **kw):
    """Run a command (list) with a hard timeout; never raise on timeout."""
    try:
        return subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout, check=check, **kw
        )
    except subprocess.TimeoutExpired as e:
        return subprocess.CompletedProcess(
            cmd, 124, stdout=e.stdout or "", stderr=f"timed out after {timeout}s"
        )


def _require_root(what: str) -> None:
    if os.geteuid() != 0:
        raise SlurmHarnessError(
            f"{what} needs root (it installs Debian packages, writes "
            f"/etc/slurm/slurm.conf and starts munged/slurmctld/slurmd); "
            f"running as uid {os.geteuid()}."
        )


def _short_hostname() -> str:
    out = _run(["hostname", "-s"], timeout=10)
    name = out.stdout.strip() if out.returncode == 0 else ""
    return name or socket.gethostname().split(".")[0]


def _proc_start_time(pid: int) -> int | None:
    """Start time (clock ticks since boot) of a live process, else None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # comm may contain spaces/parentheses: split after the last ')'
    fields = stat[stat.rindex(")") + 2 :].split()
    if fields[0] == "Z":  # zombie: as good as gone
        return None
    return int(fields[19])


def _proc_comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _proc_has_env_marker(pid: int) -> bool:
    try:
        env = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return False
    return any(e.startswith(ENV_MARKER.encode() + b"=") for e in env)


def _pids_named(name: str) -> list[int]:
    pids = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit() and _proc_comm(int(d.name)) == name:
            if _proc_start_time(int(d.name)) is not None:
                pids.append(int(d.name))
    return sorted(pids)


def _alive(pid: int, start_time: int | None) -> bool:
    st = _proc_start_time(pid)
    return st is not None and (start_time is None or st == start_time)


def _mem_total_mb() -> int:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        pass
    return 1 << 30


def _tail(path: Path, n: int = 40) -> str:
    try:
        lines = Path(path).read_text(errors="replace").splitlines()
    except OSError as e:
        return f"<cannot read {path}: {e}>"
    return "\n".join(lines[-n:])


def _write_if_changed(path: Path, text: str, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != text:
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(text)
        tmp.chmod(mode)
        tmp.replace(path)


def _written_by_us(path: Path) -> bool:
    try:
        return MARKER in path.read_text(errors="replace").splitlines()
    except OSError:
        return False


# --------------------------------------------------------------------------
# installation
# --------------------------------------------------------------------------


def _missing_packages() -> list[str]:
    missing = []
    for pkg in PACKAGES:
        out = _run(["dpkg-query", "-W", "-f=${Status}", pkg], timeout=30)
        if out.returncode != 0 or "install ok installed" not in out.stdout:
            missing.append(pkg)
    return missing


def is_installed() -> bool:
    return not _missing_packages() and all(
        shutil.which(b) for b in ("slurmctld", "slurmd", "sinfo", "munged")
    )


def ensure_installed(timeout: int = 600) -> None:
    """Install slurmctld, slurmd, slurm-client and munge if missing."""
    missing = _missing_packages()
    if not missing:
        return
    _require_root("ensure_installed()")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for cmd in (
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "--no-install-recommends", *PACKAGES],
    ):
        out = _run(cmd, timeout=timeout, env=env)
        if out.returncode != 0:
            raise SlurmHarnessError(
                f"`{' '.join(cmd)}` failed (rc {out.returncode}):\n"
                f"{out.stdout[-3000:]}\n{out.stderr[-3000:]}"
            )
    still = _missing_packages()
    if still:
        raise SlurmHarnessError(f"packages still missing after install: {still}")


# --------------------------------------------------------------------------
# the cluster
# --------------------------------------------------------------------------


class LocalSlurm:
    """A one-node SLURM cluster on 127.0.0.1 with fake GPUs.

    Use as a context manager, or call start()/stop().
    """

    def __init__(
        self,
        base_dir: str | os.PathLike = DEFAULT_BASE_DIR,
        cpus: int = 2,
        real_memory_mb: int = 16000,
        def_mem_per_cpu_mb: int = 1000,
        gpus: int = 2,
        min_job_age: int = 600,
        cluster_name: str = "vitrify",
    ):
        self.base_dir = Path(base_dir)
        self.node = _short_hostname()
        self.node_addr = "127.0.0.1"
        self.cpus = max(1, min(cpus, os.cpu_count() or cpus))
        self.real_memory_mb = min(real_memory_mb, int(0.75 * _mem_total_mb()))
        self.def_mem_per_cpu_mb = def_mem_per_cpu_mb
        self.gpus = gpus
        self.gpu_type = "fake"
        self.min_job_age = min_job_age
        self.cluster_name = cluster_name
        self.partitions = ("cpu", "gpu")
        self.default_partition = "cpu"
        self.gpu_partition = "gpu"
        self.slurm_conf = SLURM_CONF
        self.gres_conf = GRES_CONF
        self.state_dir = self.base_dir / "state"
        self.spool_dir = self.base_dir / "spool"
        self.log_dir = self.base_dir / "log"
        self.dev_dir = self.base_dir / "dev"
        self.run_dir = self.base_dir / "run"
        self.state_file = self.base_dir / "harness.json"
        self.gpu_devices: list[str] = []
        # name -> {"pid": int, "start": int}; only daemons started by us
        self.procs: dict[str, dict] = {}
        self.startup_seconds: float | None = None

    # -- public API --------------------------------------------------------

    def __enter__(self) -> "LocalSlurm":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def log_files(self) -> dict[str, Path]:
        return {
            "munged": self.log_dir / "munged.log",
            "slurmctld": self.log_dir / "slurmctld.log",
            "slurmd": self.log_dir / "slurmd.log",
        }

    def env(self) -> dict[str, str]:
        """An environment for calling SLURM clients (no stray SLURM_* vars)."""
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("SLURM_", "SBATCH_", "SRUN_", "SQUEUE_"))
        }
        env["SLURM_CONF"] = str(self.slurm_conf)
        return env

    def start(self, timeout: float = 120) -> "LocalSlurm":
        t0 = time.monotonic()
        _require_root("LocalSlurm.start()")
        ensure_installed()
        self._check_foreign_config()
        self._cleanup_leftovers()
        self._check_foreign_daemons()
        try:
            self._prepare_dirs()
            self._make_gpu_devices()
            self._write_configs()
            self._start_munge(timeout)
            self._start_daemon(
                "slurmctld", ["/usr/sbin/slurmctld", "-D", "-i", "-f", str(SLURM_CONF)]
            )
            self._start_daemon(
                "slurmd", ["/usr/sbin/slurmd", "-D", "-f", str(SLURM_CONF)]
            )
            self._wait_idle(t0 + timeout)
        except BaseException:
            self.stop()  # never leave half a cluster behind
            raise
        self.startup_seconds = time.monotonic() - t0
        self._save_state()
        return self

    def stop(self, timeout: float = 30) -> None:
        """Stop the daemons this harness started (by recorded PID) and nothing else."""
        if not self.procs and self.state_file.exists():
            self._load_state()
        if not self.procs:
            return
        if any(
            name in self.procs and _alive(**self._pidinfo(name))
            for name in ("slurmctld",)
        ):
            # our cluster: every job on it is ours; let slurmstepd clean up
            out = _run(["squeue", "-h", "-o", "%i"], timeout=10, env=self.env())
            ids = out.stdout.split() if out.returncode == 0 else []
            if ids:
                _run(["scancel", "--quiet", *ids], timeout=10, env=self.env())
            self._wait_jobs_gone(10)
        # stop in reverse order: slurmd, slurmctld, munged
        for name in reversed(DAEMONS):
            if name not in self.procs:
                continue
            info = self._pidinfo(name)
            if _alive(**info):
                try:
                    os.kill(info["pid"], signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + timeout
        for name in reversed(DAEMONS):
            if name not in self.procs:
                continue
            info = self._pidinfo(name)
            while _alive(**info) and time.monotonic() < deadline:
                self._reap(info["pid"])
                time.sleep(0.1)
            if _alive(**info):
                try:
                    os.kill(info["pid"], signal.SIGKILL)
                except ProcessLookupError:
                    pass
                for _ in range(50):
                    self._reap(info["pid"])
                    if not _alive(**info):
                        break
                    time.sleep(0.1)
            self._reap(info["pid"])
        still = [n for n in self.procs if _alive(**self._pidinfo(n))]
        self.procs = {}
        try:
            self.state_file.unlink()
        except FileNotFoundError:
            pass
        self._remove_configs()
        if still:
            raise SlurmHarnessError(f"could not stop: {still}")

    def _remove_configs(self) -> None:
        """Take away the config files this harness wrote. Left behind with no controller,
        every SLURM client call (the Snakemake SLURM plugin runs `scontrol show config`
        even for local runs) retries the dead controller for ~10 s."""
        for path in (SLURM_CONF, GRES_CONF):
            if path.exists() and _written_by_us(path):
                path.unlink()

    def status(self) -> dict:
        if not self.procs and self.state_file.exists():
            self._load_state()
        daemons = {
            n: {**self._pidinfo(n), "alive": _alive(**self._pidinfo(n))}
            for n in self.procs
        }
        sinfo = None
        if shutil.which("sinfo") and SLURM_CONF.exists():
            out = _run(
                ["sinfo", "-h", "-N", "-o", "%N %P %T %G"], timeout=10, env=self.env()
            )
            sinfo = (out.stdout + out.stderr).strip()
        return {"daemons": daemons, "sinfo": sinfo, "base_dir": str(self.base_dir)}

    def describe(self) -> dict:
        return {
            "node": self.node,
            "node_addr": self.node_addr,
            "cpus": self.cpus,
            "real_memory_mb": self.real_memory_mb,
            "def_mem_per_cpu_mb": self.def_mem_per_cpu_mb,
            "gpus": self.gpus,
            "gpu_type": self.gpu_type,
            "gpu_devices": self.gpu_devices,
            "partitions": list(self.partitions),
            "default_partition": self.default_partition,
            "gpu_partition": self.gpu_partition,
            "min_job_age": self.min_job_age,
            "slurm_conf": str(self.slurm_conf),
            "base_dir": str(self.base_dir),
            "log_files": {k: str(v) for k, v in self.log_files.items()},
        }

    # -- safety checks -----------------------------------------------------

    def _check_foreign_config(self) -> None:
        for path in (SLURM_CONF, GRES_CONF):
            if path.exists() and not _written_by_us(path):
                raise SlurmHarnessError(
                    f"{path} exists and was not written by this harness (no line "
                    f"'{MARKER}'); refusing to overwrite it. Move it away to use "
                    "the test cluster."
                )

    def _cleanup_leftovers(self) -> None:
        """Stop daemons left over by an earlier run of this harness."""
        if self.state_file.exists():
            old = LocalSlurm(self.base_dir)
            old._load_state()
            try:
                old.stop()
            except SlurmHarnessError:
                pass
        # state file lost: our daemons still carry the environment marker
        marker_ok = _written_by_us(SLURM_CONF) or not SLURM_CONF.exists()
        for name in ("slurmd", "slurmctld", "munged"):
            for pid in _pids_named(name):
                if marker_ok and _proc_has_env_marker(pid):
                    self._terminate_pid(pid)

    def _check_foreign_daemons(self) -> None:
        foreign = {
            name: _pids_named(name)
            for name in ("slurmctld", "slurmd")
            if _pids_named(name)
        }
        if foreign:
            raise SlurmHarnessError(
                "SLURM daemons not started by this harness are running "
                f"{foreign}; refusing to start a second cluster. Stop them first."
            )

    # -- setup ---------------------------------------------------------------

    def _prepare_dirs(self) -> None:
        for d in (self.state_dir, self.spool_dir, self.log_dir, self.run_dir):
            if d.exists():
                shutil.rmtree(d)
        for d in (
            self.base_dir,
            self.state_dir,
            self.spool_dir,
            self.log_dir,
            self.dev_dir,
            self.run_dir,
        ):
            d.mkdir(parents=True, exist_ok=True)
        self.base_dir.chmod(0o755)

    def _make_gpu_devices(self) -> None:
        """Character devices for gres.conf File= (plain files do not work)."""
        devs = []
        for i in range(self.gpus):
            p = self.dev_dir / f"nvidia{i}"
            if p.exists() and not p.is_char_device():
                p.unlink()
            if not p.exists():
                try:
                    os.mknod(p, 0o666 | 0o020000, os.makedev(1, 3))
                except OSError:
                    break
            devs.append(str(p))
        if len(devs) < self.gpus:
            # mknod not allowed here: fall back to existing char devices
            fallback = [
                "/dev/null",
                "/dev/zero",
                "/dev/full",
                "/dev/random",
                "/dev/urandom",
            ]
            if self.gpus > len(fallback):
                raise SlurmHarnessError("cannot create enough fake GPU devices")
            devs = fallback[: self.gpus]
        self.gpu_devices = devs

    def slurm_conf_text(self) -> str:
        gres = f"gpu:{self.gpu_type}:{self.gpus}" if self.gpus else ""
        node_line = (
            f"NodeName={self.node} NodeAddr={self.node_addr} "
            f"NodeHostname={self.node} CPUs={self.cpus} "
            f"RealMemory={self.real_memory_mb} State=UNKNOWN"
            + (f" Gres={gres}" if gres else "")
        )
        lines = [
            MARKER,
            "# A throw-away single-node test cluster; safe to delete.",
            f"ClusterName={self.cluster_name}",
            f"SlurmctldHost={self.node}({self.node_addr})",
            "SlurmUser=root",
            "SlurmdUser=root",
            "AuthType=auth/munge",
            "CredType=cred/munge",
            "MpiDefault=none",
            "SwitchType=switch/none",
            "ProctrackType=proctrack/linuxproc",
            "TaskPlugin=task/affinity",
            "JobAcctGatherType=jobacct_gather/none",
            "AccountingStorageType=accounting_storage/none",
            "JobCompType=jobcomp/none",
            "SchedulerType=sched/backfill",
            "SelectType=select/cons_tres",
            "SelectTypeParameters=CR_Core_Memory",
            f"DefMemPerCPU={self.def_mem_per_cpu_mb}",
            f"MinJobAge={self.min_job_age}",
            "ReturnToService=2",
            "InactiveLimit=0",
            "KillWait=5",
            "Waittime=0",
            "SlurmctldTimeout=30",
            "SlurmdTimeout=60",
            "SlurmctldPort=6817",
            "SlurmdPort=6818",
            "GresTypes=gpu" if self.gpus else "",
            f"StateSaveLocation={self.state_dir}",
            f"SlurmdSpoolDir={self.spool_dir}",
            f"SlurmctldPidFile={self.run_dir}/slurmctld.pid",
            f"SlurmdPidFile={self.run_dir}/slurmd.pid",
            f"SlurmctldLogFile={self.log_files['slurmctld']}",
            f"SlurmdLogFile={self.log_files['slurmd']}",
            "SlurmctldDebug=info",
            "SlurmdDebug=info",
            node_line,
            f"PartitionName=cpu Nodes={self.node} Default=YES "
            "MaxTime=INFINITE State=UP",
            f"PartitionName=gpu Nodes={self.node} Default=NO "
            "MaxTime=INFINITE State=UP",
        ]
        return "\n".join(line for line in lines if line) + "\n"

    def gres_conf_text(self) -> str:
        lines = [MARKER, "AutoDetect=off"]
        for dev in self.gpu_devices:
            lines.append(
                f"NodeName={self.node} Name=gpu Type={self.gpu_type} File={dev}"
            )
        return "\n".join(lines) + "\n"

    def _write_configs(self) -> None:
        _write_if_changed(SLURM_CONF, self.slurm_conf_text())
        _write_if_changed(GRES_CONF, self.gres_conf_text())

    # -- daemons -------------------------------------------------------------

    def _daemon_env(self) -> dict[str, str]:
        env = {
            "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "LANG": "C.UTF-8",
            "HOME": "/root",
            ENV_MARKER: str(self.base_dir),
        }
        return env

    def _munge_works(self) -> bool:
        if not MUNGE_SOCKET.exists():
            return False
        enc = _run(["munge", "-n"], timeout=10)
        if enc.returncode != 0:
            return False
        dec = _run(["unmunge"], timeout=10, input=enc.stdout)
        return dec.returncode == 0

    def _start_munge(self, timeout: float) -> None:
        if self._munge_works():
            return  # a working munged (not ours) is reused, and left alone
        import pwd
        import grp

        try:
            uid = pwd.getpwnam("munge").pw_uid
            gid = grp.getgrnam("munge").gr_gid
        except KeyError as e:
            raise SlurmHarnessError(f"no munge user/group: {e}")
        if not MUNGE_KEY.exists():
            for cmd in (
                ["mungekey", "--create", "--keyfile", str(MUNGE_KEY)],
                ["create-munge-key", "-f"],
            ):
                if shutil.which(cmd[0]):
                    out = _run(cmd, timeout=60)
                    if out.returncode == 0 and MUNGE_KEY.exists():
                        break
            if not MUNGE_KEY.exists():
                raise SlurmHarnessError(f"could not create {MUNGE_KEY}")
        os.chown(MUNGE_KEY, uid, gid)
        MUNGE_KEY.chmod(0o600)
        os.chown(MUNGE_KEY.parent, uid, gid)
        MUNGE_KEY.parent.chmod(0o700)
        for d, mode in (
            (MUNGE_RUN_DIR, 0o755),
            (Path("/var/lib/munge"), 0o700),
            (Path("/var/log/munge"), 0o700),
        ):
            d.mkdir(parents=True, exist_ok=True)
            os.chown(d, uid, gid)
            d.chmod(mode)
        self._start_daemon(
            "munged",
            ["/usr/sbin/munged", "--foreground", "--force", f"--socket={MUNGE_SOCKET}"],
            user=uid,
            group=gid,
            extra_groups=[],
        )
        deadline = time.monotonic() + min(timeout, 30)
        while time.monotonic() < deadline:
            if self._munge_works():
                return
            if not _alive(**self._pidinfo("munged")):
                break
            time.sleep(0.2)
        raise SlurmHarnessError("munged did not come up.\n" + self._log_report())

    def _start_daemon(self, name: str, cmd: list[str], **kw) -> None:
        log = open(self.log_files[name].with_suffix(".stdout"), "ab")
        try:
            proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self._daemon_env(),
                cwd=str(self.base_dir),
                start_new_session=True,
                close_fds=True,
                **kw,
            )
        finally:
            log.close()
        self._popen = getattr(self, "_popen", {})
        self._popen[proc.pid] = proc
        start = None
        for _ in range(50):
            start = _proc_start_time(proc.pid)
            if start is not None:
                break
            time.sleep(0.02)
        self.procs[name] = {"pid": proc.pid, "start": start}
        self._save_state()

    def _wait_idle(self, deadline: float) -> None:
        last = ""
        while time.monotonic() < deadline:
            for name in self.procs:
                if not _alive(**self._pidinfo(name)):
                    raise SlurmHarnessError(
                        f"{name} exited during startup.\n" + self._log_report()
                    )
            out = _run(
                ["sinfo", "-h", "-N", "-n", self.node, "-o", "%T"],
                timeout=10,
                env=self.env(),
            )
            last = (out.stdout + out.stderr).strip()
            states = set(out.stdout.split())
            if out.returncode == 0 and states and states <= {"idle"}:
                return
            if out.returncode == 0 and states & {
                "drained",
                "draining",
                "down",
                "down*",
                "drained*",
                "inval",
            }:
                reason = _run(["sinfo", "-h", "-R"], timeout=10, env=self.env())
                if "Not responding" not in reason.stdout:
                    _run(
                        ["scontrol", "update", f"NodeName={self.node}", "State=RESUME"],
                        timeout=10,
                        env=self.env(),
                    )
            time.sleep(0.5)
        raise SlurmHarnessError(
            f"node {self.node} did not become idle in time (last sinfo: {last!r}).\n"
            + self._log_report()
        )

    def _log_report(self) -> str:
        parts = []
        for name, path in self.log_files.items():
            for p in (path, path.with_suffix(".stdout")):
                if p.exists():
                    parts.append(f"--- {p} (tail) ---\n{_tail(p)}")
        return "\n".join(parts)

    # -- bookkeeping ---------------------------------------------------------

    def _pidinfo(self, name: str) -> dict:
        info = self.procs.get(name, {})
        return {"pid": info.get("pid", -1), "start_time": info.get("start")}

    def _reap(self, pid: int) -> None:
        proc = getattr(self, "_popen", {}).get(pid)
        if proc is not None:
            proc.poll()
        else:
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass

    def _terminate_pid(self, pid: int, timeout: float = 15) -> None:
        start = _proc_start_time(pid)
        if start is None:
            return
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + timeout
        while _alive(pid, start) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _alive(pid, start):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def _wait_jobs_gone(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            out = _run(
                [
                    "squeue",
                    "-h",
                    "-t",
                    "RUNNING,PENDING,COMPLETING,CONFIGURING",
                    "-o",
                    "%i",
                ],
                timeout=10,
                env=self.env(),
            )
            if out.returncode != 0 or not out.stdout.strip():
                return
            time.sleep(0.5)

    def _save_state(self) -> None:
        self.base_dir.mkdir(parents=True, exist_ok=True)
        data = {"procs": self.procs, **self.describe()}
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1))
        tmp.replace(self.state_file)

    def _load_state(self) -> None:
        try:
            data = json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return
        expected = {"munged": "munged", "slurmctld": "slurmctld", "slurmd": "slurmd"}
        procs = {}
        for name, info in data.get("procs", {}).items():
            pid = info.get("pid")
            # only trust a PID that still names the same program and start time
            if (
                isinstance(pid, int)
                and name in expected
                and _proc_comm(pid) == expected[name]
                and _alive(pid, info.get("start"))
            ):
                procs[name] = info
        self.procs = procs
        self.gpu_devices = data.get("gpu_devices", self.gpu_devices)


# --------------------------------------------------------------------------
# command line
# --------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("action", choices=["start", "stop", "status", "install"])
    ap.add_argument("--base-dir", default=str(DEFAULT_BASE_DIR))
    ap.add_argument("--timeout", type=float, default=120)
    args = ap.parse_args(argv)
    cluster = LocalSlurm(args.base_dir)
    try:
        if args.action == "install":
            ensure_installed()
        elif args.action == "start":
            cluster.start(timeout=args.timeout)
            print(
                f"started in {cluster.startup_seconds:.1f}s: "
                + json.dumps({"procs": cluster.procs, **cluster.describe()}, indent=1)
            )
        elif args.action == "stop":
            cluster.stop()
            print("stopped")
        else:
            print(json.dumps(cluster.status(), indent=1))
    except SlurmHarnessError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
