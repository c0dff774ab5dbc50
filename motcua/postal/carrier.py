"""The carrier interface and its HTTP client, in the shape of VNPost-style postal APIs.

Protocol (JSON over HTTPS, token in the ``h-token`` header):

- ``POST {base}/api/orders`` with ``OrderCode``, ``SenderFullname``, ``SenderAddress``, ``SenderTel``,
  ``ReceiverFullname``, ``ReceiverAddress``, ``ReceiverTel``, ``Weight`` (grams), ``ServiceName``, ``CallbackUrl``
  → ``201 {"ItemCode": "EB123456789VN", "TotalFreight": 23000}`` (``ItemCode``: the UPU S10 tracking code);
- ``GET {base}/api/orders/{ItemCode}`` → ``{"ItemCode": ..., "Events": [{"EventId", "OrderStatusId",
  "StatusName", "EventTime", "Note"}]}``;
- the carrier calls ``CallbackUrl`` with one event per request (same fields plus ``ItemCode``), signed:
  ``X-Postal-Timestamp: <unix seconds>`` and ``X-Postal-Signature: sha256=<hex HMAC-SHA256 of
  "<timestamp>.<body>" with the shared secret>``.

``OrderStatusId``: 1 created, 2 picked up, 3 in transit, 4 delivered, 5 returned to sender, 6 delivery failed.

Configuration (settings or environment): ``MOTCUA_POSTAL_API_URL`` (default: motcua's own sandbox,
``<MOTCUA_PUBLIC_URL or http://127.0.0.1:8000>/sandbox/postal``), ``MOTCUA_POSTAL_TOKEN``,
``MOTCUA_POSTAL_WEBHOOK_SECRET``, ``MOTCUA_POSTAL_CALLBACK_URL`` (where the carrier posts status events),
``MOTCUA_POSTAL_CARRIER`` (the carrier's name stored on shipments, default ``vnpost``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from django.conf import settings

from motcua.core.errors import ApplicationError

__all__ = [
    "STATUS_BY_ID",
    "Address",
    "Carrier",
    "CarrierError",
    "CarrierEvent",
    "CarrierShipment",
    "HttpCarrier",
    "ShipmentRequest",
    "carrier",
    "postal_setting",
    "sign",
    "verify",
]

STATUS_BY_ID: dict[int, str] = {
    1: "created",
    2: "picked_up",
    3: "in_transit",
    4: "delivered",
    5: "returned",
    6: "failed",
}
ID_BY_STATUS: dict[str, int] = {v: k for k, v in STATUS_BY_ID.items()}

_DEFAULTS = {
    "TOKEN": "sandbox-token",
    "WEBHOOK_SECRET": "sandbox-webhook-secret",
    "CARRIER": "vnpost",
}


def postal_setting(name: str) -> str:
    """``MOTCUA_POSTAL_<name>`` from the settings module, else the environment, else the sandbox default."""
    value = getattr(settings, f"MOTCUA_POSTAL_{name}", None) or os.environ.get(f"MOTCUA_POSTAL_{name}", "")
    if value:
        return str(value)
    base = (getattr(settings, "MOTCUA_PUBLIC_URL", "") or "http://127.0.0.1:8000").rstrip("/")
    if name == "API_URL":
        return f"{base}/sandbox/postal"
    if name == "CALLBACK_URL":
        return f"{base}/buu-chinh/webhook/"
    return _DEFAULTS.get(name, "")


class CarrierError(ApplicationError):
    status = 502
    code = "carrier_error"


@dataclass(frozen=True)
class Address:
    name: str
    address: str
    phone: str = ""


@dataclass(frozen=True)
class ShipmentRequest:
    order_ref: str
    sender: Address
    recipient: Address
    weight_grams: int = 500
    service: str = "BCCI"


@dataclass(frozen=True)
class CarrierShipment:
    tracking_code: str
    fee: int


@dataclass(frozen=True)
class CarrierEvent:
    event_id: str
    status: str
    at: datetime
    note: str = ""


class Carrier(Protocol):
    name: str

    def create_shipment(self, request: ShipmentRequest) -> CarrierShipment: ...

    def track(self, tracking_code: str) -> list[CarrierEvent]: ...


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, timestamp, body), signature or "")


def parse_event(data: dict[str, Any]) -> CarrierEvent:
    """One event of the wire format; :class:`ValueError` when a field is missing or wrong."""
    status = STATUS_BY_ID.get(int(data["OrderStatusId"]))
    if status is None:
        raise ValueError(f"unknown OrderStatusId {data['OrderStatusId']!r}")
    at = datetime.fromisoformat(str(data["EventTime"]))
    if at.tzinfo is None:
        raise ValueError("EventTime must include a time zone offset")
    return CarrierEvent(
        event_id=str(data["EventId"]), status=status, at=at, note=str(data.get("Note", ""))[:300]
    )


class HttpCarrier:
    """The client of a VNPost-style carrier API (the sandbox served by motcua speaks the same protocol)."""

    def __init__(
        self, *, base_url: str, token: str, callback_url: str, name: str = "vnpost", timeout: float = 10
    ):
        if not base_url.startswith(("http://", "https://")):
            raise CarrierError(f"MOTCUA_POSTAL_API_URL must be an http(s) URL, got {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.callback_url = callback_url
        self.name = name
        self.timeout = timeout

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 - http(s) only, checked in __init__
            f"{self.base_url}{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json", "Accept": "application/json", "h-token": self.token},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - configured URL
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:200].decode("utf-8", "replace")
            raise CarrierError(
                f"the postal carrier answered {exc.code} to {method} {path}: {detail}"
            ) from exc
        except (urllib.error.URLError, TimeoutError, json.JSONDecodeError) as exc:
            raise CarrierError(f"the postal carrier cannot be reached at {self.base_url}: {exc}") from exc

    def create_shipment(self, request: ShipmentRequest) -> CarrierShipment:
        answer = self._call(
            "POST",
            "/api/orders",
            {
                "OrderCode": request.order_ref,
                "SenderFullname": request.sender.name,
                "SenderAddress": request.sender.address,
                "SenderTel": request.sender.phone,
                "ReceiverFullname": request.recipient.name,
                "ReceiverAddress": request.recipient.address,
                "ReceiverTel": request.recipient.phone,
                "Weight": request.weight_grams,
                "ServiceName": request.service,
                "CallbackUrl": self.callback_url,
            },
        )
        try:
            return CarrierShipment(tracking_code=str(answer["ItemCode"]), fee=int(answer["TotalFreight"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise CarrierError(
                f"the postal carrier's answer has no ItemCode/TotalFreight: {answer!r:.200}"
            ) from exc

    def track(self, tracking_code: str) -> list[CarrierEvent]:
        answer = self._call("GET", f"/api/orders/{tracking_code}")
        try:
            return [parse_event(e) for e in answer["Events"]]
        except (KeyError, TypeError, ValueError) as exc:
            raise CarrierError(f"the postal carrier's tracking answer is malformed: {exc}") from exc


def carrier() -> Carrier:
    """The configured carrier client."""
    return HttpCarrier(
        base_url=postal_setting("API_URL"),
        token=postal_setting("TOKEN"),
        callback_url=postal_setting("CALLBACK_URL"),
        name=postal_setting("CARRIER"),
    )
