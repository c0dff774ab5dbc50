"""The sandbox carrier, served by motcua itself under ``/sandbox/postal/`` for development and tests.

It speaks the protocol of :mod:`motcua.postal.carrier` (``POST api/orders``, ``GET api/orders/<ItemCode>``, the
signed status webhook) and adds one control endpoint that plays the postal worker:
``POST api/orders/<ItemCode>/events`` with ``{"status": "picked_up" | "in_transit" | "delivered" | "returned" |
"failed", "at": ISO instant (optional)}`` appends an event and posts it, signed, to the order's ``CallbackUrl``
(the answer tells the webhook's HTTP status). ``{"replay": "<EventId>"}`` posts an earlier event again (a carrier
retrying), ``{"..., "tamper": true}`` sends it with a wrong signature.
"""

from __future__ import annotations

import json
import secrets
import time
import urllib.error
import urllib.request
from datetime import datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.postal.carrier import ID_BY_STATUS, STATUS_BY_ID, postal_setting, sign
from motcua.postal.models import SandboxParcel, SandboxParcelEvent

__all__ = ["order_events", "order_track", "orders"]

_REQUIRED = ("OrderCode", "SenderFullname", "SenderAddress", "ReceiverFullname", "ReceiverAddress")


def _authorized(request: HttpRequest) -> bool:
    return secrets.compare_digest(request.headers.get("h-token", ""), postal_setting("TOKEN"))


def _event_json(parcel: SandboxParcel, event: SandboxParcelEvent) -> dict[str, Any]:
    return {
        "ItemCode": parcel.item_code,
        "EventId": event.event_id,
        "OrderStatusId": event.status_id,
        "StatusName": STATUS_BY_ID[event.status_id],
        "EventTime": event.at.isoformat(),
        "Note": event.note,
    }


def _add_event(parcel: SandboxParcel, status_id: int, at: datetime, note: str = "") -> SandboxParcelEvent:
    return SandboxParcelEvent.objects.create(
        parcel=parcel,
        event_id=f"{parcel.item_code}-{secrets.token_hex(6)}",
        status_id=status_id,
        at=at,
        note=note,
    )


@csrf_exempt
@require_POST
def orders(request: HttpRequest) -> JsonResponse:
    if not _authorized(request):
        return JsonResponse({"error": "invalid token"}, status=401)
    try:
        order = json.loads(request.body)
        missing = [k for k in _REQUIRED if not str(order.get(k, "")).strip()]
        weight = int(order.get("Weight", 500))
    except (ValueError, AttributeError):
        return JsonResponse({"error": "body must be a JSON object"}, status=400)
    if missing:
        return JsonResponse({"error": f"missing {', '.join(missing)}"}, status=400)
    freight = 22000 + 5000 * max(0, (weight - 1) // 500)
    with transaction.atomic():
        while True:
            code = f"EB{secrets.randbelow(10**9):09d}VN"
            if not SandboxParcel.objects.filter(item_code=code).exists():
                break
        parcel = SandboxParcel.objects.create(
            item_code=code, order=order, callback_url=str(order.get("CallbackUrl", "")), freight=freight
        )
        _add_event(parcel, ID_BY_STATUS["created"], timezone.now())
    return JsonResponse({"ItemCode": code, "TotalFreight": freight}, status=201)


@require_GET
def order_track(request: HttpRequest, item_code: str) -> JsonResponse:
    if not _authorized(request):
        return JsonResponse({"error": "invalid token"}, status=401)
    parcel = SandboxParcel.objects.filter(item_code=item_code).first()
    if parcel is None:
        return JsonResponse({"error": "unknown ItemCode"}, status=404)
    events = [_event_json(parcel, e) for e in parcel.events.order_by("at", "id")]
    return JsonResponse({"ItemCode": parcel.item_code, "Events": events})


def _post_webhook(url: str, payload: dict[str, Any], *, tamper: bool) -> int:
    body = json.dumps(payload).encode()
    timestamp = str(int(time.time()))
    signature = sign(postal_setting("WEBHOOK_SECRET"), timestamp, body)
    if tamper:
        signature = signature[:-4] + ("0000" if not signature.endswith("0000") else "1111")
    if not url.startswith(("http://", "https://")):
        return 0
    request = urllib.request.Request(  # noqa: S310 - http(s) only, checked above
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Postal-Timestamp": timestamp,
            "X-Postal-Signature": signature,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - the order's callback
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except (urllib.error.URLError, TimeoutError):
        return 0


@csrf_exempt
@require_http_methods(["POST"])
def order_events(request: HttpRequest, item_code: str) -> JsonResponse:
    if not _authorized(request):
        return JsonResponse({"error": "invalid token"}, status=401)
    parcel = SandboxParcel.objects.filter(item_code=item_code).first()
    if parcel is None:
        return JsonResponse({"error": "unknown ItemCode"}, status=404)
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"error": "body must be a JSON object"}, status=400)
    if data.get("replay"):
        event = parcel.events.filter(event_id=str(data["replay"])).first()
        if event is None:
            return JsonResponse({"error": "unknown EventId"}, status=404)
    else:
        status_id = ID_BY_STATUS.get(str(data.get("status", "")))
        if status_id is None:
            return JsonResponse({"error": f"status must be one of {', '.join(ID_BY_STATUS)}"}, status=400)
        try:
            at = datetime.fromisoformat(data["at"]) if data.get("at") else timezone.now()
        except ValueError:
            return JsonResponse({"error": "at must be an ISO instant"}, status=400)
        with transaction.atomic():
            event = _add_event(parcel, status_id, at, str(data.get("note", ""))[:300])
    payload = _event_json(parcel, event)
    webhook_status = (
        _post_webhook(parcel.callback_url, payload, tamper=bool(data.get("tamper")))
        if parcel.callback_url
        else None
    )
    return JsonResponse({**payload, "webhook_status": webhook_status}, status=201)
