"""The reviewer workflow in a browser (Playwright driving Debian's headless Chromium), on a real server
with a stored, analysed corpus plan: log in with the token `make run` prints, triage in focus mode with
the keyboard, dismiss a filtered group at once with a reason, open the document viewer at a finding and
search it, see the warning when a second reviewer decided first, and export XLSX. Each step leaves a
screenshot under test-screenshots/ (git-ignored) for a person to look at."""
from __future__ import annotations

import io
import os
import re
import subprocess
from pathlib import Path

import httpx
import openpyxl
import pytest

from browser_testlib import SCREENS, chromium, log_in, new_page, open_analysis, reviewer_site, screenshots
from service_testlib import REPO
from test_service_ui_e2e import CHROMIUM

shot = screenshots("triage")

pytestmark = [pytest.mark.e2e, pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(),
                                 reason="/usr/bin/chromium missing: run scripts/install_system_deps.sh")]


def printed_and_served_token() -> tuple[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANGAP_")}
    out = subprocess.run(["make", "-n", "-s", "run"], cwd=REPO, env=env, capture_output=True, text=True,
                         timeout=120, check=True).stdout
    printed = re.search(r"admin token \(Authorization: Bearer \.\.\.\): (\S+?)\"?$", out, re.M).group(1)
    served = re.search(r"PLANGAP_TOKEN=(\S+) .*-m service serve", out).group(1)
    return printed, served


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A server whose admin token is the one `make run` would give it, over a seeded analysis."""
    printed, served = printed_and_served_token()
    with reviewer_site(tmp_path_factory.mktemp("triage-e2e"), 2, served) as site:
        yield {**site, "printed": printed}


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


def flags_of(site, **params) -> list[dict]:
    return httpx.get(site["url"] + "/flags", params={"analysis_id": site["analysis_id"], **params},
                     headers=site["admin"]).json()


def test_log_in_with_the_printed_token_and_the_first_finding_fits_the_screen(site, browser):
    for screen in SCREENS:
        page = new_page(browser, screen)
        log_in(page, site, "", site["printed"])             # name left empty: the token in the password field
        assert "admin" in page.locator("header .who").inner_text()
        page.goto(f"{site['url']}/ui/analyses/{site['analysis_id']}")
        first = page.locator("li.flag").first
        first.wait_for()
        box = first.bounding_box()
        assert box["y"] + 60 < SCREENS[screen]["height"], f"first finding below the fold at {screen}"
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"), screen
        shot(page, f"01-analysis-{screen}")
        for path in ("/ui/", "/ui/decisions", "/ui/users", f"/ui/documents/{site['document_id']}/text"):
            page.goto(site["url"] + path)
            assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"), \
                (path, screen)
        page.context.close()


def test_search_grouping_and_sorting_act_at_once_without_reloading(site, browser):
    page = open_analysis(browser, site)
    page.evaluate("window.__same_page = true")
    total = page.locator("li.flag").count()
    groups_by_type = page.locator("details.group").count()
    assert groups_by_type == len({f["type"] for f in flags_of(site)})
    page.fill("#search", "chu ky so")                                   # without diacritics: "chữ ký số"
    page.wait_for_function("n => document.querySelectorAll('li.flag:not([hidden])').length < n", arg=total)
    shown = page.locator("li.flag:visible")
    assert shown.count() >= 1 and all("chữ ký số" in t.lower() for t in shown.all_inner_texts())
    page.fill("#search", "")
    page.wait_for_function("n => document.querySelectorAll('li.flag:not([hidden])').length === n", arg=total)
    page.locator("details.group > summary").first.click()              # collapse a group: still "matching"
    page.check("#select-all")
    assert page.locator("#selected-count").inner_text() == f"{total} đã chọn"
    page.uncheck("#select-all")
    page.select_option("#group-by", "section")
    page.wait_for_function("n => document.querySelectorAll('details.group').length !== n", arg=groups_by_type)
    page.select_option("#sort-by", "confidence")
    page.select_option("#group-by", "none")
    assert page.locator("details.group").count() == 0 and page.locator("li.flag:visible").count() == total
    assert page.evaluate("window.__same_page === true")                 # nothing reloaded the page
    shot(page, "02a-search-and-grouping")
    page.context.close()


def test_focus_mode_keyboard_triage_with_undo(site, browser):
    page = open_analysis(browser, site)
    page.keyboard.press("f")
    visible = page.locator("li.flag:visible")
    assert visible.count() == 1 and page.locator("body.focus-mode").count() == 1
    first_id = visible.first.get_attribute("data-flag-id")
    shot(page, "02-focus-first")
    page.keyboard.press("a")
    page.wait_for_function("id => document.querySelector('li.flag.focused') && "
                           "document.querySelector('li.flag.focused').dataset.flagId !== id", arg=first_id)
    second = page.locator("li.flag.focused")
    second_id = second.get_attribute("data-flag-id")
    page.keyboard.press("2")                                  # reason 2: not applicable to this level
    page.keyboard.press("d")
    page.wait_for_function("id => document.querySelector('li.flag.focused').dataset.flagId !== id", arg=second_id)
    third_id = page.locator("li.flag.focused").get_attribute("data-flag-id")
    shot(page, "03-focus-after-two-decisions")
    decided = {f["id"]: f for f in flags_of(site)}
    assert decided[first_id]["status"] == "accepted" and decided[first_id]["reviewer"] == "lan"
    assert (decided[second_id]["status"], decided[second_id]["reason"]) == ("dismissed", "not_applicable_level")
    assert decided[third_id]["status"] == "open"
    assert "2 / " in page.locator("#progress-text").inner_text() and "lan: 2" in page.locator("#progress-by").inner_text()

    page.keyboard.press("u")                                  # undo the dismissal: back on that flag, open again
    page.wait_for_function("id => document.querySelector('li.flag.focused').dataset.flagId === id", arg=second_id)
    page.wait_for_function("id => document.querySelector(`li.flag[data-flag-id=\"${id}\"]`).dataset.status === 'open'",
                           arg=second_id)
    assert {f["id"]: f for f in flags_of(site)}[second_id]["status"] == "open"
    history = page.locator("li.flag.focused details.history")
    history.locator("summary").click()
    history.locator("li").nth(1).wait_for()
    assert "Đã bác bỏ → Chưa xử lý" in history.inner_text() and "lan" in history.inner_text()
    shot(page, "04-focus-undo-and-history")
    page.context.close()


def test_bulk_dismiss_a_filtered_group_with_a_reason(site, browser):
    page = open_analysis(browser, site)
    counts: dict[str, int] = {}
    for f in flags_of(site, status="open"):
        counts[f["type"]] = counts.get(f["type"], 0) + 1
    flag_type = max(counts, key=counts.get)
    page.select_option("#filters select[name=type]", flag_type)       # instant, no reload
    assert page.locator("li.flag:visible").count() == counts[flag_type] + sum(
        1 for f in flags_of(site, type=flag_type) if f["status"] != "open")
    page.select_option("#filters select[name=status]", "open")
    assert page.locator("li.flag:visible").count() == counts[flag_type]
    page.check("#select-all")
    assert page.locator("#selected-count").inner_text().startswith(str(counts[flag_type]))
    page.select_option("#bulk-reason", "present_other_wording")
    page.fill("#bulk-comment", "Đã có ở phụ lục, diễn đạt khác")
    page.click('button[data-bulk="dismissed"]')
    page.locator("#bulk-feedback").filter(has_text=f"Đã lưu {counts[flag_type]} cờ").wait_for()
    shot(page, "05-bulk-dismissed")
    assert page.locator("li.flag:visible").count() == 0                # none left open under the filter
    dismissed = flags_of(site, type=flag_type, status="dismissed")
    assert len(dismissed) >= counts[flag_type]
    assert {(f["reason"], f["comment"], f["reviewer"]) for f in dismissed if f["comment"]} == {
        ("present_other_wording", "Đã có ở phụ lục, diễn đạt khác", "lan")}
    page.context.close()


def test_open_the_document_viewer_at_a_finding_and_search_it(site, browser):
    page = open_analysis(browser, site)
    link = page.locator("li.flag a.viewer-link").first
    link.click()
    page.wait_for_url(re.compile(r".*/text\?start=\d+&end=\d+#hit$"))
    hit = page.locator("mark#hit")
    hit.wait_for()
    box = hit.bounding_box()
    header = page.locator(".viewer-head").bounding_box()
    assert header["y"] + header["height"] <= box["y"] < SCREENS["laptop"]["height"], \
        "the viewer opens at the highlighted span, not under its sticky search bar"
    shot(page, "06-viewer-at-span")
    page.fill("#viewer-search input[name=q]", "chuyen doi so")       # without diacritics
    page.locator("#search-count").filter(has_text="kết quả").wait_for()
    assert page.locator("mark.search").count() > 3
    assert page.locator("mark.search.current").count() == 1
    page.fill("#viewer-search input[name=q]", "không hề có cụm này")
    page.locator("#search-count").filter(has_text="Không tìm thấy").wait_for()
    if page.locator("table.doc-table").count():
        assert page.locator("table.doc-table th").count() > 0
    shot(page, "07-viewer-search")
    page.context.close()


def test_second_reviewers_conflicting_decision_gets_the_warning(site, browser):
    page = open_analysis(browser, site, "minh", "status=open")
    card = page.locator("li.flag").first
    flag_id = card.get_attribute("data-flag-id")
    # lan decides after minh's page loaded
    response = httpx.patch(f"{site['url']}/flags/{flag_id}", json={"status": "accepted"}, headers=site["tokens"]["lan"])
    assert response.status_code == 200
    card.locator('button[data-action="dismissed"]').click()
    warning = card.locator('[data-role="feedback"].conflict')
    warning.wait_for()
    assert "lan" in warning.inner_text() and warning.get_attribute("role") == "alert"
    assert card.locator('[data-role="status"]').inner_text() == "Đã chấp nhận"     # the page shows lan's decision
    shot(page, "08-conflict-warning")
    assert {f["id"]: f for f in flags_of(site)}[flag_id]["reviewer"] == "lan"      # minh's click changed nothing
    page.context.close()


def test_export_xlsx_with_decisions_and_vietnamese_headers(site, browser):
    page = open_analysis(browser, site)
    page.select_option("#filters select[name=status]", "dismissed")
    assert "status=dismissed" in page.locator("#export-xlsx").get_attribute("href")
    with page.expect_download() as download:
        page.click("#export-xlsx")
    data = Path(download.value.path()).read_bytes()
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Cảnh báo"]
    headers = [c.value for c in sheet[1]]
    assert {"Trạng thái rà soát", "Lý do bác bỏ", "Người rà soát", "Ghi chú"} <= set(headers)
    rows = [dict(zip(headers, r)) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert rows and {r["Trạng thái rà soát"] for r in rows} == {"Đã bác bỏ"}
    assert len(rows) == len(flags_of(site, status="dismissed"))
    assert any(r["Lý do bác bỏ"] == "Đã có, diễn đạt khác" and r["Người rà soát"] == "lan" for r in rows)
    page.context.close()
