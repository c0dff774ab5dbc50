"""PAdES signing of PDF bytes with pyHanko, and the signer of a :class:`SigningIdentity` (local, PKCS#12, PKCS#11).

No database writes here: :mod:`motcua.signing.services` decides who may sign and records the audit row.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from io import BytesIO
from typing import Final

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps import TimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from motcua.core.errors import ApplicationError, FieldError
from motcua.signing.keys import key_decrypt
from motcua.signing.models import SigningIdentity

__all__ = [
    "LOCAL_RESERVED",
    "MAX_PDF_BYTES",
    "TIMESTAMP_RESERVED",
    "identity_signer",
    "pdf_apply_signature",
    "pdf_check_input",
]

MAX_PDF_BYTES: Final = 20 * 1024 * 1024
LOCAL_RESERVED: Final = 8192
"""Bytes reserved for the CMS signature of a local-CA identity (with its two certificates it is about 3,700)."""
TIMESTAMP_RESERVED: Final = 8192
"""Bytes added to :data:`LOCAL_RESERVED` for a timestamp token (the local TSA's is about 2,500)."""


def _asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _chain(identity: SigningIdentity) -> list[asn1_x509.Certificate]:
    if not identity.chain_pem.strip():
        return []
    return [_asn1_cert(c) for c in x509.load_pem_x509_certificates(identity.chain_pem.encode())]


def _secret(identity: SigningIdentity) -> str:
    name = identity.secret_env
    value = os.environ.get(name, "") if name else ""
    if not value:
        raise ApplicationError(
            f"signing identity {identity.pk} ({identity.subject}): environment variable {name or '(none)'} "
            "holding its password/PIN is not set",
            field="secret_env",
            value=name,
        )
    return value


@contextmanager
def identity_signer(identity: SigningIdentity) -> Iterator[signers.Signer]:
    """A pyHanko signer for ``identity``; a PKCS#11 session is opened for the block and closed after it."""
    cert = x509.load_pem_x509_certificate(identity.certificate_pem.encode())
    chain = _chain(identity)
    if identity.kind == SigningIdentity.Kind.LOCAL:
        key = key_decrypt(
            identity.encrypted_key_pem, what=f"signing identity {identity.pk} ({identity.subject})"
        )
        der = key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        yield signers.SimpleSigner(
            signing_cert=_asn1_cert(cert),
            signing_key=asn1_keys.PrivateKeyInfo.load(der),
            cert_registry=SimpleCertificateStore.from_certs(chain),
        )
    elif identity.kind == SigningIdentity.Kind.PKCS12:
        signer = signers.SimpleSigner.load_pkcs12(identity.pkcs12_path, passphrase=_secret(identity).encode())
        if signer is None:
            raise ApplicationError(
                f"signing identity {identity.pk}: cannot open the PKCS#12 file {identity.pkcs12_path} "
                f"(missing file or wrong password in {identity.secret_env})",
                field="pkcs12_path",
                value=identity.pkcs12_path,
            )
        yield signer
    else:
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.sign import pkcs11

        try:
            session = pkcs11.open_pkcs11_session(
                identity.pkcs11_library,
                token_criteria=TokenCriteria(label=identity.pkcs11_token_label),
                user_pin=_secret(identity),
            )
        except ApplicationError:
            raise
        except Exception as exc:  # the PKCS#11 library raises its own types
            raise ApplicationError(
                f"signing identity {identity.pk}: cannot open PKCS#11 token {identity.pkcs11_token_label!r} "
                f"with {identity.pkcs11_library}: {type(exc).__name__} {exc}",
                field="pkcs11_token_label",
                value=identity.pkcs11_token_label,
            ) from None
        try:
            yield pkcs11.PKCS11Signer(
                session, key_label=identity.pkcs11_key_label, signing_cert=_asn1_cert(cert), ca_chain=chain
            )
        finally:
            session.close()


def pdf_check_input(pdf_bytes: bytes, *, field: str = "pdf") -> None:
    if not pdf_bytes.lstrip()[:5] == b"%PDF-":
        raise FieldError(field, f"{len(pdf_bytes)} bytes", "not a PDF file (it does not start with %PDF-)")
    if len(pdf_bytes) > MAX_PDF_BYTES:
        raise FieldError(field, f"{len(pdf_bytes)} bytes", f"larger than {MAX_PDF_BYTES} bytes")


def _next_field_name(reader: PdfFileReader) -> str:
    taken = {name for name, _value, _ref in fields.enumerate_sig_fields(reader)}
    n = 1
    while f"ChuKy{n}" in taken:
        n += 1
    return f"ChuKy{n}"


def pdf_apply_signature(
    pdf_bytes: bytes,
    signer: signers.Signer,
    *,
    reason: str,
    location: str = "",
    name: str = "",
    bytes_reserved: int | None = None,
    timestamper: TimeStamper | None = None,
) -> tuple[bytes, str]:
    """Sign ``pdf_bytes`` (PAdES baseline B-B, SHA-256, an incremental update); returns the bytes and field name.

    ``bytes_reserved`` is the room left for the DER signature; without it pyHanko signs twice, once to measure
    (about half the signing time). With a ``timestamper`` the signature gets an RFC 3161 signature timestamp
    (PAdES B-T).
    """
    pdf_check_input(pdf_bytes)
    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf_bytes), strict=False)
        field_name = _next_field_name(writer.prev)
    except Exception as exc:  # pyHanko's parser raises several types
        raise FieldError("pdf", f"{len(pdf_bytes)} bytes", f"cannot be read as a PDF: {exc}") from None
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=reason,
        location=location or None,
        name=name or None,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    output = signers.sign_pdf(
        writer, meta, signer=signer, timestamper=timestamper, bytes_reserved=bytes_reserved
    )
    return output.getvalue(), field_name
