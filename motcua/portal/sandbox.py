"""A sandbox National Public Service Portal, served by motcua itself for development and tests.

It speaks the real protocol (``docs/integration.md``): it checks the signature, validates the message against
``docs/portal-schema.json``, stores each idempotency key once and answers ``{"error_code": "00"}``. Its knobs
(:class:`~motcua.portal.models.SandboxControl`, set with :func:`sandbox_configure` or
``POST /sandbox/portal/control``) make it misbehave on purpose:

- ``fail_rate`` (with ``seed``): that share of requests is answered 503 and nothing is stored; the draws are
  a pure function of the seed and the request number, so a run can be replayed;
- ``delay_rate`` and ``delay_seconds``: that share of stored messages is answered late (past the client's
  time-out: the portal has the message, the sender does not know it);
- ``answer_twice``: a new message is stored and its first answer is lost (502), so the sender sends it again
  and gets the acknowledgement with ``"duplicate": true``.
"""

from __future__ import annotations

import json
import random
import time
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from motcua.core.errors import FieldError
from motcua.portal import conf
from motcua.portal.client import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from motcua.portal.models import SandboxControl, SandboxMessage
from motcua.portal.schema import validate

__all__ = ["KNOBS", "control_view", "messages_view", "receive_view", "sandbox_configure", "sandbox_reset"]

KNOBS = ("fail_rate", "seed", "delay_rate", "delay_seconds", "answer_twice")


@transaction.atomic
def sandbox_configure(**knobs: Any) -> SandboxControl:
    """Set the sandbox's knobs (others keep their value); the seeded draws restart from the first request."""
    control, _ = SandboxControl.objects.select_for_update().get_or_create(pk=1)
    for name, value in knobs.items():
        if name not in KNOBS:
            raise FieldError(name, value, f"is not a sandbox knob (one of {', '.join(KNOBS)})")
        if name in ("fail_rate", "delay_rate") and not (isinstance(value, int | float) and 0 <= value <= 1):
            raise FieldError(name, value, "must be a number between 0 and 1")
        if name == "delay_seconds" and not (isinstance(value, int | float) and 0 <= value <= 120):
            raise FieldError(name, value, "must be a number of seconds between 0 and 120")
        if name == "seed" and not (isinstance(value, int) and not isinstance(value, bool)):
            raise FieldError(name, value, "must be an integer")
        if name == "answer_twice" and not isinstance(value, bool):
            raise FieldError(name, value, "must be true or false")
        setattr(control, name, value)
    control.requests = 0
    control.save()
    return control


@transaction.atomic
def sandbox_reset() -> None:
    """Forget every stored message and reset the knobs."""
    SandboxMessage.objects.all().delete()
    SandboxControl.objects.all().delete()


def _answer(status: int, code: str, message: str, **extra: Any) -> JsonResponse:
    return JsonResponse({"error_code": code, "message": message, **extra}, status=status)


def _draw() -> tuple[SandboxControl, bool, bool]:
    """This request's seeded draws: (knobs, fail?, late?)."""
    with transaction.atomic():
        control, _ = SandboxControl.objects.select_for_update().get_or_create(pk=1)
        n = control.requests
        SandboxControl.objects.filter(pk=control.pk).update(requests=F("requests") + 1)
    rng = random.Random(f"{control.seed}:{n}")
    return control, rng.random() < control.fail_rate, rng.random() < control.delay_rate


@csrf_exempt
@require_http_methods(["POST"])
def receive_view(request: HttpRequest) -> HttpResponse:
    """``POST /sandbox/portal/dong-bo``: the portal's receive endpoint (DongBoHoSoMC)."""
    if not conf.sandbox_enabled():
        return _answer(404, "404", "the sandbox portal is off (MOTCUA_PORTAL_SANDBOX=0)")
    body = request.body
    problem = verify(
        conf.portal_secret(),
        request.headers.get(TIMESTAMP_HEADER),
        request.headers.get(SIGNATURE_HEADER),
        body,
    )
    if problem:
        return _answer(401, "401", problem)
    control, fail, late = _draw()
    if fail:
        return _answer(503, "99", "sandbox: simulated failure")
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return _answer(400, "02", "the body is not JSON")
    errors = validate(document)
    key = request.headers.get("Idempotency-Key", "")
    if not errors and key != document["key"]:
        errors = ["Idempotency-Key: must equal the message's key"]
    if errors:
        return _answer(422, "01", "the message does not match the schema", errors=errors[:20])
    record = document["data"][0]
    duplicate = False
    try:
        with transaction.atomic():
            out_of_order = SandboxMessage.objects.filter(
                dossier_key=document["dossier"], seq__gt=document["seq"]
            ).exists()
            SandboxMessage.objects.create(
                idempotency_key=key,
                dossier_key=document["dossier"],
                seq=document["seq"],
                portal_status=record["TrangThaiHoSo"],
                payload=document,
                out_of_order=out_of_order,
            )
    except IntegrityError:
        duplicate = True
        SandboxMessage.objects.filter(idempotency_key=key).update(deliveries=F("deliveries") + 1)
    if late and control.delay_seconds:
        time.sleep(control.delay_seconds)
    if control.answer_twice and not duplicate:
        return _answer(502, "98", "sandbox: the answer was lost (the message is stored)")
    return _answer(200, "00", "ok", key=key, duplicate=duplicate)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def control_view(request: HttpRequest) -> HttpResponse:
    """``GET``/``POST /sandbox/portal/control``: read or set the knobs (JSON object); ``{"reset": true}`` clears."""
    if not conf.sandbox_enabled():
        return _answer(404, "404", "the sandbox portal is off (MOTCUA_PORTAL_SANDBOX=0)")
    if request.method == "POST":
        try:
            knobs = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            return _answer(400, "02", "the body is not JSON")
        if not isinstance(knobs, dict):
            return _answer(400, "02", "the body must be a JSON object")
        if knobs.pop("reset", False):
            sandbox_reset()
        try:
            sandbox_configure(**knobs)
        except FieldError as exc:
            return _answer(422, "01", exc.message)
    control, _ = SandboxControl.objects.get_or_create(pk=1)
    return JsonResponse({name: getattr(control, name) for name in (*KNOBS, "requests")})


@require_http_methods(["GET"])
def messages_view(request: HttpRequest) -> HttpResponse:
    """``GET /sandbox/portal/messages[?dossier=KEY]``: what the sandbox stored, in arrival order (no personal data)."""
    if not conf.sandbox_enabled():
        return _answer(404, "404", "the sandbox portal is off (MOTCUA_PORTAL_SANDBOX=0)")
    rows = SandboxMessage.objects.order_by("id")
    if request.GET.get("dossier"):
        rows = rows.filter(dossier_key=request.GET["dossier"])
    items = [
        {
            "key": m.idempotency_key,
            "dossier": m.dossier_key,
            "seq": m.seq,
            "status": m.portal_status,
            "code": m.payload["data"][0].get("MaHoSo"),
            "deliveries": m.deliveries,
            "out_of_order": m.out_of_order,
            "received_at": m.received_at.isoformat(),
        }
        for m in rows[:1000]
    ]
    return JsonResponse({"count": rows.count(), "items": items})
