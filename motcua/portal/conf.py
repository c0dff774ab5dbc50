"""The portal integration's settings: a Django setting of the same name wins, else the environment variable.

| setting / variable | default | meaning |
| --- | --- | --- |
| ``MOTCUA_PORTAL_URL`` | empty (sync off) | where the sync worker POSTs messages (the portal's receive endpoint) |
| ``MOTCUA_PORTAL_SECRET`` | a development secret | HMAC key that signs outgoing messages (shared with the portal) |
| ``MOTCUA_PORTAL_TIMEOUT`` | ``10`` | seconds to wait for the portal's answer |
| ``MOTCUA_PORTAL_MAX_ATTEMPTS`` | ``10`` | attempts before a message goes to the dead-letter list |
| ``MOTCUA_PORTAL_BACKOFF`` | ``30`` | seconds before the first retry; doubles each attempt, at most one hour |
| ``MOTCUA_PORTAL_INBOUND_SECRET`` | empty (signed inbound off) | HMAC key the portal signs inbound dossiers with |
| ``MOTCUA_PORTAL_SANDBOX`` | on unless ``MOTCUA_PRODUCTION=1`` | serve the sandbox portal under ``/sandbox/portal/`` |
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = [
    "backoff_base",
    "inbound_secret",
    "lease_seconds",
    "max_attempts",
    "portal_secret",
    "portal_url",
    "sandbox_enabled",
    "timeout",
]

DEV_SECRET = "motcua-portal-development-secret"  # noqa: S105 - a published development default
BACKOFF_CAP = 3600.0


def _get(name: str, default: str) -> str:
    value = getattr(settings, f"MOTCUA_{name}", None)
    if value is None:
        value = os.environ.get(f"MOTCUA_{name}", default)
    return str(value)


def _number(name: str, default: str) -> float:
    raw = _get(name, default)
    try:
        value = float(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"MOTCUA_{name}: expected a number, got {raw!r}") from exc
    if value < 0:
        raise ImproperlyConfigured(f"MOTCUA_{name}: must not be negative, got {raw!r}")
    return value


def _production() -> bool:
    return bool(getattr(settings, "PRODUCTION", False))


def portal_url() -> str:
    return _get("PORTAL_URL", "").strip()


def portal_secret() -> str:
    secret = _get("PORTAL_SECRET", "" if _production() else DEV_SECRET)
    if not secret:
        raise ImproperlyConfigured("MOTCUA_PORTAL_SECRET must be set when MOTCUA_PRODUCTION=1")
    return secret


def inbound_secret() -> str:
    return _get("PORTAL_INBOUND_SECRET", "")


def timeout() -> float:
    return _number("PORTAL_TIMEOUT", "10")


def max_attempts() -> int:
    return max(1, int(_number("PORTAL_MAX_ATTEMPTS", "10")))


def backoff_base() -> float:
    return _number("PORTAL_BACKOFF", "30")


def lease_seconds() -> float:
    """How long a claimed message stays reserved for the worker sending it: past the HTTP timeout, with margin.

    A worker killed after claiming leaves the message to be claimed again when the lease runs out.
    """
    return 2 * timeout() + 30


def sandbox_enabled() -> bool:
    raw = _get("PORTAL_SANDBOX", "0" if _production() else "1").strip().lower()
    return raw in {"1", "true", "yes", "on"}
