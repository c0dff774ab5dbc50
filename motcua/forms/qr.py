"""The public lookup link printed on the receipt (Form 01), and its QR code.

A citizen scans the code (or types the page address, the dossier code and the "Mã tra cứu") to open the
public status page: ``<public URL>/tra-cuu/?ma=<dossier code>&bi-mat=<secret>``.

The public URL is, in order: the ``MOTCUA_PUBLIC_URL`` setting (or environment variable) when it is set —
the address citizens reach, which may differ from the address officers use behind the commune's network —;
else the scheme and host of the officer's request; else ``http://localhost:8000``.
"""

from __future__ import annotations

import os
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.http import HttpRequest

__all__ = ["DEFAULT_PUBLIC_URL", "LOOKUP_PATH", "lookup_url", "public_base_url", "qr_code", "qr_svg_data_uri"]

DEFAULT_PUBLIC_URL = "http://localhost:8000"
LOOKUP_PATH = "/tra-cuu/"


def public_base_url(request: HttpRequest | None = None) -> str:
    """The public site's base URL, without a trailing slash (see the module docstring for the order)."""
    configured = str(getattr(settings, "MOTCUA_PUBLIC_URL", "") or os.environ.get("MOTCUA_PUBLIC_URL", ""))
    if configured.strip():
        return configured.strip().rstrip("/")
    if request is not None:
        return f"{request.scheme}://{request.get_host()}"
    return DEFAULT_PUBLIC_URL


def lookup_url(base_url: str, code: str, secret: str) -> str:
    """``https://host/tra-cuu/?ma=<code>&bi-mat=<secret>``, the values URL-encoded."""
    return f"{base_url.rstrip('/')}{LOOKUP_PATH}?{urlencode({'ma': code, 'bi-mat': secret})}"


def qr_code(url: str) -> segno.QRCode:
    """A QR code of ``url`` (error correction M: survives a crease or a stamp on the paper)."""
    return segno.make_qr(url, error="m", boost_error=False)


def qr_svg_data_uri(url: str) -> str:
    """The QR code of ``url`` as an SVG ``data:`` URI, for an ``<img>`` of the form (a vector: sharp)."""
    return str(qr_code(url).svg_data_uri(scale=4, border=2, dark="#000", light="#fff"))
