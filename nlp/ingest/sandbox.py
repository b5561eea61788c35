"""Parse untrusted bytes in a child process with a memory cap and a wall-clock timeout.

The parent starts ``python -m nlp.ingest.sandbox``, writes the bytes to its stdin and reads one
JSON object from its stdout: the IngestedDocument or an error {code, message}. The child limits
its own address space (RLIMIT_AS) and CPU time before it touches the data; the parent kills it
(by its pid, process group included) when the wall clock runs out. Whatever the child does
(hang, exhaust memory, crash in a C extension) the parent gets an IngestError and carries on.

Test hook: PLANGAP_SANDBOX_FAULT=hang|allocate|crash makes the child misbehave on purpose.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

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
                     memory_mb: int = 1024) -> IngestedDocument:
    """Read ``data`` in a child process; raise IngestError (timeout, out_of_memory, crash, ...)."""
    if len(data) > _max_bytes():
        raise _too_large(source, len(data))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_REPO_ROOT), env.get("PYTHONPATH", "")) if p)
    cmd = [sys.executable, "-m", "nlp.ingest.sandbox", "--source", source, "--memory-mb", str(memory_mb),
           "--cpu-s", str(int(timeout_s) + 5)]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env, start_new_session=True)
    try:
        out, err = proc.communicate(input=data, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        _kill(proc)
        raise IngestError(
            f"Đọc tệp «{source}» quá thời gian cho phép ({timeout_s:g} giây) và đã bị dừng; "
            "tệp có thể quá phức tạp hoặc bị lỗi.", "timeout") from None
    except BaseException:
        _kill(proc)
        raise
    return _result(proc.returncode, out, err, source, memory_mb)


def ingest_file_sandboxed(path: str | Path, *, timeout_s: float = 60, memory_mb: int = 1024) -> IngestedDocument:
    path = Path(path)
    if not path.is_file():
        raise IngestError(f"Không tìm thấy tệp: {path.name}", "not_found")
    size = path.stat().st_size
    if size > _max_bytes():
        raise _too_large(path.name, size)
    return ingest_sandboxed(path.read_bytes(), path.name, timeout_s=timeout_s, memory_mb=memory_mb)


def _kill(proc: subprocess.Popen) -> None:
    """Kill the child we started (and anything it started), then reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        try:
            proc.kill()
        except ProcessLookupError:
            pass
    proc.communicate()


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


def _child(argv: list[str]) -> int:
    import argparse
    parser = argparse.ArgumentParser(prog="python -m nlp.ingest.sandbox")
    parser.add_argument("--source", default="document")
    parser.add_argument("--memory-mb", type=int, default=1024)
    parser.add_argument("--cpu-s", type=int, default=65)
    args = parser.parse_args(argv)

    real_stdout = sys.stdout
    sys.stdout = sys.stderr          # library chatter must not corrupt the JSON answer
    # Import the readers before the cap: their code is not the untrusted part.
    from nlp.ingest import ingest_bytes
    from nlp.ingest import docx_reader, pdf_reader, sniff  # noqa: F401
    from nlp.ingest.normalize import check_vietnamese
    data = sys.stdin.buffer.read()
    _limit_resources(args.memory_mb, args.cpu_s)
    try:
        if os.environ.get(FAULT_ENV):
            _fault(os.environ[FAULT_ENV])
        document = ingest_bytes(data, args.source)
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
    real_stdout.write(json.dumps(answer, ensure_ascii=False))
    real_stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(_child(sys.argv[1:]))
