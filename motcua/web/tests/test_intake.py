"""Desk intake: choose a procedure, fill in the dossier, and lodge + decide in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest
from django.test import Client

from conftest import OTHER_COMMUNE, Staff
from motcua.accounts.models import User
from motcua.core.errors import Conflict
from motcua.dossiers import hooks
from motcua.dossiers.models import DailySequence, Dossier, DossierEvent

pytestmark = pytest.mark.django_db

Clients = Callable[[User], Client]
URL = "/can-bo/tiep-nhan/"


def filled(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "procedure": "1.001022",
        "receiving_unit": "000.31.00.H11",
        "applicant_name": "Lục Văn Bình",
        "applicant_id_number": "004090000777",
        "applicant_phone": "0912 345 678",
        "applicant_email": "binh@example.vn",
        "applicant_address": "Thôn Nà Lạn, Đông Khê",
        "channel": "direct",
        "fee_total": "15000",
        "competent_unit": "000.31.00.H11",
        "submitted": ["TK", "CC"],
        "digitized": ["TK"],
        "reason": "",
        "reason_code": "",
        "decision": "accept",
    }
    data.update(changes)
    return data


def test_only_desk_officers_take_in_dossiers(staff: Staff, client_of: Clients) -> None:
    response = client_of(staff.specialist).get(URL)
    assert response.status_code == 403
    assert "Chỉ cán bộ Bộ phận một cửa" in response.content.decode()


def test_the_procedure_is_found_by_name_with_or_without_diacritics_or_by_code(
    staff: Staff, client_of: Clients
) -> None:
    client = client_of(staff.desk)
    for query in ("khai sinh", "dang ky khai sinh", "ĐĂNG KÝ KHAI", "1.001193"):
        html = client.get(URL, {"q": query}).content.decode()
        assert "?procedure=1.001193" in html, query
        assert "?procedure=1.001022" not in html, query
    partial = client.get(URL, {"q": "nhận cha"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="procedure-results")
    html = partial.content.decode()
    assert "<html" not in html
    assert "?procedure=1.001022" in html
    assert "Không tìm thấy thủ tục" in client.get(URL, {"q": "xyz không có"}).content.decode()


def test_the_form_shows_the_versions_components_fees_and_competent_units(
    staff: Staff, client_of: Clients
) -> None:
    client = client_of(staff.desk)
    html = client.get(URL, {"procedure": "1.001022"}).content.decode()
    assert 'name="submitted" value="TK"' in html
    assert 'name="digitized" value="CC"' in html
    assert "Tờ khai" in html
    assert "Chứng cứ" in html
    assert 'name="fee_total" value="15000"' in html
    assert "15.000 đ" in html
    assert 'name="competent_unit"' in html
    assert "Xã Thạch An" in html
    assert 'value="online"' not in html  # online dossiers come from the portal
    assert "bản quét" in html  # scans are a later issue
    assert "Thời hạn giải quyết: 3 ngày làm việc" in html
    html = client.get(URL, {"procedure": "1.001193"}).content.decode()
    assert "Thời hạn giải quyết: Trong ngày" in html
    assert 'name="competent_unit"' not in html


def test_accepting_creates_and_accepts_in_one_go(staff: Staff, client_of: Clients) -> None:
    # when
    client = client_of(staff.desk)
    response = client.post(URL + "?procedure=1.001022", filled())
    # then
    dossier = Dossier.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/can-bo/ho-so/{dossier.pk}/"
    assert dossier.state == "received"
    assert dossier.code is not None
    assert (dossier.applicant_name, dossier.applicant_phone, dossier.channel) == (
        "Lục Văn Bình",
        "0912345678",
        "direct",
    )
    assert [(c.code, c.submitted, c.digitized) for c in dossier.components.all()] == [
        ("TK", True, True),
        ("CC", True, False),
    ]
    assert list(DossierEvent.objects.values_list("action", "actor__username")) == [
        ("submit", "desk"),
        ("accept", "desk"),
    ]
    page = client.get(response["Location"]).content.decode()
    assert f"Đã tiếp nhận hồ sơ {dossier.code}" in page
    assert "In giấy tiếp nhận" in page  # Form 01, once the printed forms are installed


@pytest.fixture
def acceptance_aborts() -> Iterator[None]:
    """A dossier listener that aborts every acceptance (as a failing outbox or counter would)."""

    def abort(dossier: Dossier, events: Sequence[DossierEvent]) -> None:
        if any(e.action == "accept" for e in events):
            raise Conflict("the daily counter is busy")

    hooks.listen("tests.abort_accept", abort)
    yield
    hooks.unlisten("tests.abort_accept")


def test_a_failed_acceptance_leaves_nothing(
    staff: Staff, client_of: Clients, acceptance_aborts: None
) -> None:
    # given: the acceptance fails after the dossier was lodged
    # when
    response = client_of(staff.desk).post(URL + "?procedure=1.001022", filled())
    # then
    assert response.status_code == 409
    assert (Dossier.objects.count(), DossierEvent.objects.count(), DailySequence.objects.count()) == (0, 0, 0)
    assert 'value="Lục Văn Bình"' in response.content.decode()


def test_a_bad_field_is_shown_next_to_it_with_everything_kept(staff: Staff, client_of: Clients) -> None:
    # when
    response = client_of(staff.desk).post(URL + "?procedure=1.001022", filled(applicant_id_number="12345"))
    # then
    assert response.status_code == 422
    html = response.content.decode()
    field = html.index('name="applicant_id_number"')
    assert 0 < html.index("Số định danh phải gồm 9 hoặc 12 chữ số.") - field < 400
    for kept in (
        'value="Lục Văn Bình"',
        'value="Thôn Nà Lạn, Đông Khê"',
        'value="binh@example.vn"',
        'name="submitted" value="CC" checked',
        'name="digitized" value="TK" checked',
    ):
        assert kept in html, kept
    assert 'name="digitized" value="CC" checked' not in html
    assert Dossier.objects.count() == 0


def test_refusing_without_a_reason_creates_nothing(staff: Staff, client_of: Clients) -> None:
    response = client_of(staff.desk).post(URL + "?procedure=1.001022", filled(decision="refuse"))
    assert response.status_code == 422
    assert "Vui lòng nhập lý do." in response.content.decode()
    assert Dossier.objects.count() == 0


@pytest.mark.parametrize(
    ("decision", "extra", "state"),
    [
        ("request_intake_supplement", {"reason": "Thiếu bản sao chứng cứ"}, "intake_supplement"),
        ("refuse", {"reason": "Không thuộc thẩm quyền"}, "refused"),
        ("return_unaccepted", {"reason_code": "other_procedure_required"}, "returned"),
    ],
)
def test_the_other_decisions(
    staff: Staff, client_of: Clients, decision: str, extra: dict[str, str], state: str
) -> None:
    response = client_of(staff.desk).post(URL + "?procedure=1.001022", filled(decision=decision, **extra))
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert (dossier.state, dossier.code) == (state, None)


def test_fees_and_a_boundary_independent_competent_unit(staff: Staff, client_of: Clients) -> None:
    response = client_of(staff.desk).post(
        URL + "?procedure=1.001022", filled(fees_exempt="on", channel="postal", competent_unit=OTHER_COMMUNE)
    )
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert (dossier.fees_exempt, int(dossier.fee_total), dossier.channel) == (True, 0, "postal")
    assert dossier.competent_unit.code == OTHER_COMMUNE
