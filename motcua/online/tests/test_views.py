"""Online submission pages: the form creates a submitted dossier with its files, nothing half-written on a
refused file, the supplement answer and the e-result download by reference and secret."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from conftest import Staff
from motcua.documents.models import ComponentDocument, StoredDocument
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.online.models import OnlineSubmission
from motcua.online.views import SESSION_KEY

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
GIF = b"GIF89a" + b"\x00" * 64
URL = "/nop-truc-tuyen/1.001022/"


@pytest.fixture
def files_dir(settings: object, tmp_path: Path) -> Path:
    location = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path)},
    }
    settings.STORAGES = {**settings.STORAGES, "documents": location}  # type: ignore[attr-defined]
    return tmp_path


def form(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "unit": "000.31.00.H11",
        "name": "Nông Văn A",
        "id_number": "004090000123",
        "phone": "0912345678",
        "email": "a@example.vn",
        "address": "Xóm Nà Pò",
        "delivery": "online",
        "postal_address": "",
        "exemption": "",
        "tp-TK": SimpleUploadedFile("to-khai.pdf", PDF, content_type="application/pdf"),
        "tp-CC": SimpleUploadedFile("chung-cu.png", PNG, content_type="image/png"),
    }
    data.update(overrides)
    return data


def submitted(client: Client) -> OnlineSubmission:
    response = client.post(URL, form())
    assert response.status_code == 302, response.content.decode()[:2000]
    return OnlineSubmission.objects.get(pk=client.session[SESSION_KEY])


def test_the_list_shows_only_procedures_open_online(staff: Staff) -> None:
    # when
    page = Client().get("/nop-truc-tuyen/").content.decode()
    # then
    assert "/nop-truc-tuyen/1.001022/" in page
    assert "/nop-truc-tuyen/1.001193/" in page
    assert "/nop-truc-tuyen/2.000815/" not in page  # online: none
    assert Client().get("/nop-truc-tuyen/2.000815/").status_code == 404


def test_submitting_creates_a_submitted_online_dossier_with_its_files(staff: Staff, files_dir: Path) -> None:
    # given
    client = Client()
    assert client.get(URL).status_code == 200
    # when
    submission = submitted(client)
    # then
    dossier = submission.dossier
    assert (dossier.state, dossier.channel, dossier.code) == ("submitted", "online", None)
    assert dossier.receiving_unit.code == "000.31.00.H11"
    assert dossier.applicant_name == "Nông Văn A"
    event = DossierEvent.objects.get(dossier=dossier)
    assert (event.action, event.actor_id) == ("submit", None)
    links = ComponentDocument.objects.filter(component__dossier=dossier).order_by("component__code")
    assert [(link.component.code, link.document.content_type, link.source) for link in links] == [
        ("CC", "image/png", "online"),
        ("TK", "application/pdf", "online"),
    ]
    assert all(c.digitized and c.submitted for c in dossier.components.all())
    assert submission.reference.startswith("TT")
    assert submission.delivery == "online"
    # the confirmation shows the reference and the secret
    page = client.get("/nop-truc-tuyen/da-nop/").content.decode()
    assert submission.reference in page
    assert dossier.secret in page
    # and the desk sees it in its inbox: a submitted dossier of its unit, accepted through the same service
    accepted = s.dossier_accept(dossier_id=dossier.pk, actor=staff.desk)
    assert accepted.code


def test_postal_delivery_needs_an_address(staff: Staff, files_dir: Path) -> None:
    response = Client().post(URL, form(delivery="postal"))
    assert response.status_code == 422
    assert "địa chỉ nhận kết quả" in response.content.decode()
    ok = Client()
    ok.post(URL, form(delivery="postal", postal_address="Xóm Nà Pò, xã Đông Khê"))
    assert OnlineSubmission.objects.get().postal_address == "Xóm Nà Pò, xã Đông Khê"


def test_a_refused_upload_names_the_file_and_writes_nothing(staff: Staff, files_dir: Path) -> None:
    # when: the second component is a GIF
    response = Client().post(URL, form(**{"tp-CC": SimpleUploadedFile("anh.gif", GIF)}))
    # then
    page = response.content.decode()
    assert response.status_code == 422
    assert "anh.gif" in page
    assert "PDF" in page
    assert Dossier.objects.count() == 0
    assert OnlineSubmission.objects.count() == 0
    assert StoredDocument.objects.count() == 0
    assert not any(files_dir.rglob("*.*"))


def test_a_missing_required_component_is_named(staff: Staff, files_dir: Path) -> None:
    data = form()
    del data["tp-CC"]
    response = Client().post(URL, data)
    assert response.status_code == 422
    assert 'id="tp-CC"' in response.content.decode()
    assert "aria-invalid" in response.content.decode()
    assert Dossier.objects.count() == 0


def test_a_file_above_the_size_limit_is_refused(staff: Staff, files_dir: Path, settings: object) -> None:
    settings.MOTCUA_UPLOAD_MAX_BYTES = 100  # type: ignore[attr-defined]
    response = Client().post(URL, form(**{"tp-TK": SimpleUploadedFile("big.pdf", PDF + b"x" * 200)}))
    assert response.status_code == 422
    assert "big.pdf" in response.content.decode()
    assert Dossier.objects.count() == 0


def test_submissions_are_rate_limited_per_client(staff: Staff, files_dir: Path) -> None:
    client = Client()
    for _ in range(10):
        client.post(URL, form(name=""))
    response = client.post(URL, form())
    assert response.status_code == 429
    assert Dossier.objects.count() == 0


def test_another_dossiers_secret_gets_nothing(staff: Staff, files_dir: Path) -> None:
    # given two submissions
    first, second = submitted(Client()), submitted(Client())
    # when the first's reference is asked with the second's secret
    client = Client()
    response = client.get("/nop-truc-tuyen/ho-so/", {"ma": first.reference, "bi-mat": second.dossier.secret})
    upload = client.post(
        "/nop-truc-tuyen/ho-so/bo-sung/",
        {"ma": first.reference, "bi-mat": second.dossier.secret, "tp-TK": SimpleUploadedFile("a.pdf", PDF)},
    )
    # then
    assert response.status_code == 404
    assert upload.status_code == 404
    assert 'id="state"' not in response.content.decode()  # the form again, no dossier
    ok = client.get("/nop-truc-tuyen/ho-so/", {"ma": first.reference, "bi-mat": first.dossier.secret})
    assert ok.status_code == 200
    assert first.reference in ok.content.decode()


def _processing(staff: Staff, dossier: Dossier) -> Dossier:
    d = s.dossier_accept(dossier_id=dossier.pk, actor=staff.desk)
    return s.dossier_forward(dossier_id=d.pk, actor=staff.desk)


def test_a_supplement_is_answered_online(staff: Staff, files_dir: Path) -> None:
    # given a dossier whose specialist asks for a clearer copy
    submission = submitted(Client())
    d = _processing(staff, submission.dossier)
    s.dossier_request_supplement(dossier_id=d.pk, actor=staff.specialist, reason="Chứng cứ bị mờ")
    client = Client()
    page = client.get("/nop-truc-tuyen/ho-so/", {"ma": d.code, "bi-mat": d.secret}).content.decode()
    assert "Bổ sung hồ sơ" in page
    # when
    response = client.post(
        "/nop-truc-tuyen/ho-so/bo-sung/",
        {
            "ma": submission.reference,
            "bi-mat": d.secret,
            "tp-CC": SimpleUploadedFile("ro-hon.jpg", b"\xff\xd8\xff" + b"1" * 40),
        },
    )
    # then
    assert response.status_code == 200
    d.refresh_from_db()
    assert d.state == "processing"
    event = DossierEvent.objects.filter(dossier=d).order_by("-seq").first()
    assert event is not None
    assert (event.action, event.actor_id) == ("supply_supplement", None)
    assert ComponentDocument.objects.filter(component__dossier=d, component__code="CC").count() == 2
    # a second answer is refused: nothing is requested any more
    again = client.post(
        "/nop-truc-tuyen/ho-so/bo-sung/",
        {"ma": submission.reference, "bi-mat": d.secret, "tp-CC": SimpleUploadedFile("x.pdf", PDF)},
    )
    assert again.status_code == 409


def test_a_refused_supplement_file_changes_nothing(staff: Staff, files_dir: Path) -> None:
    submission = submitted(Client())
    d = _processing(staff, submission.dossier)
    s.dossier_request_supplement(dossier_id=d.pk, actor=staff.specialist, reason="Chứng cứ bị mờ")
    response = Client().post(
        "/nop-truc-tuyen/ho-so/bo-sung/",
        {"ma": submission.reference, "bi-mat": d.secret, "tp-CC": SimpleUploadedFile("x.gif", GIF)},
    )
    assert response.status_code == 422
    assert "x.gif" in response.content.decode()
    d.refresh_from_db()
    assert d.state == "supplement_requested"
    assert ComponentDocument.objects.filter(component__dossier=d).count() == 2
