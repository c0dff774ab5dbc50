"""Keys and certificates: the local certificate authority and private keys encrypted at rest.

- **Encryption at rest.** Every private key motcua keeps (the CA's, and each local signing identity's) is an
  encrypted PKCS#8 PEM (PBES2: PBKDF2-HMAC-SHA256 and AES-256-CBC, what ``cryptography`` calls the best
  available encryption). The password is ``MOTCUA_SIGNING_KEY_PASSWORD`` when set, otherwise one derived from
  ``MOTCUA_SECRET_KEY`` with HKDF-SHA256 (so changing the secret key without setting the dedicated password makes
  the stored keys unreadable: set the dedicated password in production).
- **The local CA** (``motcua signing init-ca``) is a root and an issuing CA under
  ``<MOTCUA_DATA_DIR>/signing/ca/``. It exists for the demo and tests, and for a commune with no certificate from
  a recognised provider yet; a deployment's real certificates come as PKCS#12 files or PKCS#11 tokens
  (docs/signatures.md).
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings

from motcua.core.errors import ApplicationError, Conflict, NotFound

__all__ = [
    "CA_FILES",
    "LocalCA",
    "ca_create",
    "ca_dir",
    "ca_exists",
    "ca_load",
    "certificate_issue",
    "fingerprint",
    "key_decrypt",
    "key_encrypt",
    "key_generate",
    "key_password",
    "sha256_hex",
    "subject_name",
    "trust_roots",
    "tsa_load_or_create",
]

KEY_BITS: Final = 2048
ROOT_YEARS: Final = 20
ISSUING_YEARS: Final = 10
IDENTITY_YEARS: Final = 3
CA_FILES: Final = ("root-ca.pem", "root-ca.key.pem", "issuing-ca.pem", "issuing-ca.key.pem")
_HKDF_INFO: Final = b"motcua signing keys at rest v1"


def key_password() -> bytes:
    """The password of the keys at rest (see the module doc)."""
    dedicated = getattr(settings, "SIGNING_KEY_PASSWORD", None) or os.environ.get(
        "MOTCUA_SIGNING_KEY_PASSWORD", ""
    )
    if dedicated:
        return str(dedicated).encode()
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(
        str(settings.SECRET_KEY).encode()
    )
    return base64.urlsafe_b64encode(derived)


def key_generate() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)


def key_encrypt(key: PrivateKeyTypes, password: bytes | None = None) -> str:
    """``key`` as an encrypted PKCS#8 PEM."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(password or key_password()),
    ).decode("ascii")


def key_decrypt(pem: str, *, what: str, password: bytes | None = None) -> PrivateKeyTypes:
    """Load an encrypted key; a wrong password is one clear error naming the key and the setting."""
    try:
        return serialization.load_pem_private_key(pem.encode("ascii"), password=password or key_password())
    except (ValueError, TypeError) as exc:
        raise ApplicationError(
            f"{what}: the private key cannot be decrypted (wrong MOTCUA_SIGNING_KEY_PASSWORD, or the secret key "
            f"changed since the key was stored): {exc}",
            field="key_password",
            value="***",
        ) from None


def fingerprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


def subject_name(*, common_name: str, organization: str = "", unit: str = "", uid: str = "") -> x509.Name:
    """A certificate subject: CN, optional O (the unit's name), OU (its code) and UID (a username), C=VN."""
    parts = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    if organization:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization[:64]))
    if unit:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit[:64]))
    parts.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]))
    if uid:
        parts.append(x509.NameAttribute(NameOID.USER_ID, uid))
    return x509.Name(parts)


def _builder(
    subject: x509.Name, issuer: x509.Name, public_key: object, now: datetime, years: int
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)  # type: ignore[arg-type]
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=365 * years))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)  # type: ignore[arg-type]
    )


def _ca_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=False,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )


@dataclass(frozen=True)
class LocalCA:
    root: x509.Certificate
    issuing: x509.Certificate
    issuing_key: PrivateKeyTypes


def ca_dir() -> Path:
    return Path(settings.DATA_DIR) / "signing" / "ca"


def ca_exists() -> bool:
    return (ca_dir() / "root-ca.pem").is_file()


def ca_create(*, name: str = "motcua", now: datetime | None = None) -> LocalCA:
    """Create the root and issuing CA files; refuses to overwrite an existing CA (its signatures would break)."""
    if ca_exists():
        raise Conflict(f"a local CA already exists in {ca_dir()}; remove that directory first to start over")
    now = now or datetime.now(UTC)
    root_key, issuing_key = key_generate(), key_generate()
    root_name = subject_name(common_name=f"{name} Local Root CA", organization=name)
    root = (
        _builder(root_name, root_name, root_key.public_key(), now, ROOT_YEARS)
        .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
        .add_extension(_ca_usage(), critical=True)
        .sign(root_key, hashes.SHA256())
    )
    issuing_name = subject_name(common_name=f"{name} Issuing CA", organization=name)
    issuing = (
        _builder(issuing_name, root_name, issuing_key.public_key(), now, ISSUING_YEARS)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_ca_usage(), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False
        )
        .sign(root_key, hashes.SHA256())
    )
    directory = ca_dir()
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    files = {
        "root-ca.pem": root.public_bytes(serialization.Encoding.PEM).decode(),
        "root-ca.key.pem": key_encrypt(root_key),
        "issuing-ca.pem": issuing.public_bytes(serialization.Encoding.PEM).decode(),
        "issuing-ca.key.pem": key_encrypt(issuing_key),
    }
    for filename, text in files.items():
        path = directory / filename
        path.write_text(text, encoding="ascii")
        if filename.endswith(".key.pem"):
            os.chmod(path, 0o600)
    return LocalCA(root=root, issuing=issuing, issuing_key=issuing_key)


def _read_cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def ca_load(*, with_key: bool = True) -> LocalCA:
    """The local CA; its issuing key is decrypted only when ``with_key``."""
    directory = ca_dir()
    if not ca_exists():
        raise NotFound(f"no local CA in {directory}: run `motcua signing init-ca` first")
    root = _read_cert(directory / "root-ca.pem")
    issuing = _read_cert(directory / "issuing-ca.pem")
    key: PrivateKeyTypes | None = None
    if with_key:
        pem = (directory / "issuing-ca.key.pem").read_text(encoding="ascii")
        key = key_decrypt(pem, what=str(directory / "issuing-ca.key.pem"))
    return LocalCA(root=root, issuing=issuing, issuing_key=key)  # type: ignore[arg-type]


def certificate_issue(
    ca: LocalCA,
    *,
    subject: x509.Name,
    public_key: object,
    now: datetime | None = None,
    years: int = IDENTITY_YEARS,
) -> x509.Certificate:
    """A document-signing certificate (digital signature + non-repudiation) issued by the local issuing CA."""
    now = now or datetime.now(UTC)
    issuing_public = ca.issuing.public_key()
    return (
        _builder(subject, ca.issuing.subject, public_key, now, years)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.EMAIL_PROTECTION, x509.ObjectIdentifier("1.3.6.1.4.1.311.10.3.12")]
            ),
            critical=False,
        )
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuing_public), critical=False)  # type: ignore[arg-type]
        .sign(ca.issuing_key, hashes.SHA256())  # type: ignore[arg-type]
    )


def tsa_load_or_create(*, now: datetime | None = None) -> tuple[x509.Certificate, PrivateKeyTypes]:
    """The local timestamp authority's certificate and key (``tsa.pem``, ``tsa.key.pem`` beside the CA).

    Made on first use by the issuing CA: extended key usage ``timeStamping`` (critical, RFC 3161 §2.3), 5 years.
    """
    directory = ca_dir()
    cert_path, key_path = directory / "tsa.pem", directory / "tsa.key.pem"
    if cert_path.is_file() and key_path.is_file():
        key = key_decrypt(key_path.read_text(encoding="ascii"), what=str(key_path))
        return _read_cert(cert_path), key
    ca = ca_load()
    now = now or datetime.now(UTC)
    key = key_generate()
    subject = subject_name(
        common_name=f"{_name_part(ca.root)} Local Timestamp Authority", organization=_name_part(ca.root)
    )
    cert = (
        _builder(subject, ca.issuing.subject, key.public_key(), now, 5)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.issuing.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
        .sign(ca.issuing_key, hashes.SHA256())  # type: ignore[arg-type]
    )
    key_path.write_text(key_encrypt(key), encoding="ascii")
    os.chmod(key_path, 0o600)
    cert_path.write_text(cert.public_bytes(serialization.Encoding.PEM).decode(), encoding="ascii")
    return cert, key


def _name_part(cert: x509.Certificate) -> str:
    values = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    return str(values[0].value) if values else "motcua"


def _pem_certs(data: bytes) -> list[x509.Certificate]:
    try:
        return x509.load_pem_x509_certificates(data)
    except ValueError:
        return [x509.load_der_x509_certificate(data)]


def trust_roots() -> list[x509.Certificate]:
    """The certificates a signature must chain to: the local root CA (if any) and the deployment's own.

    ``MOTCUA_SIGNING_TRUST_ROOTS`` (or the ``SIGNING_TRUST_ROOTS`` setting) lists PEM/DER files or directories of
    them, separated by ``:`` — e.g. the national root CA and a provider's CA for real certificates.
    """
    roots: list[x509.Certificate] = []
    if ca_exists():
        roots.append(_read_cert(ca_dir() / "root-ca.pem"))
    configured = getattr(settings, "SIGNING_TRUST_ROOTS", None) or os.environ.get(
        "MOTCUA_SIGNING_TRUST_ROOTS", ""
    )
    for entry in str(configured).split(os.pathsep):
        if not entry.strip():
            continue
        path = Path(entry.strip())
        files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
        for file in files:
            roots.extend(_pem_certs(file.read_bytes()))
    seen: set[str] = set()
    unique = []
    for cert in roots:
        if fingerprint(cert) not in seen:
            seen.add(fingerprint(cert))
            unique.append(cert)
    return unique


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
