"""Sandbox children never outlive the process that started them: they die with it (PR_SET_PDEATHSIG),
and a SIGTERM to it ends the sandboxes still running before it stops."""
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
        children = [c for c in psutil.Process(parent.pid).children() if "nlp.ingest.sandbox" in " ".join(c.cmdline())]
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


@pytest.mark.parametrize("fault", ["hang"])
def test_a_sandbox_that_ran_out_of_time_is_no_longer_tracked(fault, monkeypatch):
    from nlp.errors import IngestError
    from nlp.ingest import sandbox

    monkeypatch.setenv(sandbox.FAULT_ENV, fault)
    monkeypatch.setenv(sandbox.SPARE_ENV, "0")           # no child started ahead: only the busy one counts
    sandbox._discard_spare()
    with pytest.raises(IngestError):
        sandbox.ingest_sandboxed("Kế hoạch chuyển đổi số năm 2026 của phường.".encode(), "t.txt", timeout_s=1)
    assert sandbox.terminate_sandboxes() == 0


def test_the_next_file_goes_to_a_child_started_ahead():
    """The child for the next file is started (and imports the readers) while this one is read."""
    from nlp.ingest import sandbox

    text = "Kế hoạch chuyển đổi số năm 2026 của Ủy ban nhân dân phường.".encode()
    assert sandbox.ingest_sandboxed(text, "a.txt").blocks
    spare = sandbox._spare
    assert spare is not None and spare.usable()
    time.sleep(0.5)
    assert sandbox.ingest_sandboxed(text, "b.txt").blocks
    assert spare.proc.returncode == 0                     # it read b.txt and exited
    assert sandbox._spare is not spare and sandbox._spare.usable()


def test_a_child_started_ahead_is_not_used_once_the_environment_changed(monkeypatch):
    from nlp.errors import IngestError
    from nlp.ingest import sandbox

    text = "Kế hoạch chuyển đổi số năm 2026 của Ủy ban nhân dân phường.".encode()
    assert sandbox.ingest_sandboxed(text, "a.txt").blocks
    monkeypatch.setenv(sandbox.FAULT_ENV, "crash")        # read by the child: it must see it
    with pytest.raises(IngestError) as err:
        sandbox.ingest_sandboxed(text, "c.txt")
    assert err.value.code == "crash"
