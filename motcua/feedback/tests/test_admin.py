"""The admin screens: published documents are added there; petitions are handled through the services."""

from __future__ import annotations

import pytest
from django.test import Client

from conftest import COMMUNE, Staff, vn
from motcua.accounts.services import user_create
from motcua.catalogue.models import Unit
from motcua.feedback import services
from motcua.feedback.models import Petition, PetitionEvent, PublishedDocument

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(staff: Staff) -> Client:
    user = user_create(username="root", password="correct-horse-battery", full_name="Root")
    user.is_superuser = user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


def test_publish_a_document_through_the_admin(admin_client: Client) -> None:
    assert admin_client.get("/admin/feedback/publisheddocument/add/").status_code == 200
    unit = Unit.objects.get(code=COMMUNE)
    data = {
        "unit": unit.pk,
        "category": "budget_estimate",
        "title": "Dự toán 2026",
        "number": "5/QĐ-UBND",
        "date": "",
        "year": "2026",
        "url": "",
        "published_at_0": "2026-01-08",
        "published_at_1": "08:00",
        "note": "",
        "active": "on",
    }
    response = admin_client.post("/admin/feedback/publisheddocument/add/", data)
    assert response.status_code == 200
    assert "Chọn tệp để tải lên hoặc nhập đường dẫn" in response.content.decode()
    response = admin_client.post(
        "/admin/feedback/publisheddocument/add/", {**data, "url": "https://example.vn/a"}
    )
    assert response.status_code == 302
    assert PublishedDocument.objects.get().title == "Dự toán 2026"


def _events(petition: Petition) -> dict[str, str]:
    """The read-only event inline's management form, as the browser posts it."""
    ids = list(PetitionEvent.objects.filter(petition=petition).order_by("seq").values_list("pk", flat=True))
    data = {
        "events-TOTAL_FORMS": str(len(ids)),
        "events-INITIAL_FORMS": str(len(ids)),
        "events-MIN_NUM_FORMS": "0",
        "events-MAX_NUM_FORMS": "1000",
    }
    for i, pk in enumerate(ids):
        data[f"events-{i}-id"], data[f"events-{i}-petition"] = str(pk), str(petition.pk)
    return data


def test_answer_a_petition_through_the_admin(admin_client: Client) -> None:
    petition = services.petition_submit(
        unit_code=COMMUNE,
        kind="behaviour",
        subject="Thái độ",
        content="…",
        sender_name="Lò Văn A",
        contact="0912345678",
        at=vn("2026-03-09 09:00"),
    )
    listing = admin_client.get("/admin/feedback/petition/").content.decode()
    assert "*******678" in listing
    assert "0912345678" not in listing
    url = f"/admin/feedback/petition/{petition.pk}/change/"
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(
        url,
        {
            "handle": "answer",
            "text": "Đã chấn chỉnh.",
            "result": "accepted",
            "transfer_to": "",
            **_events(petition),
        },
    )
    assert response.status_code == 302
    petition.refresh_from_db()
    assert petition.status == "answered"
    assert petition.answer == "Đã chấn chỉnh."
    assert petition.on_time is False  # answered now, long after the due of 30 March 2026
    assert [e.action for e in PetitionEvent.objects.filter(petition=petition)] == ["submit", "answer"]
    response = admin_client.post(
        url, {"handle": "refuse", "text": "x", "result": "", "transfer_to": "", **_events(petition)}
    )
    assert response.status_code == 302  # refused by the service: shown as a message, nothing changes
    petition.refresh_from_db()
    assert petition.status == "answered"
    assert admin_client.get("/admin/feedback/satisfactionrating/").status_code == 200
