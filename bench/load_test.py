"""Load test of the service on loopback (bounded: it starts its own server and stops by itself).

    .venv/bin/python bench/load_test.py [--clients 8] [--duration 60] [--bursts 3] [--burst-size 50]

1. steady load: ``--clients`` clients for ``--duration`` seconds, each uploading a distinct plan,
   requesting its analysis and polling until its findings are there (a 429 is honoured: the client
   waits and retries, as a real one would);
2. bursts: ``--burst-size`` concurrent uploads, then as many concurrent analysis requests, at once;
3. all along, /healthz every 100 ms, and the server's RSS (its process and its workers) every 0.5 s.

Prints p50/p95 of upload -> findings, every status seen, /healthz latency (all, and during bursts),
peak RSS; exits 1 when the targets are missed: any 5xx, /healthz p99 >= 200 ms during bursts,
or a burst over the queue limit not answered 429.
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
TOKEN = "load-test-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
HEALTH_TARGET_S = 0.200


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(share * len(ordered))) - 1))]


def plan_bytes(index: int) -> bytes:
    """A distinct plan per index (the corpus plans, each with its own note)."""
    sources = sorted((REPO / "corpus" / "plans").glob("*.txt"))
    return sources[index % len(sources)].read_bytes() + f"\n\nGhi chú kiểm thử tải số {index}.\n".encode()


def tree_rss_mb(pid: int) -> float:
    """RSS of ``pid`` and its descendants (the worker pool and sandboxes)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
        rss[int(entry.name)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        total += rss.get(current, 0)
        stack.extend(children.get(current, []))
    return total / 1048576


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.statuses: Counter = Counter()
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.health: list[tuple[float, float, bool]] = []   # (time, seconds, during a burst)
        self.burst_flag = None                               # shared with the monitor process
        self.peak_rss_mb = 0.0

    def status(self, what: str, code: int) -> None:
        with self.lock:
            self.statuses[f"{what} {code}"] += 1

    def error(self, text: str) -> None:
        with self.lock:
            self.errors.append(text[:200])


def start_server(tmp: Path, port: int, args) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANGAP_") and k != "DATABASE_URL"}
    env.update({"PLANGAP_DATA_DIR": str(tmp / "data"), "PLANGAP_TOKEN": TOKEN, "PLANGAP_WORKERS": str(args.workers),
                "PLANGAP_MAX_QUEUE": str(args.max_queue), "PLANGAP_REQUEST_THREADS": str(args.request_threads),
                "PYTHONPATH": str(REPO)})
    log = open(tmp / "server.log", "wb")
    server = subprocess.Popen([sys.executable, "-m", "service", "serve", "--host", "127.0.0.1", "--port", str(port),
                               "--log-level", "warning"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    deadline = time.monotonic() + 120
    while True:
        if server.poll() is not None:
            raise RuntimeError("server exited: " + (tmp / "server.log").read_text()[-2000:])
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("server did not start")
        time.sleep(0.3)


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
    try:   # bounded: nothing of the run may outlive it
        os.killpg(server.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def post_retrying(client: httpx.Client, rec: Recorder, what: str, stop: threading.Event, **kwargs) -> httpx.Response:
    """POST until it is not a 429 (a well-behaved client honours Retry-After, capped at 2 s here)."""
    while True:
        response = client.post(**kwargs)
        rec.status(what, response.status_code)
        if response.status_code != 429 or stop.is_set():
            return response
        time.sleep(min(2.0, float(response.headers.get("retry-after", "1"))))


def upload_to_findings(client: httpx.Client, rec: Recorder, index: int, stop: threading.Event) -> None:
    started = time.perf_counter()
    uploaded = post_retrying(client, rec, "POST /documents", stop, url="/documents", headers=AUTH,
                             files={"file": (f"plan-{index}.txt", plan_bytes(index), "text/plain")})
    if uploaded.status_code not in (200, 202):
        return
    analysis = post_retrying(client, rec, "POST /analyses", stop, url="/analyses", headers=AUTH,
                             json={"document_id": uploaded.json()["id"]})
    if analysis.status_code != 202:
        return
    analysis_id = analysis.json()["id"]
    while not stop.is_set():
        response = client.get(f"/analyses/{analysis_id}", headers=AUTH)
        rec.status("GET /analyses/{id}", response.status_code)
        body = response.json()
        if body.get("status") == "done":
            flags = client.get("/flags", headers=AUTH, params={"analysis_id": analysis_id})
            rec.status("GET /flags", flags.status_code)
            with rec.lock:
                rec.latencies.append(time.perf_counter() - started)
            return
        if body.get("status") == "failed":
            rec.error(f"analysis {analysis_id} failed: {body.get('error')}")
            return
        time.sleep(0.1)


def steady_client(base: str, rec: Recorder, stop: threading.Event, counter, lock) -> None:
    with httpx.Client(base_url=base, timeout=120) as client:
        while not stop.is_set():
            with lock:
                index = next(counter)
            try:
                upload_to_findings(client, rec, index, stop)
            except httpx.HTTPError as exc:
                rec.error(f"steady: {exc!r}")


def burst(base: str, rec: Recorder, size: int, first_index: int, done_document: str) -> None:
    def upload(index: int) -> None:
        with httpx.Client(base_url=base, timeout=120) as client:
            response = client.post("/documents", headers=AUTH,
                                   files={"file": (f"burst-{index}.txt", plan_bytes(index), "text/plain")})
            rec.status("burst POST /documents", response.status_code)

    def analyse(_index: int) -> None:
        with httpx.Client(base_url=base, timeout=120) as client:
            response = client.post("/analyses", headers=AUTH, json={"document_id": done_document})
            rec.status("burst POST /analyses", response.status_code)

    rec.burst_flag.value = 1
    try:
        with ThreadPoolExecutor(max_workers=size) as pool:
            for errors in (pool.map(upload, range(first_index, first_index + size)),
                           pool.map(analyse, range(size))):
                list(errors)
    except httpx.HTTPError as exc:
        rec.error(f"burst: {exc!r}")
    finally:
        rec.burst_flag.value = 0


def monitor(base: str, server_pid: int, burst_flag, stop, out_path: str) -> None:
    """/healthz every 100 ms and the server's RSS every 0.5 s. Runs in its own process, so that the
    load generator's threads (and their GIL) do not add to the latencies it measures."""
    import json

    samples, errors, peak_rss, last_rss = [], [], 0.0, 0.0
    with httpx.Client(base_url=base, timeout=30) as client:
        while not stop.is_set():
            during = bool(burst_flag.value)
            started = time.perf_counter()
            try:
                code = client.get("/healthz").status_code
            except httpx.HTTPError as exc:
                errors.append(f"healthz: {exc!r}"[:200])
                code = 0
            samples.append([time.perf_counter() - started, during or bool(burst_flag.value), code])
            if time.monotonic() - last_rss > 0.5:
                peak_rss, last_rss = max(peak_rss, tree_rss_mb(server_pid)), time.monotonic()
            time.sleep(0.1)
    Path(out_path).write_text(json.dumps({"samples": samples, "errors": errors, "peak_rss_mb": peak_rss}))


def collect_monitor(rec: Recorder, out_path: Path) -> None:
    import json

    data = json.loads(out_path.read_text())
    for seconds, during, code in data["samples"]:
        rec.health.append((0.0, seconds, during))
        rec.status("GET /healthz", code)
    rec.errors.extend(data["errors"])
    rec.peak_rss_mb = data["peak_rss_mb"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--bursts", type=int, default=3)
    parser.add_argument("--burst-size", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--max-queue", type=int, default=20)
    parser.add_argument("--request-threads", type=int, default=8, help="PLANGAP_REQUEST_THREADS of the server")
    args = parser.parse_args(argv)

    rec = Recorder()
    with tempfile.TemporaryDirectory(prefix="plangap-load-") as tmp_name:
        tmp = Path(tmp_name)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(tmp, port, args)
        stop, steady_stop = threading.Event(), threading.Event()
        context = multiprocessing.get_context("spawn")
        burst_flag, monitor_stop = context.Value("b", 0), context.Event()
        rec.burst_flag = burst_flag
        monitor_out = tmp / "monitor.json"
        try:
            watcher = context.Process(target=monitor, args=(base, server.pid, burst_flag, monitor_stop, str(monitor_out)))
            watcher.start()
            with httpx.Client(base_url=base, timeout=300) as client:   # warm-up: starts the worker pool
                upload_to_findings(client, rec, 10 ** 6, stop)
                done_document = client.get("/documents", headers=AUTH).json()[0]["id"]
            rec.latencies.clear()
            counter, lock = iter(range(10 ** 7)), threading.Lock()
            clients = [threading.Thread(target=steady_client, args=(base, rec, steady_stop, counter, lock), daemon=True)
                       for _ in range(args.clients)]
            started = time.monotonic()
            for thread in clients:
                thread.start()
            gap = args.duration / (args.bursts + 1)
            for number in range(args.bursts):
                time.sleep(max(0.0, started + gap * (number + 1) - time.monotonic()))
                burst(base, rec, args.burst_size, 10 ** 8 + number * args.burst_size, done_document)
            time.sleep(max(0.0, started + args.duration - time.monotonic()))
            steady_stop.set()
            for thread in clients:
                thread.join(timeout=120)
            wall = time.monotonic() - started
            monitor_stop.set()
            watcher.join(timeout=30)
            collect_monitor(rec, monitor_out)
        finally:
            stop.set()
            steady_stop.set()
            monitor_stop.set()
            stop_server(server)
        log_tail = (tmp / "server.log").read_text(errors="replace")[-1500:]

    health_all = [seconds for _, seconds, _ in rec.health]
    health_burst = [seconds for _, seconds, during in rec.health if during]
    server_errors = {k: v for k, v in rec.statuses.items() if k.rsplit(" ", 1)[1].startswith("5") or k.endswith(" 0")}
    burst_429 = sum(v for k, v in rec.statuses.items() if k.startswith("burst") and k.endswith(" 429"))
    print(f"plangap load test: {args.clients} clients for {args.duration:g} s (wall {wall:.0f} s), "
          f"{args.bursts} bursts of {args.burst_size} uploads + {args.burst_size} analyses; "
          f"PLANGAP_WORKERS={args.workers}, PLANGAP_MAX_QUEUE={args.max_queue}")
    print(f"upload -> findings: n={len(rec.latencies)}, p50 {percentile(rec.latencies, 0.5):.2f} s, "
          f"p95 {percentile(rec.latencies, 0.95):.2f} s")
    print(f"/healthz: n={len(health_all)}, p50 {percentile(health_all, 0.5) * 1000:.0f} ms, "
          f"p99 {percentile(health_all, 0.99) * 1000:.0f} ms; during bursts n={len(health_burst)}, "
          f"p99 {percentile(health_burst, 0.99) * 1000:.0f} ms, max {max(health_burst or [0]) * 1000:.0f} ms")
    print(f"peak RSS (server + workers + sandboxes): {rec.peak_rss_mb:.0f} MB")
    print("statuses: " + ", ".join(f"{k}: {v}" for k, v in sorted(rec.statuses.items())))
    print(f"errors: {len(rec.errors)}" + "".join(f"\n  {e}" for e in rec.errors[:10]))
    failures = []
    if server_errors:
        failures.append(f"5xx or no answer: {server_errors}")
    if health_burst and percentile(health_burst, 0.99) >= HEALTH_TARGET_S:
        failures.append(f"/healthz p99 during bursts {percentile(health_burst, 0.99) * 1000:.0f} ms >= 200 ms")
    if args.burst_size > args.max_queue and burst_429 == 0:
        failures.append("bursts over the queue limit were not answered 429")
    if rec.errors:
        failures.append(f"{len(rec.errors)} client errors")
    print("verdict: " + ("met" if not failures else "NOT met: " + "; ".join(failures)))
    if failures and server_errors:
        print("server log (tail):\n" + log_tail)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
