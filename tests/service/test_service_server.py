"""A real server (`python -m service serve`, uvicorn on a random port), on SQLite and PostgreSQL:
stopping and starting it again loses nothing — documents, analyses, flags and reviews."""
from __future__ import annotations

import httpx
import pytest

from service_testlib import AUTH, corpus_plan, wait_for_status


@pytest.mark.slow
def test_restarting_the_server_keeps_flags_and_reviews(server_factory, database_url):
    first = server_factory(DATABASE_URL=database_url).start()
    with httpx.Client(base_url=first.url, timeout=30) as client:
        plan = corpus_plan(3)
        uploaded = client.post("/documents", files={"file": (plan.name, plan.read_bytes(), "text/plain")}, headers=AUTH)
        assert uploaded.status_code == 202
        document_id = uploaded.json()["id"]
        analysis_id = client.post("/analyses", json={"document_id": document_id}, headers=AUTH).json()["id"]
        before = wait_for_status(client, f"/analyses/{analysis_id}")
        assert before["status"] == "done" and len(before["flags"]) >= 2
        dismissed, accepted = before["flags"][0]["id"], before["flags"][1]["id"]
        assert client.patch(f"/flags/{dismissed}", json={"status": "dismissed", "comment": "Không áp dụng cho phường"},
                            headers=AUTH).status_code == 200
        assert client.patch(f"/flags/{accepted}", json={"status": "accepted"}, headers=AUTH).status_code == 200
    first.stop()

    second = server_factory(DATABASE_URL=database_url).start()
    with httpx.Client(base_url=second.url, timeout=30) as client:
        after = client.get(f"/analyses/{analysis_id}", headers=AUTH).json()
        assert [f["id"] for f in after["flags"]] == [f["id"] for f in before["flags"]]
        assert after["coverage"] == before["coverage"]
        flags = {f["id"]: f for f in after["flags"]}
        assert (flags[dismissed]["status"], flags[dismissed]["comment"]) == ("dismissed", "Không áp dụng cho phường")
        assert flags[accepted]["status"] == "accepted"
        document = client.get(f"/documents/{document_id}", headers=AUTH).json()
        assert document["status"] == "done" and document["extraction"]["tasks"]
        again = client.post("/documents", files={"file": ("x.txt", corpus_plan(3).read_bytes(), "text/plain")},
                            headers=AUTH)
        assert again.status_code == 200 and again.json()["id"] == document_id
        ui = client.get(f"/ui/analyses/{analysis_id}", headers=AUTH)
        assert ui.status_code == 200 and "Không áp dụng cho phường" in ui.text
