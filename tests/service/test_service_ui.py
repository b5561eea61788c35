"""The reviewer UI's pages and forms, server-side (the browser test drives the script and keys)."""
from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from service.api.main import create_app
from service_testlib import ADMIN_TOKEN, corpus_plan, make_settings, wait_until


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """A logged-in admin session (logged in with the automation token, name left empty)."""
    app = create_app(make_settings(tmp_path_factory.mktemp("ui"), workers=0))
    with TestClient(app) as client:
        login = client.post("/ui/login", data={"name": "", "password": ADMIN_TOKEN, "next": "/ui/"},
                            follow_redirects=False)
        assert login.status_code == 303
        yield client


def csrf_of(page_html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page_html).group(1)


def test_pages_need_a_login_unless_reads_are_open(tmp_path):
    with TestClient(create_app(make_settings(tmp_path, workers=0))) as client:
        response = client.get("/ui/", follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/ui/login?next=")
        assert client.get("/", follow_redirects=False).headers["location"] == "/ui/"
        assert "Đăng nhập" in client.get("/ui/login").text


def test_upload_form_analyses_and_the_analysis_page_shows_flags_side_by_side(browser):
    home = browser.get("/ui/")
    assert "Tải lên kế hoạch" in home.text and "Tài liệu" in home.text
    response = browser.post("/ui/upload", data={"csrf_token": csrf_of(home.text), "analyse": "1"},
                            files={"file": (corpus_plan(0).name, corpus_plan(0).read_bytes(), "text/plain")},
                            follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/ui/analyses/")
    page_url = response.headers["location"]
    def finished_page():
        html = browser.get(page_url).text
        return html if 'data-status="done"' in html else None

    page = wait_until(finished_page, 240, what="the analysis page to show results")
    assert page.count('class="flag ') > 5
    assert '<svg class="chart"' in page and "Nhóm nhiệm vụ của văn bản cấp trên" in page
    assert '<mark class="entity child">' in page and '<mark class="entity parent">' in page
    assert "Chấp nhận (a)" in page and "Bác bỏ (d)" in page and 'src="/static/review.js"' in page
    assert not re.findall(r'(?:src|href)="(?:https?:)?//', page)   # nothing loaded from the network (no CDN)
    assert browser.get("/static/review.js").status_code == 200

    filtered = browser.get(page_url, params={"severity": "high"}).text
    assert filtered.count('class="flag ') == filtered.count("severity-high")
    document_page = browser.get(page_url.replace("analyses", "documents"))   # wrong id: an HTML 404 page
    assert document_page.status_code == 404 and "Không thực hiện được" in document_page.text


def test_upload_form_without_analysis_goes_to_the_document_page(browser):
    home = browser.get("/ui/")
    response = browser.post("/ui/upload", data={"csrf_token": csrf_of(home.text)},
                            files={"file": ("kh.txt", corpus_plan(3).read_bytes(), "text/plain")},
                            follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/ui/documents/")
    page = browser.get(response.headers["location"])
    assert page.status_code == 200 and "Trạng thái đọc tệp" in page.text


def test_ui_errors_are_html_pages_in_vietnamese(browser):
    home = browser.get("/ui/")
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
    response = browser.post("/ui/upload", data={"csrf_token": csrf_of(home.text), "analyse": "1"},
                            files={"file": ("anh.pdf", png, "application/pdf")})
    assert response.status_code == 415 and "text/html" in response.headers["content-type"]
    assert "unsupported_type" in response.text


def test_ui_forms_need_the_csrf_token(browser):
    response = browser.post("/ui/upload", files={"file": ("kh.txt", b"abc", "text/plain")})
    assert response.status_code == 403 and "csrf" in response.text


def test_logout_ends_the_session(tmp_path):
    with TestClient(create_app(make_settings(tmp_path, workers=0))) as client:
        client.post("/ui/login", data={"name": "", "password": ADMIN_TOKEN})
        assert client.get("/ui/", follow_redirects=False).status_code == 200
        client.post("/ui/logout")
        assert client.get("/ui/", follow_redirects=False).status_code == 303


def test_every_flag_type_has_a_label_and_an_explanation():
    from typing import get_args

    from nlp.schema import FlagType
    from service.ui.labels import FLAG_EXPLANATIONS, FLAG_TYPES

    assert set(get_args(FlagType)) <= set(FLAG_TYPES) and set(get_args(FlagType)) <= set(FLAG_EXPLANATIONS)
