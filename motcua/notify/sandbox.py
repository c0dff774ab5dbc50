"""The sandbox SMS gateway served by motcua itself at ``/sandbox/sms/`` (development, the demo, tests).

It speaks the gateway protocol of :mod:`motcua.notify.backends`: it checks the API key, the timestamp (± 5
minutes) and the HMAC signature, refuses a number that is not Vietnamese, records the message (the phone
number masked) and answers ``{"code": "00", "message_id": …}``; a repeated ``request_id`` gets the first
answer with ``"duplicate": true`` and is not recorded twice. ``GET`` lists the last 50 messages as JSON.
Served only while ``MOTCUA_SMS_SANDBOX`` is on (the default outside production).
"""

from __future__ import annotations

import hmac
import json
import time
import uuid

from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from motcua.notify.backends import Rejected, mask_recipient, normalize_phone, sign
from motcua.notify.config import sms_config
from motcua.notify.models import SandboxSms

MAX_SKEW = 300


def _problem(status: int, error: str) -> JsonResponse:
    return JsonResponse({"code": str(status), "error": error}, status=status)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def sms_gateway(request: HttpRequest) -> JsonResponse:
    config = sms_config()
    if not config.sandbox_enabled:
        raise Http404("the sandbox SMS gateway is off")
    if request.method == "GET":
        rows = SandboxSms.objects.all()[:50]
        return JsonResponse(
            {
                "messages": [
                    {
                        "message_id": r.message_id,
                        "request_id": r.request_id,
                        "brandname": r.brandname,
                        "phone": r.phone_masked,
                        "message": r.message,
                        "received_at": r.received_at.isoformat(),
                    }
                    for r in rows
                ]
            }
        )
    if not hmac.compare_digest(request.headers.get("X-Api-Key", ""), config.api_key):
        return _problem(401, "unknown API key")
    timestamp = request.headers.get("X-Timestamp", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > MAX_SKEW:
        return _problem(401, "timestamp missing or too far from now")
    expected = sign(config.secret, timestamp, request.body)
    if not hmac.compare_digest(request.headers.get("X-Signature", ""), expected):
        return _problem(401, "bad signature")
    try:
        data = json.loads(request.body)
        request_id = str(data["request_id"])[:64]
        message = str(data["message"])
        phone = normalize_phone(str(data["phone"]))
    except (ValueError, KeyError, TypeError):
        return _problem(400, "expected JSON with brandname, phone, message, request_id")
    except Rejected as exc:
        return _problem(422, str(exc))
    if not message.strip() or not request_id:
        return _problem(400, "message and request_id must not be empty")
    try:
        with transaction.atomic():
            row = SandboxSms.objects.create(
                request_id=request_id,
                message_id=uuid.uuid4().hex,
                brandname=str(data.get("brandname", ""))[:20],
                phone_masked=mask_recipient("sms", phone),
                message=message,
                unicode=bool(data.get("unicode", False)),
            )
        duplicate = False
    except IntegrityError:
        row = SandboxSms.objects.get(request_id=request_id)
        duplicate = True
    return JsonResponse({"code": "00", "message_id": row.message_id, "duplicate": duplicate})
