"""Process hygiene for the worker pool: workers die with the server, and a restarted server ends the
workers a killed one left behind before it resumes their jobs.

- Every worker asks the kernel for SIGTERM when its parent dies (``prctl(PR_SET_PDEATHSIG)``, Linux);
  the kernel sends it when the *thread* that started the worker ends, so the runner starts workers
  from one long-lived thread only (its dispatcher).
- SIGTERM in a worker raises ``WorkerStopping`` in the job: the sandbox child of an ingest in flight is
  killed by ``ingest_sandboxed``'s own clean-up, the job's row goes back to ``queued``, the worker exits.
- Every worker registers itself in ``<data dir>/run/worker-<pid>.json`` (pid and kernel start time, so
  a reused pid is never mistaken for it); the next server start kills the registered ones still alive.
"""
from __future__ import annotations

import ctypes
import json
import logging
import os
import signal
import threading
from pathlib import Path
from typing import Optional

log = logging.getLogger("plangap.processes")

PR_SET_PDEATHSIG = 1
HARD_EXIT_AFTER_S = 10     # a worker stuck in C code after SIGTERM is ended anyway


class WorkerStopping(BaseException):
    """The worker was told to stop (server shutdown, or its parent died): not a failure of the job."""


def set_parent_death_signal(signum: int = signal.SIGTERM) -> bool:
    """Ask the kernel to send ``signum`` to this process when its parent dies. False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _on_sigterm(_signum, _frame) -> None:
    def hard_exit() -> None:
        os._exit(143)

    timer = threading.Timer(HARD_EXIT_AFTER_S, hard_exit)
    timer.daemon = True
    timer.start()
    raise WorkerStopping()


def start_time(pid: int) -> Optional[str]:
    """The kernel's start time of ``pid`` (field 22 of /proc/<pid>/stat), None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def init_worker(run_dir: Optional[str], parent_pid: int) -> None:
    """Initializer of a pool worker process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C goes to the server, which stops the pool
    signal.signal(signal.SIGTERM, _on_sigterm)
    set_parent_death_signal(signal.SIGTERM)
    if os.getppid() != parent_pid:                 # the server died before the request took effect
        os._exit(0)
    if run_dir:
        register(Path(run_dir), os.getpid())
    _yield_cpu_to_the_server()


WORKER_NICENESS = 10


def _yield_cpu_to_the_server() -> None:
    """Analyses are background work: on a small machine they must not starve the API process (its
    /healthz and uploads). A positive niceness, inherited by the sandboxes the worker starts, lets the
    kernel give the server the CPU first; the workers still get every cycle it leaves."""
    try:
        os.nice(WORKER_NICENESS)
    except OSError:        # not permitted here: the workers run at the server's priority
        pass


def register(run_dir: Path, pid: int) -> None:
    run_dir.mkdir(parents=True, exist_ok=True)
    entry = run_dir / f"worker-{pid}.json"
    entry.write_text(json.dumps({"pid": pid, "start": start_time(pid), "server": os.getppid()}))


def reap_orphans(run_dir: Path) -> list[int]:
    """Kill the workers a previous server registered that are still alive (and still the same
    processes); forget every registration. Returns the pids killed."""
    killed = []
    for entry in sorted(run_dir.glob("worker-*.json")) if run_dir.is_dir() else []:
        try:
            info = json.loads(entry.read_text())
            pid, started = int(info["pid"]), info.get("start")
        except (OSError, ValueError, KeyError, TypeError):
            entry.unlink(missing_ok=True)
            continue
        if pid != os.getpid() and started is not None and start_time(pid) == started:
            try:
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            except (ProcessLookupError, PermissionError):
                pass
        entry.unlink(missing_ok=True)
    if killed:
        log.warning("ended %d worker process(es) left by a previous server: %s", len(killed), killed)
    return killed


def forget(run_dir: Path, pid: int) -> None:
    (run_dir / f"worker-{pid}.json").unlink(missing_ok=True)
