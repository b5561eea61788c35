"""The reviewer UI's triage pages server-side: the analysis page carries what the script needs, the
document viewer, the decisions page, user management, security headers, offline API docs, and the
coverage chart whose bar length and colour agree. (The browser tests drive the scripts.)"""
from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from service.api.main import create_app
from service.ui.coverage import group_bars
from service.ui.viewer import text_blocks
from service_testlib import ADMIN_TOKEN, AUTH, corpus_plan, make_settings
from triage_testlib import seed_analysis

NO_NETWORK = re.compile(r'(?:src|href)="(?:https?:)?//')


def logged_in_ui(tmp_path_factory, plan_index: int, **seeding):
    """(client logged in as admin, document id, analysis id) of a corpus plan stored with its analysis."""
    settings = make_settings(tmp_path_factory.mktemp(f"triage{plan_index}"), workers=0)
    document_id, analysis_id = seed_analysis(settings, plan_index, **seeding)
    with TestClient(create_app(settings)) as client:
        assert client.post("/ui/login", data={"name": "", "password": ADMIN_TOKEN}, follow_redirects=False).status_code == 303
        yield client, document_id, analysis_id


@pytest.fixture(scope="module")
def ui(tmp_path_factory):
    yield from logged_in_ui(tmp_path_factory, 2)


def test_analysis_page_has_every_flag_with_what_triage_needs(ui):
    client, _, analysis_id = ui
    flags = client.get(f"/analyses/{analysis_id}", headers=AUTH).json()["flags"]
    page = client.get(f"/ui/analyses/{analysis_id}").text
    assert page.count('class="flag ') == len(flags)
    for attribute in ("data-type", "data-severity", "data-status", "data-version", "data-confidence", "data-section"):
        assert page.count(attribute + "=") >= len(flags)
    assert 'id="search"' in page and 'id="group-by"' in page and 'id="sort-by"' in page and 'id="focus-toggle"' in page
    assert 'id="select-all"' in page and 'data-bulk="dismissed"' in page and "Đối chiếu sai mục cấp trên" in page
    assert '<progress id="progress"' in page and f'href="#f-{flags[0]["fingerprint"]}"' in page
    assert "Bác bỏ (d)" in page and "Bỏ qua" not in page     # "bỏ qua" read as "skip"
    assert page.count('class="explain muted small"') == len(flags)   # each comparison explained in words
    assert not NO_NETWORK.findall(page)


def test_second_value_of_the_same_plan_is_not_labelled_as_the_parent(ui):
    client, _, analysis_id = ui
    flags = client.get(f"/analyses/{analysis_id}", headers=AUTH).json()["flags"]
    conflicts = [f for f in flags if f["type"] == "internal_conflict"]
    assert conflicts, "plan 002 states two values for one 2030 indicator"
    page = client.get(f"/ui/analyses/{analysis_id}", params={"type": "internal_conflict"}).text
    assert "Kế hoạch — chỗ thứ hai" in page and "Văn bản cấp trên:" not in page and "CẤP TRÊN<" not in page


def test_flags_without_a_parent_side_have_no_empty_half(ui):
    client, _, analysis_id = ui
    page = client.get(f"/ui/analyses/{analysis_id}", params={"type": "incomplete_tasks"}).text
    assert 'class="side-by-side single"' in page and "không có đoạn tương ứng" not in page


def test_document_viewer_opens_at_the_span_and_draws_tables(ui):
    client, document_id, analysis_id = ui
    flag = next(f for f in client.get(f"/analyses/{analysis_id}", headers=AUTH).json()["flags"]
                if f["child"] and f["child"]["span"])
    page = client.get(f"/ui/analyses/{analysis_id}").text
    span = flag["child"]["span"]
    link = f"/ui/documents/{document_id}/text?start={span['start']}&amp;end={span['end']}#hit"
    assert link in page
    viewer = client.get(link.replace("&amp;", "&").split("#")[0])
    assert viewer.status_code == 200 and 'src="/static/viewer.js"' in viewer.text
    marked = re.search(r'<mark class="entity child span-hit" id="hit">(.*?)</mark>', viewer.text, re.S).group(1)
    assert " ".join(marked.split())[:20] in " ".join(flag["child"]["text"].split())
    assert client.get(f"/ui/documents/{document_id}/text?q=chuyển đổi số").status_code == 200
    assert client.get("/ui/documents/khong-co/text").status_code == 404


def test_viewer_tables_mark_the_value_and_its_column():
    text = "Chỉ tiêu\nTT | Chỉ tiêu | Năm 2025 | Năm 2030\n1 | Chữ ký số | 50% | 70%\n2 | Dịch vụ công | 80% | 100%\nHết."
    start = text.index("70%")
    blocks = text_blocks(text, (start, start + 3))
    assert [b.kind for b in blocks] == ["text", "table", "text"]
    table = blocks[1]
    assert table.hit_column == 3 and [c.hit for c in table.rows[1]] == [False, False, False, True]
    assert "".join(p.text for row in table.rows for c in row for p in c.pieces if p.marked) == "70%"


def test_coverage_bar_length_and_colour_agree():
    bars = group_bars({"task_groups": {"groups": {
        "I": {"title": "Thể chế", "covered": True, "score": 0.28},
        "II": {"title": "Hạ tầng", "covered": False, "score": 0.37}}}})
    covered, missing = bars
    assert covered.level == "high" and missing.level == "low" and covered.ratio > missing.ratio
    assert "có trong kế hoạch" in covered.detail and "chưa có" in missing.detail and "37%" in missing.detail


def test_decisions_page_and_endpoint(ui):
    client, _, analysis_id = ui
    flag = client.get(f"/analyses/{analysis_id}", headers=AUTH).json()["flags"][0]
    client.patch(f"/flags/{flag['id']}", json={"status": "dismissed", "reason": "wrong_extraction"}, headers=AUTH)
    page = client.get("/ui/decisions").text
    assert f'data-type="{flag["type"]}"' in page and "Trích xuất sai: 1" in page and "Độ chính xác" in page


def test_admin_manages_users_in_the_ui(ui):
    client, *_ = ui
    page = client.get("/ui/users").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    created = client.post("/ui/users", data={"csrf_token": csrf, "name": "hoa", "role": "reviewer",
                                             "password": "mat-khau-hoa"})
    assert created.status_code == 201 and 'id="new-token"' in created.text
    token = re.search(r'<code id="new-token">([^<]+)</code>', created.text).group(1)
    assert client.get("/me", headers={"Authorization": f"Bearer {token}"}).json() == {"name": "hoa", "role": "reviewer"}
    again = client.post("/ui/users", data={"csrf_token": csrf, "name": "hoa", "role": "reviewer"})
    assert again.status_code == 422 and "Đã có người dùng tên hoa" in again.text
    assert client.post("/ui/users", data={"name": "x", "role": "admin"}).status_code == 403   # no CSRF token


def test_ui_pages_send_security_headers(ui):
    client, _, analysis_id = ui
    for path in ("/ui/", f"/ui/analyses/{analysis_id}", "/ui/login", "/static/review.js"):
        headers = client.get(path).headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"], path
        assert "script-src 'self'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
    assert client.get("/healthz").headers["x-content-type-options"] == "nosniff"


def test_swagger_ui_and_redoc_are_served_offline(ui):
    client, *_ = ui
    for path in ("/docs", "/redoc"):
        page = client.get(path)
        assert page.status_code == 200 and not NO_NETWORK.findall(page.text) and "fonts.googleapis" not in page.text
        for asset in re.findall(r'(?:src|href)="(/docs-assets/[^"]+)"', page.text):
            assert client.get(asset).status_code == 200, asset
    assert "SwaggerUIBundle" in client.get("/docs-assets/swagger-ui-bundle.js").text[:200000]


def test_openapi_declares_the_security_schemes(ui):
    client, *_ = ui
    schema = client.get("/openapi.json").json()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["bearerToken"] == {**schemes["bearerToken"], "type": "http", "scheme": "bearer"}
    assert schemes["sessionCookie"]["in"] == "cookie"
    assert {"bearerToken": []} in schema["paths"]["/flags/{flag_id}"]["patch"]["security"]
    assert schema["paths"]["/healthz"]["get"]["security"] == []


def test_regression_second_value_of_the_same_plan_is_shown_in_its_context(ui):
    client, _, analysis_id = ui
    conflict = next(f for f in client.get(f"/analyses/{analysis_id}", headers=AUTH).json()["flags"]
                    if f["type"] == "internal_conflict" and f["parent"] and f["parent"]["span"])
    context = conflict["parent"]["context"]
    assert context["before"] and context["after"], "the second value came without the plan's text around it"


def test_regression_duplicate_upload_shows_a_notice_with_a_link_and_does_not_analyse_again(ui):
    client, document_id, analysis_id = ui
    home = client.get("/ui/")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', home.text).group(1)
    analyses_before = client.get("/analyses", params={"document_id": document_id}, headers=AUTH).json()
    response = client.post("/ui/upload", data={"csrf_token": csrf, "analyse": "1"},
                           files={"file": ("lai-lan-nua.txt", corpus_plan(2).read_bytes(), "text/plain")},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/ui/documents/{document_id}?duplicate=1"
    page = client.get(response.headers["location"]).text
    assert 'id="duplicate-notice"' in page and f'href="/ui/analyses/{analysis_id}"' in page
    assert client.get("/analyses", params={"document_id": document_id}, headers=AUTH).json() == analyses_before


def test_documents_are_listed_by_number_and_title(ui):
    client, document_id, _ = ui
    number = client.get(f"/documents/{document_id}", headers=AUTH).json()["number"]
    page = client.get("/ui/").text
    assert number and f'<a href="/ui/documents/{document_id}">{number}</a>' in page


@pytest.fixture(scope="module")
def ui_001(tmp_path_factory):
    """Plan 001: compare finds a locality task of 03/NQ-CP it does not carry (plan 002 carries them all)."""
    yield from logged_in_ui(tmp_path_factory, 1)


@pytest.fixture(scope="module")
def ui_001_stored_before_candidates(tmp_path_factory):
    """Plan 001 analysed before compare gave the closest passages of a missing item."""
    yield from logged_in_ui(tmp_path_factory, 1, without_candidates=True)


def flag_card(page: str, fingerprint: str) -> str:
    card = page[page.index(f'id="f-{fingerprint}"'):]
    return card[:card.index("</li>\n  <li") if "</li>\n  <li" in card else len(card)]


def test_a_missing_item_shows_the_closest_plan_passages_with_their_scores_in_words(ui_001):
    client, document_id, analysis_id = ui_001
    (missing,) = [f for f in client.get(f"/analyses/{analysis_id}", headers=AUTH).json()["flags"]
                  if f["type"] == "missing_task"]
    candidates = missing["candidates"]
    assert len(candidates) == 3 and {"text", "section", "span", "score", "threshold"} <= set(candidates[0])
    card = flag_card(client.get(f"/ui/analyses/{analysis_id}", params={"type": "missing_task"}).text,
                     missing["fingerprint"])
    assert "Đoạn gần nhất trong kế hoạch" in card and "từ 40% trở lên mới coi là cùng nội dung" in card
    for candidate in candidates:
        span = candidate["span"]
        assert f'href="/ui/documents/{document_id}/text?start={span["start"]}&amp;end={span["end"]}#hit"' in card
        assert f'giống {round(candidate["score"] * 100)}% — ' in card and f'· mục {candidate["section"]}' in card
    # 001's best passage (25%) is well under the 40% threshold: said in words, not as a bare number
    assert "giống một phần: cùng chủ đề, nội dung khác" in card
    assert "Tìm trong toàn văn kế hoạch" in card


def test_a_missing_item_shows_the_nearest_items_of_the_plan(ui_001_stored_before_candidates):
    client, document_id, analysis_id = ui_001_stored_before_candidates
    missing = [f for f in client.get(f"/analyses/{analysis_id}", headers=AUTH).json()["flags"]
               if f["type"] == "missing_task" and f["child"] and f["child"]["section"]]
    assert missing
    page = client.get(f"/ui/analyses/{analysis_id}", params={"type": "missing_task"}).text
    section = missing[0]["child"]["section"]
    assert f"Gần nhất trong kế hoạch: mục {section}" in page
    card = page[page.index(f'id="f-{missing[0]["fingerprint"]}"'):]
    card = card[:card.index("</li>\n  <li") if "</li>\n  <li" in card else len(card)]
    assert f'href="/ui/documents/{document_id}/text?start=' in card      # each nearby task opens in the viewer


def test_evidence_cut_from_a_table_is_drawn_as_a_table_with_its_column_marked():
    from service.ui.routes import templates

    before = "TT | Chỉ tiêu | Năm 2025 | Năm 2030\n1 | Tỷ lệ chữ ký số | 50% | "
    context = {"before": before, "text": "70%", "after": "\n2 | Dịch vụ công trực tuyến | 80% | 100%"}
    macro = templates.env.get_template("_macros.html").module.evidence
    html = str(macro({"text": "70%", "context": context}, "KẾ HOẠCH", "child"))
    assert '<table class="doc-table mini">' in html and html.count("<tr>") == 3
    assert '<td class="hit-col hit"><mark class="entity child">70%<span class="entity-label">KẾ HOẠCH</span></mark></td>' in html
    assert html.count('class="hit-col') == 3                 # the year column of every row
    plain = str(macro({"text": "Giao Sở Tư pháp", "context": {"before": "a ", "text": "Giao Sở Tư pháp", "after": " b"}},
                      "KẾ HOẠCH", "child"))
    assert "<table" not in plain and '<mark class="entity child">Giao Sở Tư pháp' in plain


def test_similarity_said_in_words_against_the_threshold():
    from service.ui.viewer import closeness

    near, partial, far = (closeness({"score": s, "threshold": 0.4}) for s in (0.35, 0.25, 0.05))
    assert (near.band, near.percent, near.threshold) == ("near", 35, 40) and "nên đọc kỹ" in near.words
    assert partial.band == "partial" and far.band == "far" and "khác hẳn" in far.words
    assert closeness({"score": None, "text": "x"}) is None     # nearest items of an old analysis: no score


def test_a_missing_tasks_bundled_parent_opens_in_full_at_its_item(ui_001):
    """03/NQ-CP is bundled (no stored document): its whole rendering, every item in order with its number,
    opens at the finding's row, in the parent's own wording where the source texts are installed."""
    from service.ui.parent_text import bundled_parents
    from triage_testlib import bundled_parent_texts

    bundled_parent_texts()
    client, _, analysis_id = ui_001
    (missing,) = [f for f in client.get(f"/analyses/{analysis_id}", headers=AUTH).json()["flags"]
                  if f["type"] == "missing_task"]
    item = missing["parent"]["section"]
    card = flag_card(client.get(f"/ui/analyses/{analysis_id}", params={"type": "missing_task"}).text,
                     missing["fingerprint"])
    link = f"/ui/parents/{missing['parent']['doc']}/text?item={item}#hit"
    assert f'href="{link}"' in card
    page = client.get(link.split("#")[0])
    assert page.status_code == 200 and 'src="/static/viewer.js"' in page.text and 'id="viewer-search"' in page.text
    plan = bundled_parents()["03-NQ-CP"]
    assert page.text.count("<tr>") == len(plan.tasks) + len(plan.targets) + 1 + len(plan.groups)
    ids = re.findall(r"<td class=\"[^\"]*\">(PL[12]\.[IVX]+\.[\d.-]+)</td>", page.text)
    groups = [g.id for g in plan.groups]       # tasks in their groups' order (71/NQ-CP's additions in theirs)
    assert ids == [t.id for t in plan.targets] + [t.id for t in sorted(plan.tasks, key=lambda t: groups.index(t.group))]
    row = re.search(r"<tr>((?:(?!</tr>).)*id=\"hit\"(?:(?!</tr>).)*)</tr>", page.text, re.S).group(1)
    assert item in row and "30/09/2025 (sửa đổi theo 71/NQ-CP)" in row
    full = client.get("/ui/parents/03-NQ-CP/text", params={"item": "PL2.III.73"}).text
    hit = re.search(r'<mark class="entity child span-hit" id="hit">(.*?)</mark>', full, re.S).group(1)
    assert len(hit) > 150 and "…" not in hit and "viewer-note" not in full   # the row's whole wording, uncut
    assert client.get("/ui/parents/57-NQ-TW/text", params={"item": "VII"}).text.count('id="hit"') == 1
    assert client.get("/ui/parents/khong-co/text").status_code == 404


def test_a_bundled_parent_without_its_source_texts_shows_the_renderings_summaries():
    from service.ui.parent_text import bundled_parents, parent_blocks

    plan = bundled_parents()["03-NQ-CP"]
    blocks = parent_blocks(plan, "PL2.III.73", texts={})
    (row,) = [r for b in blocks for r in b.rows if r[0].hit]
    summary = next(t.summary for t in plan.tasks if t.id == "PL2.III.73")
    assert row[1].pieces[0].text == summary and row[1].pieces[0].marked and row[1].pieces[0].anchor


def test_flattened_tables_of_a_text_plan_are_drawn_as_tables_with_the_values_column_marked(ui):
    """Plan 002 is a text export: its appendix tables are one cell a line. The viewer draws the rows the
    structure stage rebuilt as tables, the header row first and the value's cell and column marked."""
    client, document_id, analysis_id = ui
    text = client.get(f"/documents/{document_id}", headers=AUTH).json()["extraction"]["text"]
    start = text.index("≥ 80", text.index("PHỤ LỤC 1"))
    page = client.get(f"/ui/documents/{document_id}/text", params={"start": start, "end": start + 4}).text
    assert page.count('<table class="doc-table">') >= 5
    table = re.search(r'<table class="doc-table">((?:(?!</table>).)*id="hit"(?:(?!</table>).)*)</table>', page, re.S).group(1)
    header = re.findall(r"<th[^>]*>(.*?)</th>", table, re.S)
    assert [h.strip() for h in header] == ["STT", "Chỉ tiêu", "Đơn vị tính", "Kết quả", "Cơ quan chủ trì", "Cơ quan phối hợp"]
    assert '<td class="hit-col hit"><mark class="entity child span-hit" id="hit">≥ 80</mark></td>' in table
    assert table.count('class="hit-col') >= 20                  # the "Kết quả" column of every row
    assert re.search(r'<td colspan="6" class="[^"]*">I Đến năm 2030</td>', table)   # the part row spans the table
    row = re.search(r"<tr>((?:(?!</tr>).)*id=\"hit\"(?:(?!</tr>).)*)</tr>", table, re.S).group(1)
    assert "Tỉ lệ sử dụng dịch vụ công trực tuyến" in row and "Trung tâm phục vụ hành chính" in row
    # which column and row the value is in, said at the top (the table's header may be far above)
    assert re.search(r'id="marked-cell">Giá trị được đánh dấu: cột <strong>Kết quả</strong>, dòng '
                     r'<strong>1.1 · Tỉ lệ sử dụng dịch vụ công trực tuyến', page)


def test_pipe_tables_kept_as_text_are_drawn_as_tables():
    """Rows ingest kept as paragraphs ("STT|Chỉ tiêu|Năm 2030"), a markdown table with its "|---|" line,
    and a row of one merged cell between rows: all tables, every cell where it is in the text."""
    from service.ui.viewer import text_blocks

    text = ("Phụ lục\n\nSTT|Chỉ tiêu|Năm 2030\n\n1|Tỷ lệ A|50%\n\n2|Tỷ lệ B|60%\n\nHết.\n\n"
            "| TT | Việc | Hạn |\n|---|---|---|\n| 1 | Số hóa hồ sơ | 2026 |\n\n"
            "TT | Mã | Tên\nA. CẤP TRUNG ƯƠNG\n1 | 5.002577 | Quyết định chủ trương")
    start = text.index("60%")
    blocks = text_blocks(text, (start, start + 3))
    assert [b.kind for b in blocks] == ["text", "table", "text", "table", "table"]
    first, markdown, merged = (b for b in blocks if b.kind == "table")
    cells = [["".join(p.text for p in c.pieces) for c in row] for row in first.rows]
    assert cells == [["STT", "Chỉ tiêu", "Năm 2030"], ["1", "Tỷ lệ A", "50%"], ["2", "Tỷ lệ B", "60%"]]
    assert first.hit_column == 2 and first.rows[2][2].hit
    assert [["".join(p.text for p in c.pieces) for c in row] for row in markdown.rows] == [
        ["TT", "Việc", "Hạn"], ["1", "Số hóa hồ sơ", "2026"]]
    assert [(len(row), row[0].colspan) for row in merged.rows] == [(3, 1), (1, 3), (3, 1)]


@pytest.mark.parametrize("name,shape", [
    ("da8411114c03e36b", "part rows inside a table of procedures"),
    ("c49a5afadf61b342", "header-only forms and tables cut by a merged row"),
    ("2cbcff6ae5cb6beb", "rows separated by merged cells"),
])
def test_regression_pipe_rows_of_the_wild_plans_are_not_left_as_text(name, shape):
    """Before: a row of one merged cell cut a table in two and left its header line as running text."""
    from nlp.ingest import ingest_path
    from service_testlib import REPO
    from service.ui.viewer import text_blocks

    path = REPO.parent / "shared" / "wild" / f"{name}.md"
    if not path.exists():
        pytest.skip("../shared/wild is not here")
    blocks = text_blocks(ingest_path(path).text)
    left = [line for b in blocks if b.kind == "text" for line in "".join(p.text for p in b.pieces).split("\n")
            if line.count(" | ") >= 2]
    assert left == [], shape
    assert sum(b.kind == "table" for b in blocks) >= 3


def test_a_bundled_parents_side_of_a_finding_reads_in_the_items_own_wording():
    """Compare's parent side is the rendering's summary cut with "…"; the card shows the item's wording."""
    from service.api.schemas import EvidenceOut
    from service.ui.parent_text import bundled_parents, with_full_wording
    from triage_testlib import bundled_parent_texts

    bundled_parent_texts()
    summary = next(t.summary for t in bundled_parents()["03-NQ-CP"].tasks if t.id == "PL2.III.73")
    side = EvidenceOut(doc="03-NQ-CP", section="PL2.III.73", text=summary, context={"text": summary})
    full = with_full_wording(side)
    assert summary.endswith("…") and full.text.startswith(summary.rstrip(" …")) and len(full.text) > len(summary) + 40
    assert full.context.text == full.text and "…" not in full.text
    several = side.model_copy(update={"section": "PL1.I.11.1, PL1.I.12"})
    assert with_full_wording(several) == several                 # a finding listing several items keeps its list
    uploaded = side.model_copy(update={"doc": "khong-phai-van-ban-kem-theo"})
    assert with_full_wording(uploaded) == uploaded
