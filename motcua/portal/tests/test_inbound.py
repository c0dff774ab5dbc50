"""Online dossiers from the portal: signed (or token) delivery, duplicates, files, errors."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from conftest import COMMUNE, Staff
from motcua.accounts.services import role_grant, token_create, user_create
from motcua.documents.files import document_storage
from motcua.documents.models import ComponentDocument
from motcua.dossiers.models import Dossier, DossierComponent
from motcua.portal.client import signed_headers
from motcua.portal.models import InboundAttachment, OutboxMessage

pytestmark = pytest.mark.django_db

SECRET = "portal-inbound-test-secret"
URL = "/api/v1/portal/inbound"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _inbound(settings: Any, tmp_path: Path) -> None:
    settings.MOTCUA_PORTAL_INBOUND_SECRET = SECRET
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "documents")},
        },
    }


def dossier_json(code: str = "G22.99-260309-000123", **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "MaHoSo": code,
        "MaTTHC": "1.001022",
        "MaDonViTiepNhan": COMMUNE,
        "NgayNopHoSo": "20260309201500",
        "ChuHoSo": {"HoTen": "Lộc Thị C", "SoDinhDanh": "004190000456", "SoDienThoai": "0987654321"},
        "TaiLieuNop": [
            {
                "MaThanhPhanHoSo": "TK",
                "TenTepDinhKem": "to-khai.pdf",
                "LoaiTep": "application/pdf",
                "NoiDung": base64.b64encode(PDF).decode(),
            },
            {
                "MaThanhPhanHoSo": "CC",
                "TenTepDinhKem": "chung-cu.pdf",
                "DuongDanTaiTepTin": "https://dichvucong.gov.vn/files/abc.pdf",
                "DuocLayTuKhoDMQG": 1,
            },
        ],
    }
    data.update(changes)
    return data


def post_signed(client: Client, data: Any, *, secret: str = SECRET, now: float | None = None) -> Any:
    body = json.dumps(data).encode()
    headers = signed_headers(secret, body, now=now)
    return client.post(
        URL, data=body, content_type="application/json", headers={k: v for k, v in headers.items()}
    )


def test_a_signed_delivery_lodges_an_online_dossier_with_its_files(staff: Staff, client: Client) -> None:
    # when
    response = post_signed(client, dossier_json())
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["duplicate"], body["state"]) == (False, "submitted")
    dossier = Dossier.objects.get(pk=body["id"])
    assert (dossier.channel, dossier.external_ref, dossier.code) == ("online", "G22.99-260309-000123", None)
    assert dossier.submitted_at.isoformat() == "2026-03-09T13:15:00+00:00"  # 20:15 in Vietnam
    assert dossier.events.get().actor is None  # the system: the portal itself
    components = {c.code: c for c in DossierComponent.objects.filter(dossier=dossier)}
    assert (components["TK"].digitized, components["TK"].reused) == (True, False)
    assert (components["CC"].digitized, components["CC"].reused) == (True, True)
    stored = InboundAttachment.objects.get(dossier=dossier, component_code="TK")
    assert (stored.size, stored.sha256) == (len(PDF), hashlib.sha256(PDF).hexdigest())
    # a PDF goes to the documents module, linked to its component like a file uploaded online
    assert stored.stored_path == ""
    assert stored.document is not None
    assert stored.document.sha256 == hashlib.sha256(PDF).hexdigest()
    link = ComponentDocument.objects.get(component=components["TK"])
    assert (link.document_id, link.source, link.attached_by_id) == (stored.document_id, "online", None)
    with document_storage().open(stored.document.storage_name) as f:
        assert f.read() == PDF
    linked = InboundAttachment.objects.get(dossier=dossier, component_code="CC")
    assert (linked.url, linked.stored_path) == ("https://dichvucong.gov.vn/files/abc.pdf", "")
    # ... and the portal hears back about it under its own code
    message = OutboxMessage.objects.get(dossier=dossier)
    assert message.payload["data"][0]["MaHoSo"] == "G22.99-260309-000123"
    assert message.payload["data"][0]["KenhThucHien"] == 2


def test_the_same_dossier_delivered_twice_is_one_dossier(staff: Staff, client: Client) -> None:
    first = post_signed(client, dossier_json())
    again = post_signed(client, dossier_json(ChuHoSo={"HoTen": "Someone else"}))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == {**first.json(), "duplicate": True}
    assert Dossier.objects.count() == 1
    assert InboundAttachment.objects.count() == 2


@pytest.mark.parametrize(
    ("secret", "shift", "detail"),
    [
        ("another-secret", 0, "credentials"),
        (SECRET, -3600, "credentials"),  # a captured request replayed an hour later
    ],
)
def test_a_bad_or_stale_signature_is_refused(
    staff: Staff, client: Client, secret: str, shift: int, detail: str
) -> None:
    response = post_signed(client, dossier_json(), secret=secret, now=time.time() + shift)
    assert response.status_code == 401
    assert Dossier.objects.count() == 0


def test_an_unsigned_request_is_refused(staff: Staff, client: Client) -> None:
    response = client.post(URL, data=dossier_json(), content_type="application/json")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_a_system_users_token_works_and_a_user_without_a_role_there_is_forbidden(
    staff: Staff, client: Client
) -> None:
    # given
    system = user_create(username="dvcqg", password="correct-horse-battery", full_name="Cổng DVCQG")
    role_grant(user=system, role="system", unit_code="000.00.00.H11")  # the province: all its communes
    token, _ = token_create(user=system)
    stranger = user_create(username="stranger", password="correct-horse-battery", full_name="x")
    stranger_token, _ = token_create(user=stranger)
    # when
    ok = client.post(
        URL,
        data=dossier_json(),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    refused = client.post(
        URL,
        data=dossier_json("G22.99-260309-000124"),
        content_type="application/json",
        headers={"Authorization": f"Bearer {stranger_token}"},
    )
    # then
    assert ok.status_code == 201
    assert Dossier.objects.get(pk=ok.json()["id"]).events.get().actor == system
    assert refused.status_code == 403
    assert Dossier.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"MaTTHC": "9.999999"}, "procedure"),
        ({"MaDonViTiepNhan": "nope"}, "MaDonViTiepNhan"),
        ({"NgayNopHoSo": "2026-03-09 08:00"}, "NgayNopHoSo"),
        ({"TaiLieuNop": [{"MaThanhPhanHoSo": "TK", "NoiDung": "not base64!"}]}, "TaiLieuNop[0].NoiDung"),
        (
            {"TaiLieuNop": [{"MaThanhPhanHoSo": "XX", "TenTepDinhKem": "a.pdf", "NoiDung": ""}]},
            "components[0].code",
        ),
        ({"ChuHoSo": {"HoTen": "A", "SoDinhDanh": "12345"}}, "applicant.id_number"),
    ],
)
def test_a_bad_delivery_names_the_field_and_lodges_nothing(
    staff: Staff, client: Client, changes: dict[str, Any], field: str
) -> None:
    response = post_signed(client, dossier_json(**changes))
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field
    assert "12345" not in response.content.decode() or field != "applicant.id_number"
    assert Dossier.objects.count() == 0
    assert InboundAttachment.objects.count() == 0


def test_the_inbound_example_in_the_docs_is_accepted(staff: Staff, client: Client) -> None:
    from motcua.portal.tests.test_outbox import docs_example

    response = post_signed(client, docs_example("inbound"))
    assert response.status_code == 201, response.content
    assert InboundAttachment.objects.get(component_code="TK").size == len(PDF)


def test_a_file_the_documents_module_does_not_take_is_kept_as_it_came(staff: Staff, client: Client) -> None:
    from django.core.files.storage import default_storage

    docx = b"PK\x03\x04" + b"\x00" * 64  # a Word file: not a type the documents module keeps
    data = dossier_json()
    data["TaiLieuNop"][0] = {
        "MaThanhPhanHoSo": "TK",
        "TenTepDinhKem": "to-khai.docx",
        "NoiDung": base64.b64encode(docx).decode(),
    }
    response = post_signed(client, data)
    assert response.status_code == 201, response.content
    stored = InboundAttachment.objects.get(component_code="TK")
    assert stored.document is None
    with default_storage.open(stored.stored_path) as f:
        assert f.read() == docx
    assert not ComponentDocument.objects.filter(component__code="TK").exists()
