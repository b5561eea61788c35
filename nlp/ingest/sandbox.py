"""Parse untrusted bytes in a child process with a memory cap and a wall-clock timeout.

Each file is read by a child process of its own, which writes one JSON object to its stdout: the
IngestedDocument or an error {code, message}. The parent writes it a JSON line of job parameters
(source, limits) and then the bytes on its stdin. The children are forked by a warm server
(``nlp.ingest.fork_server``: started once per process, it has imported and warmed the readers), so a
file waits neither for Python to start nor for the imports; ``PLANGAP_SANDBOX_FORK_SERVER=0`` starts
``python -m nlp.ingest.sandbox`` afresh for each file instead. The child limits its own address space
(RLIMIT_AS) and CPU time before it touches the data; the parent kills it (by its pid, process group
included) when the wall clock runs out. Whatever the child does (hang, exhaust memory, crash in a C
extension) the parent gets an IngestError and carries on.

Scanned pages are OCR'd in the child too, under their own limits (pages, seconds: nlp.ingest.ocr_pdf):
the child reports progress as JSON lines on a pipe of its own ({"stage": "ocr", "done", "total", ...}),
handed to the caller's ``progress`` callback; when OCR starts, the wall clock is extended by the OCR
time limit. The children die with their parent (PR_SET_PDEATHSIG, through the server), and a SIGTERM
to the parent ends every sandbox still running before the parent's own handler runs
(``install_sigterm_handler``).

Test hook: PLANGAP_SANDBOX_FAULT=hang|allocate|crash makes the child misbehave on purpose.
"""
from __future__ import annotations

import atexit
import gc
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable, Optional

from nlp.errors import IngestError
from nlp.schema import IngestedDocument

FAULT_ENV = "PLANGAP_SANDBOX_FAULT"
_REPO_ROOT = Path(__file__).resolve().parents[2]


def _max_bytes() -> int:
    from nlp.ingest import MAX_BYTES
    return MAX_BYTES


def _too_large(source: str, size: int) -> IngestError:
    limit = _max_bytes()
    return IngestError(f"Tệp «{source}» quá lớn ({size / 1048576:.1f} MB > {limit // 1048576} MB).", "too_large")


def ingest_sandboxed(data: bytes, source: str = "document", *, timeout_s: float = 60,
                     memory_mb: int = 1024, progress: Optional[Callable[[dict], None]] = None,
                     ocr_timeout_s: Optional[float] = None, ocr_max_pages: Optional[int] = None) -> IngestedDocument:
    """Read ``data`` in a child process; raise IngestError (timeout, out_of_memory, crash, ...).

    ``progress``: called (from a helper thread) with the child's progress dicts (OCR page by page).
    ``ocr_timeout_s`` / ``ocr_max_pages``: OCR limits (defaults: PLANGAP_OCR_TIMEOUT_S, PLANGAP_OCR_MAX_PAGES)."""
    from nlp.ingest.ocr_pdf import MAX_OCR_PAGES, OCR_TIMEOUT_S

    if len(data) > _max_bytes():
        raise _too_large(source, len(data))
    ocr_timeout_s = OCR_TIMEOUT_S if ocr_timeout_s is None else ocr_timeout_s
    ocr_max_pages = MAX_OCR_PAGES if ocr_max_pages is None else ocr_max_pages
    install_sigterm_handler()
    proc, progress_read = _new_child()
    _LIVE.add(proc)
    job = {"source": source, "memory_mb": memory_mb, "cpu_s": int(timeout_s + ocr_timeout_s) + 5,
           "ocr_timeout_s": ocr_timeout_s, "ocr_max_pages": ocr_max_pages}
    data = json.dumps(job, ensure_ascii=False).encode("utf-8") + b"\n" + data
    started = time.monotonic()
    deadline = [started + timeout_s]

    def on_progress(event: dict) -> None:
        if event.get("stage") == "ocr":       # OCR has its own time limit, enforced in the child
            deadline[0] = max(deadline[0], started + timeout_s + ocr_timeout_s + 10)
        if progress is not None:
            progress(event)

    reader = threading.Thread(target=_read_progress, args=(progress_read, on_progress), daemon=True)
    reader.start()
    try:
        out, err = _communicate(proc, data, deadline)
    except subprocess.TimeoutExpired:
        _kill(proc)
        raise IngestError(
            f"Đọc tệp «{source}» quá thời gian cho phép ({deadline[0] - started:g} giây) và đã bị dừng; "
            "tệp có thể quá phức tạp hoặc bị lỗi.", "timeout") from None
    except BaseException:
        _kill(proc)
        raise
    finally:
        _LIVE.discard(proc)
        reader.join(timeout=5)
    return _result(proc.returncode, out, err, source, memory_mb)


def _communicate(proc: subprocess.Popen, data: bytes, deadline: list[float]) -> tuple[bytes, bytes]:
    """Feed stdin and drain stdout/stderr in helper threads while waiting for the child against a
    deadline that progress may move. (Popen.communicate cannot be resumed after a timeout without
    losing the rest of its input.)"""
    out: dict[str, bytes] = {}

    def feed() -> None:
        try:
            proc.stdin.write(data)
        except (BrokenPipeError, OSError):    # the child stopped reading (it died or refused the file)
            pass
        finally:
            try:
                proc.stdin.close()
            except OSError:
                pass

    def drain(name: str, stream) -> None:
        out[name] = stream.read()

    helpers = [threading.Thread(target=feed, daemon=True),
               threading.Thread(target=drain, args=("out", proc.stdout), daemon=True),
               threading.Thread(target=drain, args=("err", proc.stderr), daemon=True)]
    for helper in helpers:
        helper.start()
    while True:
        left = deadline[0] - time.monotonic()
        if left <= 0:
            raise subprocess.TimeoutExpired(proc.args, 0)
        try:
            proc.wait(timeout=min(left, 0.5))
            break
        except subprocess.TimeoutExpired:
            continue
    for helper in helpers:
        helper.join()
    return out.get("out", b""), out.get("err", b"")


def _read_progress(fd: int, callback: Callable[[dict], None]) -> None:
    with os.fdopen(fd, "rb") as stream:
        for line in stream:
            try:
                event = json.loads(line)
            except (UnicodeDecodeError, json.JSONDecodeError):
                continue
            if isinstance(event, dict):
                try:
                    callback(event)
                except Exception:      # a caller's progress hook must not break the read
                    pass


# ---------------------------------------------------------------- where children come from


FORK_SERVER_ENV = "PLANGAP_SANDBOX_FORK_SERVER"     # "0": a new Python process per file


class _SpawnedChild:
    """A child started afresh for one file (``PLANGAP_SANDBOX_FORK_SERVER=0``, or no fork server here)."""

    def __init__(self) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_REPO_ROOT), env.get("PYTHONPATH", "")) if p)
        progress_read, progress_write = os.pipe()
        cmd = [sys.executable, "-m", "nlp.ingest.sandbox", "--parent-pid", str(os.getpid()),
               "--progress-fd", str(progress_write)]
        try:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                         env=env, start_new_session=True, pass_fds=(progress_write,))
        except BaseException:
            os.close(progress_read)
            raise
        finally:
            os.close(progress_write)
        self.progress_read = progress_read


_SERVER_LOCK = threading.Lock()
_server = None


def _forking() -> bool:
    return os.environ.get(FORK_SERVER_ENV, "1") != "0" and hasattr(socket, "send_fds") and hasattr(os, "fork")


def start_server():
    """The fork server of this process, started now if it is not running (or no longer fits the
    environment); None where children are spawned one by one. Call it early to hide its start-up."""
    global _server
    if not _forking():
        return None
    from nlp.ingest.fork_server import ForkServer

    with _SERVER_LOCK:
        if _server is not None and not _server.usable():
            _server.close()
            _server = None
        if _server is None:
            _server = ForkServer()
        return _server


def _stop_server() -> None:
    global _server
    with _SERVER_LOCK:
        server, _server = _server, None
    if server is not None:
        server.close()


atexit.register(_stop_server)


def _new_child():
    """A child waiting for one file: (process handle, progress pipe's read end)."""
    server = start_server()
    if server is not None:
        try:
            child = server.fork()
            return child, child.progress_read
        except OSError:          # the server died under us: the next file starts a new one
            _stop_server()
    spawned = _SpawnedChild()
    return spawned.proc, spawned.progress_read


# ---------------------------------------------------------------- sandboxes still running


class _LiveSandboxes:
    """The sandbox children this process has running, so a SIGTERM can end them."""

    def __init__(self) -> None:
        self._procs: set = set()
        self._lock = threading.Lock()

    def add(self, proc) -> None:
        with self._lock:
            self._procs.add(proc)

    def discard(self, proc) -> None:
        with self._lock:
            self._procs.discard(proc)

    def kill_all(self) -> int:
        with self._lock:
            procs = list(self._procs)
        for proc in procs:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        return len(procs)


_LIVE = _LiveSandboxes()
_HANDLER_INSTALLED = False


def terminate_sandboxes() -> int:
    """Kill every sandbox child still running (returns how many)."""
    return _LIVE.kill_all()


def install_sigterm_handler() -> None:
    """On SIGTERM, end the running sandboxes, then do what the process did before on SIGTERM (its own
    handler, or the default: die). Installed once, from the main thread only (Python's rule)."""
    global _HANDLER_INSTALLED
    if _HANDLER_INSTALLED or threading.current_thread() is not threading.main_thread():
        return
    previous = signal.getsignal(signal.SIGTERM)
    if previous == signal.SIG_IGN:
        return

    def on_sigterm(signum, frame) -> None:
        terminate_sandboxes()
        if callable(previous):
            previous(signum, frame)
        else:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGTERM)

    signal.signal(signal.SIGTERM, on_sigterm)
    _HANDLER_INSTALLED = True


def ingest_file_sandboxed(path: str | Path, *, timeout_s: float = 60, memory_mb: int = 1024,
                          **options) -> IngestedDocument:
    path = Path(path)
    if not path.is_file():
        raise IngestError(f"Không tìm thấy tệp: {path.name}", "not_found")
    size = path.stat().st_size
    if size > _max_bytes():
        raise _too_large(path.name, size)
    return ingest_sandboxed(path.read_bytes(), path.name, timeout_s=timeout_s, memory_mb=memory_mb, **options)


def _kill(proc: subprocess.Popen) -> None:
    """Kill the child we started (and anything it started), then reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        try:
            proc.kill()
        except ProcessLookupError:
            pass
    proc.wait()


def _result(returncode: int, out: bytes, err: bytes, source: str, memory_mb: int) -> IngestedDocument:
    payload = None
    if out:
        try:
            payload = json.loads(out.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            payload = None
    if isinstance(payload, dict) and payload.get("ok"):
        return IngestedDocument.model_validate(payload["document"])
    if isinstance(payload, dict) and "code" in payload:
        raise IngestError(payload.get("message", "Lỗi khi đọc tệp."), payload["code"])
    tail = err.decode("utf-8", errors="replace")[-300:]
    if returncode in (-signal.SIGKILL, -signal.SIGXCPU) or "MemoryError" in tail:
        raise IngestError(
            f"Đọc tệp «{source}» cần quá nhiều bộ nhớ (giới hạn {memory_mb} MB) hoặc quá nhiều thời gian xử lý "
            "và đã bị dừng.", "out_of_memory")
    raise IngestError(
        f"Trình đọc tệp «{source}» bị lỗi đột ngột (mã thoát {returncode}); tệp có thể bị hỏng.", "crash")


# ---------------------------------------------------------------- child side


def _limit_resources(memory_mb: int, cpu_s: int) -> None:
    import resource
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 1))


def _fault(kind: str) -> None:
    if kind == "hang":
        import time
        while True:
            time.sleep(1)
    if kind == "allocate":
        hog = []
        while True:
            hog.append(bytearray(64 * 1024 * 1024))
    if kind == "crash":
        os.abort()


def _die_with_parent(parent_pid: int) -> None:
    """Ask the kernel to kill this child when its parent dies; if the parent is already gone, go.
    (Linux sends the signal when the parent *thread* that started the child ends: a child started
    ahead by a pool thread that later exits is lost, and the next file simply starts a new one.)"""
    from nlp.ingest.ocr import die_with_parent
    die_with_parent()
    if parent_pid and os.getppid() != parent_pid:
        os._exit(1)


def _progress_writer(fd: int):
    if fd < 0:
        return None
    stream = os.fdopen(fd, "w", buffering=1, encoding="utf-8")

    def write(event: dict) -> None:
        try:
            stream.write(json.dumps(event, ensure_ascii=False) + "\n")
        except OSError:            # the parent stopped listening: the work goes on
            pass
    return write


def _warm_up() -> None:
    """What the first file would otherwise pay for: the modules the readers import when first needed
    and the lexicons they load. Done once, by the fork server, before it forks any child."""
    import pdfminer.converter  # noqa: F401
    import pdfminer.layout  # noqa: F401
    import pdfminer.pdfdocument  # noqa: F401
    import pdfminer.pdfinterp  # noqa: F401
    import pdfminer.pdfpage  # noqa: F401
    import pdfminer.pdfparser  # noqa: F401
    import pdfplumber.page  # noqa: F401
    import pdfplumber.table  # noqa: F401

    import nlp.ingest.pdfium_pages  # noqa: F401  (pypdfium2 and its library: the default text engine)
    from nlp.ingest.normalize import check_vietnamese
    try:
        check_vietnamese("Kế hoạch thực hiện chuyển đổi số của Ủy ban nhân dân phường năm 2026.")
    except IngestError:
        pass


def _child(argv: list[str]) -> int:
    import argparse
    parser = argparse.ArgumentParser(prog="python -m nlp.ingest.sandbox")
    parser.add_argument("--parent-pid", type=int, default=0)
    parser.add_argument("--progress-fd", type=int, default=-1)
    parser.add_argument("--fork-server", type=int, default=-1, metavar="FD",
                        help="serve jobs from this control socket, a forked child each (nlp.ingest.fork_server)")
    options = parser.parse_args(argv)
    _die_with_parent(options.parent_pid)
    # Import the readers before any cap: their code is not the untrusted part.
    from nlp.ingest import docx_reader, ingest_bytes, pdf_reader, sniff  # noqa: F401
    if options.fork_server >= 0:
        from nlp.ingest.fork_server import serve

        _warm_up()
        gc.freeze()       # what every child inherits, out of the collector's reach (full passes walk it all)
        return serve(options.fork_server, _forked_job)
    real_stdout = sys.stdout
    sys.stdout = sys.stderr          # library chatter must not corrupt the JSON answer
    return _run_job(sys.stdin.buffer, real_stdout, options.progress_fd)


def _forked_job(stdin_fd: int, stdout_fd: int, stderr_fd: int, progress_fd: int) -> int:
    """A forked child's file: its pipes become its standard streams (chatter goes to stderr)."""
    answer = os.fdopen(stdout_fd, "w", encoding="utf-8")
    os.dup2(stderr_fd, 1)
    os.dup2(stderr_fd, 2)
    os.close(stderr_fd)
    return _run_job(os.fdopen(stdin_fd, "rb"), answer, progress_fd)


def _run_job(stdin, stdout, progress_fd: int) -> int:
    """Read the job (a JSON line of parameters, then the file's bytes until end of input), limit
    this process, read the file, write the JSON answer."""
    import argparse

    from nlp.ingest import ingest_bytes
    from nlp.ingest.normalize import check_vietnamese

    job = json.loads(stdin.readline() or b"{}")
    args = argparse.Namespace(source=job.get("source", "document"), memory_mb=int(job.get("memory_mb", 1024)),
                              cpu_s=int(job.get("cpu_s", 65)), ocr_timeout_s=job.get("ocr_timeout_s"),
                              ocr_max_pages=job.get("ocr_max_pages"), progress_fd=progress_fd)
    data = stdin.read()
    _limit_resources(args.memory_mb, args.cpu_s)
    try:
        if os.environ.get(FAULT_ENV):
            _fault(os.environ[FAULT_ENV])
        document = ingest_bytes(data, args.source, progress=_progress_writer(args.progress_fd),
                                ocr_timeout_s=args.ocr_timeout_s, ocr_max_pages=args.ocr_max_pages)
        check_vietnamese(document.text)     # every format, whichever reader produced it
        answer = {"ok": True, "document": document.model_dump(mode="json")}
    except IngestError as exc:
        answer = {"ok": False, "code": exc.code, "message": exc.message}
    except MemoryError:
        answer = None
    except RecursionError:
        answer = {"ok": False, "code": "corrupt",
                  "message": f"Tệp «{args.source}» có cấu trúc lồng nhau bất thường, không đọc được."}
    except Exception as exc:   # any other reader failure is a damaged file, reported, not raised
        answer = {"ok": False, "code": "corrupt",
                  "message": f"Tệp «{args.source}» bị hỏng, không đọc được ({type(exc).__name__})."}
    if answer is None:
        del data
        answer = {"ok": False, "code": "out_of_memory",
                  "message": f"Đọc tệp «{args.source}» cần quá nhiều bộ nhớ (giới hạn {args.memory_mb} MB) "
                             "và đã bị dừng."}
    stdout.write(json.dumps(answer, ensure_ascii=False))
    stdout.flush()
    sys.stderr.flush()
    return 0


if __name__ == "__main__":
    status = _child(sys.argv[1:])
    # The answer is written and flushed: leave without the interpreter's teardown (freeing every
    # module and object of the readers), which the parent would otherwise wait for before it goes on.
    sys.stderr.flush()
    os._exit(status)
