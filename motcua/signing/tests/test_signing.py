"""Signing and verifying PDFs: round trip, tampering, trust, keys at rest, who may sign, the audit."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from django.utils import timezone

from conftest import COMMUNE, OTHER_COMMUNE, Staff
from motcua.catalogue.models import Unit
from motcua.core.errors import ApplicationError, FieldError, Forbidden, NotFound
from motcua.signing import keys
from motcua.signing.models import SignatureRecord, SigningIdentity
from motcua.signing.services import identity_issue, identity_register_pkcs12, pdf_sign, signing_ca_init
from motcua.signing.tests.conftest import plain_pdf
from motcua.signing.verification import Problem, pdf_verify

pytestmark = pytest.mark.django_db


def sign(staff: Staff, identity: SigningIdentity, pdf: bytes | None = None) -> bytes:
    return pdf_sign(pdf_bytes=pdf or plain_pdf(), identity=identity, reason="Ký thử", actor=staff.desk)


def byte_range(signed: bytes) -> tuple[int, int, int, int]:
    start = signed.rindex(b"/ByteRange")
    numbers = signed[start : start + 80].split(b"[", 1)[1].split(b"]", 1)[0].split()
    a, b, c, d = (int(n) for n in numbers)
    return a, b, c, d


def flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


def test_a_signed_pdf_verifies_with_its_signer_unit_and_time(staff: Staff, ca: keys.LocalCA) -> None:
    # given
    identity = identity_issue(unit_code=COMMUNE)
    before = timezone.now()
    # when
    signed = sign(staff, identity)
    result = pdf_verify(signed)
    # then
    assert (result.valid, result.intact, result.trusted) == (True, True, True), result.line()
    assert result.problem is Problem.NONE
    assert result.message_vi.startswith("Chữ ký số hợp lệ")
    assert result.message_en.startswith("The signature is valid")
    info = result.signatures[0]
    assert (info.signer, info.organization, info.unit_code) == ("UBND Xã Đông Khê", "Xã Đông Khê", COMMUNE)
    assert (
        info.issuer.endswith("Common Name: motcua test Issuing CA") or "motcua test Issuing CA" in info.issuer
    )
    assert info.reason == "Ký thử"
    assert info.signing_time is not None
    assert before - timedelta(seconds=5) <= info.signing_time
    assert info.covers_whole_file
    assert signed.startswith(plain_pdf())  # an incremental update: the original bytes are kept


def test_signing_is_audited_with_the_hashes_before_and_after(staff: Staff, ca: keys.LocalCA) -> None:
    # given
    identity = identity_issue(unit_code=COMMUNE)
    # when
    signed = sign(staff, identity)
    # then
    record = SignatureRecord.objects.get()
    assert (record.identity, record.actor, record.reason, record.document) == (
        identity,
        staff.desk,
        "Ký thử",
        "file",
    )
    assert record.sha256_before == keys.sha256_hex(plain_pdf())
    assert record.sha256_after == keys.sha256_hex(signed)
    assert (record.size_before, record.size_after) == (len(plain_pdf()), len(signed))
    assert record.field_name == "ChuKy1"
    assert abs(record.signed_at - timezone.now()) < timedelta(seconds=30)


def test_a_second_signature_keeps_the_first_valid(staff: Staff, ca: keys.LocalCA) -> None:
    # given
    unit_identity = identity_issue(unit_code=COMMUNE)
    officer_identity = identity_issue(username="desk", user_unit_code=COMMUNE)
    once = sign(staff, unit_identity)
    # when
    twice = sign(staff, officer_identity, once)
    # then
    result = pdf_verify(twice)
    assert result.valid, result.line()
    assert [s.field_name for s in result.signatures] == ["ChuKy1", "ChuKy2"]
    assert [s.signer for s in result.signatures] == ["UBND Xã Đông Khê", "desk"]
    assert not result.signatures[0].covers_whole_file
    assert result.signatures[1].covers_whole_file


def test_altering_one_byte_of_the_content_fails_with_a_clear_message(staff: Staff, ca: keys.LocalCA) -> None:
    # given
    signed = sign(staff, identity_issue(unit_code=COMMUNE))
    inside_stream = signed.index(b"stream") + 20
    # when
    result = pdf_verify(flip(signed, inside_stream))
    # then
    assert not result.valid
    assert not result.intact
    assert result.problem is Problem.ALTERED
    assert result.message_vi == "Tệp đã bị thay đổi sau khi ký: nội dung không khớp với chữ ký."
    assert result.line().startswith(
        "INVALID: The file was altered after it was signed: its content does not match the signature."
    )


def test_altering_any_one_byte_in_the_signed_range_fails(staff: Staff, ca: keys.LocalCA) -> None:
    # given
    signed = sign(staff, identity_issue(unit_code=COMMUNE))
    a, b, c, d = byte_range(signed)
    assert (a, c + d) == (0, len(signed))
    signed_offsets = list(range(a, a + b)) + list(range(c, c + d))
    samples = sorted(
        {*signed_offsets[:: max(1, len(signed_offsets) // 60)], a + b - 1, c, len(signed) - 1, 0}
    )
    # when / then
    for offset in samples:
        result = pdf_verify(flip(signed, offset))
        assert not result.valid, f"byte {offset} altered, still valid"
        assert result.problem in {Problem.ALTERED, Problem.UNREADABLE, Problem.BAD_SIGNATURE}
        assert result.message_en
        assert result.message_vi


def test_a_damaged_header_or_signature_dictionary_says_altered_not_unsigned(
    staff: Staff, ca: keys.LocalCA
) -> None:
    # given
    signed = sign(staff, identity_issue(unit_code=COMMUNE))
    sig_type = signed.rindex(b"/Type /Sig") + len(b"/Type /S")
    # when / then: "%PDF-" -> "$PDF-", "/Sig" -> "/Shg"
    for altered in (flip(signed, 0), flip(signed, sig_type)):
        result = pdf_verify(altered)
        assert result.problem in {Problem.UNREADABLE, Problem.ALTERED, Problem.BAD_SIGNATURE}, result.line()
        assert not result.message_en.startswith(("The PDF has no digital signature", "The file is not a PDF"))


def test_altering_the_signature_value_fails(staff: Staff, ca: keys.LocalCA) -> None:
    # given
    signed = sign(staff, identity_issue(unit_code=COMMUNE))
    _a, b, _c, _d = byte_range(signed)
    # when: a hex digit of the RSA signature value, the last bytes of the DER CMS blob inside /Contents <...>
    der_start = b + 1
    der_length = 4 + int(signed[der_start + 4 : der_start + 8], 16)  # 30 82 LL LL
    offset = der_start + 2 * (der_length - 20)
    digit = signed[offset : offset + 1]
    altered = signed[:offset] + (b"1" if digit != b"1" else b"2") + signed[offset + 1 :]
    result = pdf_verify(altered)
    # then
    assert not result.valid
    assert result.problem in {Problem.BAD_SIGNATURE, Problem.ALTERED}


def test_bytes_added_after_the_signature_make_the_file_invalid(staff: Staff, ca: keys.LocalCA) -> None:
    signed = sign(staff, identity_issue(unit_code=COMMUNE))
    result = pdf_verify(signed + b"\n% added later\n")
    assert result.problem is Problem.APPENDED
    assert "added to the file after its last signature" in result.message_en


def test_a_signature_by_another_ca_is_intact_but_untrusted(
    staff: Staff, data_dir: Path, settings: object
) -> None:
    # given: a CA that is not ours signs a certificate for Thạch An
    settings.DATA_DIR = data_dir / "other"  # type: ignore[attr-defined]
    signing_ca_init(name="Somebody Else")
    foreign = identity_issue(unit_code=OTHER_COMMUNE)
    signed = pdf_sign(pdf_bytes=plain_pdf(), identity=foreign, reason="Ký", actor=staff.other_desk)
    settings.DATA_DIR = data_dir / "ours"  # type: ignore[attr-defined]
    signing_ca_init(name="motcua")
    # when
    result = pdf_verify(signed)
    # then
    assert result.problem is Problem.UNTRUSTED
    assert result.intact
    assert not result.trusted
    assert not result.valid
    assert result.signatures[0].organization == "Xã Thạch An"
    assert "intact but the signer's certificate was not issued by a trusted" in result.message_en
    # and when the deployment trusts that CA, the same file is valid
    settings.SIGNING_TRUST_ROOTS = str(data_dir / "other" / "signing" / "ca" / "root-ca.pem")  # type: ignore[attr-defined]
    assert pdf_verify(signed).valid


def test_files_that_are_not_signed_pdfs_say_so(ca: keys.LocalCA) -> None:
    assert pdf_verify(b"hello").problem is Problem.NOT_PDF
    assert pdf_verify(plain_pdf()).problem is Problem.NO_SIGNATURE
    assert pdf_verify(b"%PDF-1.7\n garbage").problem in {Problem.UNREADABLE, Problem.NO_SIGNATURE}


def test_keys_are_encrypted_at_rest(staff: Staff, ca: keys.LocalCA, data_dir: Path) -> None:
    identity = identity_issue(unit_code=COMMUNE)
    assert identity.encrypted_key_pem.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    for name in ("root-ca.key.pem", "issuing-ca.key.pem"):
        text = (data_dir / "signing" / "ca" / name).read_text()
        assert text.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
        assert (data_dir / "signing" / "ca" / name).stat().st_mode & 0o077 == 0


def test_a_key_cannot_be_loaded_with_a_wrong_password(
    staff: Staff, ca: keys.LocalCA, settings: object
) -> None:
    # given: keys stored under the password derived from the secret key
    identity = identity_issue(unit_code=COMMUNE)
    # when the password is wrong
    settings.SIGNING_KEY_PASSWORD = "not-the-password"  # type: ignore[attr-defined]
    # then neither the unit's key nor the CA's can be used, and nothing is recorded
    with pytest.raises(ApplicationError, match="private key cannot be decrypted"):
        sign(staff, identity)
    with pytest.raises(ApplicationError, match="private key cannot be decrypted"):
        keys.ca_load()
    assert not SignatureRecord.objects.exists()


def test_a_dedicated_password_protects_new_keys(staff: Staff, data_dir: Path, settings: object) -> None:
    settings.SIGNING_KEY_PASSWORD = "a long dedicated password"  # type: ignore[attr-defined]
    signing_ca_init()
    identity = identity_issue(unit_code=COMMUNE)
    assert pdf_verify(sign(staff, identity)).valid
    settings.SIGNING_KEY_PASSWORD = ""  # type: ignore[attr-defined]  # back to the derived one: wrong now
    with pytest.raises(ApplicationError, match="cannot be decrypted"):
        sign(staff, identity)


def test_issuing_again_retires_the_previous_identity(catalogue: object, ca: keys.LocalCA) -> None:
    first = identity_issue(unit_code=COMMUNE)
    second = identity_issue(unit_code=COMMUNE)
    first.refresh_from_db()
    assert (first.active, second.active) == (False, True)
    assert SigningIdentity.objects.filter(unit__code=COMMUNE, active=True).get() == second


def test_issuing_needs_the_ca_and_one_owner(data_dir: Path, catalogue: object) -> None:
    with pytest.raises(NotFound, match="motcua signing init-ca"):
        identity_issue(unit_code=COMMUNE)
    signing_ca_init()
    with pytest.raises(FieldError, match="exactly one"):
        identity_issue(unit_code=COMMUNE, username="desk")
    with pytest.raises(FieldError, match="no such unit"):
        identity_issue(unit_code="999.99.99.X")


def test_only_the_units_officers_sign_with_its_seal(staff: Staff, ca: keys.LocalCA) -> None:
    identity = identity_issue(unit_code=COMMUNE)
    for outsider in (staff.inspector, staff.other_desk, staff.admin):
        with pytest.raises(Forbidden):
            pdf_sign(pdf_bytes=plain_pdf(), identity=identity, reason="Ký", actor=outsider)
    assert not SignatureRecord.objects.exists()


def test_an_officers_certificate_is_theirs_alone(staff: Staff, ca: keys.LocalCA) -> None:
    identity = identity_issue(username="approver", user_unit_code=COMMUNE)
    with pytest.raises(Forbidden, match="only approver"):
        pdf_sign(pdf_bytes=plain_pdf(), identity=identity, reason="Ký", actor=staff.desk)
    signed = pdf_sign(
        pdf_bytes=plain_pdf(),
        identity=identity,
        reason="Ký",
        actor=staff.approver,
        unit=Unit.objects.get(code=COMMUNE),
    )
    assert pdf_verify(signed).signatures[0].signer == "approver"


def test_a_retired_identity_and_a_non_pdf_are_refused(staff: Staff, ca: keys.LocalCA) -> None:
    old = identity_issue(unit_code=COMMUNE)
    identity = identity_issue(unit_code=COMMUNE)
    with pytest.raises(Forbidden, match="no longer in use"):
        sign(staff, old)
    with pytest.raises(FieldError, match="not a PDF"):
        pdf_sign(pdf_bytes=b"<html>", identity=identity, reason="Ký", actor=staff.desk)
    with pytest.raises(FieldError, match="reason"):
        pdf_sign(pdf_bytes=plain_pdf(), identity=identity, reason=" ", actor=staff.desk)


def test_a_pkcs12_certificate_signs_with_its_password_from_the_environment(
    staff: Staff, ca: keys.LocalCA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: a "real" certificate delivered as a PKCS#12 file (here issued by our CA)
    key = keys.key_generate()
    cert = keys.certificate_issue(
        ca, subject=keys.subject_name(common_name="Nguyễn Văn Chủ Tịch"), public_key=key.public_key()
    )
    p12 = tmp_path / "chu-tich.p12"
    p12.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"chu-tich", key, cert, [ca.issuing], BestAvailableEncryption(b"p12-secret")
        )
    )
    monkeypatch.setenv("CHU_TICH_P12_PASSWORD", "p12-secret")
    # when
    identity = identity_register_pkcs12(
        path=str(p12), secret_env="CHU_TICH_P12_PASSWORD", username="approver"
    )
    signed = pdf_sign(pdf_bytes=plain_pdf(), identity=identity, reason="Ký", actor=staff.approver)
    # then: the password is not stored, the signature is valid
    assert "p12-secret" not in str(SigningIdentity.objects.values().get())
    assert pdf_verify(signed).valid
    monkeypatch.setenv("CHU_TICH_P12_PASSWORD", "wrong")
    with pytest.raises(ApplicationError):
        pdf_sign(pdf_bytes=plain_pdf(), identity=identity, reason="Ký", actor=staff.approver)
