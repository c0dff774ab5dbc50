"""Browser tests: Playwright (sync API) driving Debian's headless Chromium against pytest-django's live server.

- ``-m browser`` selects them; they skip, with the reason, only when ``/usr/bin/chromium`` is missing.
- The live server runs in a thread of the test process on the test database (SQLite in memory is shared with
  that thread; PostgreSQL uses the test database), so the tests are transactional: every write the browser
  makes is committed and flushed after the test.
- Playwright's sync API keeps an event loop running in the test's thread; Django refuses ORM calls from a
  thread with a running loop unless ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set, which these tests need to read the
  database between two clicks.
- Every page visited is saved as a full-page screenshot in ``test-artifacts/browser/NN-name.png``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from motcua.signing.tests.conftest import ca, data_dir  # noqa: F401 - the local CA, for signed files

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
PASSWORD = "correct-horse-battery"  # the root conftest's Staff password


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives a real browser (Playwright + Chromium)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM.exists():
                item.add_marker(
                    pytest.mark.skip(reason=f"{CHROMIUM} is not installed (apt-get install chromium)")
                )


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium for one module: Playwright's loop stops with it, so tests that run after (even in the same
    process, under xdist) never meet a running event loop."""
    from playwright.sync_api import sync_playwright

    before = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"  # also for the database flush after each test, while the loop runs
    try:
        with sync_playwright() as p:
            chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"], headless=True)
            try:
                yield chromium
            finally:
                chromium.close()
    finally:
        if before is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = before


class Shots:
    """Numbered full-page screenshots: ``shots(page, "intake")`` → ``test-artifacts/browser/03-intake.png``."""

    def __init__(self, prefix: str = "") -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.prefix = prefix
        self.n = 0

    def __call__(self, page: Any, name: str) -> Path:
        self.n += 1
        slug = re.sub(r"[^a-z0-9]+", "-", f"{self.prefix}{name}".lower()).strip("-")
        path = ARTIFACTS / f"{self.n:02d}-{slug}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Shots:
    """The story's pages are ``NN-name.png``; another module's ``NN-<module>-name.png`` (``test_`` dropped)."""
    module = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    return Shots("" if module == "story" else f"{module}-")


def new_page(browser: Any, *, javascript: bool = True, problems: list[str] | None = None) -> Any:
    """A fresh context (its own cookies) in Vietnamese, with one page; ``problems`` collects every answer of
    status 400 or more (``"404 /favicon.ico"``) and every script error the page meets."""
    context = browser.new_context(
        java_script_enabled=javascript,
        locale="vi-VN",
        viewport={"width": 1280, "height": 900},
        accept_downloads=True,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    if problems is not None:
        page.on(
            "response",
            lambda r: problems.append(f"{r.status} {urlsplit(r.url).path}") if r.status >= 400 else None,
        )
        page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    return page


def sign_in(page: Any, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/can-bo/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base_url}/can-bo/")
