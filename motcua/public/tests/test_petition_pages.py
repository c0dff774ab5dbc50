"""The petition form, the sender's lookup of the answer, and the published answers: contacts never shown."""

from __future__ import annotations

import pytest
from django.test import Client

from conftest import COMMUNE, Staff, vn
from motcua.feedback import services
from motcua.feedback.models import Petition

pytestmark = pytest.mark.django_db

FORM = {
    "unit": COMMUNE,
    "kind": "behaviour",
    "subject": "Cán bộ hẹn nhiều lần",
    "content": "Tôi phải đi lại ba lần để nộp hồ sơ.",
    "sender_name": "Hoàng Văn Khải",
    "contact": "0911222333",
    "dossier_code": "",
}


def test_submit_shows_code_secret_and_due_never_the_contact(staff: Staff) -> None:
    client = Client()
    page = client.get("/phan-anh/")
    assert page.status_code == 200
    assert "Xã Đông Khê" in page.content.decode()
    response = client.post("/phan-anh/", FORM)
    html = response.content.decode()
    assert response.status_code == 200
    petition = Petition.objects.get()
    assert petition.code in html
    assert petition.secret in html
    assert "Hạn trả lời" in html
    assert petition.contact == "0911222333"
    assert "0911222333" not in html

    services.petition_answer(
        petition_id=petition.pk,
        actor=staff.approver,
        outcome="accepted",
        answer="Đã nhắc nhở cán bộ và bố trí thêm người tại quầy.",
    )
    status = client.get("/phan-anh/tra-cuu/", {"ma": petition.code, "bi-mat": petition.secret})
    html = status.content.decode()
    assert status.status_code == 200
    assert "Đã nhắc nhở cán bộ" in html
    assert "Đã trả lời" in html
    assert "Tiếp thu, khắc phục" in html
    assert "0911222333" not in html
    assert "Hoàng Văn Khải" not in html

    services.petition_publish_answer(petition_id=petition.pk, actor=staff.approver)
    listing = client.get("/phan-anh/").content.decode()
    assert "Cán bộ hẹn nhiều lần" in listing
    assert "Đã nhắc nhở cán bộ" in listing
    assert "0911222333" not in listing
    assert "Hoàng Văn Khải" not in listing


def test_wrong_secret_and_unknown_dossier(staff: Staff) -> None:
    client = Client()
    client.post("/phan-anh/", FORM)
    petition = Petition.objects.get()
    response = client.get("/phan-anh/tra-cuu/", {"ma": petition.code, "bi-mat": "AAAAAAAA"})
    assert response.status_code == 404
    assert "Cán bộ hẹn nhiều lần" not in response.content.decode()
    response = client.post("/phan-anh/", {**FORM, "dossier_code": "000.31.00.H11-260101-0999"})
    assert response.status_code == 400
    assert "Không tìm thấy hồ sơ có mã này." in response.content.decode()
    assert Petition.objects.count() == 1


def test_required_fields_and_the_robot_trap(staff: Staff) -> None:
    client = Client()
    response = client.post("/phan-anh/", {**FORM, "subject": "", "sender_name": ""})
    assert response.status_code == 400
    response = client.post("/phan-anh/", {**FORM, "website": "http://spam.example"})
    assert response.status_code == 200
    assert not Petition.objects.exists()


def test_petitions_are_limited_per_address(staff: Staff) -> None:
    client = Client()
    for _ in range(5):
        assert client.post("/phan-anh/", FORM, REMOTE_ADDR="198.51.100.4").status_code == 200
    response = client.post("/phan-anh/", FORM, REMOTE_ADDR="198.51.100.4")
    assert response.status_code == 429
    assert "Đã gửi quá nhiều phản ánh" in response.content.decode()
    assert Petition.objects.count() == 5


def test_handling_due_is_shown_in_local_time(staff: Staff) -> None:
    petition = services.petition_submit(
        unit_code=COMMUNE,
        kind="regulation",
        subject="Thủ tục khai sinh",
        content="Đề nghị bỏ yêu cầu bản sao.",
        sender_name="A",
        at=vn("2026-03-09 09:00"),
    )
    html = (
        Client().get("/phan-anh/tra-cuu/", {"ma": petition.code, "bi-mat": petition.secret}).content.decode()
    )
    assert "09:00, thứ Hai 30/03/2026" in html
    assert "Đang được xem xét" in html or "đang được xem xét" in html
