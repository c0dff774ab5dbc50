"""A local RFC 3161 timestamp authority, and the timestamp client ``pdf_sign`` uses for PAdES B-T.

- **Server** (``POST /ky-so/tsa/``, ``application/timestamp-query`` → ``application/timestamp-reply``): answers
  with a token signed by the local TSA certificate (:func:`~motcua.signing.keys.tsa_load_or_create`) and the
  server's clock. Off unless ``MOTCUA_SIGNING_TSA_SERVE=1`` (or the ``SIGNING_TSA_SERVE`` setting): like the
  local CA it is for the demo, tests and a commune with no access to a licensed TSA.
- **Client**: when ``MOTCUA_SIGNING_TSA_URL`` (or ``SIGNING_TSA_URL``) is set, every signature gets a signature
  timestamp from that URL (a licensed TSA, or motcua's own); pyHanko's RFC 3161 HTTP client.
"""

from __future__ import annotations

import os
from typing import Final

from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from pyhanko.sign.timestamps import HTTPTimeStamper, TimeStamper
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from motcua.core.errors import FieldError
from motcua.signing.keys import ca_load, tsa_load_or_create

__all__ = ["MAX_QUERY_BYTES", "tsa_enabled", "tsa_respond", "tsa_timestamper", "tsa_url"]

MAX_QUERY_BYTES: Final = 8192


def _setting(name: str) -> str:
    return str(
        getattr(settings, f"SIGNING_{name}", None) or os.environ.get(f"MOTCUA_SIGNING_{name}", "") or ""
    )


def tsa_enabled() -> bool:
    return _setting("TSA_SERVE").strip().lower() in {"1", "true", "yes", "on"}


def tsa_url() -> str:
    return _setting("TSA_URL").strip()


def tsa_timestamper() -> TimeStamper | None:
    """The RFC 3161 client for the configured TSA URL, or ``None`` (no timestamp: PAdES B-B)."""
    url = tsa_url()
    return HTTPTimeStamper(url, timeout=10) if url else None


def _der(cert: object) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))  # type: ignore[attr-defined]


def tsa_respond(query: bytes) -> bytes:
    """The DER ``TimeStampResp`` for a DER ``TimeStampReq``; :class:`FieldError` for a query that is not one."""
    if len(query) > MAX_QUERY_BYTES:
        raise FieldError("query", f"{len(query)} bytes", f"larger than {MAX_QUERY_BYTES} bytes")
    try:
        request = tsp.TimeStampReq.load(query)
        _ = request["message_imprint"]["hashed_message"].native
    except Exception as exc:  # asn1crypto raises several types on bad DER
        raise FieldError(
            "query", f"{len(query)} bytes", f"not an RFC 3161 timestamp request: {exc}"
        ) from None
    cert, key = tsa_load_or_create()
    der_key = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    stamper = DummyTimeStamper(
        tsa_cert=_der(cert),
        tsa_key=asn1_keys.PrivateKeyInfo.load(der_key),
        certs_to_embed=SimpleCertificateStore.from_certs([_der(ca_load(with_key=False).issuing)]),
    )
    response: tsp.TimeStampResp = stamper.request_tsa_response(request)
    return bytes(response.dump())
