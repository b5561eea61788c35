"""A bulk run over a folder mixing real plans and broken files: every document gets a result or a
recorded failure with its reason, the run never stops, a second run skips what was done, and the
Dask path (LocalCluster) gives the same results as the local pool."""
from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import select

from bulk_testlib import BROKEN, corpus_plans, make_settings
from service.bulk import BulkOptions, read_status, run_bulk
from service.storage.db import session_scope
from service.storage.models import Analysis, Document

pytestmark = pytest.mark.slow

COMPARED = ["name", "status", "error_code", "tasks", "targets", "flags_total", "groups_covered", "groups_total"]


@pytest.fixture(scope="module")
def local_run(mixed_folder, tmp_path_factory):
    settings = make_settings(tmp_path_factory.mktemp("data"))
    out = tmp_path_factory.mktemp("out")
    first = run_bulk(mixed_folder, out, settings=settings, options=BulkOptions(workers=2, progress=False))
    first_documents = pd.read_parquet(out / "documents.parquet")
    second = run_bulk(mixed_folder, out, settings=settings, options=BulkOptions(workers=2, progress=False))
    return settings, out, first, first_documents, second


def test_every_plan_is_analysed_and_every_broken_file_recorded_with_its_reason(local_run):
    _, out, first, documents, _ = local_run
    by_name = documents.set_index("name")
    plans = [p.name for p in corpus_plans()]
    assert sorted(by_name.index) == sorted(["xa/" + plans[0], *plans[1:], *BROKEN])
    for name in ["xa/" + plans[0], *plans[1:]]:
        row = by_name.loc[name]
        assert row["status"] == "done" and row["tasks"] > 0 and row["groups_total"] > 0
        assert row["flags_total"] == sum(row[c] for c in by_name.columns if c.startswith("flags_") and c != "flags_total")
    for name, code in BROKEN.items():
        row = by_name.loc[name]
        assert row["status"] == "failed" and row["error_code"] == code
        assert len(row["error_message"]) > 5        # a reason a person can read, not just a code
    assert first.progress.status == "done"
    assert (first.progress.total, first.progress.done, first.progress.failed) == (6, 3, 3)
    assert first.progress.ignored == 1             # so-do.png; the hidden file is not even counted


def test_results_are_stored_in_the_database(local_run):
    settings, *_ = local_run
    with session_scope(settings.resolved_database_url) as session:
        documents = session.scalars(select(Document)).all()
        analyses = session.scalars(select(Analysis)).all()
        assert sorted(d.status for d in documents) == ["done"] * 3 + ["failed"] * 3
        assert {d.error_code for d in documents if d.status == "failed"} == set(BROKEN.values())
        assert len(analyses) == 3 and all(a.status == "done" and a.report for a in analyses)
        assert {a.document_id for a in analyses} == {d.id for d in documents if d.status == "done"}


def test_a_second_run_skips_what_was_done(local_run):
    _, out, first, first_documents, second = local_run
    assert second.progress.processed == 0 and second.progress.skipped == 6
    again = pd.read_parquet(out / "documents.parquet")
    assert set(again["this_run"]) == {"skipped"}
    pd.testing.assert_frame_equal(again[COMPARED], first_documents[COMPARED])


def test_outputs_tables_and_overview(local_run):
    _, out, _, documents, _ = local_run
    csv = pd.read_csv(out / "documents.csv")
    assert list(csv["name"]) == list(documents["name"])
    flags = pd.read_parquet(out / "flags.parquet")
    done = documents[documents["status"] == "done"]
    assert len(flags) == done["flags_total"].sum()
    assert set(flags["document_id"]) <= set(done["document_id"])
    html = (out / "overview.html").read_text(encoding="utf-8")
    assert "<svg" in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")   # no CDN
    assert html.count("<rect") >= 3 * documents["groups_total"].max()   # a cell per commune x group
    for code in BROKEN.values():
        assert code in html
    status = read_status(out)
    assert status["status"] == "done" and status["outputs"]["overview"] == "overview.html"


def test_dask_local_cluster_gives_the_same_results(local_run, mixed_folder, tmp_path_factory):
    from distributed import Client, LocalCluster

    _, _, _, local_documents, _ = local_run
    settings = make_settings(tmp_path_factory.mktemp("dask-data"))
    out = tmp_path_factory.mktemp("dask-out")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        result = run_bulk(mixed_folder, out, settings=settings,
                          options=BulkOptions(scheduler=client, progress=False))
        workers = {o["worker"] for o in result.outcomes}
    assert result.progress.processed == 6 and result.progress.failed == 3
    dask_documents = pd.read_parquet(out / "documents.parquet")
    pd.testing.assert_frame_equal(dask_documents[COMPARED], local_documents[COMPARED])
    group_columns = [c for c in local_documents.columns if c.startswith("group_")]
    pd.testing.assert_frame_equal(dask_documents[group_columns], local_documents[group_columns])
    local_flags = pd.read_parquet(local_run[1] / "flags.parquet")
    assert sorted(pd.read_parquet(out / "flags.parquet")["flag_key"]) == sorted(local_flags["flag_key"])
    assert workers   # results came from the cluster's workers
