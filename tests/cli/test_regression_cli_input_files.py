"""The CLI decides from a file's metadata before reading it: a FIFO (which would block the reader) and
an oversized sparse file (6 GB read whole before the size check) are refused unread, and one bad file
never stops a batch: its error is reported, the other files are written."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from nlp.ingest import MAX_BYTES

REPO = Path(__file__).resolve().parents[2]
PLAN_001 = next((REPO / "corpus" / "plans").glob("001_*.txt"))
RSS_PROBE = ("import resource, runpy, sys; sys.argv = ['service'] + sys.argv[1:]\n"
             "try:\n    runpy.run_module('service', run_name='__main__')\n"
             "finally:\n    print('MAXRSS_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n")


def run_cli(*args: str) -> subprocess.CompletedProcess:
    """The CLI in a child process (a hang fails the test by timeout); its peak RSS is printed on stderr."""
    return subprocess.run([sys.executable, "-c", RSS_PROBE, *args], cwd=REPO, capture_output=True, text=True,
                          timeout=180)


def peak_rss_mb(result: subprocess.CompletedProcess) -> float:
    line = next(line for line in result.stderr.splitlines() if line.startswith("MAXRSS_KB"))
    return int(line.split()[1]) / 1024


def test_regression_cli_fifo_and_sparse_file_refused_unread_and_the_batch_goes_on(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)                                   # nobody ever writes to it
    sparse = tmp_path / "huge.txt"
    with open(sparse, "wb") as handle:
        handle.truncate(6 * 1024 ** 3)                # 6 GB of holes: costs no disk, would cost 6 GB of RAM
    out = tmp_path / "out"
    result = run_cli("extract", str(fifo), str(sparse), str(PLAN_001), "--out", str(out), "--no-sandbox")
    assert result.returncode == 0, result.stderr
    assert f"{fifo}: lỗi [not_regular_file]" in result.stderr
    assert f"{sparse}: lỗi [too_large]" in result.stderr and f"{MAX_BYTES // 1048576} MB" in result.stderr
    written = json.loads((out / f"{PLAN_001.stem}.json").read_text(encoding="utf-8"))
    assert written["tasks"]
    assert sorted(p.name for p in out.iterdir()) == [f"{PLAN_001.stem}.json"]
    assert peak_rss_mb(result) < 1500, "the sparse file was read"


def test_regression_cli_parse_refuses_a_fifo_without_hanging(tmp_path):
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    result = run_cli("parse", str(fifo), "--no-sandbox")
    assert result.returncode == 2
    assert "[not_regular_file]" in result.stderr and "không phải một tệp thông thường" in result.stderr
    assert "Traceback" not in result.stderr


def test_regression_compare_corpus_with_a_bad_file_still_compares(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "hong.json").write_text("{không phải JSON", encoding="utf-8")
    os.mkfifo(corpus / "pipe.txt")
    out = tmp_path / "report.json"
    result = run_cli("compare", str(PLAN_001), "--corpus", str(corpus), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "hong.json: bỏ qua" in result.stderr and "Traceback" not in result.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["flags"]
