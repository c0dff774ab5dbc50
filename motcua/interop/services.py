"""Requests to other agencies and interconnected steps (Decree 61/2018 art.19(5b), (6), (7)).

A specialist of the competent unit sends a dossier for consultation to another office or agency, with a deadline
in working days on the competent unit's calendar (rules §2). An interconnected procedure's steps are requests
too, created when the dossier is forwarded (:mod:`motcua.interop.listeners`). Each request is answered once; the
answer records whether it came after the deadline, and a late consultee shows on the head's list
(:func:`motcua.interop.selectors.requests_late`). Every change appends an immutable
:class:`~motcua.interop.models.AgencyRequestEvent` in the same transaction.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from motcua.accounts.models import User
from motcua.accounts.selectors import roles_in_unit
from motcua.catalogue.models import Department, Procedure
from motcua.catalogue.selectors import unit_calendar
from motcua.core.errors import Conflict, FieldError, Forbidden, NotFound, StateError
from motcua.domain.deadlines import TimeLimit, Timeliness, TimeUnit, classify_ended, compute_due
from motcua.domain.lifecycle import ACCEPTED_OPEN, Role, State
from motcua.dossiers.models import Dossier
from motcua.interop.models import AgencyRequest, AgencyRequestEvent, LinkedGroup, LinkedStep

__all__ = [
    "MAX_WORKING_DAYS",
    "REQUEST_ROLES",
    "agency_request_answer",
    "consultation_request",
    "linked_groups_load",
    "linked_steps_start",
    "requests_withdraw",
    "working_days_parse",
]

REQUEST_ROLES = frozenset({Role.SPECIALIST, Role.DEPARTMENT_HEAD, Role.APPROVER, Role.ADMIN})
"""Who sends a consultation or records an answer: the competent unit's handling staff."""
MAX_WORKING_DAYS = Decimal(30)
LINKED_GROUPS_FILE = Path(__file__).resolve().parent / "data" / "linked-groups.json"
"""The interconnected procedures shipped with motcua (sources in the file)."""


def _now(at: datetime | None) -> datetime:
    if at is None:
        return timezone.now()
    if timezone.is_naive(at):
        raise FieldError("at", at.isoformat(), "must carry a time zone")
    return at


def working_days_parse(value: object, *, field: str = "working_days") -> Decimal:
    """A deadline in working days: a whole or half number in (0, 30]."""
    try:
        days = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise FieldError(field, value, "must be a number of working days") from None
    if (
        not days.is_finite()
        or days <= 0
        or days > MAX_WORKING_DAYS
        or days * 2 != (days * 2).to_integral_value()
    ):
        raise FieldError(field, value, f"must be a whole or half number of days in (0, {MAX_WORKING_DAYS}]")
    return days


def _due(dossier: Dossier, at: datetime, days: Decimal) -> datetime:
    calendar = unit_calendar(dossier.competent_unit)
    return compute_due(
        calendar=calendar, received_at=at, limit=TimeLimit(value=days, unit=TimeUnit.WORKING_DAYS)
    )


def _event(request: AgencyRequest, action: str, at: datetime, actor: User | None, **payload: Any) -> None:
    seq = request.version
    tz = ZoneInfo(request.dossier.competent_unit.timezone)
    data = {k: (v.astimezone(tz).isoformat() if isinstance(v, datetime) else v) for k, v in payload.items()}
    AgencyRequestEvent.objects.create(
        request=request, seq=seq, action=action, at=at, actor=actor, payload=data
    )


def _send(request: AgencyRequest, at: datetime, actor: User | None) -> None:
    request.status = AgencyRequest.Status.SENT
    request.sent_at = at
    request.due_at = _due(request.dossier, at, request.working_days)
    request.sent_by = actor


@transaction.atomic
def consultation_request(
    *,
    dossier_id: int,
    actor: User,
    agency: str,
    task: str,
    working_days: object,
    department_code: str | None = None,
    at: datetime | None = None,
) -> AgencyRequest:
    """Send an open, accepted dossier to another office or agency for its opinion, with a deadline."""
    at = _now(at)
    dossier = (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("competent_unit", "receiving_unit")
        .filter(pk=dossier_id)
        .first()
    )
    if dossier is None:
        raise NotFound(f"dossier {dossier_id} does not exist", field="dossier", value=dossier_id)
    roles = roles_in_unit(actor, dossier.competent_unit, department=dossier.department)
    if not roles & REQUEST_ROLES:
        raise Forbidden(f"only the handling staff of {dossier.competent_unit.code} may request an opinion")
    if State(dossier.state) not in ACCEPTED_OPEN:
        raise StateError(
            f"an opinion can be requested only for an open accepted dossier, not in state '{dossier.state}'",
            state=dossier.state,
            allowed=[],
        )
    agency = (agency or "").strip()
    if not agency:
        raise FieldError("agency", agency, "is required: name the office or agency consulted")
    task = (task or "").strip()
    if not task:
        raise FieldError("task", task, "is required: say what opinion is asked")
    days = working_days_parse(working_days)
    department = None
    if department_code:
        department = Department.objects.filter(unit=dossier.competent_unit, code=department_code).first()
        if department is None:
            raise FieldError(
                "department_code", department_code, f"is not a department of {dossier.competent_unit.code}"
            )
    order = (AgencyRequest.objects.filter(dossier=dossier).aggregate(m=Max("order"))["m"] or 0) + 1
    request = AgencyRequest(
        dossier=dossier,
        kind=AgencyRequest.Kind.CONSULTATION,
        order=order,
        agency=agency,
        department=department,
        task=task,
        working_days=days,
    )
    _send(request, at, actor)
    request.save()
    assert request.due_at is not None
    _event(request, "send", at, actor, agency=agency, working_days=str(days), due_at=request.due_at)
    return request


@transaction.atomic
def agency_request_answer(
    *,
    request_id: int,
    actor: User,
    answer: str,
    at: datetime | None = None,
    expected_version: int | None = None,
) -> AgencyRequest:
    """Record the agency's answer (entered by the consulted department, or by the specialist from paper)."""
    at = _now(at)
    request = (
        AgencyRequest.objects.select_for_update(of=("self",))
        .select_related("dossier__competent_unit", "department")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        raise NotFound(f"request {request_id} does not exist", field="request", value=request_id)
    dossier = request.dossier
    roles = roles_in_unit(actor, dossier.competent_unit)
    if request.department is not None:
        roles |= roles_in_unit(actor, dossier.competent_unit, department=request.department)
    if not roles & REQUEST_ROLES:
        raise Forbidden(f"only the staff of {dossier.competent_unit.code} may record an answer")
    if expected_version is not None and expected_version != request.version:
        raise Conflict(
            f"the request was changed by someone else (version {request.version}, you had {expected_version})",
            field="expected_version",
            value=expected_version,
        )
    if request.status != AgencyRequest.Status.SENT:
        raise StateError(
            f"only a sent request can be answered; this one is '{request.status}'",
            state=request.status,
            allowed=[],
        )
    answer = (answer or "").strip()
    if not answer:
        raise FieldError("answer", answer, "is required")
    assert request.sent_at is not None
    assert request.due_at is not None
    if at < request.sent_at:
        raise FieldError("at", at.isoformat(), "is before the request was sent")
    request.status = AgencyRequest.Status.ANSWERED
    request.answered_at = at
    request.answer = answer
    request.answered_by = actor
    request.late = (
        classify_ended(ended_at=at, due_at=request.due_at, tz=dossier.competent_unit.timezone)
        is Timeliness.OVERDUE
    )
    request.version += 1
    request.save()
    _event(request, "answer", at, actor, late=request.late)
    _send_next_step(request, at)
    return request


def _send_next_step(answered: AgencyRequest, at: datetime) -> None:
    if answered.kind != AgencyRequest.Kind.LINKED_STEP:
        return
    following = (
        AgencyRequest.objects.select_for_update()
        .select_related("dossier__competent_unit")
        .filter(dossier=answered.dossier, kind=answered.kind, status=AgencyRequest.Status.WAITING)
        .order_by("order")
        .first()
    )
    if following is None:
        return
    _send(following, at, None)
    following.version += 1
    following.save()
    _event(following, "send", at, None, due_at=following.due_at)


def linked_steps_start(dossier: Dossier, *, at: datetime) -> list[AgencyRequest]:
    """Create the interconnected procedure's steps for a dossier just forwarded (called by the listener)."""
    group = LinkedGroup.objects.filter(procedure_id=dossier.procedure_id).prefetch_related("steps").first()
    if (
        group is None
        or AgencyRequest.objects.filter(dossier=dossier, kind=AgencyRequest.Kind.LINKED_STEP).exists()
    ):
        return []
    departments = {d.code: d for d in Department.objects.filter(unit=dossier.competent_unit)}
    created = []
    for index, step in enumerate(group.steps.all()):
        request = AgencyRequest(
            dossier=dossier,
            kind=AgencyRequest.Kind.LINKED_STEP,
            step=step,
            order=step.order,
            agency=step.agency,
            department=departments.get(step.department_code),
            task=step.task,
            working_days=step.working_days,
            status=AgencyRequest.Status.WAITING,
        )
        if group.mode == LinkedGroup.Mode.PARALLEL or index == 0:
            _send(request, at, None)
        request.save()
        _event(request, "create", at, None, status=request.status, due_at=request.due_at)
        created.append(request)
    return created


def requests_withdraw(dossier: Dossier, *, at: datetime, reason: str) -> int:
    """Withdraw the open requests of a dossier that ended without a result (called by the listener)."""
    open_requests = list(
        AgencyRequest.objects.select_for_update()
        .select_related("dossier__competent_unit")
        .filter(dossier=dossier, status__in=[AgencyRequest.Status.SENT, AgencyRequest.Status.WAITING])
    )
    for request in open_requests:
        request.status = AgencyRequest.Status.WITHDRAWN
        request.version += 1
        request.save(update_fields=["status", "version"])
        _event(request, "withdraw", at, None, reason=reason)
    return len(open_requests)


@transaction.atomic
def linked_groups_load(data: dict[str, Any]) -> list[str]:
    """Create or replace the linked groups of ``data`` (all or nothing); return the procedure codes loaded."""
    groups = data.get("groups")
    if not isinstance(groups, list):
        raise FieldError("groups", type(groups).__name__, "must be a list")
    loaded = []
    for i, item in enumerate(groups):
        code = item.get("procedure")
        procedure = Procedure.objects.filter(code=code).first()
        if procedure is None:
            raise FieldError(f"groups[{i}].procedure", code, "is not in the catalogue")
        mode = item.get("mode", LinkedGroup.Mode.PARALLEL)
        if mode not in LinkedGroup.Mode.values:
            raise FieldError(
                f"groups[{i}].mode", mode, f"must be one of {', '.join(LinkedGroup.Mode.values)}"
            )
        steps = item.get("steps") or []
        if not steps:
            raise FieldError(f"groups[{i}].steps", steps, "must list at least one step")
        group, _ = LinkedGroup.objects.update_or_create(
            procedure=procedure, defaults={"mode": mode, "legal_basis": item.get("legal_basis", "")}
        )
        wanted = [
            (
                order,
                str(step.get("agency", "")).strip(),
                str(step.get("department", "")),
                str(step.get("task", "")).strip(),
                working_days_parse(
                    step.get("working_days"), field=f"groups[{i}].steps[{order - 1}].working_days"
                ),
            )
            for order, step in enumerate(steps, start=1)
        ]
        existing = list(group.steps.values_list("order", "agency", "department_code", "task", "working_days"))
        if existing == wanted:
            loaded.append(code)
            continue  # unchanged: loading the same file twice changes nothing
        if AgencyRequest.objects.filter(step__group=group).exists():
            raise FieldError(
                f"groups[{i}].procedure",
                code,
                "has dossiers with steps already: its steps cannot be replaced",
            )
        group.steps.all().delete()
        for order, step in enumerate(steps, start=1):
            for key in ("agency", "task"):
                if not str(step.get(key, "")).strip():
                    raise FieldError(f"groups[{i}].steps[{order - 1}].{key}", step.get(key), "is required")
            days = working_days_parse(
                step.get("working_days"), field=f"groups[{i}].steps[{order - 1}].working_days"
            )
            LinkedStep.objects.create(
                group=group,
                order=order,
                agency=step["agency"].strip(),
                department_code=str(step.get("department", "")),
                task=step["task"].strip(),
                working_days=days,
            )
        loaded.append(code)
    return loaded
