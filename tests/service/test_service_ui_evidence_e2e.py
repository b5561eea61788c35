"""Evidence a reviewer needs to decide, in a browser (Playwright driving Debian's headless Chromium):
for a missing item the plan's closest passages with their scores in words, each opening the plan's
viewer at it; the whole bundled parent opened at the finding's item and searched; a text plan's
flattened tables drawn as tables. Screenshots of each step go to test-screenshots/evidence/ (git-ignored)."""
from __future__ import annotations

import re

import httpx
import pytest

from browser_testlib import SCREENS, chromium, open_analysis, reviewer_site, screenshots
from service_testlib import ADMIN_TOKEN
from test_service_ui_e2e import CHROMIUM
from triage_testlib import bundled_parent_texts

shot = screenshots("evidence")

pytestmark = [pytest.mark.e2e, pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(),
                                 reason="/usr/bin/chromium missing: run scripts/install_system_deps.sh")]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Plan 001 (a locality task of 03/NQ-CP and group VII missing) with plan 002 (a text export whose
    appendix tables are one cell a line) beside it."""
    bundled_parent_texts()
    with reviewer_site(tmp_path_factory.mktemp("evidence-e2e"), 1, ADMIN_TOKEN, also=(2,)) as site:
        yield site


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


def missing_task(site) -> dict:
    flags = httpx.get(site["url"] + "/flags", params={"analysis_id": site["analysis_id"], "type": "missing_task"},
                      headers=site["admin"]).json()
    assert len(flags) == 1
    return flags[0]


def assert_opened_at_the_mark(page) -> None:
    """The page opened with its marked passage on the screen, below the sticky search bar."""
    hit = page.locator("mark#hit")
    hit.wait_for()
    box, head = hit.bounding_box(), page.locator(".viewer-head").bounding_box()
    assert head["y"] + head["height"] <= box["y"] < SCREENS["laptop"]["height"], (box, head)
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_a_missing_task_lists_the_closest_passages_in_words_and_each_opens_the_plan_there(site, browser):
    flag = missing_task(site)
    page = open_analysis(browser, site, query="type=missing_task")
    card = page.locator(f'li.flag[data-flag-id="{flag["id"]}"]')
    candidates = card.locator("li.candidate")
    assert candidates.count() == 3
    words = [t for t in card.locator(".closeness").all_inner_texts()]
    for text, candidate in zip(words, flag["candidates"]):
        assert re.fullmatch(rf"giống {round(candidate['score'] * 100)}% — .+", text), text
    assert "từ 40% trở lên mới coi là cùng nội dung" in card.inner_text()
    shot(page, "01-missing-task-candidates")
    candidates.nth(1).locator("a.candidate-link").click()
    page.wait_for_url(re.compile(r".*/ui/documents/.+/text\?start=\d+&end=\d+#hit$"))
    assert_opened_at_the_mark(page)
    marked = " ".join(page.locator("mark#hit").inner_text().split())
    assert marked[:40] in " ".join(flag["candidates"][1]["text"].split())
    shot(page, "02-candidate-in-the-plan")
    page.context.close()


def test_the_whole_bundled_parent_opens_at_the_findings_item_and_is_searched(site, browser):
    flag = missing_task(site)
    page = open_analysis(browser, site, query="type=missing_task")
    card = page.locator(f'li.flag[data-flag-id="{flag["id"]}"]')
    card.locator(".side.parent a.viewer-link").click()
    page.wait_for_url(re.compile(rf".*/ui/parents/03-NQ-CP/text\?item={re.escape(flag['parent']['section'])}#hit$"))
    assert_opened_at_the_mark(page)
    row = page.locator("tr:has(mark#hit)")
    assert flag["parent"]["section"] in row.inner_text() and "30/09/2025" in row.inner_text()
    assert page.locator("table.doc-table th").count() >= 10               # targets' and each group's header rows
    assert page.locator("table.doc-table tr").count() > 190               # every item of 03/NQ-CP, not an excerpt
    shot(page, "03-parent-in-full-at-its-item")
    page.fill("#viewer-search input[name=q]", "so hoa")                    # without diacritics: "số hóa"
    page.locator("#search-count").filter(has_text="kết quả").wait_for()
    assert page.locator("mark.search").count() > 3 and page.locator("mark.search.current").count() == 1
    shot(page, "04-parent-searched")
    page.context.close()


def test_a_text_plans_flattened_table_is_drawn_as_a_table_at_the_value(site, browser):
    document_id, _ = site["also"][2]
    text = httpx.get(f"{site['url']}/documents/{document_id}", headers=site["admin"]).json()["extraction"]["text"]
    start = text.index("≥ 80", text.index("PHỤ LỤC 1"))
    page = open_analysis(browser, site)
    page.goto(f"{site['url']}/ui/documents/{document_id}/text?start={start}&end={start + 4}#hit")
    assert_opened_at_the_mark(page)
    table = page.locator("table.doc-table:has(mark#hit)")
    assert table.locator("th").all_inner_texts()[:4] == ["STT", "Chỉ tiêu", "Đơn vị tính", "Kết quả"]
    assert page.locator("td.hit:has(mark#hit)").count() == 1
    assert table.locator("td.hit-col").count() >= 20                        # the value's column, row by row
    assert page.locator("#marked-cell").is_visible()                        # its column and row, said on top
    assert "cột Kết quả, dòng 1.1 · Tỉ lệ sử dụng dịch vụ công trực tuyến" in page.locator("#marked-cell").inner_text()
    shot(page, "05-flattened-table-as-a-table")
    page.context.close()
