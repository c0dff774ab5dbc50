"""The staff dossier page shows what the citizen chose when submitting online: reference, delivery, the postal
address, the exemption claim to decide, a payment held until acceptance."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from django.test import Client

from conftest import COMMUNE, Staff
from motcua.dossiers import services as s
from motcua.online import services as online
from motcua.online.models import OnlineSubmission
from motcua.payments.models import GatewayTransaction

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _files(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    files = {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}
    settings.STORAGES = {**settings.STORAGES, "documents": files}


def submit(**kwargs: str) -> OnlineSubmission:
    return online.online_submit(
        procedure_code="1.001022",
        receiving_unit_code=COMMUNE,
        applicant=s.Applicant(name="Nông Văn A", id_number="004090000123", phone="0912345678"),
        files={"TK": online.Upload("to-khai.pdf", BytesIO(PDF)), "CC": online.Upload("cc.pdf", BytesIO(PDF))},
        **{"delivery": "online", **kwargs},
    )


def page(staff: Staff, dossier_id: int) -> str:
    client = Client()
    client.force_login(staff.desk)
    response = client.get(f"/can-bo/ho-so/{dossier_id}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_desk_sees_the_delivery_the_address_and_the_exemption_claim(staff: Staff) -> None:
    submission = submit(
        delivery="postal",
        postal_address="Xóm Nà Pò, xã Đông Khê",
        exemption_claim="Hộ nghèo (sổ hộ nghèo 2026)",
    )
    html = page(staff, submission.dossier_id)
    assert 'id="online-submission"' in html
    assert submission.reference in html
    assert "Gửi qua bưu chính công ích" in html
    assert "Xóm Nà Pò, xã Đông Khê" in html
    assert "Hộ nghèo (sổ hộ nghèo 2026)" in html
    assert f"/can-bo/thu-phi/{submission.dossier_id}/" in html


def test_a_payment_held_before_acceptance_is_shown(staff: Staff) -> None:
    submission = submit()
    GatewayTransaction.objects.create(
        txn_ref="T1",
        dossier=submission.dossier,
        amount=15000,
        order_info="x",
        status=GatewayTransaction.Status.HELD,
        created_at=submission.submitted_at,
        expires_at=submission.submitted_at,
    )
    html = page(staff, submission.dossier_id)
    assert "Đã thanh toán trực tuyến trước khi tiếp nhận" in html
    assert "15.000" in html


def test_a_desk_dossier_has_no_online_section(staff: Staff) -> None:
    d = s.dossier_submit(
        procedure_code="1.001022",
        receiving_unit_code=COMMUNE,
        channel="direct",
        applicant=s.Applicant(name="Nông Văn B"),
        actor=staff.desk,
    )
    assert 'id="online-submission"' not in page(staff, d.pk)
