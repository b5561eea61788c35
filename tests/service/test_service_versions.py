"""Document versions (issue 10): a corrected re-upload becomes a new version of the stored document,
its unchanged findings keep their decisions, and the API says what changed (new, resolved, carried)."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from service.api.main import create_app
from service.storage.versions import identity, text_similarity
from service_testlib import AUTH, corpus_plan, make_settings, wait_for_status


def upload(client, data: bytes, name: str) -> dict:
    response = client.post("/documents", files={"file": (name, data, "text/plain")}, headers=AUTH)
    assert response.status_code == 202, response.text
    return wait_for_status(client, f"/documents/{response.json()['id']}")


def analyse(client, document_id: str) -> dict:
    analysis_id = client.post("/analyses", json={"document_id": document_id}, headers=AUTH).json()["id"]
    return wait_for_status(client, f"/analyses/{analysis_id}")


def changed_line(text: str) -> str:
    """The plan with one line changed: a task of the plan given a new wording."""
    lines = text.splitlines()
    index = max(i for i, line in enumerate(lines) if line.strip().startswith("-") and len(line) > 60)
    lines[index] = lines[index].rstrip() + " (sửa đổi, bổ sung theo góp ý của Sở)"
    return "\n".join(lines) + "\n"


@pytest.mark.slow
def test_regression_reupload_with_one_changed_line_keeps_its_decisions(tmp_path):
    original = corpus_plan(3).read_text(encoding="utf-8")
    with TestClient(create_app(make_settings(tmp_path, workers=0))) as client:
        first = upload(client, original.encode(), "ke-hoach.txt")
        before = analyse(client, first["id"])
        assert len(before["flags"]) >= 3
        decided = {flag["fingerprint"]: status for flag, status in zip(before["flags"], ["dismissed", "accepted"])}
        for flag in before["flags"][:2]:
            response = client.patch(f"/flags/{flag['id']}", json={"status": decided[flag["fingerprint"]],
                                                                    "comment": "đã xem"}, headers=AUTH)
            assert response.status_code == 200, response.text

        second = upload(client, changed_line(original).encode(), "ke-hoach-sua.txt")
        assert second["id"] != first["id"]
        assert (second["version"], second["previous_version_id"]) == (2, first["id"])
        after = analyse(client, second["id"])
        by_fingerprint = {flag["fingerprint"]: flag for flag in after["flags"]}
        for fingerprint, status in decided.items():
            assert by_fingerprint[fingerprint]["status"] == status
            assert by_fingerprint[fingerprint]["comment"] == "đã xem"

        changes = client.get(f"/documents/{second['id']}/changes", headers=AUTH)
        assert changes.status_code == 200, changes.text
        body = changes.json()
        assert body["previous_version_id"] == first["id"] and body["version"] == 2
        assert {flag["fingerprint"] for flag in body["carried"]} == set(decided)
        assert body["kept"] >= len(decided)
        assert all(flag["document_id"] == second["id"] for flag in body["new"] + body["carried"])
        assert all(flag["document_id"] == first["id"] for flag in body["resolved"])
        untouched = client.get(f"/documents/{first['id']}/changes", headers=AUTH).json()
        assert untouched["previous_version_id"] is None and untouched["new"] == untouched["carried"] == []
        unrelated = upload(client, corpus_plan(0).read_bytes(), "khac.txt")
        assert (unrelated["version"], unrelated["previous_version_id"]) == (1, None)


def test_identity_needs_a_number_and_an_issuer_or_date():
    assert identity({"document": {"number": "79/KH-UBND", "issuer": "UBND phường A", "issued": "2025-10-02"}}) == \
        identity({"document": {"number": "79/kh-ubnd", "issuer": "UBND  Phường A", "issued": "2025-10-02"}})
    assert identity({"document": {"number": "79/KH-UBND"}}) is None
    assert identity({"document": {"number": "79/KH-UBND", "issuer": "UBND phường B", "issued": "2025-10-02"}}) != \
        identity({"document": {"number": "79/KH-UBND", "issuer": "UBND phường A", "issued": "2025-10-02"}})


def test_text_similarity_tells_a_corrected_copy_from_another_plan():
    one, other = corpus_plan(3).read_text(encoding="utf-8"), corpus_plan(0).read_text(encoding="utf-8")
    assert text_similarity(one, changed_line(one)) > 0.9
    assert text_similarity(one, other) < 0.5
