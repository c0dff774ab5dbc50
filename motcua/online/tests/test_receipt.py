"""An online applicant downloads the receipt and appointment slip (Form 01) of the accepted dossier, signed with
the receiving unit's seal by the system; numbers masked as on every public page; audited."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.test import Client
from pypdf import PdfReader

from conftest import COMMUNE, Staff
from motcua.dossiers import services as s
from motcua.online.tests.test_views import submitted
from motcua.signing.models import SignatureRecord
from motcua.signing.services import identity_issue
from motcua.signing.verification import pdf_verify

pytestmark = pytest.mark.django_db

URL = "/nop-truc-tuyen/ho-so/giay-tiep-nhan/"


def test_the_accepted_dossier_s_receipt_is_signed_by_the_unit(staff: Staff, ca: object) -> None:
    # given an accepted online dossier and the commune's seal
    submission = submitted(Client())
    dossier = s.dossier_accept(dossier_id=submission.dossier_id, actor=staff.desk)
    identity_issue(unit_code=COMMUNE)
    client = Client()
    params = {"ma": submission.reference, "bi-mat": dossier.secret}
    assert "Tải Giấy tiếp nhận (bản ký số)" in client.get("/nop-truc-tuyen/ho-so/", params).content.decode()
    # when
    answer = client.post(URL, params)
    # then: a signed PDF of Form 01 with the dossier's code, the ID number masked
    assert answer.status_code == 200, answer.content[:500]
    assert answer["Content-Type"] == "application/pdf"
    assert answer["Content-Disposition"] == f'attachment; filename="giay-tiep-nhan-{dossier.code}.pdf"'
    assert answer["Cache-Control"].startswith("private") or "no-store" in answer["Cache-Control"]
    verified = pdf_verify(answer.content)
    assert verified.valid, verified
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(answer.content)).pages)
    assert dossier.code in text
    assert "004090000123" not in text
    record = SignatureRecord.objects.get(dossier=dossier)
    assert (record.actor_id, record.document, record.document_name) == (None, "form", "receipt")


def test_no_receipt_before_acceptance_without_a_seal_or_with_a_wrong_secret(staff: Staff, ca: object) -> None:
    submission = submitted(Client())
    params = {"ma": submission.reference, "bi-mat": submission.dossier.secret}
    client = Client()
    assert "Tải Giấy tiếp nhận" not in client.get("/nop-truc-tuyen/ho-so/", params).content.decode()
    assert client.post(URL, params).status_code == 409  # not accepted yet
    s.dossier_accept(dossier_id=submission.dossier_id, actor=staff.desk)
    refused = client.post(URL, params)  # the commune has no seal yet
    assert refused.status_code == 409
    assert "Chưa có Giấy tiếp nhận bản điện tử ký số" in refused.content.decode()
    assert client.post(URL, {**params, "bi-mat": "WRONG123"}).status_code == 404
    assert not SignatureRecord.objects.exists()
