"""Every write to a dossier: one service per action of rules §3.

The REST API, the staff UI, the CLI and the historic importer all call these functions, so a rule exists in
one place. Each service:

1. locks the dossier row (``select_for_update``) inside one transaction;
2. asks the pure core (:func:`motcua.domain.lifecycle.apply`) for a decision, passing the instant, the
   procedure's rules, the unit's calendar and the actor's roles in the unit;
3. copies the decision onto the row, performs the action's own writes (code, payment, result…) and appends
   one immutable :class:`DossierEvent`.

A refused action raises :class:`~motcua.core.errors.StateError`, ``Forbidden`` or ``FieldError`` and writes
nothing. Only this module reads the clock (``timezone.now()`` when no ``at`` is given).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone

from motcua.accounts.models import User
from motcua.accounts.selectors import roles_in_unit
from motcua.catalogue.models import Department, Procedure, ProcedureVersion, Unit
from motcua.catalogue.selectors import procedure_rules, unit_calendar
from motcua.core.errors import Conflict, FieldError, Forbidden, NotFound, StateError
from motcua.core.personal import mask_number
from motcua.domain import lifecycle
from motcua.domain.codes import DEFAULT_PATTERN, format_dossier_code
from motcua.domain.deadlines import classify_ended
from motcua.domain.lifecycle import DESK_ACTIONS, Action, Decision, DossierSnapshot, Role, State
from motcua.dossiers import hooks
from motcua.dossiers.models import (
    RECOMPUTE_DUE,
    Channel,
    DailySequence,
    Dossier,
    DossierComponent,
    DossierEvent,
    DossierResult,
    Payment,
)
from motcua.reports.facts import due_change_record, fact_refresh

__all__ = [
    "Applicant",
    "ComponentIn",
    "dossier_accept",
    "dossier_act",
    "dossier_approve",
    "dossier_assign",
    "dossier_cancel",
    "dossier_confirm_payment",
    "dossier_deliver",
    "dossier_extend",
    "dossier_forward",
    "dossier_mark_synced",
    "dossier_propose",
    "dossier_recompute_due",
    "dossier_refuse",
    "dossier_reject_proposal",
    "dossier_request_intake_supplement",
    "dossier_request_payment",
    "dossier_request_supplement",
    "dossier_resolve",
    "dossier_return_unaccepted",
    "dossier_stop",
    "dossier_submit",
    "dossier_supply_intake_supplement",
    "dossier_supply_supplement",
]

SECRET_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105 - the alphabet, not a secret  # no 0/O, 1/I: read aloud and typed by citizens


@dataclass(frozen=True)
class Applicant:
    name: str
    id_number: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""


@dataclass(frozen=True)
class ComponentIn:
    code: str
    digitized: bool = False
    reused: bool = False
    submitted: bool = True


def _now(at: datetime | None) -> datetime:
    if at is None:
        return timezone.now()
    if at.tzinfo is None or at.utcoffset() is None:
        raise FieldError("at", at.isoformat(), "must include a time zone offset")
    return at


def _new_secret() -> str:
    return "".join(secrets.choice(SECRET_ALPHABET) for _ in range(8))


def _validate_applicant(applicant: Applicant) -> None:
    if not applicant.name or not applicant.name.strip():
        raise FieldError("applicant.name", applicant.name, "is required")
    if len(applicant.name) > 200:
        raise FieldError("applicant.name", applicant.name[:40] + "…", "is longer than 200 characters")
    if applicant.id_number and not (applicant.id_number.isdigit() and len(applicant.id_number) in (9, 12)):
        raise FieldError("applicant.id_number", _mask(applicant.id_number), "must be 9 or 12 digits")
    phone = applicant.phone.replace(" ", "")
    if phone and not (phone.lstrip("+").isdigit() and 9 <= len(phone.lstrip("+")) <= 12):
        raise FieldError("applicant.phone", _mask(phone), "must be a phone number of 9–12 digits")


def _mask(value: str) -> str:
    """Errors name the value, but never print a full ID or phone number (the shared rule)."""
    return mask_number(value)


# ---------------------------------------------------------------------------------------------------------------
# submit


@transaction.atomic
def dossier_submit(
    *,
    procedure_code: str,
    receiving_unit_code: str,
    channel: str,
    applicant: Applicant,
    actor: User | None,
    competent_unit_code: str | None = None,
    components: Sequence[ComponentIn] = (),
    fees_exempt: bool = False,
    fee_total: Decimal | int | None = None,
    at: datetime | None = None,
    external_ref: str | None = None,
) -> Dossier:
    """Lodge a dossier (``∅ → submitted``): online, by post, or started at the desk.

    The dossier snapshots the procedure's current version (rules §1). ``external_ref`` makes the call
    idempotent for the submitting system: a second submit with the same reference is refused as a conflict.
    ``fee_total`` is the amount due for this dossier when the desk computed it (e.g. 3 certified pages);
    by default the sum of the version's fee lines whose amount is set.
    """
    at = _now(at)
    checked = _submission_checked(
        lookups=_DATABASE,
        procedure_code=procedure_code,
        receiving_unit_code=receiving_unit_code,
        competent_unit_code=competent_unit_code,
        channel=channel,
        applicant=applicant,
        components=components,
        fee_total=fee_total,
    )
    if external_ref is not None and Dossier.objects.filter(external_ref=external_ref).exists():
        raise Conflict(
            f"a dossier with external reference {external_ref!r} already exists",
            field="external_ref",
            value=external_ref,
        )
    dossier, rows, decision, roles, extra = _submission_built(
        checked,
        channel=channel,
        applicant=applicant,
        actor=actor,
        components=components,
        fees_exempt=fees_exempt,
        at=at,
        external_ref=external_ref,
    )
    try:
        with transaction.atomic():
            dossier.save()
    except IntegrityError as exc:
        raise Conflict(
            f"a dossier with external reference {external_ref!r} already exists",
            field="external_ref",
            value=external_ref,
        ) from exc
    DossierComponent.objects.bulk_create(rows)
    event = _record_event(dossier, decision, actor=actor, roles=roles, extra=extra)
    fact_refresh(dossier)
    hooks.notify(dossier, [event])
    return dossier


def _province_id(unit: Unit) -> int:
    return unit.parent_id if unit.parent_id else unit.pk


class _Lookups:
    """How a submission finds the catalogue rows it names: in the database (the services), or in a cache
    kept for one import (:class:`motcua.dossiers.replay.ReplayCache`)."""

    def procedure(self, code: str) -> Procedure | None:
        return (
            Procedure.objects.select_related("current_version", "sector")
            .filter(code=code, active=True)
            .first()
        )

    def unit(self, code: str) -> Unit | None:
        return Unit.objects.filter(code=code, active=True).first()


_DATABASE = _Lookups()


@dataclass(frozen=True)
class _Checked:
    procedure: Procedure
    version: ProcedureVersion
    receiving: Unit
    competent: Unit
    known: dict[str, dict[str, Any]]
    due_fees: Decimal


def _submission_checked(
    *,
    lookups: _Lookups,
    procedure_code: str,
    receiving_unit_code: str,
    competent_unit_code: str | None,
    channel: str,
    applicant: Applicant,
    components: Sequence[ComponentIn],
    fee_total: Decimal | int | None,
) -> _Checked:
    """The checks of a submission, in order (procedure, units, channel, applicant, components, fees)."""
    procedure = lookups.procedure(procedure_code)
    if procedure is None or procedure.current_version is None:
        raise FieldError("procedure", procedure_code, "is not a known procedure code")
    version: ProcedureVersion = procedure.current_version
    receiving = lookups.unit(receiving_unit_code)
    if receiving is None:
        raise FieldError("receiving_unit", receiving_unit_code, "is not a known unit code")
    competent: Unit = receiving
    if competent_unit_code and competent_unit_code != receiving_unit_code:
        other = lookups.unit(competent_unit_code)
        if other is None:
            raise FieldError("competent_unit", competent_unit_code, "is not a known unit code")
        competent = other
        if not version.boundary_independent:
            raise FieldError(
                "competent_unit",
                competent_unit_code,
                f"procedure {procedure_code} is not boundary-independent: it must be received by "
                "the competent unit",
            )
        if _province_id(competent) != _province_id(receiving):
            raise FieldError(
                "competent_unit",
                competent_unit_code,
                "a boundary-independent dossier stays within one province",
            )
    if channel not in Channel.values:
        raise FieldError("channel", channel, "must be direct, online or postal")
    _validate_applicant(applicant)
    known = {c["code"]: c for c in version.components}
    seen: set[str] = set()
    for i, comp in enumerate(components):
        if comp.code not in known:
            raise FieldError(
                f"components[{i}].code",
                comp.code,
                f"is not a component of procedure {procedure_code} "
                f"(expected one of {', '.join(known) or 'none'})",
            )
        if comp.code in seen:
            raise FieldError(f"components[{i}].code", comp.code, "is repeated")
        seen.add(comp.code)
    if fee_total is None:
        due_fees = version.fee_total(channel)
    else:
        try:
            due_fees = Decimal(str(fee_total))
        except InvalidOperation as exc:
            raise FieldError("fee_total", fee_total, "must be a number of VND") from exc
        if due_fees < 0 or due_fees != due_fees.to_integral_value():
            raise FieldError("fee_total", fee_total, "must be a whole, non-negative number of VND")
    return _Checked(procedure, version, receiving, competent, known, due_fees)


def _submission_built(
    checked: _Checked,
    *,
    channel: str,
    applicant: Applicant,
    actor: User | None,
    components: Sequence[ComponentIn],
    fees_exempt: bool,
    at: datetime,
    external_ref: str | None,
) -> tuple[Dossier, list[DossierComponent], Decision, frozenset[Role], dict[str, Any]]:
    """The unsaved dossier and component rows of a checked submission, its decision, roles and event extras."""
    procedure, version, receiving, competent = (
        checked.procedure,
        checked.version,
        checked.receiving,
        checked.competent,
    )
    roles = roles_in_unit(actor, receiving)
    snapshot = DossierSnapshot(
        state=None,
        channel=channel,
        received_at=None,
        due_at=None,
        appointment_at=None,
        extensions=0,
        supplement_requests=0,
        awaiting_payment_since=None,
        last_event_at=None,
    )
    decision = _decide(
        snapshot, Action.SUBMIT, at=at, version=version, unit=receiving, roles=roles, payload={}
    )
    dossier = Dossier(
        secret=_new_secret(),
        procedure_version=version,
        procedure=procedure,
        sector=procedure.sector,
        receiving_unit=receiving,
        competent_unit=competent,
        channel=channel,
        state=decision.to_state,
        applicant_name=applicant.name.strip(),
        applicant_id_number=applicant.id_number,
        applicant_phone=applicant.phone.replace(" ", ""),
        applicant_email=applicant.email,
        applicant_address=applicant.address,
        submitted_at=at,
        fees_exempt=fees_exempt,
        fee_total=Decimal(0) if fees_exempt else checked.due_fees,
        external_ref=external_ref,
        last_event_at=at,
        version=1,
    )
    known = checked.known
    rows = [
        DossierComponent(
            dossier=dossier,
            code=comp.code,
            name=known[comp.code].get("name", ""),
            required=bool(known[comp.code].get("required")),
            submitted=comp.submitted,
            digitized=comp.digitized,
            reused=comp.reused,
        )
        for comp in components
    ]
    extra: dict[str, Any] = {
        "components": [
            {"code": c.code, "submitted": c.submitted, "digitized": c.digitized, "reused": c.reused}
            for c in components
        ],
        "fee_total": dossier.fee_total,
        "fees_exempt": fees_exempt,
        "procedure": procedure.code,
        "procedure_version": version.number,
        "channel": channel,
        "receiving_unit": receiving.code,
        "competent_unit": competent.code,
    }
    return dossier, rows, decision, roles, extra


# ---------------------------------------------------------------------------------------------------------------
# the one transition path


def _snapshot(dossier: Dossier) -> DossierSnapshot:
    return DossierSnapshot(
        state=State(dossier.state),
        channel=dossier.channel,
        received_at=dossier.received_at,
        due_at=dossier.due_at,
        appointment_at=dossier.appointment_at,
        extensions=dossier.extensions,
        supplement_requests=dossier.supplement_requests,
        awaiting_payment_since=dossier.awaiting_payment_since,
        last_event_at=dossier.last_event_at,
    )


def _decide(
    snapshot: DossierSnapshot,
    action: Action,
    *,
    at: datetime,
    version: ProcedureVersion,
    unit: Unit,
    roles: frozenset[Role],
    payload: Mapping[str, Any],
) -> Decision:
    try:
        return lifecycle.apply(
            snapshot,
            action,
            at=at,
            rules=procedure_rules(version),
            calendar=unit_calendar(unit),
            payload=payload,
            roles=roles,
        )
    except lifecycle.TransitionError as exc:
        raise StateError(
            str(exc),
            state=snapshot.state.value if snapshot.state else None,
            allowed=[a.value for a in exc.allowed],
        ) from exc
    except lifecycle.PermissionDenied as exc:
        raise Forbidden(str(exc)) from exc
    except lifecycle.PayloadError as exc:
        raise FieldError(exc.field, exc.value, str(exc)) from exc


def _jsonable(value: Any, tz: ZoneInfo) -> Any:
    """Event payloads are JSON; instants are written in the unit's local time, as officers read them."""
    if isinstance(value, datetime):
        return value.astimezone(tz).isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v, tz) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v, tz) for v in value]
    return value


def _record_event(
    dossier: Dossier,
    decision: Decision,
    *,
    actor: User | None,
    roles: frozenset[Role],
    before: DossierSnapshot | None = None,
    extra: Mapping[str, Any] | None = None,
) -> DossierEvent:
    """Append the action's event; its payload says what changed, so history can be rebuilt from events."""
    event = _event(dossier, decision, actor=actor, roles=roles, before=before, extra=extra)
    event.save(force_insert=True)
    return event


def _event(
    dossier: Dossier,
    decision: Decision,
    *,
    actor: User | None,
    roles: frozenset[Role],
    before: DossierSnapshot | None = None,
    extra: Mapping[str, Any] | None = None,
) -> DossierEvent:
    """The action's event row, not saved yet (the replay writes a line's events in one INSERT)."""
    payload: dict[str, Any] = dict(decision.payload)
    if decision.due_at is not None and (before is None or decision.due_at != before.due_at):
        payload["due_at"] = decision.due_at
    if decision.previous_due_at is not None:
        payload["previous_due_at"] = decision.previous_due_at
    if decision.appointment_at is not None and (
        before is None or decision.appointment_at != before.appointment_at
    ):
        payload["appointment_at"] = decision.appointment_at
    if decision.flags:
        payload["flags"] = list(decision.flags)
    if decision.calendar_version:
        payload["calendar_version"] = decision.calendar_version
    if extra:
        payload.update(extra)
    seq = (
        dossier.version
    )  # one event per version: the n-th event is written by the action that made version n
    role = _acting_role(decision.action, roles)
    return DossierEvent(
        dossier=dossier,
        seq=seq,
        action=decision.action.value,
        from_state=decision.from_state.value if decision.from_state else "",
        to_state=decision.to_state.value,
        at=decision.at,
        actor=actor,
        actor_role=role,
        payload=_jsonable(payload, ZoneInfo(dossier.receiving_unit.timezone)),
    )


def _acting_role(action: Action, roles: frozenset[Role]) -> str:
    allowed = lifecycle.TRANSITIONS[action].roles
    for role in Role:  # first in the enum's order among those the actor holds and the action accepts
        if role in roles and role in allowed:
            return role.value
    return Role.ADMIN.value if Role.ADMIN in roles else ""


def _locked(dossier_id: int) -> Dossier:
    """The dossier row, locked for the rest of the transaction, with what the services read of it."""
    found = list(
        Dossier.objects.select_for_update(of=("self",))
        .select_related("procedure_version", "receiving_unit", "competent_unit", "department")
        .filter(pk=dossier_id)
        .order_by()[:1]
    )
    if not found:
        raise NotFound(f"dossier {dossier_id} does not exist", field="dossier", value=dossier_id)
    return found[0]


def dossier_act(
    *,
    dossier_id: int,
    action: Action | str,
    actor: User | None,
    at: datetime | None = None,
    payload: Mapping[str, Any] | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Perform ``action`` on a dossier (rules §3). The named ``dossier_<action>`` services call this.

    ``expected_version`` (the ``version`` the caller last read) protects against two officers acting on
    the same dossier from stale screens: if the dossier changed in between, a Conflict is raised.
    """
    try:
        action = Action(action)
    except ValueError as exc:
        raise FieldError("action", action, f"must be one of {', '.join(a.value for a in Action)}") from exc
    if action is Action.SUBMIT:
        raise FieldError("action", action.value, "use dossier_submit to create a dossier")
    at = _now(at)
    payload = dict(payload or {})
    with transaction.atomic():
        dossier = _locked(dossier_id)
        if expected_version is not None and expected_version != dossier.version:
            raise Conflict(
                f"dossier {dossier.code or dossier.pk} was changed by someone else "
                f"(version {dossier.version}, you had {expected_version}); reload it and try again",
                field="expected_version",
                value=expected_version,
            )
        roles = _acting_roles(actor, dossier, action)
        before = _snapshot(dossier)
        _precheck(before.state, action, roles)
        pre = _prepare(dossier, action, payload, actor)
        decision = _decide(
            before,
            action,
            at=at,
            version=dossier.procedure_version,
            unit=dossier.receiving_unit,
            roles=roles,
            payload=payload,
        )
        extra = _apply(dossier, decision, pre, actor)
        event = _record_event(dossier, decision, actor=actor, roles=roles, before=before, extra=extra)
        if decision.due_at is not None and decision.due_at != before.due_at:
            due_change_record(dossier, at=decision.at, due_at=decision.due_at)
        fact_refresh(dossier)
        hooks.notify(dossier, [event])
    return dossier


def _acting_roles(
    actor: User | None,
    dossier: Dossier,
    action: Action,
    roles_in: Callable[..., frozenset[Role]] = roles_in_unit,
) -> frozenset[Role]:
    """The actor's roles for ``action``: at the desk of the receiving unit, or in the competent unit (and
    the dossier's department); a cancellation may come from either unit."""
    unit = dossier.receiving_unit if action in DESK_ACTIONS else dossier.competent_unit
    roles = roles_in(actor, unit, department=dossier.department)
    if action is Action.CANCEL:
        roles = roles | roles_in(actor, dossier.competent_unit)
    return roles


def _precheck(state: State | None, action: Action, roles: frozenset[Role]) -> None:
    """State, then role, are checked before any payload reference is looked up (the core checks them again)."""
    if action not in lifecycle.allowed_actions(state):
        error = lifecycle.TransitionError(state=state, action=action)
        raise StateError(
            str(error), state=state.value if state else None, allowed=[a.value for a in error.allowed]
        )
    if not (roles & lifecycle.TRANSITIONS[action].roles) and Role.ADMIN not in roles:
        raise Forbidden(str(lifecycle.PermissionDenied(action=action, roles=roles)))


def _forward_department(dossier: Dossier, code: str | None) -> Department | None:
    """The department a forward sends the dossier to: the one named, else the one of its sector (if any)."""
    departments = Department.objects.filter(unit=dossier.competent_unit)
    if code:
        department = departments.filter(code=code).first()
        if department is None:
            raise FieldError("department", code, f"is not a department of {dossier.competent_unit.code}")
        return department
    # route by sector (the department that handles the dossier's sector), if the unit has one
    return departments.filter(sectors=dossier.sector_id).order_by("code").first()


def _code_taken(dossier: Dossier, code: str) -> bool:
    return Dossier.objects.filter(code=code).exclude(pk=dossier.pk).exists()


def _prepare(
    dossier: Dossier,
    action: Action,
    payload: dict[str, Any],
    actor: User | None,
    *,
    department_of: Callable[[Dossier, str | None], Department | None] = _forward_department,
    code_taken: Callable[[Dossier, str], bool] = _code_taken,
) -> dict[str, Any]:
    """Resolve references named in the payload (department, assignee, legacy code) before deciding."""
    pre: dict[str, Any] = {}
    if action is Action.FORWARD:
        department = department_of(dossier, payload.get("department"))
        pre["department"] = department
        if department is not None:
            payload["department"] = department.code
    elif action is Action.ASSIGN:
        username = payload.get("assignee")
        assignee = User.objects.filter(username=username, is_active=True).first() if username else None
        if assignee is None:
            raise FieldError("assignee", username, "is not an active user")
        if Role.SPECIALIST not in roles_in_unit(
            assignee, dossier.competent_unit, department=dossier.department
        ) and Role.DEPARTMENT_HEAD not in roles_in_unit(assignee, dossier.competent_unit):
            raise FieldError("assignee", username, f"is not a specialist of {dossier.competent_unit.code}")
        pre["assignee"] = assignee
    elif action is Action.ACCEPT and payload.get("code"):
        code = str(payload["code"])
        if code_taken(dossier, code):
            raise Conflict(f"dossier code {code!r} is already used", field="code", value=code)
        pre["code"] = code
    elif action is Action.CONFIRM_PAYMENT:
        method = payload.get("method")
        if method not in Payment.Method.values:
            raise FieldError("method", method, f"must be one of {', '.join(Payment.Method.values)}")
        amount = payload.get("amount", dossier.fee_total)
        try:
            pre["amount"] = Decimal(str(amount))
        except InvalidOperation as exc:
            raise FieldError("amount", amount, "must be a number of VND") from exc
        if pre["amount"] < 0:
            raise FieldError("amount", amount, "must not be negative")
    return pre


def _apply(
    dossier: Dossier, decision: Decision, pre: Mapping[str, Any], actor: User | None
) -> dict[str, Any]:
    """Copy the core's decision onto the row and perform the action's own writes. Decides nothing."""
    extra: dict[str, Any] = {}
    action = decision.action
    _copy_decision(dossier, decision, pre)
    if action is Action.ACCEPT:
        dossier.code = pre.get("code") or _next_code(dossier.receiving_unit, decision.at)
        extra["code"] = dossier.code
    elif action is Action.CONFIRM_PAYMENT:
        payment = _payment(dossier, decision, pre, receipt_number=_receipt_number(dossier))
        payment.save(force_insert=True)
        extra["receipt_number"] = payment.receipt_number
        extra["amount"] = pre["amount"]
    elif action is Action.RESOLVE:
        DossierResult.objects.update_or_create(dossier=dossier, defaults=_result_fields(decision))
    extra.update(_copy_end(dossier, decision))
    dossier.save(update_fields=_ACTION_FIELDS)
    return extra


def _copy_decision(dossier: Dossier, decision: Decision, pre: Mapping[str, Any]) -> None:
    """Copy the core's decision and the action's own columns onto the row, in memory."""
    action = decision.action
    dossier.state = decision.to_state.value
    dossier.received_at = decision.received_at
    dossier.due_at = decision.due_at
    dossier.appointment_at = decision.appointment_at
    dossier.extensions = decision.extensions
    dossier.supplement_requests = decision.supplement_requests
    dossier.awaiting_payment_since = decision.awaiting_payment_since
    if decision.calendar_version:
        dossier.calendar_version = decision.calendar_version
    if decision.flags:
        dossier.flags = sorted(set(dossier.flags) | set(decision.flags))
    dossier.last_event_at = decision.at
    dossier.version += 1  # the row is locked: no one else can have moved it
    payload = decision.payload
    if action is Action.FORWARD:
        dossier.department = pre.get("department")
    elif action is Action.ASSIGN:
        dossier.assignee = pre["assignee"]
    elif action is Action.DELIVER:
        dossier.delivered_at = decision.at
        dossier.delivery_method = str(payload["method"])
    elif action is Action.STOP:
        dossier.stop_reason = str(payload["reason_code"])
    elif action is Action.RETURN_UNACCEPTED:
        dossier.return_reason = str(payload["reason_code"])


def _copy_end(dossier: Dossier, decision: Decision) -> dict[str, Any]:
    """The end of a dossier (resolved or stopped: its timeliness) and its closing; the event's extras."""
    extra: dict[str, Any] = {}
    if decision.ends:
        dossier.ended_at = decision.at
        tz = dossier.receiving_unit.timezone
        assert dossier.due_at is not None
        dossier.timeliness = classify_ended(ended_at=decision.at, due_at=dossier.due_at, tz=tz).value
        extra["timeliness"] = dossier.timeliness
    if decision.to_state in lifecycle.TERMINAL:
        dossier.closed_at = decision.at
    return extra


def _payment(dossier: Dossier, decision: Decision, pre: Mapping[str, Any], *, receipt_number: str) -> Payment:
    """The payment row of a ``confirm_payment``, not saved yet."""
    payload = decision.payload
    return Payment(
        dossier=dossier,
        method=str(payload.get("method", "cash")),
        amount=pre["amount"],
        paid_at=decision.at,
        receipt_number=receipt_number,
        reference=str(payload.get("reference", "")),
    )


def _result_fields(decision: Decision) -> dict[str, Any]:
    """The result row of a ``resolve`` (without its dossier)."""
    payload = decision.payload
    return {
        "result_code": str(payload["result_code"]),
        "issued_at": decision.at,
        "e_copy": bool(payload.get("e_copy", False)),
        "note": str(payload.get("note", "")),
    }


# The columns an action may change (the applicant's data and the dossier's identity never change here).
_ACTION_FIELDS = [
    "state",
    "received_at",
    "due_at",
    "appointment_at",
    "extensions",
    "supplement_requests",
    "awaiting_payment_since",
    "calendar_version",
    "flags",
    "last_event_at",
    "version",
    "code",
    "department",
    "assignee",
    "delivered_at",
    "delivery_method",
    "stop_reason",
    "return_reason",
    "ended_at",
    "timeliness",
    "closed_at",
    "updated_at",
]


def _next_code(unit: Unit, at: datetime) -> str:
    """The next dossier code of ``unit`` for the local date of ``at`` (rules §3.1).

    The counter row is locked for the rest of the transaction, so concurrent acceptances in one unit and day
    queue on it and get consecutive numbers; a rolled-back acceptance rolls its number back too (no gaps).
    """
    local_date = at.astimezone(ZoneInfo(unit.timezone)).date()
    DailySequence.objects.bulk_create(
        [DailySequence(unit=unit, date=local_date, last=0)], ignore_conflicts=True
    )
    counter = DailySequence.objects.select_for_update().get(unit=unit, date=local_date)
    counter.last += 1
    counter.save(update_fields=["last"])
    return format_dossier_code(
        unit_code=unit.code,
        local_date=local_date,
        seq=counter.last,
        pattern=unit.dossier_code_pattern or DEFAULT_PATTERN,
    )


def _receipt_number(dossier: Dossier) -> str:
    return _receipt(dossier, Payment.objects.filter(dossier=dossier).count() + 1)


def _receipt(dossier: Dossier, n: int) -> str:
    """The receipt number of the dossier's ``n``-th payment."""
    return f"{dossier.code or dossier.pk}-BL{n:02d}"


# ---------------------------------------------------------------------------------------------------------------
# one named service per action (rules §3)


def dossier_request_intake_supplement(
    *,
    dossier_id: int,
    actor: User | None,
    reason: str,
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Form 02 at intake: the dossier is incomplete; no clock runs."""
    return dossier_act(
        dossier_id=dossier_id,
        action=Action.REQUEST_INTAKE_SUPPLEMENT,
        actor=actor,
        at=at,
        payload={"reason": reason},
        expected_version=expected_version,
    )


def dossier_supply_intake_supplement(
    *, dossier_id: int, actor: User | None, at: datetime | None = None, expected_version: int | None = None
) -> Dossier:
    return dossier_act(
        dossier_id=dossier_id,
        action=Action.SUPPLY_INTAKE_SUPPLEMENT,
        actor=actor,
        at=at,
        expected_version=expected_version,
    )


def dossier_accept(
    *,
    dossier_id: int,
    actor: User | None,
    at: datetime | None = None,
    code: str | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Accept a complete dossier: issue its code, its due date and the receipt (Form 01). Starts the clock."""
    payload = {"code": code} if code else {}
    return dossier_act(
        dossier_id=dossier_id,
        action=Action.ACCEPT,
        actor=actor,
        at=at,
        payload=payload,
        expected_version=expected_version,
    )


def dossier_refuse(
    *,
    dossier_id: int,
    actor: User | None,
    reason: str,
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Refuse at intake (Form 03)."""
    return dossier_act(
        dossier_id=dossier_id,
        action=Action.REFUSE,
        actor=actor,
        at=at,
        payload={"reason": reason},
        expected_version=expected_version,
    )


def dossier_return_unaccepted(
    *,
    dossier_id: int,
    actor: User | None,
    reason_code: str,
    reason: str = "",
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    return dossier_act(
        dossier_id=dossier_id,
        action=Action.RETURN_UNACCEPTED,
        actor=actor,
        at=at,
        payload={"reason_code": reason_code, "reason": reason},
        expected_version=expected_version,
    )


def dossier_forward(
    *,
    dossier_id: int,
    actor: User | None,
    department: str | None = None,
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Forward to the competent department (by sector when ``department`` is not given)."""
    payload = {"department": department} if department else {}
    return dossier_act(
        dossier_id=dossier_id,
        action=Action.FORWARD,
        actor=actor,
        at=at,
        payload=payload,
        expected_version=expected_version,
    )


def dossier_assign(
    *,
    dossier_id: int,
    actor: User | None,
    assignee: str,
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    return dossier_act(
        dossier_id=dossier_id,
        action=Action.ASSIGN,
        actor=actor,
        at=at,
        payload={"assignee": assignee},
        expected_version=expected_version,
    )


def dossier_request_supplement(
    *,
    dossier_id: int,
    actor: User | None,
    reason: str,
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Form 02 during processing; when supplied, the clock restarts (rules §2.2)."""
    return dossier_act(
        dossier_id=dossier_id,
        action=Action.REQUEST_SUPPLEMENT,
        actor=actor,
        at=at,
        payload={"reason": reason},
        expected_version=expected_version,
    )


def dossier_supply_supplement(
    *, dossier_id: int, actor: User | None, at: datetime | None = None, expected_version: int | None = None
) -> Dossier:
    return dossier_act(
        dossier_id=dossier_id,
        action=Action.SUPPLY_SUPPLEMENT,
        actor=actor,
        at=at,
        expected_version=expected_version,
    )


def dossier_request_payment(
    *,
    dossier_id: int,
    actor: User | None,
    amount: int | Decimal,
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    return dossier_act(
        dossier_id=dossier_id,
        action=Action.REQUEST_PAYMENT,
        actor=actor,
        at=at,
        payload={"amount": amount},
        expected_version=expected_version,
    )


def dossier_confirm_payment(
    *,
    dossier_id: int,
    actor: User | None,
    method: str,
    amount: int | Decimal,
    reference: str = "",
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Record a payment; from ``awaiting_payment`` it resumes processing, elsewhere it changes no state."""
    return dossier_act(
        dossier_id=dossier_id,
        action=Action.CONFIRM_PAYMENT,
        actor=actor,
        at=at,
        payload={"method": method, "amount": amount, "reference": reference},
        expected_version=expected_version,
    )


def dossier_extend(
    *,
    dossier_id: int,
    actor: User | None,
    new_appointment: datetime,
    reason: str = "",
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Apology and new appointment (Form 04): the statutory due is unchanged (rules §2.2)."""
    return dossier_act(
        dossier_id=dossier_id,
        action=Action.EXTEND,
        actor=actor,
        at=at,
        payload={"new_appointment": new_appointment, "reason": reason},
        expected_version=expected_version,
    )


def dossier_propose(
    *,
    dossier_id: int,
    actor: User | None,
    note: str = "",
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    return dossier_act(
        dossier_id=dossier_id,
        action=Action.PROPOSE,
        actor=actor,
        at=at,
        payload={"note": note},
        expected_version=expected_version,
    )


def dossier_approve(
    *,
    dossier_id: int,
    actor: User | None,
    note: str = "",
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    return dossier_act(
        dossier_id=dossier_id,
        action=Action.APPROVE,
        actor=actor,
        at=at,
        payload={"note": note},
        expected_version=expected_version,
    )


def dossier_reject_proposal(
    *,
    dossier_id: int,
    actor: User | None,
    note: str = "",
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    return dossier_act(
        dossier_id=dossier_id,
        action=Action.REJECT_PROPOSAL,
        actor=actor,
        at=at,
        payload={"note": note},
        expected_version=expected_version,
    )


def dossier_resolve(
    *,
    dossier_id: int,
    actor: User | None,
    result_code: str,
    e_copy: bool = False,
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Issue the result: the dossier ends (rules §3) and its timeliness is stored (§2.3)."""
    return dossier_act(
        dossier_id=dossier_id,
        action=Action.RESOLVE,
        actor=actor,
        at=at,
        payload={"result_code": result_code, "e_copy": e_copy},
        expected_version=expected_version,
    )


def dossier_deliver(
    *,
    dossier_id: int,
    actor: User | None,
    method: str,
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    return dossier_act(
        dossier_id=dossier_id,
        action=Action.DELIVER,
        actor=actor,
        at=at,
        payload={"method": method},
        expected_version=expected_version,
    )


def dossier_stop(
    *,
    dossier_id: int,
    actor: User | None,
    reason_code: str,
    reason: str = "",
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    return dossier_act(
        dossier_id=dossier_id,
        action=Action.STOP,
        actor=actor,
        at=at,
        payload={"reason_code": reason_code, "reason": reason},
        expected_version=expected_version,
    )


def dossier_cancel(
    *,
    dossier_id: int,
    actor: User | None,
    reason: str,
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Void a record (duplicate, error, abandoned draft); admin only. It then counts in no figure."""
    return dossier_act(
        dossier_id=dossier_id,
        action=Action.CANCEL,
        actor=actor,
        at=at,
        payload={"reason": reason},
        expected_version=expected_version,
    )


@transaction.atomic
def dossier_recompute_due(
    *, dossier_id: int, actor: User, reason: str, at: datetime | None = None
) -> Dossier:
    """Recompute an open dossier's statutory due on today's calendar: an audited admin action (rules §2).

    Due dates keep the calendar version they were computed with, so a later calendar change never moves them
    silently. When a notice changes the calendar after acceptance, an admin may recompute: the clock events
    (acceptance, supplement restarts, payment pauses) are replayed on the unit's current calendar, and an event
    records the reason, the previous due, the new due and the calendar version.
    """
    at = _now(at)
    if not reason or not reason.strip():
        raise FieldError("reason", reason, "is required")
    dossier = _locked(dossier_id)
    roles = roles_in_unit(actor, dossier.receiving_unit)
    if Role.ADMIN not in roles:
        raise Forbidden("recomputing a due date is an admin action")
    state = State(dossier.state)
    if state not in lifecycle.ACCEPTED_OPEN:
        raise StateError(
            f"a due date can be recomputed only for an open accepted dossier, not in state '{state}'",
            state=state.value,
            allowed=[],
        )
    calendar = unit_calendar(dossier.receiving_unit)
    events = [
        (Action(a), when)
        for a, when in dossier.events.exclude(action=RECOMPUTE_DUE)
        .order_by("seq")
        .values_list("action", "at")
    ]
    new_due = lifecycle.replay_due(
        events=events,
        channel=dossier.channel,
        rules=procedure_rules(dossier.procedure_version),
        calendar=calendar,
    )
    assert new_due is not None
    previous = dossier.due_at
    if dossier.extensions == 0:
        dossier.appointment_at = new_due
    dossier.due_at = new_due
    dossier.calendar_version = calendar.version
    dossier.last_event_at = max(at, dossier.last_event_at or at)
    dossier.version += 1
    dossier.save()
    seq = dossier.version
    event = DossierEvent.objects.create(
        dossier=dossier,
        seq=seq,
        action=RECOMPUTE_DUE,
        from_state=state.value,
        to_state=state.value,
        at=at,
        actor=actor,
        actor_role=Role.ADMIN.value,
        payload=_jsonable(
            {
                "reason": reason,
                "previous_due_at": previous,
                "due_at": new_due,
                "calendar_version": calendar.version,
            },
            ZoneInfo(dossier.receiving_unit.timezone),
        ),
    )
    if new_due != previous:
        due_change_record(dossier, at=at, due_at=new_due)
    fact_refresh(dossier)
    hooks.notify(dossier, [event])
    return dossier


@transaction.atomic
def dossier_mark_synced(*, dossier_id: int, at: datetime) -> Dossier:
    """Record that the dossier reached the National Public Service Portal at ``at`` (feeds ``portal_sync``)."""
    at = _now(at)
    dossier = _locked(dossier_id)
    if dossier.synced_to_portal_at is None or at < dossier.synced_to_portal_at:
        dossier.synced_to_portal_at = at
        dossier.save(update_fields=["synced_to_portal_at", "updated_at"])
        fact_refresh(dossier)
    return dossier
