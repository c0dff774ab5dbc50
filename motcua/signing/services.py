"""Signing services: identities (issued by the local CA, or a deployment's PKCS#12 / PKCS#11 certificates),
``pdf_sign`` (every signature audited), signed printed forms and signed electronic results.

Who may sign (Circular 01/2018/TT-VPCP art.10(1): forms are kept in the system and digitally signed):

- with a **unit's** identity (its seal): an officer who works on the unit's dossiers — desk officer, specialist,
  department head, approver or clerk (and ``None``, the system itself, for batch jobs); e-results only an
  approver or a clerk;
- with an **officer's** identity: that officer alone, and only for the unit where they hold one of those roles.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from io import BytesIO
from typing import Any, Final, cast

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from django.db import transaction
from django.utils import timezone, translation

from motcua.accounts.models import User
from motcua.accounts.selectors import roles_in_unit
from motcua.catalogue.models import Unit
from motcua.core.errors import ApplicationError, FieldError, Forbidden, NotFound, StateError
from motcua.domain.lifecycle import Role
from motcua.dossiers.models import Dossier, DossierResult
from motcua.dossiers.selectors import dossier_events, dossier_get, dossier_personal_data_visible
from motcua.signing import keys
from motcua.signing.models import SignatureRecord, SignedResultCopy, SigningIdentity
from motcua.signing.pdf import (
    LOCAL_RESERVED,
    TIMESTAMP_RESERVED,
    identity_signer,
    pdf_apply_signature,
    pdf_check_input,
)
from motcua.signing.selectors import identity_active
from motcua.signing.tsa import tsa_timestamper, tsa_url

__all__ = [
    "FORM_ROLES",
    "RESULT_ROLES",
    "SIGNABLE_FORMS",
    "applicant_receipt_sign",
    "form_sign",
    "identity_issue",
    "identity_register_pkcs11",
    "identity_register_pkcs12",
    "pdf_sign",
    "result_ecopy_sign",
    "signing_ca_init",
]

FORM_ROLES: Final = frozenset(
    {Role.DESK_OFFICER, Role.SPECIALIST, Role.DEPARTMENT_HEAD, Role.APPROVER, Role.CLERK, Role.SYSTEM}
)
RESULT_ROLES: Final = frozenset({Role.APPROVER, Role.CLERK, Role.SYSTEM})
SIGNABLE_FORMS: Final = ("receipt", "supplement", "refusal", "apology", "control_slip")
FORM_REASONS: Final = {
    "receipt": "Ký Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
    "supplement": "Ký Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
    "refusal": "Ký Phiếu từ chối tiếp nhận giải quyết hồ sơ",
    "apology": "Ký Phiếu xin lỗi và hẹn lại ngày trả kết quả",
    "control_slip": "Ký Phiếu kiểm soát quá trình giải quyết hồ sơ",
}


def signing_ca_init(*, name: str = "motcua") -> keys.LocalCA:
    """Create the local root and issuing CA and the local timestamp authority's certificate (keys encrypted at
    rest); refuses to replace an existing CA."""
    ca = keys.ca_create(name=name)
    keys.tsa_load_or_create()
    return ca


def _owner(unit_code: str | None, username: str | None) -> tuple[Unit | None, User | None]:
    if bool(unit_code) == bool(username):
        raise FieldError(
            "owner", f"unit={unit_code!r} user={username!r}", "give exactly one of a unit and a user"
        )
    if unit_code:
        unit = Unit.objects.filter(code=unit_code).first()
        if unit is None:
            raise FieldError("unit", unit_code, "no such unit")
        return unit, None
    user = User.objects.filter(username=username).first()
    if user is None:
        raise FieldError("user", username, "no such user")
    return None, user


def _store(
    *,
    unit: Unit | None,
    user: User | None,
    cert: x509.Certificate,
    chain: list[x509.Certificate],
    at: datetime,
    **fields: str,
) -> SigningIdentity:
    fingerprint = keys.fingerprint(cert)
    if SigningIdentity.objects.filter(fingerprint=fingerprint).exists():
        raise FieldError("certificate", fingerprint[:16], "this certificate is already registered")
    SigningIdentity.objects.filter(active=True, unit=unit, user=user).update(active=False)
    return SigningIdentity.objects.create(
        unit=unit,
        user=user,
        certificate_pem=cert.public_bytes(serialization.Encoding.PEM).decode(),
        chain_pem="".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in chain),
        subject=cert.subject.rfc4514_string()[:500],
        serial_number=format(cert.serial_number, "x"),
        fingerprint=fingerprint,
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        active=True,
        created_at=at,
        **fields,
    )


def _subject(unit: Unit | None, user: User | None, extra_unit: Unit | None) -> x509.Name:
    if unit is not None:
        return keys.subject_name(common_name=f"UBND {unit.name}", organization=unit.name, unit=unit.code)
    assert user is not None
    return keys.subject_name(
        common_name=user.full_name or user.username,
        organization=extra_unit.name if extra_unit else "",
        unit=extra_unit.code if extra_unit else "",
        uid=user.username,
    )


@transaction.atomic
def identity_issue(
    *,
    unit_code: str | None = None,
    username: str | None = None,
    user_unit_code: str | None = None,
    at: datetime | None = None,
) -> SigningIdentity:
    """A new key and certificate from the local CA for a unit or an officer; it replaces their active identity.

    An officer's certificate names the unit given by ``user_unit_code`` (O and OU), else no unit.
    """
    at = at or timezone.now()
    unit, user = _owner(unit_code, username)
    extra_unit = None
    if user_unit_code:
        extra_unit = Unit.objects.filter(code=user_unit_code).first()
        if extra_unit is None:
            raise FieldError("unit", user_unit_code, "no such unit")
    ca = keys.ca_load()
    key = keys.key_generate()
    cert = keys.certificate_issue(
        ca, subject=_subject(unit, user, extra_unit), public_key=key.public_key(), now=at
    )
    return _store(
        unit=unit,
        user=user,
        cert=cert,
        chain=[ca.issuing],
        at=at,
        kind=SigningIdentity.Kind.LOCAL,
        encrypted_key_pem=keys.key_encrypt(key),
    )


@transaction.atomic
def identity_register_pkcs12(
    *,
    path: str,
    secret_env: str,
    unit_code: str | None = None,
    username: str | None = None,
    at: datetime | None = None,
) -> SigningIdentity:
    """Register a real certificate kept in a PKCS#12 file; its password stays in the environment variable."""
    import os

    at = at or timezone.now()
    unit, user = _owner(unit_code, username)
    password = os.environ.get(secret_env, "")
    if not password:
        raise FieldError("secret_env", secret_env, "environment variable is not set")
    try:
        with open(path, "rb") as file:
            _key, cert, extra = pkcs12.load_key_and_certificates(file.read(), password.encode())
    except FileNotFoundError:
        raise FieldError("pkcs12", path, "no such file") from None
    except ValueError as exc:
        raise FieldError("pkcs12", path, f"cannot be opened (wrong password?): {exc}") from None
    if cert is None:
        raise FieldError("pkcs12", path, "holds no certificate")
    return _store(
        unit=unit,
        user=user,
        cert=cert,
        chain=list(extra),
        at=at,
        kind=SigningIdentity.Kind.PKCS12,
        pkcs12_path=str(path),
        secret_env=secret_env,
    )


@transaction.atomic
def identity_register_pkcs11(
    *,
    library: str,
    token_label: str,
    key_label: str,
    secret_env: str,
    certificate_pem: str,
    chain_pem: str = "",
    unit_code: str | None = None,
    username: str | None = None,
    at: datetime | None = None,
) -> SigningIdentity:
    """Register a key on a PKCS#11 token (USB token, HSM) with its certificate; the PIN stays in the environment."""
    at = at or timezone.now()
    unit, user = _owner(unit_code, username)
    try:
        cert = x509.load_pem_x509_certificate(certificate_pem.encode())
        chain = x509.load_pem_x509_certificates(chain_pem.encode()) if chain_pem.strip() else []
    except ValueError as exc:
        raise FieldError("certificate", "PEM", f"cannot be read: {exc}") from None
    return _store(
        unit=unit,
        user=user,
        cert=cert,
        chain=chain,
        at=at,
        kind=SigningIdentity.Kind.PKCS11,
        pkcs11_library=library,
        pkcs11_token_label=token_label,
        pkcs11_key_label=key_label,
        secret_env=secret_env,
    )


def _check_use(
    identity: SigningIdentity, actor: User | None, *, unit: Unit | None, allowed: frozenset[Role]
) -> None:
    """Raise unless ``actor`` may sign with ``identity`` for a document of ``unit`` (see the module doc)."""
    if not identity.active:
        raise Forbidden(f"signing identity {identity.pk} ({identity.subject}) is no longer in use")
    now = timezone.now()
    if not identity.not_before <= now <= identity.not_after:
        raise Forbidden(
            f"signing identity {identity.pk}: certificate valid from {identity.not_before:%Y-%m-%d} to "
            f"{identity.not_after:%Y-%m-%d}, not now"
        )
    if identity.user_id is not None:
        if actor is None or actor.pk != identity.user_id:
            raise Forbidden(f"only {identity.user} may sign with their own certificate")
        scope = unit
    else:
        if unit is not None and identity.unit_id != unit.pk:
            raise Forbidden(
                f"the certificate of unit {identity.unit} cannot sign documents of unit {unit.code}"
            )
        scope = identity.unit
    if scope is not None and not roles_in_unit(actor, scope) & allowed:
        who = actor.username if actor is not None else "system"
        raise Forbidden(
            f"{who} has none of the roles that sign here ({', '.join(sorted(r.value for r in allowed))}) "
            f"in unit {scope.code}"
        )


def pdf_sign(
    *,
    pdf_bytes: bytes,
    identity: SigningIdentity,
    reason: str,
    actor: User | None,
    document: str = SignatureRecord.Document.FILE,
    document_name: str = "",
    dossier: Dossier | None = None,
    unit: Unit | None = None,
    allowed: frozenset[Role] = FORM_ROLES,
) -> bytes:
    """Sign ``pdf_bytes`` (PAdES B-B, or B-T with a timestamp authority) with ``identity`` and record it: who,
    why, the hashes before and after.

    ``unit`` is the unit the document belongs to (the dossier's unit by default); the actor needs one of
    ``allowed`` roles there. The signature (key decryption, a token, the timestamp authority over the network) is
    made outside any transaction of ours; only the record is written, in its own short transaction, after it.
    """
    signed, _record_row = _sign(
        pdf_bytes=pdf_bytes,
        identity=identity,
        reason=reason,
        actor=actor,
        document=document,
        document_name=document_name,
        dossier=dossier,
        unit=unit,
        allowed=allowed,
    )
    return signed


def _sign(
    *,
    pdf_bytes: bytes,
    identity: SigningIdentity,
    reason: str,
    actor: User | None,
    document: str = SignatureRecord.Document.FILE,
    document_name: str = "",
    dossier: Dossier | None = None,
    unit: Unit | None = None,
    allowed: frozenset[Role] = FORM_ROLES,
    then: Callable[[SignatureRecord, bytes], object] | None = None,
) -> tuple[bytes, object]:
    """:func:`pdf_sign`; ``then(record, signed)`` runs in the record's transaction (a failure undoes both)."""
    reason = reason.strip()
    if not reason:
        raise FieldError("reason", reason, "a signature needs a reason")
    pdf_check_input(pdf_bytes)
    identity = SigningIdentity.objects.select_related("unit", "user").get(pk=identity.pk)  # the stored state
    if unit is None and dossier is not None:
        unit = dossier.receiving_unit
    _check_use(identity, actor, unit=unit, allowed=allowed)
    location = identity.unit.name if identity.unit_id else (unit.name if unit is not None else "")
    timestamper = tsa_timestamper()
    reserved = None
    if identity.kind == SigningIdentity.Kind.LOCAL:
        reserved = LOCAL_RESERVED + (TIMESTAMP_RESERVED if timestamper is not None else 0)
    with identity_signer(identity) as signer:
        try:
            signed, field_name = pdf_apply_signature(
                pdf_bytes,
                signer,
                reason=reason[:300],
                location=location,
                name=(actor.full_name or actor.username) if actor is not None else "",
                bytes_reserved=reserved,
                timestamper=timestamper,
            )
        except ApplicationError:
            raise
        except Exception as exc:  # a token refusing the key, the TSA unreachable, a malformed PDF deep inside
            where = f" (timestamp authority {tsa_url()})" if timestamper is not None else ""
            raise ApplicationError(f"signing failed{where}: {type(exc).__name__}: {exc}") from None
    with transaction.atomic():
        record = _record(
            identity=identity,
            actor=actor,
            reason=reason,
            document=document,
            document_name=document_name,
            dossier=dossier,
            field_name=field_name,
            before=pdf_bytes,
            after=signed,
        )
        outcome = then(record, signed) if then is not None else record
    return signed, outcome


def _record(
    *,
    identity: SigningIdentity,
    actor: User | None,
    reason: str,
    document: str,
    document_name: str,
    dossier: Dossier | None,
    field_name: str,
    before: bytes,
    after: bytes,
) -> SignatureRecord:
    return SignatureRecord.objects.create(
        identity=identity,
        actor=actor,
        signed_at=timezone.now(),
        reason=reason[:300],
        document=document,
        document_name=document_name[:200],
        dossier=dossier,
        field_name=field_name,
        sha256_before=keys.sha256_hex(before),
        sha256_after=keys.sha256_hex(after),
        size_before=len(before),
        size_after=len(after),
    )


def form_sign(*, dossier_id: int, form: str, actor: User, public_url: str) -> tuple[bytes, Dossier]:
    """Render a printed form (Forms 01–05/06) exactly as ``motcua.forms`` does and sign it with the seal of the
    dossier's receiving unit. Raises :class:`NotFound` for a dossier out of scope or a form that does not apply.
    """
    from motcua.forms.context import FormOptions

    if form not in SIGNABLE_FORMS:
        raise FieldError("form", form, f"not a signable form ({', '.join(SIGNABLE_FORMS)})")
    dossier = dossier_get(user=actor, dossier_id=dossier_id)
    options = FormOptions(
        public_url=public_url, reveal_personal=dossier_personal_data_visible(dossier=dossier, user=actor)
    )
    return _form_signed(dossier, form, actor=actor, options=options, allowed=FORM_ROLES), dossier


def applicant_receipt_sign(*, dossier: Dossier, public_url: str) -> bytes:
    """The receipt and appointment slip (Form 01) of an accepted dossier, signed with its receiving unit's seal
    by the system, for an applicant who submitted online and holds the dossier's secret (the desk hands a
    paper one over). ID and phone numbers are masked, as on every public page. Each call is a new, audited
    signature (actor: the system)."""
    from motcua.forms.context import FormOptions

    if not dossier.code:
        raise StateError(
            f"dossier {dossier.pk} is not accepted yet: it has no receipt",
            state=dossier.state,
            allowed=[],
        )
    options = FormOptions(public_url=public_url, reveal_personal=False)
    return _form_signed(dossier, "receipt", actor=None, options=options, allowed=frozenset({Role.SYSTEM}))


def _form_signed(
    dossier: Dossier, form: str, *, actor: User | None, options: Any, allowed: frozenset[Role]
) -> bytes:
    from motcua.forms.context import BUILDERS, FormNotApplicable
    from motcua.forms.render import render_form

    identity = identity_active(unit=dossier.receiving_unit)
    with translation.override("vi"):
        try:
            context = BUILDERS[form](dossier, list(dossier_events(dossier=dossier)), options)
        except FormNotApplicable as exc:
            raise NotFound(str(exc)) from None
        pdf = render_form(form, context)
    return pdf_sign(
        pdf_bytes=pdf,
        identity=identity,
        reason=FORM_REASONS[form],
        actor=actor,
        document=SignatureRecord.Document.FORM,
        document_name=form,
        dossier=dossier,
        allowed=allowed,
    )


def result_ecopy_sign(
    *,
    dossier_id: int,
    filename: str,
    content: bytes,
    actor: User,
    personal: bool = False,
    reason: str = "Ký bản điện tử kết quả giải quyết thủ tục hành chính",
) -> SignedResultCopy:
    """Sign the electronic copy of a dossier's result and keep the signed bytes as the result's e-copy.

    The seal of the competent unit signs by default; ``personal=True`` signs with the actor's own certificate.
    The dossier must have its result (it was resolved). The signed file is attached to the result through the
    documents module (:func:`motcua.documents.services.result_attach`), which stores it unchanged, so the e-copy
    keeps its signature. The record and the stored copy are written in one transaction, after the signature.
    """
    from motcua.documents.services import result_attach

    dossier = dossier_get(user=actor, dossier_id=dossier_id)
    result = DossierResult.objects.filter(dossier=dossier).first()
    if result is None:
        raise FieldError("dossier", dossier.code or dossier_id, "has no result yet (it was not resolved)")
    filename = (filename or "ket-qua.pdf").strip()[:200]
    identity = identity_active(user=actor) if personal else identity_active(unit=dossier.competent_unit)

    def keep(record: SignatureRecord, signed: bytes) -> SignedResultCopy:
        link = result_attach(
            dossier_id=dossier.pk,
            actor=actor,
            result_code=result.result_code,
            name=filename,
            stream=BytesIO(signed),
        )
        if link.document.sha256 != record.sha256_after:  # the store must keep the bytes as signed
            raise ApplicationError(f"the stored e-copy of {filename} differs from the signed file")
        return SignedResultCopy.objects.create(
            result=result,
            record=record,
            document=link.document,
            filename=filename,
            sha256=record.sha256_after,
            size=len(signed),
            created_at=record.signed_at,
        )

    _signed, copy = _sign(
        pdf_bytes=content,
        identity=identity,
        reason=reason,
        actor=actor,
        document=SignatureRecord.Document.RESULT,
        document_name=filename,
        dossier=dossier,
        unit=dossier.competent_unit,
        allowed=RESULT_ROLES,
        then=keep,
    )
    return cast(SignedResultCopy, copy)
