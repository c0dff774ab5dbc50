"""Talking to the portal over HTTP: the request signature (both directions) and the sync client.

A request is signed with HMAC-SHA256 over ``<timestamp>.<body>`` with a shared secret::

    X-Motcua-Timestamp: 1773025200
    X-Motcua-Signature: sha256=<hex digest>

The receiver recomputes it and refuses a request older or newer than five minutes (a replayed capture).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Protocol

__all__ = [
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "HttpPortalClient",
    "PortalClient",
    "SendResult",
    "sign",
    "signed_headers",
    "verify",
]

TIMESTAMP_HEADER = "X-Motcua-Timestamp"
SIGNATURE_HEADER = "X-Motcua-Signature"
TOLERANCE_SECONDS = 300


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def signed_headers(secret: str, body: bytes, *, now: float | None = None) -> dict[str, str]:
    timestamp = str(int(time.time() if now is None else now))
    return {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: sign(secret, timestamp, body)}


def verify(
    secret: str, timestamp: str | None, signature: str | None, body: bytes, *, now: float | None = None
) -> str:
    """Why the signature is not acceptable, or "" when it is."""
    if not secret:
        return "signed requests are not configured"
    if not timestamp or not signature:
        return f"missing {TIMESTAMP_HEADER} or {SIGNATURE_HEADER}"
    try:
        sent = int(timestamp)
    except ValueError:
        return f"{TIMESTAMP_HEADER} must be Unix seconds"
    if abs((time.time() if now is None else now) - sent) > TOLERANCE_SECONDS:
        return f"{TIMESTAMP_HEADER} is more than {TOLERANCE_SECONDS} s away from now"
    if not hmac.compare_digest(sign(secret, timestamp, body), signature):
        return "the signature does not match the body"
    return ""


@dataclass(frozen=True)
class SendResult:
    """``ok``: the portal stored the message. Otherwise ``retry`` says whether trying again may succeed."""

    ok: bool
    retry: bool = True
    error: str = ""
    duplicate: bool = False


class PortalClient(Protocol):
    def send(self, *, key: str, body: bytes) -> SendResult: ...


class HttpPortalClient:
    """POSTs a sync message with its idempotency key and signature; success is HTTP 200 with ``error_code`` 00.

    5xx answers, 408/429, time-outs and connection errors are worth retrying; any other 4xx (a signature or
    schema refusal) is not: the message goes to the dead-letter list at once.
    """

    def __init__(self, *, url: str, secret: str, timeout: float) -> None:
        self.url, self.secret, self.timeout = url, secret, timeout

    def send(self, *, key: str, body: bytes) -> SendResult:
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": key,
            **signed_headers(self.secret, body),
        }
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - configured URL
                status, text = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, text = exc.code, exc.read()
        except TimeoutError:
            return SendResult(ok=False, error=f"no answer within {self.timeout:g} s")
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            return SendResult(ok=False, error=f"cannot reach the portal: {reason}")
        answer = _json(text)
        if status == 200 and answer.get("error_code") == "00":
            return SendResult(ok=True, duplicate=bool(answer.get("duplicate")))
        detail = answer.get("message") or text[:200].decode("utf-8", "replace")
        retry = status >= 500 or status in (408, 429) or status == 200
        return SendResult(ok=False, retry=retry, error=f"HTTP {status}: {detail}"[:500])


def _json(text: bytes) -> dict[str, object]:
    try:
        value = json.loads(text or b"{}")
    except (ValueError, UnicodeDecodeError):
        return {}
    return value if isinstance(value, dict) else {}
