"""The dossier page: header, applicant, timeline, and the actions the user may take now, each a POST form
calling ``dossier_act`` with ``expected_version``; errors shown in place, with htmx or without."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.urls import include, path

from conftest import VN, Staff
from motcua.accounts.models import User
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.web.tests.conftest import ID_NUMBER, PHONE, dossier_in, submit

pytestmark = pytest.mark.django_db

Clients = Callable[[User], Client]


def page_url(dossier: Dossier) -> str:
    return f"/can-bo/ho-so/{dossier.pk}/"


def action_url(dossier: Dossier, action: str) -> str:
    return f"/can-bo/ho-so/{dossier.pk}/thao-tac/{action}/"


def act(
    client: Client,
    dossier: Dossier,
    action: str,
    data: dict[str, object] | None = None,
    *,
    version: int | None = None,
    **headers: str,
) -> object:
    dossier.refresh_from_db()
    body = {f"{action}-{k}": v for k, v in (data or {}).items()}
    body[f"{action}-expected_version"] = dossier.version if version is None else version
    return client.post(action_url(dossier, action), body, **headers)


def forms_on(html: str) -> list[str]:
    """The actions whose forms the page offers."""
    return re.findall(r'action="/can-bo/ho-so/\d+/thao-tac/([a-z_]+)/"', html)


def test_the_page_shows_the_header_applicant_and_timeline_in_vietnamese(
    staff: Staff, client_of: Clients
) -> None:
    # given
    dossier = dossier_in(staff, "assigned")
    # when
    html = client_of(staff.desk).get(page_url(dossier)).content.decode()
    # then
    assert dossier.code
    assert dossier.code in html
    assert "Thủ tục đăng ký nhận cha, mẹ, con" in html
    assert "Đang giải quyết" in html  # the state badge
    assert "Quá hạn" in html  # due 12/03/2026, still open
    assert "12/03/2026 08:10" in html  # due date, in local time
    assert ID_NUMBER in html
    assert PHONE in html
    for words in (
        "Nộp hồ sơ",
        "Tiếp nhận",
        "Chuyển phòng chuyên môn",
        "Phân công xử lý",
        "09/03/2026 08:30",
        "Chờ tiếp nhận → Đã tiếp nhận",
        "Tư pháp – Hộ tịch (TP-HT)",
        "Cán bộ một cửa",
        "head",
    ):
        assert words in html, words


def test_only_the_actions_allowed_now_are_offered(staff: Staff, client_of: Clients) -> None:
    # given
    dossier = submit(staff)
    # then
    assert forms_on(client_of(staff.desk).get(page_url(dossier)).content.decode()) == [
        "accept",
        "request_intake_supplement",
        "refuse",
        "return_unaccepted",
    ]
    assert forms_on(client_of(staff.specialist).get(page_url(dossier)).content.decode()) == []
    processing = dossier_in(staff, "processing")
    assert forms_on(client_of(staff.head).get(page_url(processing)).content.decode()) == [
        "assign",
        "request_supplement",
    ]
    assert "extend" in forms_on(client_of(staff.approver).get(page_url(processing)).content.decode())


def test_an_inspector_reads_with_masked_personal_data_and_no_action_forms(
    staff: Staff, client_of: Clients
) -> None:
    # given
    dossier = dossier_in(staff, "processing")
    client = client_of(staff.inspector)
    # when
    response = client.get(page_url(dossier))
    html = response.content.decode()
    # then
    assert response.status_code == 200
    assert forms_on(html) == []
    assert ID_NUMBER not in html
    assert PHONE not in html
    assert "*********123" in html
    assert "chỉ được xem" in html
    # and a forged POST is refused and changes nothing
    response = act(client, dossier, "stop", {"reason_code": "withdrawn"})
    assert response.status_code == 403
    assert "không có quyền" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.state == "processing"


def test_the_whole_lifecycle_through_the_page(staff: Staff, client_of: Clients) -> None:
    # given
    dossier = submit(staff, at=None)
    desk, head, specialist, approver = (
        client_of(u) for u in (staff.desk, staff.head, staff.specialist, staff.approver)
    )
    steps: list[tuple[Client, str, dict[str, object], str]] = [
        (desk, "accept", {}, "received"),
        (desk, "forward", {"department": "TP-HT"}, "processing"),
        (head, "assign", {"assignee": "specialist"}, "processing"),
        (
            specialist,
            "request_supplement",
            {"reason": "Bổ sung bản sao giấy khai sinh"},
            "supplement_requested",
        ),
        (desk, "supply_supplement", {}, "processing"),
        (specialist, "propose", {"note": "Đủ điều kiện"}, "processing"),
        (approver, "approve", {}, "processing"),
        (approver, "resolve", {"result_code": "KQ-2026-001", "e_copy": "on"}, "resolved"),
        (desk, "deliver", {"method": "desk"}, "delivered"),
    ]
    for i, (client, action, data, state) in enumerate(steps):
        htmx = i % 2 == 1
        # when
        response = act(client, dossier, action, data, **({"HTTP_HX_REQUEST": "true"} if htmx else {}))
        # then
        dossier.refresh_from_db()
        assert dossier.state == state, (action, response.content.decode()[:3000])
        if htmx:
            html = response.content.decode()
            assert response.status_code == 200
            # the partial, and an out-of-band swap that clears the messages of the page's first load
            assert html.lstrip().startswith('<div id="page-messages" hx-swap-oob="true"></div>\n<div id="dossier"')
            assert "<html" not in html
            assert "Đã thực hiện" in html
        else:
            assert response.status_code == 302
            assert response["Location"] == page_url(dossier)
    assert dossier.assignee == staff.specialist
    assert dossier.department is not None
    assert dossier.department.code == "TP-HT"
    assert dossier.result.result_code == "KQ-2026-001"
    assert dossier.result.e_copy
    assert dossier.delivery_method == "desk"
    assert list(DossierEvent.objects.filter(dossier=dossier).values_list("action", flat=True)) == [
        "submit",
        *(step[1] for step in steps),
    ]
    html = desk.get(page_url(dossier)).content.decode()
    assert "Đã trả kết quả" in html
    assert "KQ-2026-001" in html
    assert "Tại Bộ phận một cửa" in html
    assert forms_on(html) == []


def test_a_missing_reason_is_shown_next_to_the_field_and_nothing_changes(
    staff: Staff, client_of: Clients
) -> None:
    # given
    dossier = submit(staff)
    client = client_of(staff.desk)
    # when
    response = act(client, dossier, "refuse", {"reason": "   "})
    # then
    assert response.status_code == 422
    html = response.content.decode()
    field = html.index('name="refuse-reason"')
    error = html.index("Vui lòng nhập lý do.")
    assert 0 < error - field < 400  # right after the field
    assert "<details open>" in html  # the form stays open
    dossier.refresh_from_db()
    assert (dossier.state, dossier.version) == ("submitted", 1)
    # with htmx: the partial, with the error in place
    response = act(client, dossier, "return_unaccepted", {"reason": "xem lại"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "Vui lòng chọn lý do." in html
    assert "xem lại" in html  # what was typed is kept
    dossier.refresh_from_db()
    assert dossier.state == "submitted"


def test_a_stale_version_gives_a_conflict_message_and_changes_nothing(
    staff: Staff, client_of: Clients
) -> None:
    # given
    dossier = dossier_in(staff, "received")
    stale = dossier.version - 1
    # when
    response = act(client_of(staff.desk), dossier, "forward", {}, version=stale)
    # then
    assert response.status_code == 409
    html = response.content.decode()
    assert "người khác cập nhật" in html
    assert "Tải lại trang" in html
    dossier.refresh_from_db()
    assert dossier.state == "received"


def test_an_action_not_allowed_in_the_state_names_the_allowed_ones(staff: Staff, client_of: Clients) -> None:
    # given
    dossier = submit(staff)
    # when
    response = act(client_of(staff.desk), dossier, "forward", {})
    # then
    assert response.status_code == 409
    html = response.content.decode()
    assert "Không thể thực hiện “Chuyển phòng chuyên môn” khi hồ sơ đang ở trạng thái “Chờ tiếp nhận”" in html
    assert "Tiếp nhận, Từ chối tiếp nhận" in html


def test_an_unknown_action_is_404(staff: Staff, client_of: Clients) -> None:
    dossier = submit(staff)
    assert client_of(staff.desk).post(action_url(dossier, "fly"), {}).status_code == 404
    assert client_of(staff.desk).post(action_url(dossier, "submit"), {}).status_code == 404
    assert client_of(staff.desk).get(action_url(dossier, "accept")).status_code == 405


# -- printed forms: linked only once the other engineer's URLs exist --------------------------------------

_printed = (
    [
        path("phieu/<int:dossier_id>/tiep-nhan/", lambda r, dossier_id: None, name="receipt"),
        path("phieu/<int:dossier_id>/kiem-soat/", lambda r, dossier_id: None, name="control_slip"),
    ],
    "printed_forms",
)
_staff_app = [path("can-bo/", include("motcua.web.urls")), path("i18n/", include("django.conf.urls.i18n"))]


class WithForms:
    urlpatterns = [*_staff_app, path("in/", include(_printed))]


class WithoutForms:
    urlpatterns = _staff_app


def test_printed_form_links_appear_only_once_the_printed_forms_exist(
    staff: Staff, client_of: Clients
) -> None:
    # given
    dossier = dossier_in(staff, "received")
    client = client_of(staff.desk)
    # then: without the printed forms app, no link and no error
    with override_settings(ROOT_URLCONF=WithoutForms):
        response = client.get(page_url(dossier))
    assert response.status_code == 200
    assert "In giấy tiếp nhận" not in response.content.decode()
    with override_settings(ROOT_URLCONF=WithForms):
        html = client.get(page_url(dossier)).content.decode()
    assert f'href="/in/phieu/{dossier.pk}/tiep-nhan/"' in html
    assert "In giấy tiếp nhận" in html
    assert f'href="/in/phieu/{dossier.pk}/kiem-soat/"' in html
    assert "In phiếu từ chối" not in html  # Form 03 is for a refused dossier only


def test_the_other_action_forms_extend_payments_and_stop(staff: Staff, client_of: Clients) -> None:
    # given: accepted now, 3 working days to go
    dossier = dossier_in(staff, "assigned", at=None)
    approver, specialist, desk = (client_of(u) for u in (staff.approver, staff.specialist, staff.desk))
    assert dossier.due_at is not None
    new_appointment = (dossier.due_at + timedelta(days=3)).astimezone(VN).replace(second=0, microsecond=0)
    # when: an apology with a new appointment typed in local time
    response = act(
        approver,
        dossier,
        "extend",
        {"new_appointment": new_appointment.strftime("%Y-%m-%dT%H:%M"), "reason": "Cần xác minh"},
    )
    # then
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert (dossier.extensions, dossier.appointment_at) == (1, new_appointment)
    # a second apology is refused, in Vietnamese, and changes nothing
    response = act(
        approver, dossier, "extend", {"new_appointment": new_appointment.strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.status_code == 422
    assert "chỉ được gia hạn một lần" in response.content.decode()
    # a financial obligation, then its payment at the desk
    assert act(specialist, dossier, "request_payment", {"amount": "50000"}).status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == "awaiting_payment"
    html = desk.get(page_url(dossier)).content.decode()
    assert 'name="confirm_payment-amount" value="15000"' in html  # prefilled with the dossier's fees
    assert act(desk, dossier, "confirm_payment", {"method": "cash", "amount": "50000"}).status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == "processing"
    assert [(p.method, int(p.amount)) for p in dossier.payments.all()] == [("cash", 50000)]
    assert "Tiền mặt" in desk.get(page_url(dossier)).content.decode()
    # and the approver stops it with a reason code
    assert act(approver, dossier, "stop", {"reason_code": "withdrawn"}).status_code == 302
    dossier.refresh_from_db()
    assert (dossier.state, dossier.stop_reason) == ("stopped", "withdrawn")
    assert "Người nộp rút hồ sơ" in desk.get(page_url(dossier)).content.decode()


def test_each_printed_form_has_its_signed_copy_and_the_fees_and_documents_sections_show(
    staff: Staff, client_of: Clients
) -> None:
    # given an accepted dossier, with the signing, payments and documents modules installed
    dossier = dossier_in(staff, "received")
    # when the desk opens it
    html = client_of(staff.desk).get(page_url(dossier)).content.decode()
    # then the receipt links to its unsigned and its signed PDF, and the fees page and components section appear
    assert f'href="/can-bo/bieu-mau/{dossier.pk}/01-giay-tiep-nhan.pdf"' in html
    assert f'href="/can-bo/ky-so/{dossier.pk}/01-giay-tiep-nhan.pdf"' in html
    assert f'href="/can-bo/thu-phi/{dossier.pk}/"' in html
    assert f"/can-bo/so-hoa/ho-so/{dossier.pk}/" in html
