"""Sending one message: ``send(channel, to, template, context)``, the e-mail and SMS backends, masking.

- **e-mail** goes through Django's configured e-mail backend (SMTP in production, see
  :mod:`motcua.notify.config`); the development default prints it with the recipient masked.
- **SMS** goes to an HTTP gateway, the generic protocol of Vietnamese brandname SMS gateways: a JSON ``POST``
  ``{"brandname", "phone": "84…", "message", "request_id", "unicode"}`` with headers ``X-Api-Key``,
  ``X-Timestamp`` (Unix seconds) and ``X-Signature`` = hex HMAC-SHA256 of ``"<timestamp>.<body>"`` with the
  shared secret. The gateway answers ``200 {"code": "00", "message_id": …}``; a repeated ``request_id`` is
  answered with the first message's id and not sent again, so a retried task never sends twice. With no
  gateway URL the console backend logs the message (recipient masked).

Permanent refusals (4xx: a bad number, a bad key) raise :class:`Rejected` and are not retried; outages
(network errors, 5xx) raise :class:`Unavailable` and the task is retried with backoff.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import time
import unicodedata
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TextIO

from django.core.mail import EmailMessage
from django.core.mail.backends.console import EmailBackend as ConsoleEmailBackend
from django.template.loader import render_to_string

from motcua.core.personal import mask_contact
from motcua.notify.config import SmsConfig, sms_config

__all__ = [
    "HttpSmsGateway",
    "Rejected",
    "Rendered",
    "SendResult",
    "Unavailable",
    "ascii_fold",
    "mask_recipient",
    "render",
    "send",
    "sign",
]

logger = logging.getLogger("motcua.notify")

EMAIL = "email"
SMS = "sms"
CHANNELS = (EMAIL, SMS)


class Rejected(Exception):
    """The gateway or server refused the message for good (bad number, bad credentials): do not retry."""


class Unavailable(Exception):
    """The gateway or server could not be reached or failed: retry later."""


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


@dataclass(frozen=True)
class SendResult:
    provider_id: str
    duplicate: bool = False


# -- masking -----------------------------------------------------------------------------------------------


def mask_recipient(channel: str, to: str) -> str:
    """``*******678`` for a phone number, ``n***@example.vn`` for an e-mail address (the shared rule,
    :func:`motcua.core.personal.mask_contact`)."""
    to = to.strip()
    if channel == EMAIL and "@" not in to:
        return "***"
    return mask_contact(to)


def normalize_phone(to: str) -> str:
    """``0912 345 678`` / ``+84912345678`` → ``84912345678`` (the gateways' format)."""
    digits = re.sub(r"\D", "", to)
    if digits.startswith("0"):
        digits = "84" + digits[1:]
    if not (digits.startswith("84") and 10 <= len(digits) <= 12):
        raise Rejected(f"not a Vietnamese phone number: {mask_recipient(SMS, to)}")
    return digits


def ascii_fold(text: str) -> str:
    """Vietnamese without diacritics (``Hồ sơ đã được tiếp nhận`` → ``Ho so da duoc tiep nhan``)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


# -- templates ---------------------------------------------------------------------------------------------


def render(channel: str, template: str, context: Mapping[str, Any]) -> Rendered:
    """Render ``notify/<template>.<channel>.txt`` (and ``.subject.txt`` for e-mail)."""
    body = render_to_string(f"notify/{template}.{channel}.txt", dict(context))
    body = re.sub(r"\n{3,}", "\n\n", body).strip()
    subject = ""
    if channel == EMAIL:
        subject = " ".join(render_to_string(f"notify/{template}.subject.txt", dict(context)).split())
    else:
        body = " ".join(body.split())  # one line: SMS segments are precious
    return Rendered(subject=subject, body=body)


# -- e-mail ------------------------------------------------------------------------------------------------


class MaskedConsoleEmailBackend(ConsoleEmailBackend):
    """Django's console backend, with the recipients masked (the console is a log)."""

    stream: TextIO

    def write_message(self, message: Any) -> None:
        masked = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=message.from_email,
            to=[mask_recipient(EMAIL, a) for a in message.to],
            headers=message.extra_headers,
        )
        super().write_message(masked)


def _send_email(to: str, rendered: Rendered, *, message_id: str) -> SendResult:
    import smtplib

    message = EmailMessage(
        subject=rendered.subject,
        body=rendered.body,
        to=[to],
        headers={"Message-ID": f"<{message_id}@motcua>"},
    )
    try:
        message.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as exc:
        raise Rejected("the mail server refused the recipient") from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise Unavailable(f"mail server: {type(exc).__name__}") from exc
    return SendResult(provider_id=message_id)


# -- SMS ---------------------------------------------------------------------------------------------------

Transport = Callable[[str, Mapping[str, str], bytes, float], tuple[int, bytes]]
"""``(url, headers, body, timeout) → (status, body)``: how the gateway client reaches the gateway."""


def urllib_transport(url: str, headers: Mapping[str, str], body: bytes, timeout: float) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - configured URL
            return int(response.status), response.read()
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read()
    except (urllib.error.URLError, OSError) as exc:
        raise Unavailable(f"SMS gateway unreachable: {type(exc).__name__}") from exc


def sign(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


class HttpSmsGateway:
    """The client of the brandname SMS gateway protocol (module docstring)."""

    def __init__(self, config: SmsConfig, transport: Transport | None = None) -> None:
        self.config = config
        self.transport = transport or urllib_transport

    def send(self, to: str, text: str, *, request_id: str) -> SendResult:
        payload = {
            "brandname": self.config.brandname,
            "phone": normalize_phone(to),
            "message": text,
            "request_id": request_id,
            "unicode": not self.config.ascii_only,
        }
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-Api-Key": self.config.api_key,
            "X-Timestamp": timestamp,
            "X-Signature": sign(self.config.secret, timestamp, body),
        }
        status, answer = self.transport(self.config.url, headers, body, self.config.timeout)
        try:
            data = json.loads(answer or b"{}")
        except ValueError:
            data = {}
        if status == 200 and data.get("code") == "00":
            return SendResult(
                provider_id=str(data.get("message_id", "")), duplicate=bool(data.get("duplicate"))
            )
        reason = str(data.get("error") or data.get("message") or f"HTTP {status}")[:200]
        if 400 <= status < 500 and status not in (408, 429):
            raise Rejected(f"SMS gateway refused the message: {reason}")
        raise Unavailable(f"SMS gateway failed: {reason}")


def _send_sms(to: str, rendered: Rendered, *, message_id: str, transport: Transport | None) -> SendResult:
    config = sms_config()
    text = ascii_fold(rendered.body) if config.ascii_only else rendered.body
    if not config.url:
        normalize_phone(to)
        logger.info("SMS (console) to %s: %s", mask_recipient(SMS, to), text)
        return SendResult(provider_id=f"console-{message_id}")
    return HttpSmsGateway(config, transport).send(to, text, request_id=message_id)


def send(
    channel: str,
    to: str,
    template: str,
    context: Mapping[str, Any],
    *,
    message_id: str | None = None,
    transport: Transport | None = None,
) -> SendResult:
    """Render ``template`` for ``channel`` and send it to ``to``.

    ``message_id`` makes a resend recognizable (the SMS ``request_id``, the e-mail's ``Message-ID``);
    ``transport`` replaces the HTTP client of the SMS gateway (tests route it to the sandbox view).
    """
    if channel not in CHANNELS:
        raise ValueError(f"channel must be one of {', '.join(CHANNELS)}, got {channel!r}")
    message_id = message_id or uuid.uuid4().hex
    rendered = render(channel, template, context)
    if channel == EMAIL:
        return _send_email(to, rendered, message_id=message_id)
    return _send_sms(to, rendered, message_id=message_id, transport=transport)
