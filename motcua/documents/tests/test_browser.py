"""The components partial in a real browser (Playwright + Debian's Chromium): a scan uploaded with htmx swaps the
section in place; with JavaScript off the plain form posts and the page reloads. Skipped without Chromium."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import Staff
from motcua.documents.models import ComponentDocument
from motcua.documents.tests.conftest import image_bytes, pdf_bytes, submit

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "documents"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed (apt-get install chromium)"
    ),
]


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # ORM reads between two clicks
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"], headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


def signed_in_page(browser: Any, base: str, *, javascript: bool) -> Any:
    page = browser.new_context(
        java_script_enabled=javascript, locale="vi-VN", viewport={"width": 1280, "height": 900}
    ).new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/can-bo/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("desk")
    page.get_by_label("Mật khẩu").fill("correct-horse-battery")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base}/can-bo/")
    return page


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-js"])
def test_an_officer_attaches_a_scan_in_the_browser(
    browser: Any, live_server: Any, staff: Staff, javascript: bool
) -> None:
    from playwright.sync_api import expect

    # given a dossier with two components, and an earlier dossier of the same applicant with a scan
    earlier = submit(staff, at="2026-03-02 08:00")
    import io

    from motcua.documents import services

    services.component_digitize(
        component_id=earlier.components.get(code="CC").pk,
        actor=staff.desk,
        name="cccd.pdf",
        stream=io.BytesIO(pdf_bytes("CCCD")),
    )
    d = submit(staff)
    page = signed_in_page(browser, live_server.url, javascript=javascript)
    page.goto(f"{live_server.url}/can-bo/so-hoa/ho-so/{d.pk}/")
    expect(page.get_by_role("heading", name="Thành phần hồ sơ và số hóa")).to_be_visible()
    # when the officer picks a PNG scan for the first component and attaches it
    row = page.locator("#documents tbody tr").first
    row.locator('input[type="file"]').set_input_files(
        {"name": "to-khai.png", "mimeType": "image/png", "buffer": image_bytes("PNG")}
    )
    url_before = page.url
    row.get_by_role("button", name="Đính kèm bản quét").click()
    # then the section shows the file and the badge (swapped in place with htmx, reloaded without)
    expect(page.locator("#documents").get_by_role("link", name="to-khai.png")).to_be_visible()
    expect(page.locator("#documents").get_by_text("Đã đính kèm bản quét.")).to_be_visible()
    assert page.url == url_before
    # and the second component reuses the earlier ID card copy
    second = page.locator("#documents tbody tr").nth(1)
    second.get_by_role("button", name="Tái sử dụng").click()
    expect(page.locator("#documents").get_by_text("Đã tái sử dụng tài liệu từ hồ sơ trước.")).to_be_visible()
    shot(page, f"components-{'htmx' if javascript else 'no-js'}")
    assert ComponentDocument.objects.filter(component__dossier=d).count() == 2
    page.context.close()  # no keep-alive request holds a live-server connection at teardown
    assert os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE") == "true"
