"""Reviewers' decisions through the API: reasons, comments, an append-only history, optimistic
concurrency (409 when someone decided since the page loaded), decisions on many flags, the reviewer
always the authenticated user, and the aggregate of decisions that feeds back into confidence."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from service.api.main import create_app
from service_testlib import AUTH, make_settings
from triage_testlib import seed_analysis


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    settings = make_settings(tmp_path_factory.mktemp("decisions"), workers=0)
    document_id, analysis_id = seed_analysis(settings, 0)
    app = create_app(settings)
    with TestClient(app) as client:
        tokens = {}
        for name in ("lan", "minh"):
            created = client.post("/users", json={"name": name, "role": "reviewer"}, headers=AUTH)
            assert created.status_code == 201, created.text
            tokens[name] = {"Authorization": f"Bearer {created.json()['token']}"}
        flags = client.get(f"/analyses/{analysis_id}", headers=AUTH).json()["flags"]
        yield client, tokens, flags


def test_regression_forged_reviewer_is_the_authenticated_user(seeded):
    client, tokens, flags = seeded
    response = client.patch(f"/flags/{flags[0]['id']}", json={"status": "accepted", "reviewer": "admin"},
                            headers=tokens["lan"])
    assert response.status_code == 200 and response.json()["reviewer"] == "lan"
    history = client.get(f"/flags/{flags[0]['id']}/history", headers=AUTH).json()
    assert [event["reviewer"] for event in history] == ["lan"]


def test_dismissal_keeps_reason_and_comment_and_history_is_append_only(seeded):
    client, tokens, flags = seeded
    flag_id = flags[1]["id"]
    first = client.patch(f"/flags/{flag_id}", json={"status": "dismissed", "reason": "present_other_wording",
                                                    "comment": "Đã có ở mục III.2", "expected_version": 0},
                         headers=tokens["lan"])
    assert first.status_code == 200, first.text
    assert (first.json()["status"], first.json()["reason"], first.json()["version"]) == ("dismissed", "present_other_wording", 1)
    second = client.patch(f"/flags/{flag_id}", json={"status": "open", "expected_version": 1}, headers=tokens["minh"])
    assert second.status_code == 200 and second.json()["reason"] is None   # a reason belongs to a dismissal
    history = client.get(f"/flags/{flag_id}/history", headers=AUTH).json()
    assert [(e["reviewer"], e["from_status"], e["to_status"], e["reason"]) for e in history] == [
        ("lan", "open", "dismissed", "present_other_wording"), ("minh", "dismissed", "open", None)]
    assert history[0]["comment"] == "Đã có ở mục III.2" and history[0]["at"] <= history[1]["at"]
    bad = client.patch(f"/flags/{flag_id}", json={"status": "dismissed", "reason": "vì thích"}, headers=tokens["lan"])
    assert bad.status_code == 422 and bad.json()["error"] == "invalid_request"


def test_a_decision_made_since_the_page_loaded_is_a_409_with_the_current_decision(seeded):
    client, tokens, flags = seeded
    flag_id = flags[2]["id"]
    seen = flags[2]["version"]
    assert client.patch(f"/flags/{flag_id}", json={"status": "accepted", "expected_version": seen},
                        headers=tokens["lan"]).status_code == 200
    late = client.patch(f"/flags/{flag_id}", json={"status": "dismissed", "reason": "other", "expected_version": seen},
                        headers=tokens["minh"])
    assert late.status_code == 409
    body = late.json()
    assert body["error"] == "stale_decision" and "lan" in body["message"] and "đã chấp nhận" in body["message"]
    assert body["current"]["status"] == "accepted" and body["current"]["reviewer"] == "lan"
    assert client.get(f"/flags/{flag_id}/history", headers=AUTH).json()[-1]["reviewer"] == "lan"   # nothing written
    retry = client.patch(f"/flags/{flag_id}", json={"status": "dismissed", "reason": "other",
                                                    "expected_version": body["current"]["version"]},
                         headers=tokens["minh"])
    assert retry.status_code == 200 and retry.json()["reviewer"] == "minh"


def test_one_decision_for_many_flags_reports_conflicts_apart(seeded):
    client, tokens, flags = seeded
    chosen = [f for f in flags[3:]][:4]
    stale = chosen[0]
    client.patch(f"/flags/{stale['id']}", json={"status": "accepted"}, headers=tokens["lan"])
    response = client.post("/flags/decisions", json={
        "ids": [f["id"] for f in chosen] + ["khong-co:abc"], "status": "dismissed", "reason": "not_applicable_level",
        "comment": "Cấp phường không thực hiện", "expected_versions": {f["id"]: f["version"] for f in chosen}},
        headers=tokens["minh"])
    assert response.status_code == 200, response.text
    body = response.json()
    assert [f["id"] for f in body["conflicts"]] == [stale["id"]] and body["not_found"] == ["khong-co:abc"]
    assert sorted(f["id"] for f in body["updated"]) == sorted(f["id"] for f in chosen[1:])
    assert all(f["reason"] == "not_applicable_level" and f["reviewer"] == "minh" for f in body["updated"])
    uploader = client.post("/users", json={"name": "tai", "role": "uploader"}, headers=AUTH).json()["token"]
    refused = client.post("/flags/decisions", json={"ids": [chosen[1]["id"]], "status": "open"},
                          headers={"Authorization": f"Bearer {uploader}"})
    assert refused.status_code == 403


def test_dismiss_reasons_feed_back_into_the_confidence_of_the_rule(seeded):
    client, tokens, flags = seeded
    by_type: dict[str, list[dict]] = {}
    for f in flags:
        by_type.setdefault(f["type"], []).append(f)
    undecided_by_type = {t: [f for f in fs if client.get(f"/flags/{f['id']}/history", headers=AUTH).json() == []]
                         for t, fs in by_type.items()}
    noisy_type, undecided = max(undecided_by_type.items(), key=lambda item: len(item[1]))
    undecided = undecided[:4]
    assert len(undecided) >= 2
    before = {s["flag_type"]: s for s in client.get("/flags/stats", headers=AUTH).json()}
    for f in undecided:
        client.patch(f"/flags/{f['id']}", json={"status": "dismissed", "reason": "wrong_extraction"}, headers=tokens["lan"])
    after = {s["flag_type"]: s for s in client.get("/flags/stats", headers=AUTH).json()}
    assert after[noisy_type]["reasons"]["wrong_extraction"] >= len(undecided)
    assert after[noisy_type]["confidence_factor"] < before.get(noisy_type, {"confidence_factor": 1.0})["confidence_factor"]
    assert after[noisy_type]["precision"] < 1
    listed = client.get("/flags", params={"type": noisy_type}, headers=AUTH).json()
    assert all(f["confidence"] == pytest.approx((f["base_confidence"] or 1.0) * after[noisy_type]["confidence_factor"], abs=1e-3)
               for f in listed)
    calm_type = next(t for t, fs in by_type.items() if t != noisy_type and after.get(t, {}).get("dismissed", 0) == 0
                     and any(client.get(f"/flags/{f['id']}/history", headers=AUTH).json() == [] for f in fs))
    calm = next(f for f in by_type[calm_type] if client.get(f"/flags/{f['id']}/history", headers=AUTH).json() == [])
    client.patch(f"/flags/{calm['id']}", json={"status": "dismissed", "reason": "other"}, headers=tokens["lan"])
    stats = {s["flag_type"]: s for s in client.get("/flags/stats", headers=AUTH).json()}[calm_type]
    assert stats["dismissed"] == 1 and stats["confidence_factor"] == after[calm_type]["confidence_factor"]
