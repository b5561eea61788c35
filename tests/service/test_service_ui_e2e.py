"""End to end in a browser (Playwright driving Debian's headless Chromium; no `playwright install`):
log in, upload a plan, wait for its flags, triage with the keyboard, reload and see the decision kept."""
from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from service_testlib import AUTH, corpus_plan

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [pytest.mark.e2e, pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(),
                                 reason="/usr/bin/chromium missing: run scripts/install_system_deps.sh")]


@pytest.fixture
def browser_page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(30_000)
        yield page
        browser.close()


def test_upload_wait_for_flags_dismiss_with_a_comment_and_reload(server_factory, browser_page):
    server = server_factory().start()
    created = httpx.post(server.url + "/users", json={"name": "lan", "role": "reviewer", "password": "mat-khau-lan"},
                         headers=AUTH)
    assert created.status_code == 201
    page = browser_page

    page.goto(server.url + "/ui/")
    assert "/ui/login" in page.url                      # reads need a login by default
    page.fill("input[name=name]", "lan")
    page.fill("input[name=password]", "mat-khau-lan")
    page.click("button[type=submit]")
    page.wait_for_url(server.url + "/ui/")

    page.set_input_files("#upload-form input[type=file]", str(corpus_plan(0)))
    page.click("#upload-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/ui/analyses/\w+$"))
    page.wait_for_selector("li.flag", timeout=180_000)   # the page reloads itself until the analysis is done
    assert page.locator("svg.chart").count() >= 1 and page.locator("svg.chart rect").count() > 0
    assert page.locator("li.flag mark.entity").count() > 0

    flag = page.locator("li.flag").first
    flag_id = flag.get_attribute("data-flag-id")
    page.keyboard.press("j")                              # select the first flag
    assert "current" in flag.get_attribute("class")
    page.keyboard.press("c")                              # comment box
    page.keyboard.type("Phường đã giao nhiệm vụ này ở mục III.2")
    page.keyboard.press("Escape")
    page.keyboard.press("d")                              # dismiss
    flag.locator('[data-role="feedback"]').filter(has_text="Đã lưu").wait_for()
    assert flag.locator('[data-role="status"]').inner_text() == "Đã bác bỏ"

    second = page.locator("li.flag").nth(1)
    second.locator('button[data-action="accepted"]').click()
    second.locator('[data-role="feedback"]').filter(has_text="Đã lưu").wait_for()

    page.reload()
    kept = page.locator(f'li.flag[data-flag-id="{flag_id}"]')
    assert "review-dismissed" in kept.get_attribute("class")
    assert kept.locator("textarea").input_value() == "Phường đã giao nhiệm vụ này ở mục III.2"
    assert kept.locator('[data-role="reviewer"]').inner_text() == "lan"
    assert "review-accepted" in page.locator("li.flag").nth(1).get_attribute("class")

    page.select_option("select[name=status]", "dismissed")
    page.click("#filters button[type=submit]")
    page.wait_for_url(re.compile(r".*status=dismissed.*"))
    assert [li.get_attribute("data-flag-id") for li in page.locator("li.flag").all()] == [flag_id]

    listed = httpx.get(server.url + "/flags", params={"status": "dismissed"}, headers=AUTH).json()
    assert [(f["id"], f["comment"], f["reviewer"]) for f in listed] == [
        (flag_id, "Phường đã giao nhiệm vụ này ở mục III.2", "lan")]

    page.goto(server.url + "/ui/")
    assert page.locator("table.list tbody tr").count() == 1
    assert page.locator("table.list .chip").count() > 0    # flag counts by type
