"""The worker side of a bulk run: one document in, one outcome out, whatever the document does."""
from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from bulk_testlib import BROKEN, PNG_BYTES, REPO, corpus_plans, truncated_pdf
from service.bulk.executors import InlineBackend, Job
from service.bulk.job import AnalyseOptions, analyse_document


def test_a_plan_gives_an_extraction_and_a_report():
    plan = corpus_plans()[0]
    outcome = analyse_document(plan.name, plan.read_bytes())
    assert outcome.status == "done" and outcome.error_code is None
    assert outcome.extraction.tasks and outcome.report.flags
    assert {p["doc_id"] for p in outcome.parents} == set(outcome.report.parents)
    assert set(outcome.seconds) == {"ingest", "extract", "compare", "total"} and outcome.peak_rss_mb > 0


@pytest.mark.parametrize("name,data", [("rong.txt", b""), ("anh-chup.pdf", PNG_BYTES), ("cat-do.pdf", None)])
def test_a_broken_file_gives_a_failure_with_its_reason(name, data):
    outcome = analyse_document(name, truncated_pdf() if data is None else data)
    assert outcome.status == "failed" and outcome.error_code == BROKEN[name]
    assert outcome.extraction is None and outcome.error_message


def test_too_many_pages_is_a_failure():
    from bulk_testlib import docgen

    pdf = docgen.plan_to_pdf(docgen.plan_blocks(corpus_plans()[0]))
    outcome = analyse_document("dai.pdf", pdf, AnalyseOptions(max_pages=1))
    assert outcome.status == "failed" and outcome.error_code == "too_many_pages"


def test_a_file_that_vanished_is_reported_not_raised(tmp_path):
    job = Job(key="x" * 64, name="mat.txt", load=(tmp_path / "mat.txt").read_bytes)
    [(returned, result)] = list(InlineBackend().run([job], AnalyseOptions()))
    assert returned is job and isinstance(result, FileNotFoundError)


@pytest.mark.slow
def test_regression_concurrent_first_use_in_threads_does_not_race():
    """Dask workers run tasks in threads (and LocalCluster(processes=False) puts several workers in
    one process): underthesea's lazily loaded tokenizer model failed with "'NoneType' object has no
    attribute 'process'" when two threads used it first at the same time."""
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(REPO / 'tests' / 'bulk')!r})
        from concurrent.futures import ThreadPoolExecutor
        from bulk_testlib import corpus_plans
        from service.bulk.job import analyse_document
        plans = [(p.name, p.read_bytes()) for p in corpus_plans()]
        with ThreadPoolExecutor(3) as pool:
            outcomes = list(pool.map(lambda a: analyse_document(*a), plans))
        print([(o.status, o.error_message) for o in outcomes])
        sys.exit(0 if all(o.status == "done" for o in outcomes) else 1)
    """)
    run = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]


def test_regression_worker_peak_rss_was_the_spawning_parents_size():
    import multiprocessing
    import sys

    from service.bulk.job import peak_rss_mb

    if not sys.platform.startswith("linux"):
        pytest.skip("the inherited ru_maxrss is a Linux behaviour")
    ballast = bytearray(400 * 1024 * 1024)        # the driver grows (pages touched) before it spawns a worker
    for i in range(0, len(ballast), 4096):
        ballast[i] = 1
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        child_peak = pool.apply(peak_rss_mb)
    del ballast
    assert child_peak < 300, child_peak            # the worker's own peak, not the parent's 400+ MB
