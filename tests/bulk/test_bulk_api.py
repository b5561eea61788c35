"""POST /bulk (admin) over an uploaded zip or a folder the server may read; progress from GET /bulk/{id}."""
from __future__ import annotations

import io
import shutil
import time

import pytest
from fastapi.testclient import TestClient

from bulk_testlib import corpus_plans, make_settings, zip_bytes

pytestmark = pytest.mark.slow

AUTH = {"Authorization": "Bearer test-admin-token-0123456789"}


@pytest.fixture
def client(tmp_path, monkeypatch):
    from service.api.main import create_app
    from service.api.routes import bulk

    monkeypatch.setenv("PLANGAP_BULK_MAX_ZIP_MB", "2")
    monkeypatch.setenv("PLANGAP_BULK_ROOTS", str(tmp_path / "shared-corpora"))
    app = create_app(make_settings(tmp_path / "data"))
    if not any(getattr(route, "path", "") == "/bulk" for route in app.routes):
        app.include_router(bulk.router)
    with TestClient(app) as test_client:
        yield test_client
        jobs = getattr(app.state, "bulk_jobs", None)
        for job_id in list(jobs._threads) if jobs else []:
            jobs.wait(job_id, timeout=300)


def wait_done(client, job_id: str, timeout: float = 300) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(f"/bulk/{job_id}", headers=AUTH).json()
        if body["status"] not in ("queued", "running"):
            return body
        time.sleep(0.5)
    raise AssertionError(f"bulk job {job_id} did not finish")


def test_zip_upload_runs_and_reports_progress_and_files(client):
    plan = corpus_plans()[0]
    archive = zip_bytes({f"xa/{plan.name}": plan.read_bytes(), "rong.txt": b""})
    response = client.post("/bulk", headers=AUTH, files={"file": ("kehoach.zip", io.BytesIO(archive), "application/zip")})
    assert response.status_code == 202, response.text
    job = response.json()
    assert job["kind"] == "zip" and job["status"] in ("queued", "running", "done")

    body = wait_done(client, job["id"])
    assert body["status"] == "done", body
    assert (body["total"], body["done"], body["failed"], body["processed"]) == (2, 1, 1, 2)
    overview = client.get(body["files"]["overview"], headers=AUTH)
    assert overview.status_code == 200 and "<svg" in overview.text
    csv = client.get(body["files"]["documents_csv"], headers=AUTH).text
    assert "xa/" + plan.name in csv and "empty" in csv
    assert client.get(f"/bulk/{job['id']}/files/plangap.db", headers=AUTH).status_code == 404
    assert [j["id"] for j in client.get("/bulk", headers=AUTH).json()] == [job["id"]]


def test_a_zip_with_path_traversal_is_refused(client):
    archive = zip_bytes({"../../evil.txt": b"x"})
    response = client.post("/bulk", headers=AUTH, files={"file": ("x.zip", io.BytesIO(archive), "application/zip")})
    assert response.status_code == 422 and response.json()["error"] == "unsafe_path"


def test_a_zip_over_the_size_limit_is_refused_before_it_is_read(client):
    big = io.BytesIO(b"PK\x03\x04" + bytes(3 * 1024 * 1024))
    response = client.post("/bulk", headers=AUTH, files={"file": ("big.zip", big, "application/zip")})
    assert response.status_code == 413 and response.json()["error"] == "too_large"


def test_folders_must_lie_inside_the_allowed_roots(client, tmp_path):
    response = client.post("/bulk", headers=AUTH, data={"folder": "/etc"})
    assert response.status_code == 403 and response.json()["error"] == "forbidden_path"
    allowed = tmp_path / "shared-corpora" / "dot-1"
    allowed.mkdir(parents=True)
    shutil.copyfile(corpus_plans()[1], allowed / corpus_plans()[1].name)
    response = client.post("/bulk", headers=AUTH, data={"folder": str(allowed)})
    assert response.status_code == 202, response.text
    busy = client.post("/bulk", headers=AUTH, data={"folder": str(allowed)})
    assert busy.status_code == 409 and busy.json()["error"] == "bulk_busy"
    assert wait_done(client, response.json()["id"])["status"] == "done"


def test_bulk_needs_an_admin_and_exactly_one_source(client):
    assert client.post("/bulk", data={"folder": "/x"}).status_code == 401
    response = client.post("/bulk", headers=AUTH, data={})
    assert response.status_code == 422 and response.json()["error"] == "invalid_request"
    assert client.get("/bulk/0123456789abcdef", headers=AUTH).status_code == 404
