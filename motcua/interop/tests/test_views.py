"""The staff pages of /can-bo/lien-thong/ and the dossier page's consultation forms."""

from __future__ import annotations

import pytest
from django.test import Client

from conftest import Staff
from motcua.interop.models import AgencyRequest
from motcua.interop.services import consultation_request
from motcua.interop.tests.test_interop import accepted, processing

pytestmark = pytest.mark.django_db


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_a_specialist_sends_a_consultation_and_the_land_office_answers(staff: Staff) -> None:
    # given
    d = processing(staff)
    # when the specialist sends the form
    response = client_for(staff.specialist).post(
        f"/can-bo/lien-thong/ho-so/{d.pk}/lay-y-kien/",
        {"agency": "Địa chính", "task": "Xác minh thửa đất", "working_days": "2", "department_code": "DC"},
    )
    # then it goes back to the dossier page's section and the request exists
    assert response.status_code == 302
    assert response["Location"].endswith(f"/can-bo/ho-so/{d.pk}/#lien-thong")
    request = AgencyRequest.objects.get(dossier=d)
    # when the land specialist answers
    client_for(staff.land_specialist).post(
        f"/can-bo/lien-thong/yeu-cau/{request.pk}/tra-loi/", {"answer": "Đúng hiện trạng", "version": "1"}
    )
    request.refresh_from_db()
    assert (request.status, request.answer) == ("answered", "Đúng hiện trạng")


def test_a_bad_form_shows_the_error_and_writes_nothing(staff: Staff) -> None:
    d = processing(staff)
    response = client_for(staff.specialist).post(
        f"/can-bo/lien-thong/ho-so/{d.pk}/lay-y-kien/",
        {"agency": "X", "task": "Y", "working_days": "99"},
        follow=True,
    )
    assert "working_days" in response.content.decode()
    assert not AgencyRequest.objects.exists()


def test_another_commune_gets_404(staff: Staff) -> None:
    d = processing(staff)
    request = consultation_request(
        dossier_id=d.pk, actor=staff.specialist, agency="A", task="B", working_days=1
    )
    other = client_for(staff.other_desk)
    assert other.post(f"/can-bo/lien-thong/ho-so/{d.pk}/lay-y-kien/", {"agency": "A"}).status_code == 404
    assert other.post(f"/can-bo/lien-thong/yeu-cau/{request.pk}/tra-loi/", {"answer": "x"}).status_code == 404
    assert AgencyRequest.objects.get(pk=request.pk).status == "sent"
    page = other.get("/can-bo/lien-thong/").content.decode()
    assert d.code not in page


def test_the_list_shows_late_requests_and_boundary_independent_dossiers(staff: Staff) -> None:
    from conftest import OTHER_COMMUNE, vn

    d = processing(staff)
    consultation_request(
        dossier_id=d.pk,
        actor=staff.specialist,
        agency="Trạm y tế",
        task="B",
        working_days=1,
        at=vn("2026-03-10 09:00"),
    )
    bi = accepted(staff, competent_unit_code=OTHER_COMMUNE)
    page = client_for(staff.head).get("/can-bo/lien-thong/").content.decode()
    assert "Trạm y tế" in page
    assert "Quá hạn trả lời" in page
    assert bi.code in page
    assert client_for(staff.other_desk).get("/can-bo/lien-thong/").content.decode().count(bi.code) == 1


def test_sign_in_is_required() -> None:
    assert Client().get("/can-bo/lien-thong/").status_code == 302


def test_the_dossier_page_shows_the_section_and_its_form_to_handling_staff_only(staff: Staff) -> None:
    d = processing(staff)
    consultation_request(
        dossier_id=d.pk, actor=staff.specialist, agency="Trạm y tế", task="B", working_days=1
    )
    mine = client_for(staff.specialist).get(f"/can-bo/ho-so/{d.pk}/").content.decode()
    desk = client_for(staff.desk).get(f"/can-bo/ho-so/{d.pk}/").content.decode()
    assert 'id="lien-thong"' in mine
    assert "Trạm y tế" in mine
    assert "Gửi lấy ý kiến" in mine
    assert "Trạm y tế" in desk
    assert "Gửi lấy ý kiến" not in desk
