"""A real one-node Slurm cluster on this machine, for the Slurm test.

munged on a private socket and key; slurmctld and slurmd in the foreground on free ports,
with their state, spool and logs in a temporary folder; all stopped by PID afterwards.
Needs root and Debian's slurm-wlm and munge (.ci/run installs them).

The config is written to /etc/slurm/slurm.conf, the place every Slurm command on a node
reads, and removed afterwards: the executor's job step calls `srun` with every SLURM_*
variable but the job's identity removed, SLURM_CONF included, so a config elsewhere would
not be found inside the jobs. If that file exists already, this machine has a Slurm of its
own and the cluster is not started (the test is skipped, saying so).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

SYSTEM_CONFIG = Path("/etc/slurm/slurm.conf")
# First line of the config this harness writes: a leftover of a crashed test is recognised
# (and replaced), a real installation's file is not touched.
MARKER = "# Written by tests/support/slurm.py for a test cluster; removed when the test ends."
BINARIES = ("munged", "slurmctld", "slurmd", "sbatch", "squeue", "srun")


def unavailable_reason() -> str | None:
    """Why a local cluster cannot be started here, or None if it can."""
    if os.geteuid() != 0:
        return "starting slurmctld, slurmd and munged needs root"
    missing = [binary for binary in BINARIES if shutil.which(binary) is None]
    if missing:
        names = ", ".join(missing)
        return f"Slurm is not installed ({names} missing: apt-get install slurm-wlm munge)"
    if SYSTEM_CONFIG.exists() and not SYSTEM_CONFIG.read_text().startswith(MARKER):
        return f"{SYSTEM_CONFIG} exists: this machine has a Slurm of its own, left untouched"
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LocalSlurm:
    """Start with start(), stop with stop(); `jobs()` lists what Slurm ran."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.host = socket.gethostname()
        self.daemons: list[subprocess.Popen] = []
        self.munge_pid: Path = root / "munge" / "munged.pid"

    def start(self) -> None:
        for folder in ("munge", "state", "spool", "log"):
            (self.root / folder).mkdir(parents=True, exist_ok=True)
        self._start_munge()
        SYSTEM_CONFIG.parent.mkdir(parents=True, exist_ok=True)
        SYSTEM_CONFIG.write_text(self._config())
        for daemon in ("slurmctld", "slurmd"):
            log = open(self.root / "log" / f"{daemon}.out", "w")  # noqa: SIM115 (kept open)
            self.daemons.append(
                subprocess.Popen(
                    [daemon, "-D"], stdout=log, stderr=subprocess.STDOUT, start_new_session=True
                )
            )
        self._wait_until_idle()

    def stop(self) -> None:
        for daemon in reversed(self.daemons):
            daemon.send_signal(signal.SIGTERM)
        for daemon in self.daemons:
            try:
                daemon.wait(timeout=15)
            except subprocess.TimeoutExpired:
                daemon.kill()
                daemon.wait()
        if self.munge_pid.exists():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(self.munge_pid.read_text().strip()), signal.SIGTERM)
        SYSTEM_CONFIG.unlink(missing_ok=True)

    def jobs(self) -> list[tuple[str, str]]:
        """(job id, state) of every job slurmctld still knows (MinJobAge keeps ended ones)."""
        listed = subprocess.run(
            ["squeue", "--states=all", "--noheader", "--format=%i %T"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        return [tuple(line.split()) for line in listed.splitlines() if line.strip()]

    def _start_munge(self) -> None:
        key = self.root / "munge" / "munge.key"
        key.write_bytes(os.urandom(1024))
        key.chmod(0o400)
        subprocess.run(
            [
                "munged",
                "--force",
                f"--key-file={key}",
                f"--socket={self.socket}",
                f"--pid-file={self.munge_pid}",
                f"--log-file={self.root / 'log' / 'munged.log'}",
                f"--seed-file={self.root / 'munge' / 'seed'}",
            ],
            check=True,
        )

    @property
    def socket(self) -> Path:
        return self.root / "munge" / "munge.socket"

    def _config(self) -> str:
        memory_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
        return "\n".join(
            [
                MARKER,
                "ClusterName=localtest",
                f"SlurmctldHost={self.host}",
                f"SlurmctldPort={free_port()}",
                f"SlurmdPort={free_port()}",
                "AuthType=auth/munge",
                "CredType=cred/munge",
                f"AuthInfo=socket={self.socket}",
                "SlurmUser=root",
                "SlurmdUser=root",
                f"StateSaveLocation={self.root / 'state'}",
                f"SlurmdSpoolDir={self.root / 'spool'}",
                f"SlurmctldPidFile={self.root / 'slurmctld.pid'}",
                f"SlurmdPidFile={self.root / 'slurmd.pid'}",
                f"SlurmctldLogFile={self.root / 'log' / 'slurmctld.log'}",
                f"SlurmdLogFile={self.root / 'log' / 'slurmd.log'}",
                "ProctrackType=proctrack/linuxproc",
                "TaskPlugin=task/none",
                "MpiDefault=none",
                "SchedulerType=sched/builtin",
                "SelectType=select/cons_tres",
                "SelectTypeParameters=CR_Core_Memory",
                # No accounting (no slurmdbd): job states come from squeue, which lists an
                # ended job for MinJobAge seconds.
                "AccountingStorageType=accounting_storage/none",
                "JobAcctGatherType=jobacct_gather/none",
                "JobCompType=jobcomp/none",
                "MinJobAge=900",
                "ReturnToService=2",
                f"NodeName={self.host} CPUs={os.cpu_count()} RealMemory={memory_mb // 2}"
                " State=UNKNOWN",
                "PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP",
                "",
            ]
        )

    def _wait_until_idle(self, timeout_seconds: float = 60) -> None:
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            state = subprocess.run(
                ["sinfo", "--noheader", "--format=%T"], capture_output=True, text=True
            ).stdout.strip()
            if state == "idle":
                return
            time.sleep(0.5)
        logs = "\n".join(
            (self.root / "log" / name).read_text(errors="replace")[-2000:]
            for name in ("slurmctld.out", "slurmd.out")
        )
        raise RuntimeError(f"the local Slurm node did not become idle:\n{logs}")
