"""The HTTP API on the real pipeline (corpus plans), in-process (TestClient) with a real worker pool:
every endpoint, the error codes (401/403/404/409/413/415/422/429), and reviews surviving re-analysis."""
from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from fastapi.testclient import TestClient

from service.api.main import create_app
from service_testlib import AUTH, corpus_plan, make_settings, wait_for_status

REQUIRED_PATHS = {"/documents", "/documents/{document_id}", "/analyses", "/analyses/{analysis_id}",
                  "/analyses/{analysis_id}.{fmt}", "/flags", "/flags/{flag_id}", "/healthz"}


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) >= {"error", "message"} and body["message"], body
    if code:
        assert body["error"] == code, body
    return body


def upload(client, path_or_bytes, filename: str | None = None, headers=AUTH):
    data = path_or_bytes if isinstance(path_or_bytes, bytes) else path_or_bytes.read_bytes()
    name = filename or (path_or_bytes.name if not isinstance(path_or_bytes, bytes) else "tai-lieu.txt")
    return client.post("/documents", files={"file": (name, data, "application/octet-stream")}, headers=headers)


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    app = create_app(make_settings(tmp_path_factory.mktemp("api"), workers=2))
    with TestClient(app) as client:
        yield client


@pytest.fixture(scope="module")
def analysed(client):
    """A corpus plan, uploaded and analysed against the parents its citations name."""
    document = upload(client, corpus_plan(0)).json()
    analysis_id = client.post("/analyses", json={"document_id": document["id"]}, headers=AUTH).json()["id"]
    analysis = wait_for_status(client, f"/analyses/{analysis_id}")
    assert analysis["status"] == "done", analysis
    return document["id"], analysis


def user_token(client, name: str, role: str) -> dict:
    response = client.post("/users", json={"name": name, "role": role, "password": "mat-khau-123"}, headers=AUTH)
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


# ---------------------------------------------------------------- endpoints


def test_healthz_answers_without_credentials(client):
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["database"] is True and body["workers"] == 2


def test_openapi_documents_every_endpoint_and_its_errors(client):
    schema = client.get("/openapi.json").json()
    assert REQUIRED_PATHS <= set(schema["paths"])
    upload_op = schema["paths"]["/documents"]["post"]
    assert "multipart/form-data" in upload_op["requestBody"]["content"]
    assert {"202", "413", "415", "429", "401"} <= set(upload_op["responses"])
    assert {"202", "404", "429"} <= set(schema["paths"]["/analyses"]["post"]["responses"])


def test_upload_returns_at_once_and_the_extraction_runs_in_a_worker(client):
    response = upload(client, corpus_plan(3))
    assert response.status_code == 202
    document = response.json()
    assert document["status"] == "queued" and document["duplicate"] is False
    assert document["format"] in ("text", "markdown")   # decided from the content
    done = wait_for_status(client, f"/documents/{document['id']}")
    assert done["status"] == "done", done
    extraction = done["extraction"]
    assert extraction["text"].startswith(corpus_plan(3).read_text(encoding="utf-8").strip()[:20])
    assert len(extraction["tasks"]) > 5 and any(ref["number"] == "57-NQ/TW" for ref in extraction["references"])


def test_same_content_uploaded_again_returns_the_stored_document(client, analysed):
    document_id, _ = analysed
    response = upload(client, corpus_plan(0), filename="ban-sao-khac-ten.txt")
    assert response.status_code == 200
    assert response.json()["id"] == document_id and response.json()["duplicate"] is True
    assert [d["id"] for d in client.get("/documents", headers=AUTH).json()].count(document_id) == 1


def test_analysis_resolves_parents_from_citations_and_reports_flags(analysed):
    _, analysis = analysed
    assert {"id", "status", "document_id", "coverage", "flags"} <= set(analysis)
    assert {p["doc_id"] for p in analysis["parents"]} >= {"57-NQ-TW"}
    assert all(p["source"] == "bundled" for p in analysis["parents"])
    assert 0 <= analysis["coverage"]["task_groups"]["ratio"] <= 1
    assert analysis["flags"], "a ward plan always falls short somewhere"
    for flag in analysis["flags"]:
        assert {"id", "type", "severity", "status", "message", "child", "parent"} <= set(flag)
        assert flag["status"] == "open" and flag["id"] == f"{analysis['document_id']}:{flag['fingerprint']}"
    unresolved = [f for f in analysis["flags"] if f["type"] == "unresolved_parent"]
    assert len(unresolved) == len(analysis["unresolved"])


def test_flags_carry_confidence_and_come_surest_first(analysed):
    _, analysis = analysed
    order = [(f["collapsed"], ["high", "medium", "low", "info"].index(f["severity"]), -f["confidence"]) for f in analysis["flags"]]
    assert order == sorted(order)
    assert all(0 < f["confidence"] <= 1 for f in analysis["flags"])


def test_flag_evidence_comes_with_its_context_in_the_plan(analysed):
    _, analysis = analysed
    plan_text = corpus_plan(0).read_text(encoding="utf-8")
    with_span = [f for f in analysis["flags"] if f["child"] and f["child"]["span"]]
    assert with_span
    for flag in with_span[:10]:
        context = flag["child"]["context"]
        assert context["text"] and " ".join(context["text"].split())[:30] in " ".join(plan_text.split())


def test_flags_filter_by_document_type_severity_and_status(client, analysed):
    document_id, analysis = analysed
    flag_type = analysis["flags"][0]["type"]
    by_type = client.get("/flags", params={"document_id": document_id, "type": flag_type}, headers=AUTH).json()
    assert by_type and {f["type"] for f in by_type} == {flag_type}
    assert len(by_type) == sum(f["type"] == flag_type for f in analysis["flags"])
    high = client.get("/flags", params={"document_id": document_id, "severity": "high"}, headers=AUTH).json()
    assert {f["severity"] for f in high} <= {"high"}
    assert client.get("/flags", params={"document_id": "khong-co"}, headers=AUTH).json() == []
    assert_error(client.get("/flags", params={"type": "not_a_type"}, headers=AUTH), 422, "invalid_request")


def test_review_decisions_survive_reanalysis(client, analysed):
    document_id, analysis = analysed
    dismissed, accepted = analysis["flags"][0], analysis["flags"][1]
    response = client.patch(f"/flags/{dismissed['id']}", json={"status": "dismissed", "comment": "Đã có ở mục II.3"},
                            headers=AUTH)
    assert response.status_code == 200 and response.json()["status"] == "dismissed"
    assert response.json()["reviewer"] == "admin"
    client.patch(f"/flags/{accepted['id']}", json={"status": "accepted", "reviewer": "Nguyễn Lan"}, headers=AUTH)

    again = client.post("/analyses", json={"document_id": document_id}, headers=AUTH)
    assert again.status_code == 202
    rerun = wait_for_status(client, f"/analyses/{again.json()['id']}")
    assert rerun["id"] != analysis["id"] and rerun["status"] == "done"
    flags = {f["id"]: f for f in rerun["flags"]}
    assert flags[dismissed["id"]]["status"] == "dismissed" and flags[dismissed["id"]]["comment"] == "Đã có ở mục II.3"
    # the reviewer is the authenticated caller: a name in the request cannot attribute the decision (issue 10)
    assert flags[accepted["id"]]["status"] == "accepted" and flags[accepted["id"]]["reviewer"] == "admin"
    assert sum(f["status"] == "open" for f in rerun["flags"]) == len(rerun["flags"]) - 2
    listed = client.get("/flags", params={"document_id": document_id, "status": "dismissed"}, headers=AUTH).json()
    assert [f["id"] for f in listed] == [dismissed["id"]] and listed[0]["analysis_id"] == rerun["id"]


def test_a_bare_fingerprint_names_a_flag_when_one_document_has_it(client, analysed):
    _, analysis = analysed
    flag = analysis["flags"][-1]
    response = client.patch(f"/flags/{flag['fingerprint']}", json={"comment": "xem lại"}, headers=AUTH)
    assert response.status_code == 200 and response.json()["id"] == flag["id"]


def test_exports_csv_and_xlsx(client, analysed):
    _, analysis = analysed
    csv = client.get(f"/analyses/{analysis['id']}.csv", headers=AUTH)
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert analysis["flags"][0]["fingerprint"] in csv.text or analysis["flags"][0]["message"][:30] in csv.text
    xlsx = client.get(f"/analyses/{analysis['id']}.xlsx", headers=AUTH)
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert sum(sheet.max_row for sheet in workbook.worksheets) > len(analysis["flags"])
    assert_error(client.get(f"/analyses/{analysis['id']}.pdf", headers=AUTH), 422)
    assert_error(client.get("/analyses/khong-co.csv", headers=AUTH), 404, "not_found")


def test_explicit_parents_are_stored_documents(client, analysed):
    child_id, _ = analysed
    parent = upload(client, corpus_plan(4)).json()
    wait_for_status(client, f"/documents/{parent['id']}")
    response = client.post("/analyses", json={"document_id": child_id, "parent_ids": [parent["id"]]}, headers=AUTH)
    analysis = wait_for_status(client, f"/analyses/{response.json()['id']}")
    assert analysis["status"] == "done", analysis
    assert [p["document_id"] for p in analysis["parents"]] == [parent["id"]]
    assert analysis["requested_parent_ids"] == [parent["id"]]


PROVINCE_PLAN = """ỦY BAN NHÂN DÂN                    CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
TỈNH HÀ TĨNH                           Độc lập - Tự do - Hạnh phúc

Số: 101/KH-UBND                         Hà Tĩnh, ngày 25 tháng 5 năm 2025

KẾ HOẠCH
Thực hiện Nghị quyết số 71/NQ-CP ngày 01/4/2025 của Chính phủ về đột phá phát triển khoa học, công nghệ,
đổi mới sáng tạo và chuyển đổi số

I. MỤC ĐÍCH, YÊU CẦU
1. Cụ thể hóa các nhiệm vụ của Chính phủ phù hợp với điều kiện của tỉnh.

II. NHIỆM VỤ, GIẢI PHÁP
1. Nâng cao nhận thức về khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số
- Tổ chức tuyên truyền, phổ biến Nghị quyết số 57-NQ/TW đến cán bộ, đảng viên và Nhân dân; hoàn thành trong năm 2025. Cơ quan chủ trì: Sở Văn hóa, Thể thao và Du lịch.
2. Phát triển hạ tầng số
- Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính tại cấp xã, phường; hoàn thành trước 30/9/2025. Cơ quan chủ trì: UBND các xã, phường.

III. TỔ CHỨC THỰC HIỆN
Các sở, ngành, UBND các xã, phường báo cáo kết quả trước ngày 15/6 và 1/12 hằng năm.
"""


def test_a_cited_plan_stored_earlier_is_found_as_a_parent(client, analysed):
    """Corpus plan 000 implements the province's 101/KH-UBND: once that plan is stored, it is a parent."""
    child_id, first = analysed
    assert "101/KH-UBND" in [ref["number"] for ref in first["unresolved"]]
    province = upload(client, PROVINCE_PLAN.encode("utf-8"), "kh-101-tinh.txt").json()
    assert wait_for_status(client, f"/documents/{province['id']}")["number"] == "101/KH-UBND"
    response = client.post("/analyses", json={"document_id": child_id}, headers=AUTH)
    analysis = wait_for_status(client, f"/analyses/{response.json()['id']}")
    stored = [p for p in analysis["parents"] if p["source"] == "stored"]
    assert [p["document_id"] for p in stored] == [province["id"]]
    assert {p["doc_id"] for p in analysis["parents"]} >= {"57-NQ-TW"}
    assert "101/KH-UBND" not in [ref["number"] for ref in analysis["unresolved"]]


def test_an_analysis_requested_before_the_extraction_ends_waits_for_it(client):
    document = upload(client, corpus_plan(1)).json()
    response = client.post("/analyses", json={"document_id": document["id"]}, headers=AUTH)
    assert response.status_code == 202 and response.json()["status"] == "queued"
    analysis = wait_for_status(client, f"/analyses/{response.json()['id']}")
    assert analysis["status"] == "done" and analysis["flags"]


def test_listing_documents_counts_flags_by_type(client, analysed):
    document_id, analysis = analysed
    listed = {d["id"]: d for d in client.get("/documents", headers=AUTH).json()}
    counts = listed[document_id]["flag_counts"]
    assert counts["total"] == len(client.get("/flags", params={"document_id": document_id}, headers=AUTH).json())
    assert set(counts["by_type"]) == {f["type"] for f in client.get("/flags", params={"document_id": document_id},
                                                                    headers=AUTH).json()}
    assert client.get("/analyses", params={"document_id": document_id}, headers=AUTH).json()


# ---------------------------------------------------------------- failures are stored, not lost


def test_a_broken_file_fails_with_its_reason_kept(client):
    broken = b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\n" + bytes(range(256)) * 20
    response = upload(client, broken, "hong.pdf")
    assert response.status_code == 202 and response.json()["format"] == "pdf"
    document = wait_for_status(client, f"/documents/{response.json()['id']}")
    assert document["status"] == "failed" and document["error"] and document["error_message"]
    assert document["extraction"] is None
    assert_error(client.post("/analyses", json={"document_id": document["id"]}, headers=AUTH), 409, "document_failed")
    assert client.get(f"/documents/{document['id']}", headers=AUTH).json()["sha256"] == document["sha256"]


# ---------------------------------------------------------------- errors


def test_unsupported_content_is_415_whatever_the_name(client):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
    assert_error(upload(client, png, "ke-hoach.pdf"), 415, "unsupported_type")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    assert_error(upload(client, archive.getvalue(), "ke-hoach.docx"), 415, "unsupported_type")


def test_invalid_requests_are_422(client, analysed):
    assert_error(client.post("/documents", headers=AUTH), 422, "invalid_request")
    assert_error(upload(client, b"", "rong.txt"), 422, "empty")
    assert_error(client.post("/analyses", json={}, headers=AUTH), 422, "invalid_request")
    assert_error(client.post("/analyses", content=b"{not json", headers={**AUTH, "content-type": "application/json"}), 422)
    flag_id = analysed[1]["flags"][0]["id"]
    assert_error(client.patch(f"/flags/{flag_id}", json={"status": "maybe"}, headers=AUTH), 422, "invalid_request")
    assert_error(client.patch(f"/flags/{flag_id}", json={}, headers=AUTH), 422, "invalid_request")
    assert_error(client.post("/users", json={"name": "x y", "role": "admin"}, headers=AUTH), 422)


def test_unknown_ids_are_404(client):
    assert_error(client.get("/documents/khong-co", headers=AUTH), 404, "not_found")
    assert_error(client.get("/analyses/khong-co", headers=AUTH), 404, "not_found")
    assert_error(client.patch("/flags/abc:khong-co", json={"status": "accepted"}, headers=AUTH), 404, "not_found")
    assert_error(client.post("/analyses", json={"document_id": "khong-co"}, headers=AUTH), 404, "not_found")
    assert_error(client.get("/khong-co-duong-dan"), 404, "not_found")


def test_writes_need_credentials_401(client):
    assert_error(upload(client, corpus_plan(0), headers={}), 401, "unauthorized")
    assert_error(upload(client, corpus_plan(0), headers={"Authorization": "Bearer sai"}), 401, "unauthorized")
    assert_error(client.post("/analyses", json={"document_id": "x"}), 401, "unauthorized")
    assert_error(client.patch("/flags/x", json={"status": "accepted"}), 401, "unauthorized")
    assert_error(client.get("/documents"), 401, "unauthorized")   # reads are closed unless configured open
    assert_error(client.get("/flags", headers={"Authorization": "Basic YTpi"}), 401)


def test_roles_are_enforced_403(client, analysed):
    uploader = user_token(client, "uploader1", "uploader")
    reviewer = user_token(client, "reviewer1", "reviewer")
    flag_id = analysed[1]["flags"][2]["id"]
    assert_error(client.patch(f"/flags/{flag_id}", json={"status": "accepted"}, headers=uploader), 403, "forbidden")
    reviewed = client.patch(f"/flags/{flag_id}", json={"status": "accepted"}, headers=reviewer)
    assert reviewed.status_code == 200 and reviewed.json()["reviewer"] == "reviewer1"
    assert upload(client, corpus_plan(0), headers=uploader).status_code == 200   # duplicate: allowed, not stored again
    assert_error(client.post("/users", json={"name": "z", "role": "admin"}, headers=reviewer), 403, "forbidden")
    assert client.get("/me", headers=uploader).json() == {"name": "uploader1", "role": "uploader"}
    assert_error(client.post("/users", json={"name": "uploader1", "role": "admin"}, headers=AUTH), 409, "conflict")


def test_session_cookie_writes_need_the_csrf_token(client, analysed):
    client.post("/users", json={"name": "lan", "role": "reviewer", "password": "mat-khau-lan"}, headers=AUTH)
    browser = TestClient(client.app)   # no lifespan of its own: shares the running app
    assert browser.post("/ui/login", data={"name": "lan", "password": "sai"}).status_code == 401
    login = browser.post("/ui/login", data={"name": "lan", "password": "mat-khau-lan"}, follow_redirects=False)
    assert login.status_code == 303 and "plangap_session" in login.cookies
    flag_id = analysed[1]["flags"][3]["id"]
    assert_error(browser.patch(f"/flags/{flag_id}", json={"status": "accepted"}), 403, "csrf")
    page = browser.get(f"/ui/analyses/{analysed[1]['id']}")
    token = page.text.split('data-csrf="', 1)[1].split('"', 1)[0]
    done = browser.patch(f"/flags/{flag_id}", json={"status": "accepted"}, headers={"X-CSRF-Token": token})
    assert done.status_code == 200 and done.json()["reviewer"] == "lan"


def test_upload_over_the_size_limit_is_413(tmp_path):
    app = create_app(make_settings(tmp_path, workers=0, max_upload_mb=0.05))
    big = corpus_plan(2).read_bytes() * 2        # > 50 KB
    with TestClient(app) as client:
        assert_error(upload(client, big), 413, "too_large")
        chunked = client.post("/documents", content=iter([b"--x\r\n", big, b"\r\n--x--\r\n"]),
                              headers={**AUTH, "content-type": "multipart/form-data; boundary=x"})
        assert_error(chunked, 413, "too_large")   # no Content-Length: counted while it streams
        assert client.get("/documents", headers=AUTH).json() == []


def test_a_full_queue_is_429(tmp_path):
    app = create_app(make_settings(tmp_path, workers=0, max_queue=1))
    with TestClient(app) as client:
        app.state.runner.max_queue = 0            # as if one job were waiting
        assert_error(upload(client, corpus_plan(0)), 429, "queue_full")
        assert client.get("/documents", headers=AUTH).json() == []   # nothing half-stored


def test_open_reads_let_anyone_read_but_not_write(tmp_path):
    app = create_app(make_settings(tmp_path, workers=0, open_reads=True))
    with TestClient(app) as client:
        assert client.get("/documents").status_code == 200
        assert client.get("/flags").status_code == 200
        assert client.get("/ui/").status_code == 200
        assert_error(upload(client, corpus_plan(0), headers={}), 401, "unauthorized")
