"""One dossier's whole life in a real browser (issue 4): counter intake and receipt, supplement, approval,
delivery, the citizen's lookup and rating, the inspector's dashboard, and another commune locked out.

Each step is done by clicking as the officer would, and asserts what that officer sees on the page.
"""

from __future__ import annotations

import re
import unicodedata
from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from conftest import Staff
from motcua.accounts.models import User
from motcua.dossiers.models import Dossier
from motcua.feedback.models import SatisfactionRating
from motcua.forms.formatting import instant_in_words
from tests.browser.conftest import Shots, new_page, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

ID_NUMBER = "004090000123"
PHONE = "0912345678"
APPLICANT = "Nông Văn Minh"
PROCEDURE = "Thủ tục đăng ký nhận cha, mẹ, con"


def pdf_text(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text))


NAMES = {
    "desk": "Hoàng Thị Lan",
    "head": "Bế Văn Hùng",
    "specialist": "Lục Văn Tùng",
    "approver": "Nông Thị Hoa",
    "inspector": "Đàm Quang Trung",
    "other_desk": "La Thị Mai",
}


@pytest.fixture
def named_staff(staff: Staff) -> Staff:
    """The root fixture's officers, with the names people have (what the pages and PDFs show)."""
    for username, name in NAMES.items():
        User.objects.filter(username=username).update(full_name=name)
    return staff


def only_dossier() -> Dossier:
    return Dossier.objects.select_related("receiving_unit").get()


def act(page: Any, label: str, **fields: str) -> None:
    """Open the action's panel if it has one, fill its fields (by label), press its button."""
    form = page.locator("form.action-form").filter(
        has=page.get_by_role("button", name=label, exact=True, include_hidden=True)
    )
    summary = form.locator("summary")
    if summary.count() and form.locator("details").get_attribute("open") is None:
        summary.click()
    for name, value in fields.items():
        field = form.get_by_label(name)
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(label=value)
        else:
            field.fill(value)
    form.get_by_role("button", name=label, exact=True).click()


def expect_state(page: Any, state: str) -> None:
    from playwright.sync_api import expect

    expect(page.locator(".dossier-head .badge").first).to_have_text(state)


def test_one_dossier_from_counter_to_rating(
    browser: Any, live_server: Any, named_staff: Staff, shots: Shots
) -> None:
    from playwright.sync_api import expect

    base = live_server.url
    problems: list[str] = []  # every 4xx/5xx answer and script error on the way

    # 1. the desk officer signs in, finds the procedure, takes the dossier in, prints the receipt
    desk = new_page(browser, problems=problems)
    desk.goto(f"{base}/can-bo/dang-nhap/")
    expect(desk.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    shots(desk, "login")
    sign_in(desk, base, "desk")
    expect(desk.get_by_role("heading", name="Hồ sơ cần xử lý")).to_be_visible()
    shots(desk, "desk-inbox")

    desk.get_by_role("navigation").get_by_role("link", name="Tiếp nhận", exact=True).click()
    expect(desk.get_by_role("heading", name="Tiếp nhận hồ sơ", exact=True)).to_be_visible()
    desk.get_by_label("Tìm theo tên hoặc mã thủ tục").fill("nhan cha")  # without diacritics; htmx live search
    result = desk.locator("#procedure-results").get_by_role("link", name=re.compile("nhận cha, mẹ, con"))
    expect(result).to_be_visible()
    shots(desk, "intake-search")
    result.click()
    expect(desk.locator(".chosen")).to_contain_text(PROCEDURE)
    desk.get_by_label("Họ và tên người nộp").fill(APPLICANT)
    desk.get_by_label("Số định danh cá nhân (CCCD)").fill(ID_NUMBER)
    desk.get_by_label("Số điện thoại").fill(PHONE)
    desk.get_by_label("Địa chỉ").fill("Xóm Nà Pò, xã Đông Khê")
    for row in ("Tờ khai", "Chứng cứ"):
        line = desk.locator("table.checklist tr").filter(has_text=row)
        line.locator("input[name=submitted]").check()
        line.locator("input[name=digitized]").check()
    shots(desk, "intake-form")
    desk.get_by_role("button", name="Tiếp nhận", exact=True).click()

    dossier = only_dossier()
    assert dossier.state == "received"
    assert dossier.code
    desk.wait_for_url(f"{base}/can-bo/ho-so/{dossier.pk}/")
    appointment = dossier.appointment_at.astimezone(ZoneInfo(dossier.receiving_unit.timezone))
    expect(desk.locator(".messages")).to_contain_text(f"Đã tiếp nhận hồ sơ {dossier.code}")
    expect(desk.locator("#dossier-title")).to_have_text(dossier.code)
    expect_state(desk, "Đã tiếp nhận")
    expect(desk.locator(".dossier-head .kv")).to_contain_text(appointment.strftime("%d/%m/%Y"))
    shots(desk, "dossier-received")

    receipt = desk.get_by_role("link", name="In giấy tiếp nhận, hẹn trả kết quả")
    expect(receipt).to_be_visible()
    response = desk.request.get(base + receipt.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.body())
    assert dossier.code in text
    assert dossier.secret in text
    appointment_words = instant_in_words(dossier.appointment_at, dossier.receiving_unit.timezone)
    assert appointment_words in text  # "17 giờ 00 phút, ngày 01 tháng 12 năm 2026"
    assert APPLICANT in text
    assert NAMES["desk"] in text

    # the desk forwards it to the department of its sector
    act(desk, "Chuyển phòng chuyên môn")
    expect(desk.locator(".messages")).to_contain_text("Đã thực hiện: Chuyển phòng chuyên môn.")
    expect_state(desk, "Đang giải quyết")
    expect(desk.locator(".dossier-head .kv")).to_contain_text("Tư pháp – Hộ tịch")
    shots(desk, "dossier-forwarded")

    # the department head assigns the specialist
    head = new_page(browser, problems=problems)
    sign_in(head, base, "head")
    head.get_by_role("link", name=re.compile("Chờ phân công")).click()
    head.get_by_role("link", name=dossier.code).click()
    shots(head, "head-dossier")
    act(head, "Phân công xử lý", **{"Chuyên viên xử lý": "Lục Văn Tùng (specialist)"})
    expect(head.locator(".messages")).to_contain_text("Đã thực hiện: Phân công xử lý.")
    expect(head.locator(".dossier-head .kv")).to_contain_text("Lục Văn Tùng")

    # 2. the specialist asks for a supplement
    specialist = new_page(browser, problems=problems)
    sign_in(specialist, base, "specialist")
    specialist.get_by_role("link", name=re.compile("Được giao thẩm định")).click()
    expect(specialist.get_by_role("link", name=dossier.code)).to_be_visible()
    shots(specialist, "specialist-inbox")
    specialist.get_by_role("link", name=dossier.code).click()
    act(
        specialist,
        "Yêu cầu bổ sung hồ sơ",
        **{"Nội dung cần bổ sung": "Bổ sung bản sao giấy khai sinh của con."},
    )
    expect(specialist.locator(".messages")).to_contain_text("Đã thực hiện: Yêu cầu bổ sung hồ sơ.")
    expect_state(specialist, "Chờ bổ sung hồ sơ")
    expect(specialist.locator(".timeline")).to_contain_text("Bổ sung bản sao giấy khai sinh của con.")
    shots(specialist, "supplement-requested")

    # 3. the desk records the supplement the applicant brought
    desk.goto(f"{base}/can-bo/?tab=to_record_supplement")
    desk.get_by_role("link", name=dossier.code).click()
    act(desk, "Nhận hồ sơ bổ sung")
    expect(desk.locator(".messages")).to_contain_text("Đã thực hiện: Nhận hồ sơ bổ sung.")
    expect_state(desk, "Đang giải quyết")
    shots(desk, "supplement-supplied")

    # 4. the specialist proposes, the approver approves and issues the result
    specialist.reload()
    act(specialist, "Trình kết quả thẩm định", **{"Ghi chú": "Đủ điều kiện đăng ký."})
    expect(specialist.locator(".messages")).to_contain_text("Đã thực hiện: Trình kết quả thẩm định.")
    approver = new_page(browser, problems=problems)
    sign_in(approver, base, "approver")
    approver.get_by_role("link", name=re.compile("Chờ phê duyệt")).click()
    approver.get_by_role("link", name=dossier.code).click()
    shots(approver, "approver-dossier")
    act(approver, "Phê duyệt")
    expect(approver.locator(".messages")).to_contain_text("Đã thực hiện: Phê duyệt.")
    act(approver, "Ban hành kết quả", **{"Số, ký hiệu văn bản kết quả": "12/TP-HT"})
    expect(approver.locator(".messages")).to_contain_text("Đã thực hiện: Ban hành kết quả.")
    expect_state(approver, "Có kết quả, chờ trả")
    expect(approver.locator("#h-result + dl")).to_contain_text("12/TP-HT")
    shots(approver, "resolved")

    # 5. the desk hands the result over
    desk.goto(f"{base}/can-bo/?tab=to_deliver")
    row = desk.locator("table tbody tr").filter(has_text=dossier.code)
    expect(row).to_contain_text(APPLICANT)
    expect(row).to_contain_text("*********123")  # lists mask the ID number: last 3 digits
    expect(row).not_to_contain_text(ID_NUMBER)
    shots(desk, "desk-to-deliver")
    desk.get_by_role("link", name=dossier.code).click()
    act(desk, "Trả kết quả")
    expect(desk.locator(".messages")).to_contain_text("Đã thực hiện: Trả kết quả.")
    expect_state(desk, "Đã trả kết quả")
    expect(desk.locator(".dossier-actions")).to_contain_text("Hồ sơ đã kết thúc")
    shots(desk, "delivered")

    # 6. the citizen looks it up with the receipt's two codes, sees the steps and no personal data, rates it
    citizen = new_page(browser, problems=problems)
    citizen.goto(f"{base}/tra-cuu/")
    citizen.get_by_label("Mã hồ sơ").fill(dossier.code)
    citizen.get_by_label("Mã tra cứu").fill(dossier.secret)
    shots(citizen, "lookup")
    citizen.get_by_role("button", name="Tra cứu").click()
    expect(citizen.get_by_role("heading", name="Tình trạng hồ sơ")).to_be_visible()
    expect(citizen.locator(".status-card")).to_contain_text("Đã trả kết quả")
    steps = citizen.locator("ol.steps > li")
    assert steps.count() >= 5
    expect(citizen.locator("ol.steps")).to_contain_text("Bổ sung bản sao giấy khai sinh của con.")
    page_text = citizen.locator("body").inner_text()
    for personal in (APPLICANT, ID_NUMBER, PHONE, ID_NUMBER[-4:] + "\n", "Nà Pò"):
        assert personal not in page_text
    shots(citizen, "lookup-status")
    citizen.locator("label.level").filter(has_text="Rất hài lòng").click()
    citizen.get_by_role("button", name="Gửi đánh giá").click()
    expect(citizen.locator(".notice.ok")).to_be_visible()
    expect(citizen.get_by_role("heading", name="Đánh giá của ông/bà")).to_be_visible()
    expect(citizen.locator("main")).to_contain_text("Ông/bà đã đánh giá: Rất hài lòng")
    assert SatisfactionRating.objects.get(dossier=dossier).level == "very_satisfied"
    shots(citizen, "rated")

    # 7. the province inspector opens the dashboard and sees this dossier counted
    inspector = new_page(browser, problems=problems)
    sign_in(inspector, base, "inspector")
    inspector.goto(f"{base}/can-bo/bao-cao/")
    expect(
        inspector.get_by_role("heading", name=re.compile("Báo cáo định kỳ — Tỉnh Cao Bằng"))
    ).to_be_visible()
    figures = {
        "received.total": "1",
        "resolved.total": "1",
        "resolved.before_due": "1",
        "in_process.total": "0",
    }
    for figure, value in figures.items():
        expect(inspector.locator(f"[data-figure='{figure}']").first).to_have_text(value)
    expect(inspector.locator("table").filter(has_text="Xã Đông Khê").first).to_be_visible()
    shots(inspector, "dashboard")

    # 8. an officer of another commune cannot open it
    other = new_page(browser, problems=problems)
    sign_in(other, base, "other_desk")
    answer = other.goto(f"{base}/can-bo/ho-so/{dossier.pk}/")
    assert answer is not None
    assert answer.status == 404
    expect(other.get_by_role("heading", name="Không tìm thấy trang")).to_be_visible()
    expect(other.locator("main")).not_to_contain_text(dossier.code)
    shots(other, "other-commune-404")
    pdf = other.request.get(f"{base}/can-bo/bieu-mau/{dossier.pk}/01-giay-tiep-nhan.pdf")
    assert pdf.status in (403, 404)

    # and nothing else failed on the way: no missing file, no refused form, no script error
    assert problems == [f"404 /can-bo/ho-so/{dossier.pk}/"]
