"""The payment gateway's configuration (docs/payments.md), read from Django settings, then ``MOTCUA_*``.

| setting / variable | default | meaning |
| --- | --- | --- |
| ``MOTCUA_PAYMENT_GATEWAY_URL`` | empty: motcua's own sandbox | the gateway's base URL (payment page and API) |
| ``MOTCUA_PAYMENT_MERCHANT`` | ``MOTCUA01`` | the merchant (terminal) code, ``vnp_TmnCode`` |
| ``MOTCUA_PAYMENT_SECRET`` | the sandbox's key (none in production) | the HMAC-SHA512 key |
| ``MOTCUA_PAYMENT_SANDBOX`` | ``1`` unless ``MOTCUA_PRODUCTION=1`` | serve the sandbox at ``/sandbox/payment/`` |
| ``MOTCUA_PAYMENT_IPN_URL`` | ``<public URL>/thanh-toan/ipn/`` | where the sandbox sends notifications |
| ``MOTCUA_PAYMENT_EXPIRE_MINUTES`` | ``15`` | how long a payment link may be paid |

With an empty gateway URL the sandbox is reached at ``MOTCUA_PUBLIC_URL`` (or ``http://127.0.0.1:8000``)
``/sandbox/payment/``: the development, demo and test default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

SANDBOX_SECRET = "motcua-sandbox-payment-secret-not-for-production"  # noqa: S105 - the sandbox's published key
SANDBOX_PATH = "/sandbox/payment/"


def _get(name: str, default: str = "") -> str:
    value = getattr(settings, f"MOTCUA_{name}", None)
    if value is None:
        value = os.environ.get(f"MOTCUA_{name}", default)
    return str(value)


def _bool(name: str, default: bool) -> bool:
    raw = _get(name, "1" if default else "0").strip().lower()
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"MOTCUA_{name}: expected 0/1/true/false, got {raw!r}")


def public_base() -> str:
    return (str(getattr(settings, "MOTCUA_PUBLIC_URL", "") or "") or "http://127.0.0.1:8000").rstrip("/")


@dataclass(frozen=True)
class GatewayConfig:
    url: str  # base URL, ends with "/"
    merchant: str
    secret: str
    sandbox_enabled: bool
    ipn_url: str
    expire_minutes: int


def gateway_config(*, site: str | None = None) -> GatewayConfig:
    """The configuration; ``site`` (the request's ``scheme://host``) places the default sandbox on that host."""
    production = bool(getattr(settings, "PRODUCTION", False))
    url = _get("PAYMENT_GATEWAY_URL").strip()
    secret = _get("PAYMENT_SECRET", "" if production else SANDBOX_SECRET)
    if production and url and (not secret or secret == SANDBOX_SECRET):
        raise ImproperlyConfigured("MOTCUA_PAYMENT_SECRET must be the merchant's secret in production")
    if not url:
        url = (str(getattr(settings, "MOTCUA_PUBLIC_URL", "") or "") or site or public_base()).rstrip(
            "/"
        ) + SANDBOX_PATH
    try:
        expire = int(_get("PAYMENT_EXPIRE_MINUTES", "15"))
    except ValueError as exc:
        raise ImproperlyConfigured("MOTCUA_PAYMENT_EXPIRE_MINUTES must be a whole number of minutes") from exc
    return GatewayConfig(
        url=url if url.endswith("/") else url + "/",
        merchant=_get("PAYMENT_MERCHANT", "MOTCUA01"),
        secret=secret,
        sandbox_enabled=_bool("PAYMENT_SANDBOX", not production),
        ipn_url=_get("PAYMENT_IPN_URL", "") or public_base() + "/thanh-toan/ipn/",
        expire_minutes=expire,
    )
