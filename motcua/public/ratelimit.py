"""Per-client rate limits of the public pages, counted in the database (no cache server needed).

A fixed-window counter per (scope, client, window) in :class:`~motcua.public.models.RateLimitWindow`:

- ``lookup``: **failed** lookups of a dossier or a petition (wrong code or secret), 10 per 10 minutes. Once
  a client reaches the limit every lookup (even a right one) is refused with HTTP 429 until the window ends.
  Successful lookups are not counted: they cannot help anyone guess a secret, and many citizens share one
  address behind a mobile carrier's NAT.
- ``petition``: petitions sent, 5 per hour.

The client is the request's ``REMOTE_ADDR``; behind reverse proxies set ``MOTCUA_TRUSTED_PROXIES`` to their
number and the address is read from ``X-Forwarded-For`` (the entry that many places from the right). IPv6
clients are counted per /64 network (one subscriber's allocation). The address is stored only as an HMAC.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from motcua.public.models import RateLimitWindow

__all__ = ["LOOKUP", "PETITION", "Limit", "client_address", "is_blocked", "record", "retry_after"]


@dataclass(frozen=True)
class Limit:
    scope: str
    attempts: int
    window: timedelta


LOOKUP = Limit("lookup", 10, timedelta(minutes=10))
PETITION = Limit("petition", 5, timedelta(hours=1))
_KEEP = timedelta(days=1)


def client_address(request: HttpRequest) -> str:
    """The client's address (see the module doc), an IPv6 one reduced to its /64 network."""
    address = str(request.META.get("REMOTE_ADDR", ""))
    try:
        trusted = int(os.environ.get("MOTCUA_TRUSTED_PROXIES", "0") or 0)
    except ValueError:
        trusted = 0
    if trusted > 0:
        hops = [h.strip() for h in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",") if h.strip()]
        if len(hops) >= trusted:
            address = hops[-trusted]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6 and ip.ipv4_mapped is None:  # type: ignore[union-attr]
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip.ipv4_mapped) if ip.version == 6 else str(ip)  # type: ignore[union-attr]


def _client_key(request: HttpRequest) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), client_address(request).encode(), hashlib.sha256
    ).hexdigest()


def _window_start(limit: Limit, now: datetime) -> datetime:
    seconds = int(limit.window.total_seconds())
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=UTC)


def is_blocked(request: HttpRequest, limit: Limit, *, now: datetime | None = None) -> bool:
    """Whether the client has used up ``limit`` in the current window."""
    now = now or timezone.now()
    count = (
        RateLimitWindow.objects.filter(
            scope=limit.scope, client=_client_key(request), window_start=_window_start(limit, now)
        )
        .values_list("count", flat=True)
        .first()
    )
    return (count or 0) >= limit.attempts


def record(request: HttpRequest, limit: Limit, *, now: datetime | None = None) -> int:
    """Count one attempt of the client in the current window; returns the window's count."""
    now = now or timezone.now()
    start = _window_start(limit, now)
    row, created = RateLimitWindow.objects.get_or_create(
        scope=limit.scope, client=_client_key(request), window_start=start
    )
    RateLimitWindow.objects.filter(pk=row.pk).update(count=F("count") + 1)
    if created:
        RateLimitWindow.objects.filter(window_start__lt=now - _KEEP).delete()
    return int(RateLimitWindow.objects.filter(pk=row.pk).values_list("count", flat=True).get())


def retry_after(limit: Limit, *, now: datetime | None = None) -> int:
    """Seconds until the current window of ``limit`` ends."""
    now = now or timezone.now()
    end = _window_start(limit, now) + limit.window
    return max(1, int((end - now).total_seconds()) + 1)
