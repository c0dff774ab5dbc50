"""The printed forms (Forms 01–06 and the tracking book): content, QR code, scope and applicability.

Dossiers are built through the services, as live work builds them; the PDFs are read back with pypdf.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
import segno
from django.test import Client, RequestFactory
from django.urls import reverse
from pypdf import PdfReader

from conftest import COMMUNE, OTHER_COMMUNE, Staff, vn
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import dossier_events
from motcua.forms.context import FormOptions, receipt_context
from motcua.forms.formatting import day_in_words, instant_in_words, money, time_limit_text
from motcua.forms.qr import lookup_url, public_base_url, qr_code, qr_svg_data_uri
from motcua.forms.render import render_html

pytestmark = pytest.mark.django_db

SUPPLEMENT_REASON = (
    "Tờ khai chưa ghi nơi cư trú của người nhận là cha; đề nghị ghi đủ họ, chữ đệm, tên và ngày sinh. "
    "Bổ sung Chứng cứ chứng minh quan hệ cha, con (văn bản giám định ADN hoặc tài liệu tương đương)."
)
REFUSAL_REASON = "Yêu cầu không thuộc thẩm quyền giải quyết của Ủy ban nhân dân xã Đông Khê."
EXTEND_REASON = "Cần xác minh thêm thông tin hộ tịch tại nơi đăng ký khai sinh trước đây."


def pdf_text(pdf: bytes) -> str:
    """The text of every page, NFC, whitespace collapsed (lines of a wrapped paragraph joined)."""
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(BytesIO(pdf))
    text = " ".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text))


def submit(staff: Staff, *, components: tuple[str, ...] = ("TK", "CC"), unit: str = COMMUNE) -> Dossier:
    return s.dossier_submit(
        procedure_code="1.001022",
        receiving_unit_code=unit,
        channel="direct",
        applicant=s.Applicant(name="Nông Văn A", id_number="004090000123", phone="0912345678",
                              address="Xóm Nà Pò, xã Đông Khê"),
        actor=staff.desk if unit == COMMUNE else staff.other_desk,
        components=[s.ComponentIn(code=c, digitized=True) for c in components],
        at=vn("2026-03-09 08:00"),
    )


def accepted(staff: Staff) -> Dossier:
    d = submit(staff)
    return s.dossier_accept(dossier_id=d.pk, actor=staff.desk, at=vn("2026-03-09 09:00"))


def processing(staff: Staff) -> Dossier:
    d = accepted(staff)
    s.dossier_confirm_payment(dossier_id=d.pk, actor=staff.desk, method="cash", amount=15000,
                              at=vn("2026-03-09 09:02"))
    return s.dossier_forward(dossier_id=d.pk, actor=staff.desk, at=vn("2026-03-09 09:05"))


def signed_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def get_pdf(client: Client, name: str, dossier: Dossier) -> str:
    response = client.get(reverse(f"printed_forms:{name}", args=[dossier.pk]))
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('inline; filename="')
    return pdf_text(response.content)


# --- formatting ---------------------------------------------------------------------------------------------


def test_dates_are_written_the_official_way() -> None:
    assert day_in_words(date(2025, 7, 2)) == "ngày 02 tháng 7 năm 2025"
    assert day_in_words(date(2026, 1, 15)) == "ngày 15 tháng 01 năm 2026"  # months 1 and 2 take a zero
    assert instant_in_words(vn("2026-03-09 09:05")) == "09 giờ 05 phút, ngày 09 tháng 3 năm 2026"
    # an instant stored in UTC is written in the unit's local time
    utc = vn("2026-03-09 01:30").astimezone(UTC)
    assert instant_in_words(utc, "Asia/Ho_Chi_Minh").startswith("01 giờ 30 phút, ngày 09 tháng 3")
    assert money(1250000) == "1.250.000"
    assert time_limit_text(None, "same_day") == "Trong ngày"
    assert time_limit_text(Decimal("0.50"), "working_days") == "0,5 ngày làm việc"
    assert time_limit_text(Decimal("3.00"), "working_days") == "3 ngày làm việc"


# --- Form 01 ------------------------------------------------------------------------------------------------


def test_receipt_prints_code_applicant_appointment_and_lookup_secret(staff: Staff) -> None:
    d = processing(staff)
    text = get_pdf(signed_in(staff.desk), "receipt", d)
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "UBND XÃ ĐÔNG KHÊ",
        "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        f"Mã hồ sơ: {d.code}", "Nông Văn A", "004090000123", "Thủ tục đăng ký nhận cha, mẹ, con",
        "Tờ khai", "Chứng cứ", "3 ngày làm việc",
        "Thời gian nhận hồ sơ: 09 giờ 00 phút, ngày 09 tháng 3 năm 2026",
        "Ngày hẹn trả kết quả: 09 giờ 00 phút, ngày 12 tháng 3 năm 2026",
        "Đã thu 15.000 đồng", "Hình thức nộp hồ sơ: Trực tiếp", f"Mã tra cứu: {d.secret}",
        "http://testserver/tra-cuu/", "NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ",
        "Đông Khê, ngày 09 tháng 3 năm 2026",
    ):
        assert expected in text, expected


def test_receipt_qr_code_encodes_the_public_lookup_url(staff: Staff, settings: object) -> None:
    d = accepted(staff)
    events = list(dossier_events(dossier=d))
    context = receipt_context(d, events, FormOptions(public_url="https://motcua.dongkhe.example.vn"))
    expected = f"https://motcua.dongkhe.example.vn/tra-cuu/?ma={d.code}&bi-mat={d.secret}"
    assert context["lookup_url"] == expected
    assert lookup_url("https://motcua.dongkhe.example.vn/", d.code or "", d.secret) == expected
    # the image on the page is the QR code of exactly that URL
    assert context["qr"] == qr_svg_data_uri(expected)
    assert context["qr"] in render_html("receipt", context)
    assert qr_code(expected).matrix == segno.make_qr(expected, error="m", boost_error=False).matrix
    assert qr_code(expected).matrix != qr_code(expected.replace(d.secret, "X" * len(d.secret))).matrix


def test_public_url_comes_from_the_setting_else_the_request_else_localhost(settings: object) -> None:
    request = RequestFactory().get("/", HTTP_HOST="testserver")
    settings.MOTCUA_PUBLIC_URL = ""  # type: ignore[attr-defined]
    assert public_base_url(request) == "http://testserver"
    assert public_base_url(None) == "http://localhost:8000"
    settings.MOTCUA_PUBLIC_URL = "https://dichvucong.dongkhe.example.vn/"  # type: ignore[attr-defined]
    assert public_base_url(request) == "https://dichvucong.dongkhe.example.vn"


def test_receipt_for_a_reader_without_personal_data_rights_masks_them(staff: Staff) -> None:
    d = accepted(staff)
    text = get_pdf(signed_in(staff.inspector), "receipt", d)  # the province's inspector sees the dossier
    assert d.code in text
    assert "Nông Văn A" in text
    assert "004090000123" not in text
    assert "*********123" in text
    assert d.secret not in text


def test_receipt_is_in_vietnamese_whatever_the_officers_ui_language(staff: Staff) -> None:
    d = accepted(staff)
    client = signed_in(staff.desk)
    client.cookies["django_language"] = "en"
    assert "Hình thức nộp hồ sơ: Trực tiếp" in get_pdf(client, "receipt", d)


# --- Forms 02, 03, 04 ---------------------------------------------------------------------------------------


def test_intake_supplement_request_lists_missing_components_and_the_reason_once(staff: Staff) -> None:
    d = submit(staff, components=("TK",))
    s.dossier_request_intake_supplement(dossier_id=d.pk, actor=staff.desk, reason=SUPPLEMENT_REASON,
                                        at=vn("2026-03-09 08:10"))
    text = get_pdf(signed_in(staff.desk), "supplement", d)
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert "Nông Văn A" in text
    assert "chưa cấp mã hồ sơ" in text
    assert "Chứng cứ" in text  # the required component not submitted
    assert text.count(SUPPLEMENT_REASON) == 1
    assert "Thời điểm yêu cầu: 08 giờ 10 phút, ngày 09 tháng 3 năm 2026" in text


def test_supplement_request_during_processing_uses_the_latest_request(staff: Staff) -> None:
    d = processing(staff)
    s.dossier_request_supplement(dossier_id=d.pk, actor=staff.specialist, reason=SUPPLEMENT_REASON,
                                 at=vn("2026-03-10 10:00"))
    text = get_pdf(signed_in(staff.desk), "supplement", d)
    assert f"Mã hồ sơ: {d.code}" in text
    assert text.count(SUPPLEMENT_REASON) == 1
    assert "được tính lại" in text
    assert "specialist" in text


def test_refusal_slip_prints_the_reason(staff: Staff) -> None:
    d = submit(staff)
    s.dossier_refuse(dossier_id=d.pk, actor=staff.desk, reason=REFUSAL_REASON, at=vn("2026-03-09 08:15"))
    text = get_pdf(signed_in(staff.desk), "refusal", d)
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text
    assert "Nông Văn A" in text
    assert REFUSAL_REASON in text
    assert "Đông Khê, ngày 09 tháng 3 năm 2026" in text


def test_apology_prints_the_statutory_due_the_reason_and_the_new_appointment(staff: Staff) -> None:
    d = processing(staff)
    s.dossier_extend(dossier_id=d.pk, actor=staff.approver, new_appointment=vn("2026-03-16 15:00"),
                     reason=EXTEND_REASON, at=vn("2026-03-10 10:00"))
    text = get_pdf(signed_in(staff.desk), "apology", d)
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in text
    assert "ỦY BAN NHÂN DÂN XÃ ĐÔNG KHÊ" in text
    assert d.code in text
    assert "Nông Văn A" in text
    assert EXTEND_REASON in text
    assert "Thời hạn giải quyết hồ sơ theo quy định: 09 giờ 00 phút, ngày 12 tháng 3 năm 2026" in text
    assert "15 giờ 00 phút, ngày 16 tháng 3 năm 2026" in text
    assert "xin lỗi Ông/Bà" in text


# --- Form 05/06 and the tracking book -----------------------------------------------------------------------


def test_control_slip_has_one_row_per_event_with_who_and_when(staff: Staff) -> None:
    d = processing(staff)
    s.dossier_assign(dossier_id=d.pk, actor=staff.head, assignee="specialist", at=vn("2026-03-09 10:00"))
    s.dossier_propose(dossier_id=d.pk, actor=staff.specialist, note="Trình ký", at=vn("2026-03-10 09:00"))
    s.dossier_approve(dossier_id=d.pk, actor=staff.approver, at=vn("2026-03-10 14:00"))
    s.dossier_resolve(dossier_id=d.pk, actor=staff.clerk, result_code="KQ-2026-01", at=vn("2026-03-10 15:00"))
    s.dossier_deliver(dossier_id=d.pk, actor=staff.desk, method="desk", at=vn("2026-03-11 08:30"))
    text = get_pdf(signed_in(staff.desk), "control_slip", d)
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
    assert d.code in text
    steps = ("Nộp hồ sơ", "Tiếp nhận", "Xác nhận đã nộp phí, lệ phí", "Chuyển phòng chuyên môn",
             "Phân công xử lý", "Trình kết quả thẩm định", "Phê duyệt", "Ban hành kết quả", "Trả kết quả")
    for step in steps:
        assert step in text, step
    events = list(dossier_events(dossier=d))
    assert len(events) == len(steps)
    for event in events:
        assert f"ngày {event.at.astimezone(vn('2026-01-01 00:00').tzinfo):%d/%m/%Y}" in text
    assert "Tư pháp – Hộ tịch" in text  # forwarded to the department
    assert "Có kết quả số KQ-2026-01; trước hạn" in text
    assert "09 giờ 05 phút," in text
    assert "08 giờ 30 phút," in text
    assert "Đã trả kết quả — trước hạn" in text


def test_tracking_book_lists_the_units_dossiers_in_the_range(staff: Staff) -> None:
    inside = processing(staff)
    late = submit(staff)
    late = s.dossier_accept(dossier_id=late.pk, actor=staff.desk, at=vn("2026-04-01 09:00"))
    elsewhere = submit(staff, unit=OTHER_COMMUNE)
    elsewhere = s.dossier_accept(dossier_id=elsewhere.pk, actor=staff.other_desk, at=vn("2026-03-09 09:00"))
    url = reverse("printed_forms:tracking_book")
    response = signed_in(staff.desk).get(url, {"unit": COMMUNE, "from": "2026-03-01", "to": "2026-03-31"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(BytesIO(response.content))
    box = reader.pages[0].mediabox
    assert box.width > box.height  # landscape A4
    text = pdf_text(response.content)
    assert "SỔ THEO DÕI HỒ SƠ" in text
    assert "Từ ngày 01/03/2026 đến ngày 31/03/2026" in text
    assert inside.code in text
    assert "Nông Văn A" in text
    assert "09/03/2026" in text
    assert "12/03/2026" in text
    assert late.code not in text
    assert (elsewhere.code or "") not in text
    assert "Tổng số: 1 hồ sơ" in text
    # the officer's one commune is the default unit
    assert signed_in(staff.desk).get(url, {"from": "2026-03-01", "to": "2026-03-31"}).status_code == 200


def test_tracking_book_refuses_another_communes_unit_and_bad_dates(staff: Staff) -> None:
    url = reverse("printed_forms:tracking_book")
    client = signed_in(staff.other_desk)
    assert client.get(url, {"unit": COMMUNE}).status_code == 404
    bad = client.get(url, {"unit": OTHER_COMMUNE, "from": "01/03/2026"})
    assert bad.status_code == 400
    assert "YYYY-MM-DD" in bad.content.decode()
    backwards = {"unit": OTHER_COMMUNE, "from": "2026-03-31", "to": "2026-03-01"}
    assert client.get(url, backwards).status_code == 400
    start = date(2025, 1, 1)
    wide = {"unit": OTHER_COMMUNE, "from": start.isoformat(), "to": (start + timedelta(days=400)).isoformat()}
    assert client.get(url, wide).status_code == 400


def test_tracking_book_refuses_more_rows_than_it_can_lay_out_in_one_request(
    staff: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    from motcua.forms import views

    processing(staff)
    monkeypatch.setattr(views, "MAX_BOOK_ROWS", 0)
    response = signed_in(staff.desk).get(reverse("printed_forms:tracking_book"),
                                         {"from": "2026-03-01", "to": "2026-03-31"})
    assert response.status_code == 400
    assert "có 1 hồ sơ" in response.content.decode()


# --- access and applicability -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["receipt", "supplement", "refusal", "apology", "control_slip"])
def test_another_communes_officer_gets_not_found(staff: Staff, name: str) -> None:
    d = accepted(staff)
    response = signed_in(staff.other_desk).get(reverse(f"printed_forms:{name}", args=[d.pk]))
    assert response.status_code == 404
    assert "không thuộc đơn vị của bạn" in response.content.decode()


def test_anonymous_is_sent_to_sign_in(staff: Staff) -> None:
    d = accepted(staff)
    for url in (reverse("printed_forms:receipt", args=[d.pk]), reverse("printed_forms:tracking_book")):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("web:login"))


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("receipt", "chưa được tiếp nhận"),
        ("control_slip", "chưa được tiếp nhận"),
        ("refusal", "không bị từ chối"),
        ("apology", "chưa được gia hạn"),
        ("supplement", "chưa có yêu cầu bổ sung"),
    ],
)
def test_a_form_that_does_not_apply_is_not_found_with_the_reason(staff: Staff, name: str, why: str) -> None:
    d = submit(staff)  # submitted, never accepted, refused, extended or asked to supplement
    response = signed_in(staff.desk).get(reverse(f"printed_forms:{name}", args=[d.pk]))
    assert response.status_code == 404
    assert why in response.content.decode()
