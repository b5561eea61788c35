"""A warm sandbox server that forks one child per file.

Starting Python and importing the readers costs ~0.4 s of CPU per sandbox child: on two cores, files
arriving back to back waited for it, and a bulk run paid it once per plan. The server process starts
once (per process that reads untrusted files), imports and warms the readers, and then forks a child
for each file. The child is what the sandbox always was: one file, its own session (process group),
its own memory and CPU limits set before it reads a byte, killed by the parent when the wall clock
runs out, dead when the server dies (which dies with the parent).

Wire (Unix sockets, file descriptors passed with SCM_RIGHTS):
- control socket, parent -> server: one message per file, b"J", carrying five descriptors: a job
  socket and the child's stdin (read end), stdout and stderr (write ends) and progress pipe (write end);
- job socket, server -> parent: b"P<pid>\\n" once forked, b"X<returncode>\\n" once reaped
  (returncode as ``subprocess`` gives it: negative for a signal).
The server is single-threaded (it forks): it waits on the control socket and on SIGCHLD (through
``signal.set_wakeup_fd``), and reaps its children itself.
"""
from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable, Optional

_REPO_ROOT = Path(__file__).resolve().parents[2]
_FDS_PER_JOB = 5


# ---------------------------------------------------------------- parent side


class ForkedChild:
    """One file's sandbox child, forked by the server. Same surface as a ``subprocess.Popen`` for
    what the sandbox needs: pid, stdin/stdout/stderr, wait, and a progress pipe."""

    def __init__(self, server: "ForkServer") -> None:
        stdin_read, stdin_write = os.pipe()
        stdout_read, stdout_write = os.pipe()
        stderr_read, stderr_write = os.pipe()
        progress_read, progress_write = os.pipe()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        passed = [theirs.fileno(), stdin_read, stdout_write, stderr_write, progress_write]
        try:
            server.send_job(passed)
        except BaseException:
            for fd in (stdin_write, stdout_read, stderr_read, progress_read):
                os.close(fd)
            ours.close()
            raise
        finally:
            theirs.close()
            for fd in passed[1:]:
                os.close(fd)
        self._socket, self._buffer = ours, b""
        self.stdin = os.fdopen(stdin_write, "wb")
        self.stdout = os.fdopen(stdout_read, "rb")
        self.stderr = os.fdopen(stderr_read, "rb")
        self.progress_read = progress_read
        self.returncode: Optional[int] = None
        self.args = "sandbox child (forked)"
        pid = self._message(b"P", time.monotonic() + 30)
        if pid is None:
            self._close()
            raise OSError("the sandbox server did not fork a child")
        self.pid = pid

    def _message(self, kind: bytes, deadline: float) -> Optional[int]:
        """The next message of ``kind`` on the job socket; None if the server is gone; raises
        TimeoutExpired when the deadline passes first."""
        while b"\n" not in self._buffer:
            ready, _, _ = select.select([self._socket], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise subprocess.TimeoutExpired(self.args, 0)
            chunk = self._socket.recv(64)
            if not chunk:
                return None
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return int(line[1:]) if line[:1] == kind else None

    def poll(self) -> Optional[int]:
        try:
            return self.wait(timeout=0)
        except subprocess.TimeoutExpired:
            return None

    def wait(self, timeout: Optional[float] = None) -> int:
        if self.returncode is not None:
            return self.returncode
        deadline = time.monotonic() + (timeout if timeout is not None else 10 ** 9)
        code = self._message(b"X", deadline)
        # the server went away without reaping it: the child died with it (PR_SET_PDEATHSIG)
        self.returncode = -signal.SIGKILL if code is None else code
        self._close()
        return self.returncode

    def _close(self) -> None:
        self._socket.close()


class ForkServer:
    """The parent's handle on its fork server (started on first use, again whenever it is gone or
    the environment changed: limits and test hooks are read from the environment it started with)."""

    def __init__(self) -> None:
        self.env = dict(os.environ)
        self.owner = os.getpid()
        self._lock = threading.Lock()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = dict(self.env)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_REPO_ROOT), env.get("PYTHONPATH", "")) if p)
        cmd = [sys.executable, "-m", "nlp.ingest.sandbox", "--parent-pid", str(os.getpid()),
               "--fork-server", str(theirs.fileno())]
        try:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL, env=env, start_new_session=True,
                                         pass_fds=(theirs.fileno(),))
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        self._control = ours

    def usable(self) -> bool:
        return self.owner == os.getpid() and self.proc.poll() is None and self.env == dict(os.environ)

    def send_job(self, fds: list[int]) -> None:
        with self._lock:
            socket.send_fds(self._control, [b"J"], fds)

    def fork(self) -> ForkedChild:
        return ForkedChild(self)

    def close(self) -> None:
        if self.owner != os.getpid():
            return                       # a fork's copy: the server belongs to the parent process
        self._control.close()            # the server sees end of input and leaves
        try:
            self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# ---------------------------------------------------------------- server side


def serve(control_fd: int, run_job: Callable[[int, int, int, int], int]) -> int:
    """Fork a child per job received on ``control_fd`` until the parent closes it. The child runs
    ``run_job(stdin_fd, stdout_fd, stderr_fd, progress_fd)`` and exits with what it returns."""
    from nlp.ingest.ocr import die_with_parent

    control = socket.socket(fileno=control_fd)
    server_pid = os.getpid()
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)     # a handler, so that the wake-up byte is written
    reporters: dict[int, socket.socket] = {}           # child pid -> its job socket

    while True:
        ready, _, _ = select.select([control, wake_read], [], [])
        if wake_read in ready:
            os.read(wake_read, 512)
            _reap(reporters)
        if control not in ready:
            continue
        try:
            _, fds, _, _ = socket.recv_fds(control, 16, _FDS_PER_JOB)
        except OSError:
            fds = []
        if not fds:                                    # the parent closed the control socket (or died)
            return 0
        if len(fds) != _FDS_PER_JOB:
            for fd in fds:
                os.close(fd)
            continue
        reporter_fd, stdin_fd, stdout_fd, stderr_fd, progress_fd = fds
        reporter = socket.socket(fileno=reporter_fd)
        pid = os.fork()
        if pid == 0:
            status = 1
            try:
                signal.set_wakeup_fd(-1)
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                for held in [control.fileno(), wake_read, wake_write, reporter_fd,
                             *(s.fileno() for s in reporters.values())]:
                    os.close(held)
                os.setsid()
                die_with_parent()
                if os.getppid() != server_pid:         # the server died before the request took effect
                    os._exit(1)
                status = run_job(stdin_fd, stdout_fd, stderr_fd, progress_fd)
            except BaseException:
                import traceback
                traceback.print_exc()                 # to the job's stderr pipe, once run_job took it
            finally:
                os._exit(status)
        for fd in (stdin_fd, stdout_fd, stderr_fd, progress_fd):
            os.close(fd)
        reporters[pid] = reporter
        _tell(reporter, b"P%d\n" % pid)
        _reap(reporters)


def _reap(reporters: dict[int, socket.socket]) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        reporter = reporters.pop(pid, None)
        if reporter is not None:
            _tell(reporter, b"X%d\n" % os.waitstatus_to_exitcode(status))
            reporter.close()


def _tell(reporter: socket.socket, message: bytes) -> None:
    try:
        reporter.sendall(message)
    except OSError:            # the parent stopped waiting for this child: nothing to tell
        pass
