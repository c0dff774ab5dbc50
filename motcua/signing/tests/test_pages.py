"""The public check page, signed printed forms and signed result e-copies over HTTP."""

from __future__ import annotations

import re
import unicodedata
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from conftest import COMMUNE, Staff
from motcua.core.errors import FieldError, Forbidden
from motcua.documents.files import document_storage
from motcua.documents.selectors import result_links
from motcua.signing import keys
from motcua.signing.models import SignatureRecord, SignedResultCopy, SigningIdentity
from motcua.signing.services import identity_issue, pdf_sign, result_ecopy_sign
from motcua.signing.tests.conftest import accepted, plain_pdf, resolved
from motcua.signing.verification import Problem, pdf_verify

pytestmark = pytest.mark.django_db


def signed_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def text_of(pdf: bytes) -> str:
    reader = PdfReader(BytesIO(pdf))
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", " ".join(p.extract_text() for p in reader.pages)))


def upload(client: Client, data: bytes, name: str = "giay-tiep-nhan.pdf") -> object:
    return client.post(reverse("signing:verify"), {"file": SimpleUploadedFile(name, data, "application/pdf")})


def test_the_check_page_needs_no_sign_in_and_stores_nothing(staff: Staff, ca: keys.LocalCA) -> None:
    # given
    signed = pdf_sign(
        pdf_bytes=plain_pdf(), identity=identity_issue(unit_code=COMMUNE), reason="Ký", actor=staff.desk
    )
    records = SignatureRecord.objects.count()
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("signing:verify"))
    assert page.status_code == 200
    assert "Kiểm tra chữ ký số trên tệp PDF" in page.content.decode()
    token = page.cookies["csrftoken"].value
    # when
    response = client.post(
        reverse("signing:verify"),
        {"file": SimpleUploadedFile("giay.pdf", signed, "application/pdf"), "csrfmiddlewaretoken": token},
    )
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "Chữ ký số hợp lệ" in html
    assert "The signature is valid" in html
    assert "UBND Xã Đông Khê" in html
    assert COMMUNE in html
    assert response["Cache-Control"] == "no-store"
    assert SignatureRecord.objects.count() == records
    assert SignedResultCopy.objects.count() == 0


def test_the_check_page_names_an_altered_file(staff: Staff, ca: keys.LocalCA) -> None:
    signed = pdf_sign(
        pdf_bytes=plain_pdf(), identity=identity_issue(unit_code=COMMUNE), reason="Ký", actor=staff.desk
    )
    at = signed.index(b"stream") + 20
    altered = signed[:at] + bytes([signed[at] ^ 1]) + signed[at + 1 :]
    html = upload(Client(), altered).content.decode()  # type: ignore[attr-defined]
    assert "Không hợp lệ" in html
    assert "Tệp đã bị thay đổi sau khi ký" in html
    assert "The file was altered after it was signed" in html


def test_the_check_page_refuses_big_files_and_missing_ones(
    ca: keys.LocalCA, settings: object, db: None
) -> None:
    settings.SIGNING_VERIFY_MAX_BYTES = 1024 * 1024  # type: ignore[attr-defined]
    response = upload(Client(), b"%PDF-1.7\n" + b"0" * (1024 * 1024 + 100 * 1024))
    assert response.status_code == 413  # type: ignore[attr-defined]
    assert "Tệp quá lớn" in response.content.decode()  # type: ignore[attr-defined]
    response = Client().post(reverse("signing:verify"), {})
    assert response.status_code == 400
    assert "Chọn tệp PDF" in response.content.decode()


def test_the_check_page_is_rate_limited(ca: keys.LocalCA, db: None) -> None:
    from motcua.signing.views import VERIFY_LIMIT

    client = Client()
    for _ in range(VERIFY_LIMIT.attempts):
        assert upload(client, b"not a pdf").status_code == 200  # type: ignore[attr-defined]
    response = upload(client, b"not a pdf")
    assert response.status_code == 429  # type: ignore[attr-defined]
    assert "Retry-After" in response  # type: ignore[operator]


def test_a_signed_receipt_is_the_printed_form_signed_with_the_units_seal(
    staff: Staff, ca: keys.LocalCA
) -> None:
    # given
    identity = identity_issue(unit_code=COMMUNE)
    dossier = accepted(staff)
    client = signed_in(staff.desk)
    # when
    response = client.get(reverse("signing:form", args=[dossier.pk, "01-giay-tiep-nhan"]))
    # then
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="01-giay-tiep-nhan-{dossier.code}-da-ky.pdf"' in response["Content-Disposition"]
    signed = response.content
    result = pdf_verify(signed)
    assert result.valid, result.line()
    assert result.signatures[0].reason == "Ký Giấy tiếp nhận hồ sơ và hẹn trả kết quả"
    unsigned = client.get(reverse("printed_forms:receipt", args=[dossier.pk])).content
    assert text_of(signed) == text_of(unsigned)
    record = SignatureRecord.objects.get()
    assert (record.identity, record.actor, record.dossier, record.document, record.document_name) == (
        identity,
        staff.desk,
        dossier,
        "form",
        "receipt",
    )
    assert record.sha256_after == keys.sha256_hex(signed)


def test_signed_forms_follow_the_forms_rules(staff: Staff, ca: keys.LocalCA) -> None:
    dossier = accepted(staff)
    desk = signed_in(staff.desk)
    # no certificate for the unit yet
    response = desk.get(reverse("signing:form", args=[dossier.pk, "01-giay-tiep-nhan"]))
    assert response.status_code == 404
    assert "signing issue --unit" in response.content.decode()
    identity_issue(unit_code=COMMUNE)
    # a form that does not apply
    response = desk.get(reverse("signing:form", args=[dossier.pk, "03-tu-choi-tiep-nhan"]))
    assert response.status_code == 404
    assert "Mẫu 03" in response.content.decode()
    # another commune's officer: not found, as for the unsigned form
    response = signed_in(staff.other_desk).get(
        reverse("signing:form", args=[dossier.pk, "01-giay-tiep-nhan"])
    )
    assert response.status_code == 404
    # the provincial inspector sees the dossier but does not sign for the commune
    response = signed_in(staff.inspector).get(
        reverse("signing:form", args=[dossier.pk, "05-phieu-kiem-soat"])
    )
    assert response.status_code == 403
    # anonymous: to the sign-in page
    response = Client().get(reverse("signing:form", args=[dossier.pk, "01-giay-tiep-nhan"]))
    assert response.status_code == 302
    assert not SignatureRecord.objects.exists()


def test_a_results_signed_e_copy_keeps_its_signature(staff: Staff, ca: keys.LocalCA) -> None:
    # given
    identity = identity_issue(unit_code=COMMUNE)
    dossier = resolved(staff)
    # when
    copy = result_ecopy_sign(
        dossier_id=dossier.pk, filename="ket-qua.pdf", content=plain_pdf(), actor=staff.approver
    )
    # then
    links = result_links(dossier=dossier)
    assert [link.document for link in links] == [copy.document]
    with document_storage().open(copy.document.storage_name, "rb") as file:
        stored = file.read()
    assert keys.sha256_hex(stored) == copy.sha256 == copy.document.sha256
    assert copy.record.identity == identity
    assert copy.record.document == "result"
    assert copy.result.dossier == dossier
    downloaded = signed_in(staff.desk).get(reverse("signing:result_copy", args=[copy.pk]))
    assert downloaded.status_code == 200
    assert downloaded.content == stored
    assert pdf_verify(downloaded.content).valid
    assert signed_in(staff.other_desk).get(reverse("signing:result_copy", args=[copy.pk])).status_code == 404


def test_only_an_approver_or_clerk_signs_a_result_and_only_once_resolved(
    staff: Staff, ca: keys.LocalCA
) -> None:
    identity_issue(unit_code=COMMUNE)
    with pytest.raises(FieldError, match="no result yet"):
        result_ecopy_sign(
            dossier_id=accepted(staff).pk, filename="kq.pdf", content=plain_pdf(), actor=staff.approver
        )
    dossier = resolved(staff)
    with pytest.raises(Forbidden):
        result_ecopy_sign(dossier_id=dossier.pk, filename="kq.pdf", content=plain_pdf(), actor=staff.desk)
    identity_issue(username="approver", user_unit_code=COMMUNE)
    copy = result_ecopy_sign(
        dossier_id=dossier.pk, filename="kq.pdf", content=plain_pdf(), actor=staff.approver, personal=True
    )
    assert copy.record.identity == SigningIdentity.objects.get(user=staff.approver, active=True)
    with document_storage().open(copy.document.storage_name, "rb") as file:
        result = pdf_verify(file.read())
    assert result.signatures[0].signer == "approver"
    assert result.problem is Problem.NONE


def test_a_result_that_cannot_be_stored_leaves_no_signature_record(
    staff: Staff, ca: keys.LocalCA, settings: object
) -> None:
    # given: the documents module takes files up to a size the signed copy exceeds
    identity_issue(unit_code=COMMUNE)
    dossier = resolved(staff)
    settings.MOTCUA_UPLOAD_MAX_BYTES = len(plain_pdf()) + 100  # type: ignore[attr-defined]
    # when / then
    with pytest.raises(FieldError, match="larger than"):
        result_ecopy_sign(dossier_id=dossier.pk, filename="kq.pdf", content=plain_pdf(), actor=staff.clerk)
    assert not SignatureRecord.objects.exists()
    assert not SignedResultCopy.objects.exists()
