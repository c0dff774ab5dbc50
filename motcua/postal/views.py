"""The carrier's status webhook (``POST /buu-chinh/webhook/``) and the staff list of shipments
(``/can-bo/buu-chinh/``, addresses masked).

The webhook accepts one event per request, signed with HMAC-SHA256 over ``"<timestamp>.<body>"`` with the shared
secret (``MOTCUA_POSTAL_WEBHOOK_SECRET``); a missing or wrong signature, or a timestamp more than five minutes
away, is 401 and writes nothing. An event already recorded (same ``EventId``) is answered 200 with
``"duplicate": true`` and changes nothing.
"""

from __future__ import annotations

import json
import time

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from motcua.accounts.models import User
from motcua.core.errors import ApplicationError
from motcua.postal import selectors
from motcua.postal.carrier import parse_event, postal_setting, verify
from motcua.postal.services import shipment_record_event

__all__ = ["shipments", "webhook"]

TOLERANCE_SECONDS = 300


@csrf_exempt
@require_POST
def webhook(request: HttpRequest) -> JsonResponse:
    body = request.body
    timestamp = request.headers.get("X-Postal-Timestamp", "")
    signature = request.headers.get("X-Postal-Signature", "")
    if not verify(postal_setting("WEBHOOK_SECRET"), timestamp, body, signature):
        return JsonResponse({"error": "invalid signature"}, status=401)
    try:
        if abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
            return JsonResponse({"error": "stale timestamp"}, status=401)
    except ValueError:
        return JsonResponse({"error": "invalid timestamp"}, status=401)
    try:
        data = json.loads(body)
        tracking_code = str(data["ItemCode"])
        event = parse_event(data)
    except (ValueError, KeyError, TypeError) as exc:
        return JsonResponse({"error": f"malformed event: {exc}"}, status=400)
    try:
        row, created = shipment_record_event(tracking_code=tracking_code, event=event)
    except ApplicationError as exc:
        return JsonResponse(exc.as_problem(), status=exc.status)
    return JsonResponse({"ok": True, "duplicate": not created, "status": row.status})


@login_required
@require_GET
def shipments(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    return render(request, "postal/shipments.html", {"rows": selectors.shipment_rows(user=user)})
