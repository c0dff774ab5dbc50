"""The key paths work with JavaScript off (htmx absent): plain GET and POST forms, full pages."""

from __future__ import annotations

import re
from typing import Any

import pytest

from conftest import Staff
from motcua.dossiers.models import Dossier
from tests.browser.conftest import Shots, new_page, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_desk_takes_in_and_forwards_a_dossier_without_javascript(
    browser: Any, live_server: Any, staff: Staff, shots: Shots
) -> None:
    from playwright.sync_api import expect

    base = live_server.url
    problems: list[str] = []
    page = new_page(browser, javascript=False, problems=problems)
    sign_in(page, base, "desk")

    # the procedure search is a plain GET form
    page.goto(f"{base}/can-bo/tiep-nhan/")
    page.get_by_label("Tìm theo tên hoặc mã thủ tục").fill("khai sinh")
    page.get_by_role("button", name="Tìm", exact=True).click()
    page.wait_for_url(re.compile(r"\?q=khai"))
    shots(page, "intake-search")
    page.locator("#procedure-results").get_by_role("link", name=re.compile("đăng ký khai sinh")).click()
    expect(page.locator(".chosen")).to_contain_text("Thủ tục đăng ký khai sinh")

    # a missing name comes back with the error next to the field and what was typed kept
    page.get_by_label("Số điện thoại").fill("0912345678")
    page.get_by_role("button", name="Tiếp nhận", exact=True).click()
    expect(page.locator(".messages .error")).to_be_visible()
    expect(page.get_by_label("Số điện thoại")).to_have_value("0912345678")
    assert Dossier.objects.count() == 0
    shots(page, "intake-error")

    page.get_by_label("Họ và tên người nộp").fill("Đinh Thị Hằng")
    page.locator("table.checklist input[name=submitted]").first.check()
    page.get_by_role("button", name="Tiếp nhận", exact=True).click()
    dossier = Dossier.objects.get()
    assert dossier.state == "received"
    expect(page.locator("#page-messages")).to_contain_text(f"Đã tiếp nhận hồ sơ {dossier.code}")
    expect(page.locator("#dossier-title")).to_have_text(dossier.code)
    shots(page, "received")

    # an action is a plain POST answered by a redirect to the refreshed page
    form = page.locator("form.action-form").filter(
        has=page.get_by_role("button", name="Chuyển phòng chuyên môn", include_hidden=True)
    )
    form.get_by_role("button", name="Chuyển phòng chuyên môn").click()
    page.wait_for_url(f"{base}/can-bo/ho-so/{dossier.pk}/")
    expect(page.locator("#page-messages")).to_contain_text("Đã thực hiện: Chuyển phòng chuyên môn.")
    expect(page.locator(".dossier-head .badge").first).to_have_text("Đang giải quyết")
    dossier.refresh_from_db()
    assert dossier.state == "processing"
    shots(page, "forwarded")

    # the citizen's lookup is a GET form too
    citizen = new_page(browser, javascript=False, problems=problems)
    citizen.goto(f"{base}/tra-cuu/")
    citizen.get_by_label("Mã hồ sơ").fill(dossier.code)
    citizen.get_by_label("Mã tra cứu").fill(dossier.secret)
    citizen.get_by_role("button", name="Tra cứu").click()
    expect(citizen.locator(".status-card")).to_contain_text("Đang giải quyết")
    expect(citizen.locator("body")).not_to_contain_text("Đinh Thị Hằng")
    shots(citizen, "lookup")
    assert problems == ["422 /can-bo/tiep-nhan/"]  # the form sent back once with its error
