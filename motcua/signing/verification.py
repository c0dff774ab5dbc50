"""Checking a signed PDF: is it intact, who signed it, when, and is the signer trusted (docs/signatures.md).

A file is **valid** when it has at least one signature and every signature is intact (the signed bytes hash to
the signed digest), cryptographically valid, made with a certificate that chains to a trust root
(:func:`~motcua.signing.keys.trust_roots`), and the last signature covers the whole file (nothing was added
after it; earlier signatures may only be followed by later signatures). Anything else is **invalid**, with one
message in Vietnamese and in English that names the first problem.

Revocation is not fetched (no outbound request is made for an uploaded file): certificates of the local CA have
no revocation service; for real certificates see docs/signatures.md.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from io import BytesIO

from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from motcua.signing.keys import trust_roots

__all__ = ["Problem", "SignatureInfo", "VerificationResult", "pdf_verify"]

logger = logging.getLogger(__name__)


class Problem(StrEnum):
    NONE = "none"
    NOT_PDF = "not_pdf"
    UNREADABLE = "unreadable"
    NO_SIGNATURE = "no_signature"
    ALTERED = "altered"
    BAD_SIGNATURE = "bad_signature"
    APPENDED = "appended"
    UNTRUSTED = "untrusted"


MESSAGES: dict[Problem, tuple[str, str]] = {
    Problem.NONE: (
        "Chữ ký số hợp lệ: tệp còn nguyên vẹn từ khi ký và người ký được tin cậy.",
        "The signature is valid: the file is intact since it was signed and the signer is trusted.",
    ),
    Problem.NOT_PDF: ("Tệp không phải là tệp PDF.", "The file is not a PDF."),
    Problem.UNREADABLE: (
        "Tệp PDF bị hỏng hoặc đã bị sửa đổi nên không đọc được chữ ký.",
        "The PDF is damaged or was altered: its signature cannot be read.",
    ),
    Problem.NO_SIGNATURE: ("Tệp PDF không có chữ ký số.", "The PDF has no digital signature."),
    Problem.ALTERED: (
        "Tệp đã bị thay đổi sau khi ký: nội dung không khớp với chữ ký.",
        "The file was altered after it was signed: its content does not match the signature.",
    ),
    Problem.BAD_SIGNATURE: (
        "Chữ ký số bị hỏng hoặc không đúng với chứng thư số của người ký.",
        "The signature is damaged or does not match the signer's certificate.",
    ),
    Problem.APPENDED: (
        "Tệp đã được thêm nội dung sau chữ ký cuối cùng.",
        "Content was added to the file after its last signature.",
    ),
    Problem.UNTRUSTED: (
        "Tệp còn nguyên vẹn nhưng chứng thư số của người ký không do tổ chức chứng thực tin cậy cấp.",
        "The file is intact but the signer's certificate was not issued by a trusted certificate authority.",
    ),
}


@dataclass(frozen=True)
class SignatureInfo:
    field_name: str
    signer: str
    """The certificate's common name."""
    subject: str
    organization: str
    """The subject's O: for motcua's certificates, the unit's name."""
    unit_code: str
    """The subject's OU: for motcua's certificates, the unit's code."""
    issuer: str
    signing_time: datetime | None
    """The time the signer's software claimed (not a trusted timestamp)."""
    timestamp: datetime | None
    """The time of a valid, trusted RFC 3161 signature timestamp (PAdES B-T), if the signature has one."""
    reason: str
    intact: bool
    valid: bool
    trusted: bool
    covers_whole_file: bool
    problem: Problem
    detail: str = ""


@dataclass(frozen=True)
class VerificationResult:
    problem: Problem
    signatures: tuple[SignatureInfo, ...] = field(default_factory=tuple)
    detail: str = ""

    @property
    def valid(self) -> bool:
        return self.problem is Problem.NONE

    @property
    def intact(self) -> bool:
        """Every signed byte is as signed (the signer may still be untrusted)."""
        return (
            bool(self.signatures)
            and all(s.intact and s.valid for s in self.signatures)
            and self.problem
            in (
                Problem.NONE,
                Problem.UNTRUSTED,
            )
        )

    @property
    def trusted(self) -> bool:
        return bool(self.signatures) and all(s.trusted for s in self.signatures)

    @property
    def message_vi(self) -> str:
        return MESSAGES[self.problem][0]

    @property
    def message_en(self) -> str:
        return MESSAGES[self.problem][1]

    @property
    def signer(self) -> SignatureInfo | None:
        """The last signature (the one that covers the file)."""
        return self.signatures[-1] if self.signatures else None

    def line(self) -> str:
        """One line for the terminal: VALID/INVALID, the English message, the signer and signing time."""
        head = "VALID" if self.valid else "INVALID"
        text = f"{head}: {self.message_en}"
        last = self.signer
        if last is not None and last.signer:
            when = last.signing_time.isoformat() if last.signing_time else "unknown time"
            text += f" Signer: {last.signer}"
            if last.organization:
                text += f" ({last.organization}{', ' + last.unit_code if last.unit_code else ''})"
            text += f", signed {when}"
            if last.timestamp is not None:
                text += f" (timestamp {last.timestamp.isoformat()})"
            text += f", field {last.field_name}."
        if self.detail and not self.valid:
            text += f" [{self.detail}]"
        return text


def _name_part(name: asn1_x509.Name, key: str) -> str:
    value = name.native.get(key, "")
    return ", ".join(value) if isinstance(value, list) else str(value or "")


def _context() -> ValidationContext:
    roots = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in trust_roots()]
    return ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")


def _timestamp(status: object) -> datetime | None:
    stamp = getattr(status, "timestamp_validity", None)
    if stamp is None or not (stamp.intact and stamp.valid and stamp.trusted):
        return None
    return stamp.timestamp  # type: ignore[no-any-return]


def _one(embedded: object, *, last: bool) -> SignatureInfo:
    name = str(getattr(embedded, "field_name", "") or "")
    sig_object = getattr(embedded, "sig_object", {})
    reason = str(sig_object.get("/Reason", "") or "") if hasattr(sig_object, "get") else ""
    try:
        status = validate_pdf_signature(embedded, _context())  # type: ignore[arg-type]
    except Exception as exc:  # a damaged CMS blob or byte range raises many types
        return SignatureInfo(
            field_name=name,
            signer="",
            subject="",
            organization="",
            unit_code="",
            issuer="",
            signing_time=None,
            timestamp=None,
            reason=reason,
            intact=False,
            valid=False,
            trusted=False,
            covers_whole_file=False,
            problem=Problem.BAD_SIGNATURE,
            detail=f"{type(exc).__name__}: {exc}",
        )
    cert = status.signing_cert
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    later_ok = status.coverage == SignatureCoverageLevel.ENTIRE_REVISION and (
        status.modification_level is not None and status.modification_level <= ModificationLevel.FORM_FILLING
    )
    if not status.intact:
        problem, detail = Problem.ALTERED, "digest mismatch"
    elif not status.valid:
        problem, detail = Problem.BAD_SIGNATURE, "signature value does not verify"
    elif not whole and (last or not later_ok):
        problem, detail = (
            Problem.APPENDED,
            f"coverage {status.coverage.name}, changes {status.modification_level}",
        )
    elif not status.trusted:
        problem, detail = Problem.UNTRUSTED, str(status.trust_problem_indic or "no path to a trust root")
    else:
        problem, detail = Problem.NONE, ""
    return SignatureInfo(
        field_name=name,
        signer=_name_part(cert.subject, "common_name"),
        subject=cert.subject.human_friendly,
        organization=_name_part(cert.subject, "organization_name"),
        unit_code=_name_part(cert.subject, "organizational_unit_name"),
        issuer=cert.issuer.human_friendly,
        signing_time=status.signer_reported_dt,
        timestamp=_timestamp(status),
        reason=reason,
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted),
        covers_whole_file=whole,
        problem=problem,
        detail=detail,
    )


def pdf_verify(pdf_bytes: bytes) -> VerificationResult:
    """Check every signature of a PDF (see the module doc). Never raises for a bad file: the result says why."""
    # A file that carries a signature dictionary but no longer parses as a signed PDF was damaged or altered:
    # say so rather than "not a PDF" or "no signature" (one flipped byte of "%PDF-" or of "/Sig" does that).
    looks_signed = b"/ByteRange" in pdf_bytes
    if b"%PDF-" not in pdf_bytes[:1024]:
        return VerificationResult(
            Problem.UNREADABLE if looks_signed else Problem.NOT_PDF, detail="no %PDF- header"
        )
    try:
        reader = PdfFileReader(BytesIO(pdf_bytes), strict=False)
        embedded = sorted(reader.embedded_signatures, key=lambda sig: sig.signed_revision)
    except Exception as exc:  # pyHanko's parser raises several types on a damaged file
        return VerificationResult(Problem.UNREADABLE, detail=f"{type(exc).__name__}: {exc}")
    if not embedded:
        if looks_signed:
            return VerificationResult(
                Problem.UNREADABLE, detail="a /ByteRange but no readable signature field"
            )
        return VerificationResult(Problem.NO_SIGNATURE)
    infos = tuple(_one(sig, last=i == len(embedded) - 1) for i, sig in enumerate(embedded))
    order = (Problem.ALTERED, Problem.BAD_SIGNATURE, Problem.APPENDED, Problem.UNTRUSTED)
    for problem in order:
        hit = next((s for s in infos if s.problem is problem), None)
        if hit is not None:
            return VerificationResult(problem, infos, detail=f"{hit.field_name}: {hit.detail}")
    return VerificationResult(Problem.NONE, infos)
