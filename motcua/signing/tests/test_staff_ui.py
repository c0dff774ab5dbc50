"""The staff screen on the dossier page: sign a result's e-copy, list the dossier's signatures, check them."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from conftest import COMMUNE, Staff
from motcua.documents.files import document_storage
from motcua.documents.models import ResultDocument, StoredDocument
from motcua.dossiers.models import Dossier
from motcua.signing import keys
from motcua.signing.models import SignatureRecord, SignedResultCopy, SigningIdentity
from motcua.signing.services import identity_issue, result_ecopy_sign
from motcua.signing.tests.conftest import accepted, plain_pdf, resolved
from motcua.signing.verification import pdf_verify

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "signatures"}


def signed_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def sign(
    client: Client, dossier: Dossier, data: bytes, *, name: str = "ket-qua.pdf", **extra: object
) -> object:
    form: dict[str, object] = {"file": SimpleUploadedFile(name, data, "application/pdf"), "mode": "unit"}
    form.update({k: v for k, v in extra.items() if not k.startswith("HTTP_")})
    headers = {k: v for k, v in extra.items() if k.startswith("HTTP_")}
    return client.post(reverse("signing:result_sign", args=[dossier.pk]), form, **headers)  # type: ignore[arg-type]


def page(client: Client, dossier: Dossier) -> str:
    response = client.get(reverse("web:dossier", args=[dossier.pk]))
    assert response.status_code == 200
    return response.content.decode()


def nothing_written() -> bool:
    return not (
        SignatureRecord.objects.exists()
        or SignedResultCopy.objects.exists()
        or StoredDocument.objects.exists()
        or ResultDocument.objects.exists()
    )


@pytest.mark.parametrize("who", ["approver", "clerk"])
def test_an_approver_or_clerk_uploads_and_signs_the_result_with_the_units_seal(
    staff: Staff, ca: keys.LocalCA, who: str
) -> None:
    # given
    seal = identity_issue(unit_code=COMMUNE)
    dossier = resolved(staff)
    officer = getattr(staff, who)
    client = signed_in(officer)
    html = page(client, dossier)
    assert 'id="signatures"' in html
    assert reverse("signing:result_sign", args=[dossier.pk]) in html
    assert 'value="unit" checked' in html
    # when
    response = sign(client, dossier, plain_pdf(), name="quyet-dinh.pdf", mode="unit")
    # then: back to the dossier page, which says what was signed
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert response["Location"] == reverse("web:dossier", args=[dossier.pk])  # type: ignore[index]
    copy = SignedResultCopy.objects.get()
    assert copy.result.dossier == dossier
    assert copy.filename == "quyet-dinh.pdf"
    record = copy.record
    assert (record.identity, record.actor, record.document) == (seal, officer, "result")
    with document_storage().open(copy.document.storage_name, "rb") as file:
        stored = file.read()
    assert keys.sha256_hex(stored) == copy.sha256 == record.sha256_after
    verified = pdf_verify(stored)
    assert verified.valid, verified.line()
    assert verified.signatures[0].signer == "UBND Xã Đông Khê"
    followed = client.get(response["Location"]).content.decode()  # type: ignore[index]
    assert "Đã ký số và lưu bản điện tử của kết quả «quyet-dinh.pdf»" in followed
    # the dossier page lists it: signer, local instant, hash prefix, download link
    html = page(signed_in(staff.desk), dossier)
    local = record.signed_at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%d/%m/%Y %H:%M")
    assert "Bản điện tử kết quả: quyet-dinh.pdf" in html
    assert "UBND Xã Đông Khê" in html
    assert local in html
    assert copy.sha256[:16] + "…" in html
    assert reverse("signing:result_copy", args=[copy.pk]) in html
    assert signed_in(staff.desk).get(reverse("signing:result_copy", args=[copy.pk])).content == stored


def test_signing_with_htmx_reloads_the_dossier_page(staff: Staff, ca: keys.LocalCA) -> None:
    identity_issue(unit_code=COMMUNE)
    dossier = resolved(staff)
    client = signed_in(staff.approver)
    response = sign(client, dossier, plain_pdf(), **HTMX)
    assert response.status_code == 204  # type: ignore[attr-defined]
    assert response["HX-Redirect"] == reverse("web:dossier", args=[dossier.pk])  # type: ignore[index]
    assert SignedResultCopy.objects.count() == 1
    # the whole page, documents section included, shows the signed copy and the message
    html = client.get(response["HX-Redirect"]).content.decode()  # type: ignore[index]
    assert "Đã ký số và lưu bản điện tử của kết quả «ket-qua.pdf»" in html
    assert html.count("ket-qua.pdf") >= 2


@pytest.mark.parametrize(
    ("data", "detected"),
    [
        (b"PK\x03\x04" + b"\x00" * 200, "application/zip"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "image/png"),
        ("Quyết định cấp giấy".encode(), "text/plain"),
    ],
)
def test_a_file_that_is_not_a_pdf_is_refused_naming_the_field_and_the_file(
    staff: Staff, ca: keys.LocalCA, data: bytes, detected: str
) -> None:
    # given
    identity_issue(unit_code=COMMUNE)
    dossier = resolved(staff)
    # when: named .pdf, sent as application/pdf
    response = sign(signed_in(staff.approver), dossier, data, name="ket-qua.pdf")
    # then
    html = response.content.decode()  # type: ignore[attr-defined]
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "Trường «Tệp kết quả (PDF)»: tệp «ket-qua.pdf» không phải tệp PDF" in html
    assert detected in html
    assert nothing_written()


def test_a_missing_file_or_a_bad_mode_is_refused_with_the_field_named(staff: Staff, ca: keys.LocalCA) -> None:
    identity_issue(unit_code=COMMUNE)
    dossier = resolved(staff)
    client = signed_in(staff.approver)
    response = client.post(reverse("signing:result_sign", args=[dossier.pk]), {"mode": "unit"})
    assert response.status_code == 422
    assert "Trường «Tệp kết quả (PDF)»: chưa chọn tệp PDF kết quả." in response.content.decode()
    response = sign(client, dossier, plain_pdf(), mode="stamp")
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "Trường «Hình thức ký»: giá trị «stamp» không hợp lệ" in response.content.decode()  # type: ignore[attr-defined]
    assert nothing_written()


def test_a_file_over_the_limit_is_refused_before_signing(
    staff: Staff, ca: keys.LocalCA, settings: object
) -> None:
    identity_issue(unit_code=COMMUNE)
    dossier = resolved(staff)
    settings.MOTCUA_UPLOAD_MAX_BYTES = 1000  # type: ignore[attr-defined]
    response = sign(signed_in(staff.clerk), dossier, plain_pdf())
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "lớn hơn giới hạn 1,000 byte" in response.content.decode()  # type: ignore[attr-defined]
    assert nothing_written()


def test_officers_without_a_result_signing_role_cannot_sign(staff: Staff, ca: keys.LocalCA) -> None:
    # given
    identity_issue(unit_code=COMMUNE)
    dossier = resolved(staff)
    url = reverse("signing:result_sign", args=[dossier.pk])
    # the desk officer and the provincial inspector see the dossier, without the form
    for officer in (staff.desk, staff.specialist, staff.inspector):
        html = page(signed_in(officer), dossier)
        assert url not in html
        assert 'name="mode"' not in html
        # when / then
        response = sign(signed_in(officer), dossier, plain_pdf())
        assert response.status_code == 403, officer  # type: ignore[attr-defined]
        text = response.content.decode()  # type: ignore[attr-defined]
        assert "không được ký bản điện tử kết quả của hồ sơ này: chỉ Lãnh đạo phê duyệt, Văn thư" in text
    # another commune's approver does not even see the dossier
    assert sign(signed_in(staff.other_approver), dossier, plain_pdf()).status_code == 404  # type: ignore[attr-defined]
    # nobody signed in: to the sign-in page
    assert sign(Client(), dossier, plain_pdf()).status_code == 302  # type: ignore[attr-defined]
    assert nothing_written()


def test_the_personal_option_is_offered_only_to_an_officer_with_a_personal_certificate(
    staff: Staff, ca: keys.LocalCA
) -> None:
    # given
    identity_issue(unit_code=COMMUNE)
    dossier = resolved(staff)
    client = signed_in(staff.approver)
    # without a personal certificate: the unit's seal only, and a forged personal choice is refused
    html = page(client, dossier)
    assert 'value="unit"' in html
    assert 'value="personal"' not in html
    assert "Ký bằng chữ ký số cá nhân" not in html
    response = sign(client, dossier, plain_pdf(), mode="personal")
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "chưa có chứng thư số cá nhân còn hiệu lực" in response.content.decode()  # type: ignore[attr-defined]
    assert nothing_written()
    # with one: offered (the seal stays the default), and it signs with the officer's own certificate
    own = identity_issue(username="approver", user_unit_code=COMMUNE)
    html = page(client, dossier)
    assert 'value="unit" checked' in html
    assert 'value="personal">' in html
    assert "Ký bằng chữ ký số cá nhân" in html
    assert sign(client, dossier, plain_pdf(), mode="personal").status_code == 302  # type: ignore[attr-defined]
    copy = SignedResultCopy.objects.get()
    assert copy.record.identity == own
    # the clerk has no personal certificate: not offered to them
    assert 'value="personal"' not in page(signed_in(staff.clerk), dossier)


def test_check_signatures_reports_the_stored_copy_valid(staff: Staff, ca: keys.LocalCA) -> None:
    # given
    identity_issue(unit_code=COMMUNE)
    dossier = resolved(staff)
    result_ecopy_sign(dossier_id=dossier.pk, filename="kq.pdf", content=plain_pdf(), actor=staff.approver)
    client = signed_in(staff.desk)  # any officer who sees the dossier may check
    html = page(client, dossier)
    assert "Kiểm tra chữ ký" in html
    assert "chưa kiểm tra" in html
    records = SignatureRecord.objects.count()
    url = reverse("signing:dossier_verify", args=[dossier.pk])
    # when: without JavaScript, a plain POST answers the section as a page
    response = client.post(url)
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert '<span class="badge ok">Hợp lệ</span>' in html
    assert "Chữ ký số hợp lệ: tệp còn nguyên vẹn từ khi ký và người ký được tin cậy." in html
    # with htmx: the section alone
    html = client.post(url, **HTMX).content.decode()  # type: ignore[arg-type]
    assert "<html" not in html
    assert '<span class="badge ok">Hợp lệ</span>' in html
    assert SignatureRecord.objects.count() == records  # checking writes nothing


def test_check_signatures_reports_a_stored_copy_that_changed(
    staff: Staff, ca: keys.LocalCA, data_dir: Path
) -> None:
    # given: the stored bytes were altered behind motcua's back
    identity_issue(unit_code=COMMUNE)
    dossier = resolved(staff)
    copy = result_ecopy_sign(
        dossier_id=dossier.pk, filename="kq.pdf", content=plain_pdf(), actor=staff.approver
    )
    path = Path(document_storage().path(copy.document.storage_name))
    data = bytearray(path.read_bytes())
    at = data.index(b"stream") + 20
    data[at] ^= 1
    path.write_bytes(bytes(data))
    # when
    html = (
        signed_in(staff.approver).post(reverse("signing:dossier_verify", args=[dossier.pk])).content.decode()
    )
    # then
    assert '<span class="badge bad">Không hợp lệ</span>' in html
    assert "Tệp đang lưu khác với tệp đã ký" in html


def test_a_dossier_not_resolved_has_no_upload_form_and_a_post_is_refused(
    staff: Staff, ca: keys.LocalCA
) -> None:
    # given
    identity_issue(unit_code=COMMUNE)
    dossier = accepted(staff)
    client = signed_in(staff.approver)
    # then: no form (and no section, as nothing of the dossier was signed yet)
    html = page(client, dossier)
    assert reverse("signing:result_sign", args=[dossier.pk]) not in html
    assert 'name="mode"' not in html
    # when
    response = sign(client, dossier, plain_pdf())
    # then
    assert response.status_code == 409  # type: ignore[attr-defined]
    html = response.content.decode()  # type: ignore[attr-defined]
    assert "Hồ sơ đang ở trạng thái «Đã tiếp nhận»" in html
    assert "chỉ ký được bản điện tử kết quả khi hồ sơ đã giải quyết" in html
    assert nothing_written()


def test_without_a_unit_certificate_the_section_names_the_commands(staff: Staff, data_dir: Path) -> None:
    # given: no local CA at all, nothing issued
    dossier = resolved(staff)
    client = signed_in(staff.approver)
    # then
    html = page(client, dossier)
    assert "Xã Đông Khê chưa có chứng thư số (con dấu) để ký bản điện tử kết quả." in html
    assert "motcua signing init-ca" in html
    assert f"motcua signing issue --unit {COMMUNE}" in html
    assert 'name="mode"' not in html
    response = sign(client, dossier, plain_pdf())
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert f"motcua signing issue --unit {COMMUNE}" in response.content.decode()  # type: ignore[attr-defined]
    assert nothing_written()
    # once the CA exists, only the issue command is left to run
    keys.ca_create(name="motcua test")
    html = page(client, dossier)
    assert "motcua signing init-ca" not in html
    assert f"motcua signing issue --unit {COMMUNE}" in html
    # the desk officer, who could not sign anyway, is not told
    assert "signing issue" not in page(signed_in(staff.desk), dossier)


def test_an_officer_with_only_a_personal_certificate_signs_personally(staff: Staff, ca: keys.LocalCA) -> None:
    dossier = resolved(staff)
    own = identity_issue(username="clerk", user_unit_code=COMMUNE)
    client = signed_in(staff.clerk)
    html = page(client, dossier)
    assert "chưa có chứng thư số (con dấu)" in html
    assert 'value="unit"' not in html
    assert 'value="personal" checked' in html
    assert sign(client, dossier, plain_pdf(), mode="personal").status_code == 302  # type: ignore[attr-defined]
    assert SignedResultCopy.objects.get().record.identity == own
    assert not SigningIdentity.objects.filter(unit__isnull=False).exists()


def test_signed_slips_are_listed_without_a_stored_copy(staff: Staff, ca: keys.LocalCA) -> None:
    # given: the desk printed a signed receipt
    identity_issue(unit_code=COMMUNE)
    dossier = accepted(staff)
    desk = signed_in(staff.desk)
    assert desk.get(reverse("signing:form", args=[dossier.pk, "01-giay-tiep-nhan"])).status_code == 200
    record = SignatureRecord.objects.get()
    # when
    html = page(desk, dossier)
    # then
    assert "Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Mẫu 01)" in html
    assert "UBND Xã Đông Khê" in html
    assert record.sha256_after[:16] in html
    assert "Bản đã ký không được lưu" in html
    assert reverse("signing:verify") in html
    assert reverse("signing:dossier_verify", args=[dossier.pk]) not in html  # nothing stored to check


def test_the_section_page_is_for_those_who_see_the_dossier(staff: Staff, ca: keys.LocalCA) -> None:
    dossier = resolved(staff)
    url = reverse("signing:dossier", args=[dossier.pk])
    assert signed_in(staff.desk).get(url).status_code == 200
    assert signed_in(staff.other_desk).get(url).status_code == 404
    assert (
        signed_in(staff.other_desk).post(reverse("signing:dossier_verify", args=[dossier.pk])).status_code
        == 404
    )
    assert Client().get(url).status_code == 302


def test_an_expired_unit_certificate_is_named_and_not_offered(staff: Staff, ca: keys.LocalCA) -> None:
    # given: the seal was issued four years ago (local-CA certificates last three)
    from datetime import timedelta

    from django.utils import timezone

    identity_issue(unit_code=COMMUNE, at=timezone.now() - timedelta(days=4 * 365))
    dossier = resolved(staff)
    client = signed_in(staff.approver)
    # then
    html = page(client, dossier)
    assert "Chứng thư số (con dấu) của Xã Đông Khê không còn hiệu lực" in html
    assert f"motcua signing issue --unit {COMMUNE}" in html
    assert 'name="mode"' not in html
    assert sign(client, dossier, plain_pdf()).status_code == 422  # type: ignore[attr-defined]
    assert nothing_written()
