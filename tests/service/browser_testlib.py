"""The steps every reviewer-workflow browser test takes (Playwright driving Debian's headless Chromium):
a real server over a stored, analysed corpus plan with two reviewers, a page at a screen size, logging
in, opening the analysis at its first finding, and a screenshot of each step (test-screenshots/,
git-ignored) for a person to look at."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional

import httpx

from service_testlib import REPO, Server, make_settings, server_env
from test_service_ui_e2e import CHROMIUM, CHROMIUM_ARGS
from triage_testlib import seed_analysis

SCREENS = {"laptop": {"width": 1366, "height": 768}, "desktop": {"width": 1920, "height": 1080}}
REVIEWERS = ("lan", "minh")


def password_of(name: str) -> str:
    return f"mat-khau-{name}"


@contextmanager
def reviewer_site(tmp_path: Path, plan_index: int, token: str, also: tuple[int, ...] = (), **seeding) -> Iterator[dict]:
    """A server (admin token ``token``) over corpus plan ``plan_index`` stored with its analysis, and
    the reviewers lan and minh: {url, admin, tokens, document_id, analysis_id, also}; ``also``: more
    corpus plans stored beside it ({plan index: (document id, analysis id)})."""
    settings = make_settings(tmp_path, token=token)
    document_id, analysis_id = seed_analysis(settings, plan_index, **seeding)
    others = {index: seed_analysis(settings, index) for index in also}
    server = Server(server_env(tmp_path, PLANGAP_TOKEN=token), tmp_path / "server.log").start()
    admin = {"Authorization": f"Bearer {token}"}
    tokens = {}
    try:
        for name in REVIEWERS:
            created = httpx.post(server.url + "/users", json={"name": name, "role": "reviewer", "password": password_of(name)},
                                 headers=admin)
            assert created.status_code == 201, created.text
            tokens[name] = {"Authorization": f"Bearer {created.json()['token']}"}
        yield {"url": server.url, "admin": admin, "tokens": tokens, "document_id": document_id, "analysis_id": analysis_id,
               "also": others}
    finally:
        server.stop()


@contextmanager
def chromium() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser, screen: str = "laptop"):
    context = browser.new_context(viewport=SCREENS[screen], accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    return page


def log_in(page, site, name: str, password: str) -> None:
    page.goto(site["url"] + "/ui/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(site["url"] + "/ui/")


def open_analysis(browser, site, reviewer: str = "lan", query: str = "", screen: str = "laptop"):
    """A reviewer's page on the analysis (``query``: its filters), its first finding drawn."""
    page = new_page(browser, screen)
    log_in(page, site, reviewer, password_of(reviewer))
    page.goto(f"{site['url']}/ui/analyses/{site['analysis_id']}" + (f"?{query}" if query else ""))
    page.locator("li.flag").first.wait_for()
    return page


def screenshots(folder: str):
    """shot(page, name): a screenshot under test-screenshots/<folder>/."""
    directory = REPO / "test-screenshots" / folder
    directory.mkdir(parents=True, exist_ok=True)

    def shot(page, name: str, full_page: Optional[bool] = False) -> None:
        page.screenshot(path=str(directory / f"{name}.png"), full_page=bool(full_page))
    return shot
