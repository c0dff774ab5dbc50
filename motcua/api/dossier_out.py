"""What the API shows of a dossier and its events.

Personal data: the applicant's ID and phone numbers are masked (``*********123``) in lists, and in a single
dossier for anyone who does not work on it
(:func:`~motcua.dossiers.selectors.dossier_personal_data_visible`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import Field

from motcua.accounts.models import User
from motcua.api.common import RefOut, local
from motcua.api.errors import mask
from motcua.api.schemas import ChannelLiteral
from motcua.domain.lifecycle import Action, State, portal_status
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.selectors import (
    UserRoles,
    dossier_allowed_actions,
    dossier_personal_data_visible,
    dossier_timeliness,
)

__all__ = ["DossierOut", "DossierSummaryOut", "EventOut", "dossier_data", "event_data"]


class ProcedureRefOut(Schema):
    code: str
    name: str = Field(description="the name in the version the dossier was received under")
    version: int


class UserRefOut(Schema):
    username: str
    full_name: str


class ApplicantOut(Schema):
    name: str
    id_number: str = Field(description="masked to its last 3 digits unless you work on the dossier")
    phone: str = Field(description="masked to its last 3 digits unless you work on the dossier")
    email: str
    address: str


class ComponentOut(Schema):
    code: str
    name: str
    required: bool
    submitted: bool
    digitized: bool
    reused: bool


class ResultOut(Schema):
    result_code: str
    issued_at: datetime
    e_copy: bool
    note: str


class PaymentOut(Schema):
    method: str
    amount: int
    paid_at: datetime
    receipt_number: str
    reference: str


class DossierSummaryOut(Schema):
    id: int
    code: str | None = Field(description="issued on acceptance: <unit>-<YYMMDD>-<NNNN>")
    state: State
    portal_status: int | None = Field(description="national portal status code (1–10), null when cancelled")
    procedure: ProcedureRefOut
    sector: RefOut
    receiving_unit: RefOut
    competent_unit: RefOut
    department: RefOut | None
    assignee: UserRefOut | None
    channel: ChannelLiteral
    applicant: ApplicantOut
    submitted_at: datetime
    received_at: datetime | None
    due_at: datetime | None = Field(description="statutory due, used for timeliness")
    appointment_at: datetime | None = Field(description="the date promised to the applicant (moved by extend)")
    ended_at: datetime | None = Field(description="entered resolved or stopped")
    closed_at: datetime | None
    delivered_at: datetime | None
    delivery_method: str | None
    timeliness: str | None = Field(description="before_due | on_time | overdue once ended; within_due | "
                                               "overdue now while open; null before acceptance")
    stop_reason: str | None
    return_reason: str | None
    extensions: int
    supplement_requests: int
    flags: list[str]
    fees_exempt: bool
    fee_total: int
    calendar_version: str | None
    version: int = Field(description="send it back as expected_version to act safely")
    allowed_actions: list[Action] = Field(description="the actions you may take now")


class DossierOut(DossierSummaryOut):
    components: list[ComponentOut]
    result: ResultOut | None
    payments: list[PaymentOut]


class EventOut(Schema):
    seq: int
    action: Action
    from_state: State | None
    to_state: State
    at: datetime
    actor: str | None = Field(description="username; null for the system (importer, payment gateway)")
    actor_role: str | None
    payload: dict[str, Any]


def _ref(obj: Any) -> dict[str, str] | None:
    return {"code": obj.code, "name": obj.name} if obj is not None else None


def _or_none(value: str) -> str | None:
    return value or None


def dossier_data(dossier: Dossier, user: User, *, detail: bool, roles: UserRoles | None = None,
                 at: datetime | None = None) -> dict[str, Any]:
    """The dossier as ``DossierOut`` (``detail``) or ``DossierSummaryOut``, as ``user`` may see it.

    Lists (``detail=False``) always mask ID and phone numbers; a single dossier shows them to those who
    work on it. ``at`` is "now" for the live timeliness of an open dossier.
    """
    roles = roles or UserRoles(user)
    tz = dossier.receiving_unit.timezone
    full = detail and dossier_personal_data_visible(dossier=dossier, user=user, roles=roles)
    shown = (lambda v: v) if full else mask
    assignee = dossier.assignee
    data: dict[str, Any] = {
        "id": dossier.pk,
        "code": dossier.code,
        "state": dossier.state,
        "portal_status": portal_status(State(dossier.state), dossier.stop_reason or None),
        "procedure": {"code": dossier.procedure.code, "name": dossier.procedure_version.name,
                      "version": dossier.procedure_version.number},
        "sector": _ref(dossier.sector),
        "receiving_unit": _ref(dossier.receiving_unit),
        "competent_unit": _ref(dossier.competent_unit),
        "department": _ref(dossier.department),
        "assignee": ({"username": assignee.username, "full_name": assignee.full_name}
                     if assignee is not None else None),
        "channel": dossier.channel,
        "applicant": {"name": dossier.applicant_name, "id_number": shown(dossier.applicant_id_number),
                      "phone": shown(dossier.applicant_phone), "email": dossier.applicant_email,
                      "address": dossier.applicant_address},
        "submitted_at": local(dossier.submitted_at, tz),
        "received_at": local(dossier.received_at, tz),
        "due_at": local(dossier.due_at, tz),
        "appointment_at": local(dossier.appointment_at, tz),
        "ended_at": local(dossier.ended_at, tz),
        "closed_at": local(dossier.closed_at, tz),
        "delivered_at": local(dossier.delivered_at, tz),
        "delivery_method": _or_none(dossier.delivery_method),
        "timeliness": dossier_timeliness(dossier=dossier, at=at),
        "stop_reason": _or_none(dossier.stop_reason),
        "return_reason": _or_none(dossier.return_reason),
        "extensions": dossier.extensions,
        "supplement_requests": dossier.supplement_requests,
        "flags": list(dossier.flags),
        "fees_exempt": dossier.fees_exempt,
        "fee_total": int(dossier.fee_total),
        "calendar_version": _or_none(dossier.calendar_version),
        "version": dossier.version,
        "allowed_actions": list(dossier_allowed_actions(dossier=dossier, user=user, roles=roles)),
    }
    if detail:
        result = getattr(dossier, "result", None)
        data["components"] = [
            {"code": c.code, "name": c.name, "required": c.required, "submitted": c.submitted,
             "digitized": c.digitized, "reused": c.reused} for c in dossier.components.all()]
        data["result"] = ({"result_code": result.result_code, "issued_at": local(result.issued_at, tz),
                           "e_copy": result.e_copy, "note": result.note} if result is not None else None)
        data["payments"] = [
            {"method": p.method, "amount": int(p.amount), "paid_at": local(p.paid_at, tz),
             "receipt_number": p.receipt_number, "reference": p.reference} for p in dossier.payments.all()]
    return data


def event_data(event: DossierEvent, tz: str) -> dict[str, Any]:
    return {"seq": event.seq, "action": event.action, "from_state": event.from_state or None,
            "to_state": event.to_state, "at": local(event.at, tz),
            "actor": event.actor.username if event.actor is not None else None,
            "actor_role": event.actor_role or None, "payload": event.payload}
