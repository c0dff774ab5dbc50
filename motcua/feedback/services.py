"""Every write of the feedback module: satisfaction ratings and petitions (phản ánh, kiến nghị).

Petitions follow the deadlines of Decision 766/QĐ-TTg indicator 5.2 (domain-research §6, [S], scoring [U]):
handled within **15 working days** of receipt, refused (or sent on to the competent body) within **2 working
days**. Both dues are computed with the unit's working calendar (:func:`~motcua.catalogue.selectors.
unit_calendar`, rules §2) exactly as a dossier's due date is (:func:`~motcua.domain.deadlines.compute_due`).
Whether a petition was closed in time is decided on local dates (rules §2.3) and stored when it is closed.

Each petition action locks the petition row, checks its status and the actor's roles in the petition's unit,
changes the row and appends one immutable :class:`PetitionEvent`, in one transaction. A refused action
raises :class:`~motcua.core.errors.StateError`, ``Forbidden`` or ``FieldError`` and writes nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, Final

from django.db import IntegrityError, transaction
from django.utils import timezone

from motcua.accounts.models import User
from motcua.accounts.selectors import roles_in_unit
from motcua.catalogue.models import Unit
from motcua.catalogue.selectors import unit_calendar
from motcua.core.errors import Conflict, FieldError, Forbidden, NotFound, StateError
from motcua.domain.deadlines import TimeLimit, TimeUnit, compute_due
from motcua.domain.lifecycle import Role
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import SECRET_ALPHABET
from motcua.feedback.models import (
    Petition,
    PetitionEvent,
    PetitionKind,
    PetitionOutcome,
    PetitionStatus,
    RatingLevel,
    SatisfactionRating,
)
from motcua.feedback.questions import QUESTIONS

__all__ = [
    "HANDLER_ROLES",
    "PETITION_HANDLING_LIMIT",
    "PETITION_REFUSAL_LIMIT",
    "petition_answer",
    "petition_deadlines",
    "petition_publish_answer",
    "petition_refuse",
    "petition_start",
    "petition_submit",
    "petition_transfer",
    "rating_submit",
]

PETITION_HANDLING_LIMIT: Final = TimeLimit(value=Decimal(15), unit=TimeUnit.WORKING_DAYS)
"""Decision 766 indicator 5.2: a petition is handled within 15 working days [S]."""
PETITION_REFUSAL_LIMIT: Final = TimeLimit(value=Decimal(2), unit=TimeUnit.WORKING_DAYS)
"""Decision 766 indicator 5.2: a refusal within 2 working days [S]; motcua applies it to transfers [U]."""

HANDLER_ROLES: Final[frozenset[Role]] = frozenset(
    {Role.DESK_OFFICER, Role.SPECIALIST, Role.DEPARTMENT_HEAD, Role.APPROVER, Role.CLERK, Role.ADMIN,
     Role.SYSTEM}
)
"""Who handles a unit's petitions: its staff who work on dossiers, its clerk, leaders and admins (not inspectors)."""

OPEN: Final = (PetitionStatus.RECEIVED, PetitionStatus.IN_PROGRESS)


def _now(at: datetime | None) -> datetime:
    if at is None:
        return timezone.now()
    if at.tzinfo is None or at.utcoffset() is None:
        raise FieldError("at", at.isoformat(), "must include a time zone offset")
    return at


def _text(field: str, value: object, *, max_length: int, required: bool = True) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise FieldError(field, value, "must be text")
    text = value.strip()
    if required and not text:
        raise FieldError(field, value, "is required")
    if len(text) > max_length:
        raise FieldError(field, text[:40] + "…", f"is longer than {max_length} characters")
    return text


def _new_secret() -> str:
    """8 characters of the dossiers' unambiguous alphabet (no 0/O, 1/I), like a dossier's secret."""
    return "".join(secrets.choice(SECRET_ALPHABET) for _ in range(8))


# ------------------------------------------------------------------------------------------------------------
# satisfaction ratings


def rating_submit(
    *,
    dossier: Dossier,
    level: str,
    answers: Mapping[str, str] | None = None,
    comment: str = "",
    at: datetime | None = None,
) -> SatisfactionRating:
    """Record the citizen's rating of ``dossier`` (the caller has checked its code and secret).

    Allowed once the result is delivered (state ``delivered``), once per dossier (a second one is a
    :class:`Conflict`). ``answers`` maps question keys of :data:`~motcua.feedback.questions.QUESTIONS` to one
    of their choices; every question is optional and an empty answer is dropped.
    """
    at = _now(at)
    if dossier.state != "delivered":
        raise StateError(
            f"dossier {dossier.code} can be rated once its result is delivered (it is {dossier.state})",
            state=dossier.state,
            allowed=(),
        )
    if level not in RatingLevel.values:
        raise FieldError("level", level, f"must be one of {', '.join(RatingLevel.values)}")
    clean: dict[str, str] = {}
    known = {q.key: q for q in QUESTIONS}
    for key, value in (answers or {}).items():
        if not value:
            continue
        question = known.get(key)
        if question is None:
            raise FieldError(f"answers.{key}", value, "is not a rating question")
        if question.choice(value) is None:
            raise FieldError(
                f"answers.{key}", value, f"must be one of {', '.join(c.value for c in question.choices)}"
            )
        clean[key] = value
    text = _text("comment", comment, max_length=2000, required=False)
    if SatisfactionRating.objects.filter(dossier=dossier).exists():
        raise Conflict(f"dossier {dossier.code} has already been rated", field="dossier", value=dossier.code)
    try:
        with transaction.atomic():
            return SatisfactionRating.objects.create(
                dossier=dossier, level=level, answers=clean, comment=text, created_at=at
            )
    except IntegrityError as exc:  # two submissions at once: the second loses
        raise Conflict(
            f"dossier {dossier.code} has already been rated", field="dossier", value=dossier.code
        ) from exc


# ------------------------------------------------------------------------------------------------------------
# petitions


def petition_deadlines(unit: Unit, received_at: datetime) -> tuple[datetime, datetime]:
    """``(handling_due, refusal_due)`` of a petition received by ``unit`` at ``received_at``: 15 and 2 working
    days along the unit's calendar, counted like a dossier's due date (rules §2.1)."""
    calendar = unit_calendar(unit)
    handling = compute_due(calendar=calendar, received_at=received_at, limit=PETITION_HANDLING_LIMIT)
    refusal = compute_due(calendar=calendar, received_at=received_at, limit=PETITION_REFUSAL_LIMIT)
    return handling, refusal


def _next_code(unit: Unit, at: datetime) -> str:
    """``PA-YYMMDD-NNNN``: the n-th petition received on that local date (all units)."""
    day = unit_calendar(unit).local_date(at)
    prefix = f"PA-{day:%y%m%d}-"
    last = (
        Petition.objects.filter(code__startswith=prefix)
        .order_by("-code")
        .values_list("code", flat=True)
        .first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:04d}"


def petition_submit(
    *,
    unit_code: str,
    kind: str,
    subject: str,
    content: str,
    sender_name: str,
    contact: str = "",
    dossier_code: str | None = None,
    at: datetime | None = None,
) -> Petition:
    """Receive a petition sent to ``unit_code``: issue its code and secret and its two due dates."""
    at = _now(at)
    unit = Unit.objects.filter(code=unit_code, active=True).first()
    if unit is None:
        raise FieldError("unit", unit_code, "is not a known unit code")
    if kind not in PetitionKind.values:
        raise FieldError("kind", kind, f"must be one of {', '.join(PetitionKind.values)}")
    subject = _text("subject", subject, max_length=300)
    content = _text("content", content, max_length=5000)
    sender_name = _text("sender_name", sender_name, max_length=200)
    contact = _text("contact", contact, max_length=200, required=False)
    dossier = None
    if dossier_code and dossier_code.strip():
        dossier = Dossier.objects.filter(code=dossier_code.strip()).first()
        if dossier is None:
            raise FieldError("dossier", dossier_code, "is not a known dossier code")
    handling_due, refusal_due = petition_deadlines(unit, at)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                petition = Petition.objects.create(
                    code=_next_code(unit, at),
                    secret=_new_secret(),
                    unit=unit,
                    kind=kind,
                    subject=subject,
                    content=content,
                    dossier=dossier,
                    sender_name=sender_name,
                    contact=contact,
                    submitted_at=at,
                    handling_due=handling_due,
                    refusal_due=refusal_due,
                )
                _event(
                    petition,
                    "submit",
                    "",
                    PetitionStatus.RECEIVED,
                    at=at,
                    actor=None,
                    payload={
                        "unit": unit.code,
                        "kind": kind,
                        "dossier": dossier.code if dossier else None,
                        "handling_due": handling_due,
                        "refusal_due": refusal_due,
                    },
                )
                return petition
        except IntegrityError:  # another petition took the same number: take the next one
            continue
    raise Conflict("could not issue a petition code; try again")


def _event(
    petition: Petition,
    action: str,
    from_status: str,
    to_status: str,
    *,
    at: datetime,
    actor: User | None,
    payload: Mapping[str, Any],
) -> PetitionEvent:
    tz = unit_calendar(petition.unit).zone
    data = {k: (v.astimezone(tz).isoformat() if isinstance(v, datetime) else v) for k, v in payload.items()}
    return PetitionEvent.objects.create(
        petition=petition,
        seq=petition.version,
        action=action,
        from_status=from_status,
        to_status=to_status,
        at=at,
        actor=actor,
        payload=data,
    )


def _on_time(petition: Petition, at: datetime, due: datetime) -> bool:
    """Closed on or before the due *date* (local dates, as rules §2.3 judges dossiers)."""
    calendar = unit_calendar(petition.unit)
    return calendar.local_date(at) <= calendar.local_date(due)


def _act(
    *,
    petition_id: int,
    action: str,
    actor: User | None,
    at: datetime | None,
    allowed_from: tuple[str, ...],
    to_status: str,
    change: Callable[[Petition, datetime], dict[str, Any]],
) -> Petition:
    at = _now(at)
    with transaction.atomic():
        petition = (
            Petition.objects.select_for_update(of=("self",))
            .select_related("unit")
            .filter(pk=petition_id)
            .first()
        )
        if petition is None:
            raise NotFound(f"petition {petition_id} does not exist", field="petition", value=petition_id)
        if petition.status not in allowed_from:
            raise StateError(
                f"petition {petition.code} is {petition.status}: '{action}' is allowed only when it is "
                f"{' or '.join(allowed_from)}",
                state=petition.status,
                allowed=_allowed_actions(petition.status),
            )
        if not (roles_in_unit(actor, petition.unit) & HANDLER_ROLES):
            raise Forbidden(f"you hold no role in {petition.unit.name} that handles petitions")
        if at < petition.submitted_at:
            raise FieldError("at", at.isoformat(), "is before the petition was received")
        from_status = petition.status
        payload = change(petition, at)
        petition.status = to_status
        petition.version += 1
        petition.save()
        _event(petition, action, from_status, to_status, at=at, actor=actor, payload=payload)
    return petition


_ACTIONS_FROM: Mapping[str, tuple[str, ...]] = {
    PetitionStatus.RECEIVED: ("start", "answer", "refuse", "transfer"),
    PetitionStatus.IN_PROGRESS: ("answer", "refuse", "transfer"),
    PetitionStatus.ANSWERED: ("publish_answer",),
}


def _allowed_actions(status: str) -> tuple[str, ...]:
    return _ACTIONS_FROM.get(status, ())


def petition_start(
    *, petition_id: int, actor: User | None, note: str = "", at: datetime | None = None
) -> Petition:
    """``received → in_progress``: a handler takes the petition up."""
    note = _text("note", note, max_length=2000, required=False)
    return _act(
        petition_id=petition_id,
        action="start",
        actor=actor,
        at=at,
        allowed_from=(PetitionStatus.RECEIVED,),
        to_status=PetitionStatus.IN_PROGRESS,
        change=lambda p, when: {"note": note} if note else {},
    )


def petition_answer(
    *, petition_id: int, actor: User | None, answer: str, outcome: str, at: datetime | None = None
) -> Petition:
    """``received | in_progress → answered``; stores whether it was answered by the handling due date."""
    answer = _text("answer", answer, max_length=10000)
    if outcome not in PetitionOutcome.values:
        raise FieldError("outcome", outcome, f"must be one of {', '.join(PetitionOutcome.values)}")

    def change(petition: Petition, when: datetime) -> dict[str, Any]:
        petition.answer, petition.outcome, petition.answered_at = answer, outcome, when
        petition.on_time = _on_time(petition, when, petition.handling_due)
        return {"outcome": outcome, "on_time": petition.on_time, "handling_due": petition.handling_due}

    return _act(
        petition_id=petition_id,
        action="answer",
        actor=actor,
        at=at,
        allowed_from=OPEN,
        to_status=PetitionStatus.ANSWERED,
        change=change,
    )


def petition_refuse(
    *, petition_id: int, actor: User | None, reason: str, at: datetime | None = None
) -> Petition:
    """``received | in_progress → refused`` with the reason shown to the sender; on time when refused by the
    refusal due date (2 working days)."""
    reason = _text("reason", reason, max_length=5000)

    def change(petition: Petition, when: datetime) -> dict[str, Any]:
        petition.answer, petition.answered_at = reason, when
        petition.on_time = _on_time(petition, when, petition.refusal_due)
        return {"on_time": petition.on_time, "refusal_due": petition.refusal_due}

    return _act(
        petition_id=petition_id,
        action="refuse",
        actor=actor,
        at=at,
        allowed_from=OPEN,
        to_status=PetitionStatus.REFUSED,
        change=change,
    )


def petition_transfer(
    *, petition_id: int, actor: User | None, to: str, reason: str = "", at: datetime | None = None
) -> Petition:
    """``received | in_progress → transferred`` to the competent body ``to`` (outside motcua); on time when
    transferred by the refusal due date [U: the 2 working days of a refusal]."""
    to = _text("to", to, max_length=300)
    reason = _text("reason", reason, max_length=5000, required=False)

    def change(petition: Petition, when: datetime) -> dict[str, Any]:
        petition.transferred_to, petition.answered_at = to, when
        petition.answer = reason
        petition.on_time = _on_time(petition, when, petition.refusal_due)
        return {"to": to, "on_time": petition.on_time, "refusal_due": petition.refusal_due}

    return _act(
        petition_id=petition_id,
        action="transfer",
        actor=actor,
        at=at,
        allowed_from=OPEN,
        to_status=PetitionStatus.TRANSFERRED,
        change=change,
    )


def petition_publish_answer(*, petition_id: int, actor: User | None, at: datetime | None = None) -> Petition:
    """List an answered petition's subject and answer publicly on /phan-anh/ (never its sender)."""

    def change(petition: Petition, when: datetime) -> dict[str, Any]:
        if petition.answer_published_at is not None:
            raise Conflict(f"the answer to petition {petition.code} is already published")
        petition.answer_published_at = when
        return {}

    return _act(
        petition_id=petition_id,
        action="publish_answer",
        actor=actor,
        at=at,
        allowed_from=(PetitionStatus.ANSWERED,),
        to_status=PetitionStatus.ANSWERED,
        change=change,
    )
