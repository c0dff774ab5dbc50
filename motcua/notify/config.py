"""Notification settings: e-mail (Django's SMTP backend) and the SMS gateway, from ``MOTCUA_*`` variables.

E-mail — :func:`email_settings` is called from ``motcua/settings.py`` and returns Django's ``MAILERS``:

| variable | default | meaning |
| --- | --- | --- |
| ``MOTCUA_EMAIL_URL`` | empty | ``smtp://user:pass@host:587`` (STARTTLS), ``smtps://…:465`` (TLS), ``console:`` |
| ``MOTCUA_SMTP_HOST`` | empty | or the host, and ``_PORT`` (587), ``_USER``, ``_PASSWORD``, ``_TLS``, ``_SSL`` |
| ``MOTCUA_SMTP_TIMEOUT`` | ``10`` | seconds |
| ``MOTCUA_EMAIL_FROM`` | ``motcua <no-reply@localhost>`` | the sender |

With neither a URL nor a host, e-mails are printed to the console with masked recipients (development). With
``MOTCUA_PRODUCTION=1`` one of them is required (``MOTCUA_EMAIL_URL=console:`` chooses the console on purpose).

SMS — :func:`sms_config` reads Django settings of the same name first, then the environment:

| variable | default | meaning |
| --- | --- | --- |
| ``MOTCUA_SMS_URL`` | empty: the console | the gateway's endpoint; ``sandbox``: ``<public URL>/sandbox/sms/`` |
| ``MOTCUA_SMS_API_KEY`` | ``sandbox-key`` (not in production) | sent as ``X-Api-Key`` |
| ``MOTCUA_SMS_SECRET`` | ``sandbox-secret`` (not in production) | HMAC-SHA256 key of ``X-Signature`` |
| ``MOTCUA_SMS_BRANDNAME`` | ``MOTCUA`` | the registered sender name |
| ``MOTCUA_SMS_ASCII`` | ``1`` | send without Vietnamese diacritics (what most brandname templates require) |
| ``MOTCUA_SMS_TIMEOUT`` | ``10`` | seconds |
| ``MOTCUA_SMS_SANDBOX`` | ``1`` unless production | serve the sandbox gateway at ``/sandbox/sms/`` |
| ``MOTCUA_NOTIFY_MAX_AGE_HOURS`` | ``24`` | events older than this (historic imports, the demo) send nothing |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

__all__ = ["SmsConfig", "email_settings", "sms_config"]

CONSOLE_BACKEND = "motcua.notify.backends.MaskedConsoleEmailBackend"
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
SANDBOX_KEY = "sandbox-key"
SANDBOX_SECRET = "sandbox-secret"  # noqa: S105 - the sandbox's published secret
SANDBOX_PATH = "/sandbox/sms/"


class ConfigError(ValueError):
    pass


def _flag(raw: str, name: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ConfigError(f"MOTCUA_{name}: expected 0/1/true/false, got {raw!r}")


def email_settings(
    environ: Mapping[str, str] | None = None, *, production: bool = False
) -> dict[str, object]:
    """Django's ``MAILERS`` and sender settings from ``MOTCUA_EMAIL_URL`` or ``MOTCUA_SMTP_*`` (module docstring)."""
    from django.core.exceptions import ImproperlyConfigured

    env = os.environ if environ is None else environ

    def get(name: str, default: str = "") -> str:
        return env.get(f"MOTCUA_{name}", default)

    out: dict[str, object] = {"DEFAULT_FROM_EMAIL": get("EMAIL_FROM", "motcua <no-reply@localhost>")}
    out["SERVER_EMAIL"] = out["DEFAULT_FROM_EMAIL"]

    def smtp(*, host: str, port: int, user: str, password: str, ssl: bool, tls: bool) -> dict[str, object]:
        options = {
            "host": host,
            "port": port,
            "username": user,
            "password": password,
            "use_ssl": ssl,
            "use_tls": tls and not ssl,
            "timeout": int(get("SMTP_TIMEOUT", "10")),
        }
        return {"default": {"BACKEND": SMTP_BACKEND, "OPTIONS": options}}

    url = get("EMAIL_URL").strip()
    try:
        if url:
            parts = urlsplit(url)
            if parts.scheme == "console":
                out["MAILERS"] = {"default": {"BACKEND": CONSOLE_BACKEND}}
                return out
            if parts.scheme not in {"smtp", "smtps"}:
                raise ConfigError(
                    f"MOTCUA_EMAIL_URL: use smtp://, smtps:// or console:, got {parts.scheme!r}"
                )
            if not parts.hostname:
                raise ConfigError("MOTCUA_EMAIL_URL: the SMTP host is missing")
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            ssl = parts.scheme == "smtps"
            out["MAILERS"] = smtp(
                host=parts.hostname,
                port=parts.port or (465 if ssl else 587),
                user=unquote(parts.username or ""),
                password=unquote(parts.password or ""),
                ssl=ssl,
                tls=_flag(query.get("tls", "1"), "EMAIL_URL tls"),
            )
            return out
        host = get("SMTP_HOST").strip()
        if host:
            ssl = _flag(get("SMTP_SSL", "0"), "SMTP_SSL")
            out["MAILERS"] = smtp(
                host=host,
                port=int(get("SMTP_PORT", "465" if ssl else "587")),
                user=get("SMTP_USER"),
                password=get("SMTP_PASSWORD"),
                ssl=ssl,
                tls=_flag(get("SMTP_TLS", "1"), "SMTP_TLS"),
            )
            return out
    except (ConfigError, ValueError) as exc:
        raise ImproperlyConfigured(str(exc)) from exc
    if production:
        raise ImproperlyConfigured(
            "MOTCUA_EMAIL_URL (smtp://user:pass@host:587) or MOTCUA_SMTP_HOST must be set when "
            "MOTCUA_PRODUCTION=1 (MOTCUA_EMAIL_URL=console: prints e-mails instead of sending them)"
        )
    out["MAILERS"] = {"default": {"BACKEND": CONSOLE_BACKEND}}
    return out


@dataclass(frozen=True)
class SmsConfig:
    url: str  # empty: the console
    api_key: str
    secret: str
    brandname: str
    ascii_only: bool
    timeout: float
    sandbox_enabled: bool
    max_event_age_hours: float


def _setting(name: str, default: str) -> str:
    from django.conf import settings

    value = getattr(settings, f"MOTCUA_{name}", None)
    if value is None:
        value = os.environ.get(f"MOTCUA_{name}", default)
    return str(value)


def max_event_age_hours() -> float:
    """``MOTCUA_NOTIFY_MAX_AGE_HOURS``: dossier events older than this send no message."""
    try:
        return float(_setting("NOTIFY_MAX_AGE_HOURS", "24"))
    except ValueError:
        return 24.0


def sms_config() -> SmsConfig:
    """The SMS gateway's settings (Django settings ``MOTCUA_SMS_*`` first, then the environment)."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    production = bool(getattr(settings, "PRODUCTION", False))
    url = _setting("SMS_URL", "").strip()
    key = _setting("SMS_API_KEY", "" if production else SANDBOX_KEY)
    secret = _setting("SMS_SECRET", "" if production else SANDBOX_SECRET)
    if url and url != "sandbox" and production and (not key or not secret):
        raise ImproperlyConfigured("MOTCUA_SMS_API_KEY and MOTCUA_SMS_SECRET must be set with MOTCUA_SMS_URL")
    if url == "sandbox":
        from motcua.forms.qr import public_base_url

        url = public_base_url() + SANDBOX_PATH
    try:
        return SmsConfig(
            url=url,
            api_key=key,
            secret=secret,
            brandname=_setting("SMS_BRANDNAME", "MOTCUA"),
            ascii_only=_flag(_setting("SMS_ASCII", "1"), "SMS_ASCII"),
            timeout=float(_setting("SMS_TIMEOUT", "10")),
            sandbox_enabled=_flag(_setting("SMS_SANDBOX", "0" if production else "1"), "SMS_SANDBOX"),
            max_event_age_hours=max_event_age_hours(),
        )
    except (ConfigError, ValueError) as exc:
        raise ImproperlyConfigured(str(exc)) from exc
