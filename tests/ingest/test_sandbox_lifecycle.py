"""Sandbox children never outlive the process that started them: they die with it (PR_SET_PDEATHSIG,
through the fork server), and a SIGTERM to it ends the sandboxes still running before it stops. Files
go to children forked by one warm server per process; each file still has a process of its own."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest

REPO = Path(__file__).resolve().parents[2]

# A process that reads a file through a sandbox told to hang, and says when the sandbox is running.
_PARENT = textwrap.dedent("""
    import os, sys, threading, time
    os.environ["PLANGAP_SANDBOX_FAULT"] = "hang"
    from nlp.ingest.sandbox import ingest_sandboxed
    text = "Kế hoạch triển khai chuyển đổi số của Ủy ban nhân dân phường năm 2026.".encode()
    def announce():
        time.sleep(1.5)
        print("ready", flush=True)
    threading.Thread(target=announce, daemon=True).start()
    ingest_sandboxed(text, "treo.txt", timeout_s=120)
""")


def _start_parent() -> tuple[subprocess.Popen, list[psutil.Process]]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    parent = subprocess.Popen([sys.executable, "-c", _PARENT], stdout=subprocess.PIPE, env=env, cwd=REPO)
    assert parent.stdout.readline().strip() == b"ready"
    deadline = time.monotonic() + 20
    children: list[psutil.Process] = []
    while time.monotonic() < deadline and not children:
        children = [c for c in psutil.Process(parent.pid).children(recursive=True)
                    if "nlp.ingest.sandbox" in " ".join(c.cmdline())]
        if len(children) < 2:          # the fork server and the child it forked for the file
            children = []
        time.sleep(0.2)
    assert children, "the sandbox child did not start"
    return parent, children


def _gone(processes: list[psutil.Process], within_s: float = 10) -> bool:
    _, alive = psutil.wait_procs(processes, timeout=within_s)
    return not alive


def test_regression_sandbox_child_dies_with_its_killed_parent():
    parent, children = _start_parent()
    try:
        parent.kill()                    # SIGKILL: the parent runs no code of its own
        parent.wait(timeout=10)
        assert _gone(children)
    finally:
        for child in children:
            if child.is_running():
                child.kill()


def test_sigterm_ends_the_running_sandboxes_then_the_process():
    parent, children = _start_parent()
    try:
        parent.send_signal(signal.SIGTERM)
        assert parent.wait(timeout=10) == -signal.SIGTERM
        assert _gone(children, within_s=5)
    finally:
        if parent.poll() is None:
            parent.kill()
        for child in children:
            if child.is_running():
                child.kill()


def test_sigterm_handler_chains_to_the_handler_installed_before():
    script = textwrap.dedent("""
        import os, signal
        seen = []
        signal.signal(signal.SIGTERM, lambda *a: seen.append("own"))
        from nlp.ingest import sandbox
        sandbox.install_sigterm_handler()
        os.kill(os.getpid(), signal.SIGTERM)
        print(seen)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, PYTHONPATH=str(REPO)), cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['own']"


@pytest.mark.parametrize("fork_server", ["1", "0"])
def test_a_sandbox_that_ran_out_of_time_is_no_longer_tracked(fork_server, monkeypatch):
    from nlp.errors import IngestError
    from nlp.ingest import sandbox

    monkeypatch.setenv(sandbox.FAULT_ENV, "hang")
    monkeypatch.setenv(sandbox.FORK_SERVER_ENV, fork_server)
    with pytest.raises(IngestError) as err:
        sandbox.ingest_sandboxed("Kế hoạch chuyển đổi số năm 2026 của phường.".encode(), "t.txt", timeout_s=1)
    assert err.value.code == "timeout"
    assert sandbox.terminate_sandboxes() == 0


TEXT = "Kế hoạch chuyển đổi số năm 2026 của Ủy ban nhân dân phường.".encode()


def test_files_go_to_children_forked_by_one_warm_server():
    from nlp.ingest import sandbox

    assert sandbox.ingest_sandboxed(TEXT, "a.txt").blocks
    server = sandbox._server
    assert server is not None and server.usable()
    assert sandbox.ingest_sandboxed(TEXT, "b.txt").blocks
    assert sandbox._server is server and server.usable()          # the same server, still up
    assert psutil.Process(server.proc.pid).children() == []      # each file's child exited and was reaped


def test_a_hanging_child_is_the_servers_child_and_is_killed_at_the_deadline(monkeypatch):
    import threading

    from nlp.errors import IngestError
    from nlp.ingest import sandbox

    monkeypatch.setenv(sandbox.FAULT_ENV, "hang")
    server = sandbox.start_server()
    errors: list[IngestError] = []

    def read() -> None:
        try:
            sandbox.ingest_sandboxed(TEXT, "treo.txt", timeout_s=3)
        except IngestError as exc:
            errors.append(exc)

    reading = threading.Thread(target=read)
    reading.start()
    deadline, forked = time.monotonic() + 20, []
    while time.monotonic() < deadline and not forked:
        forked = psutil.Process(server.proc.pid).children()
        time.sleep(0.1)
    reading.join(timeout=30)
    assert len(forked) == 1                                      # forked by the server, not started afresh
    assert [e.code for e in errors] == ["timeout"]
    assert not forked[0].is_running() or forked[0].status() == psutil.STATUS_ZOMBIE
    assert server.usable() and psutil.Process(server.proc.pid).children() == []
    monkeypatch.delenv(sandbox.FAULT_ENV)
    assert sandbox.ingest_sandboxed(TEXT, "sau.txt").blocks       # the next file is read as usual


def test_a_file_read_by_a_process_started_for_it_when_the_fork_server_is_off(monkeypatch):
    from nlp.errors import IngestError
    from nlp.ingest import sandbox

    monkeypatch.setenv(sandbox.FORK_SERVER_ENV, "0")
    assert sandbox.start_server() is None
    assert sandbox.ingest_sandboxed(TEXT, "a.txt").blocks
    monkeypatch.setenv(sandbox.FAULT_ENV, "crash")
    with pytest.raises(IngestError) as err:
        sandbox.ingest_sandboxed(TEXT, "c.txt")
    assert err.value.code == "crash"


def test_a_server_started_before_the_environment_changed_is_not_used(monkeypatch):
    from nlp.errors import IngestError
    from nlp.ingest import sandbox

    assert sandbox.ingest_sandboxed(TEXT, "a.txt").blocks
    before = sandbox._server
    monkeypatch.setenv(sandbox.FAULT_ENV, "crash")        # read by the child: it must see it
    with pytest.raises(IngestError) as err:
        sandbox.ingest_sandboxed(TEXT, "c.txt")
    assert err.value.code == "crash"
    assert sandbox._server is not before and before.proc.poll() is not None   # the old server has left
