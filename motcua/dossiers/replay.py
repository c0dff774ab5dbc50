"""Replaying a whole dossier history in one go: the historic importer's write path.

:func:`dossier_replay` takes what :func:`~motcua.dossiers.services.dossier_submit` takes, plus the list of
events that followed (action, instant, payload), and produces exactly the rows that submitting and then
calling :func:`~motcua.dossiers.services.dossier_act` once per event would: the same dossier row, components,
events (action, states, instant, payload, ``seq``, actor role), dossier code, payments, result, due changes
and report facts. It decides every event in memory, with the services' own steps (roles, the state and role
pre-check, the payload references, :func:`motcua.domain.lifecycle.apply` through the same ``_decide``, the
same copying of the decision onto the row and the same event payloads), then writes each table once:

========================================  ===================================================
statement                                  when
========================================  ===================================================
the daily counter (one upsert)             each ``accept`` without a code of its own
``INSERT`` the dossier (its final row)     always
``INSERT`` the components                  when there are components
``INSERT`` the events                      always (submit and every event, one statement)
``INSERT`` the due changes                 when an event set a due (accept, supplement supplied…)
``INSERT`` the payments                    when there are payments
``INSERT`` the result                      when it was resolved
``INSERT`` the report facts                always
========================================  ===================================================

then calls :func:`motcua.dossiers.hooks.notify` once with all the events. Everything is one transaction: a
refused event raises :class:`EventRefused` (naming the event) and nothing is left behind, not even the
dossier number its acceptance drew.

Several lines may share one transaction (:func:`replay_batch`, what the importer does): each line is then a
savepoint inside it, so a refused line still leaves nothing behind and the others stay; the listeners are not
called per line but once for all the lines that succeeded (:func:`motcua.dossiers.hooks.notify_many`), before
the transaction commits. The daily counter stays gapless: a refused line's savepoint gives its number back,
and the counter row stays locked until the batch commits, so concurrent acceptances of the same unit and day
(the desk, another import) wait for the batch and continue the same sequence.

The catalogue rows a line names (procedure, units, routing departments) and the dossier codes already used
are looked up through a :class:`ReplayCache`, which an import keeps for all its lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import DatabaseError, IntegrityError, connection, transaction

from motcua.accounts.models import User
from motcua.accounts.selectors import roles_in_unit
from motcua.catalogue.models import Department, Procedure, Unit
from motcua.core.errors import ApplicationError, Conflict, FieldError
from motcua.domain.calendar import CalendarError
from motcua.domain.codes import DEFAULT_PATTERN, format_dossier_code
from motcua.domain.deadlines import DeadlineError
from motcua.domain.lifecycle import Action, Role
from motcua.dossiers import hooks
from motcua.dossiers.models import (
    DailySequence,
    Dossier,
    DossierComponent,
    DossierEvent,
    DossierResult,
    Payment,
)
from motcua.dossiers.services import (
    _DATABASE,
    Applicant,
    ComponentIn,
    _acting_roles,
    _copy_decision,
    _copy_end,
    _decide,
    _event,
    _forward_department,
    _Lookups,
    _now,
    _payment,
    _precheck,
    _prepare,
    _receipt,
    _result_fields,
    _snapshot,
    _submission_built,
    _submission_checked,
)
from motcua.reports.facts import due_changes_record, fact_create, fact_from_rows

__all__ = [
    "EventRefused",
    "ReplayBatch",
    "ReplayCache",
    "ReplayEvent",
    "dossier_replay",
    "refusal_text",
    "replay_batch",
]

_REFUSALS = (ApplicationError, DeadlineError, CalendarError, DatabaseError)
"""What an event may be refused with: a rule (the services' errors), the core's calendar and deadline errors
that reach us unmapped, and the database (a constraint)."""


@dataclass(frozen=True)
class ReplayEvent:
    """One event of a history: the action, its instant and its payload (as ``dossier_act`` takes them)."""

    action: Action
    at: datetime
    payload: Mapping[str, Any] = field(default_factory=dict)


class EventRefused(ApplicationError):
    """Event ``index`` of the history was refused; ``error`` is the refusal and ``where`` names the event
    (``events[3] (resolve)``, or ``events[0].code`` for an accept whose code differs from the dossier's)."""

    def __init__(self, *, index: int, action: Action, error: Exception, where: str | None = None) -> None:
        self.index = index
        self.action = action
        self.error = error
        self.where = where or f"events[{index}] ({action.value})"
        super().__init__(
            f"{self.where}: {refusal_text(error)}",
            field=getattr(error, "field", None),
            value=getattr(error, "value", None),
        )
        self.status = getattr(error, "status", self.status)
        self.code = getattr(error, "code", self.code)


def refusal_text(exc: Exception) -> str:
    """Why a rule or the database refused: the services' message, or the core's or the driver's, on one line."""
    if isinstance(exc, ApplicationError):
        return exc.message
    if isinstance(exc, DeadlineError | CalendarError):  # a core refusal that reached us unmapped
        return f"{exc.field}: {exc}" if exc.field else str(exc)
    return f"database refused the line ({type(exc).__name__}): {str(exc).strip().splitlines()[0]}"


class ReplayCache(_Lookups):
    """The catalogue rows and used dossier codes an import looks up, kept for all its lines.

    Procedures (with their current version and sector), units and forward routing are read once per import
    instead of once per line; a catalogue edited during an import is seen by the next import. Dossier codes
    are known to be used or free from one query per batch of lines (:meth:`codes_known`); a code no batch
    asked about is checked in the database, and a code taken meanwhile by someone else is caught by the
    unique constraint (the line then fails as it would through the services).
    """

    def __init__(self) -> None:
        self._procedures: dict[str, Procedure | None] = {}
        self._units: dict[str, Unit | None] = {}
        self._departments: dict[tuple[int, int, str], Department | FieldError | None] = {}
        self._used: set[str] = set()
        self._free: set[str] = set()

    def procedure(self, code: str) -> Procedure | None:
        if code not in self._procedures:
            self._procedures[code] = _DATABASE.procedure(code)
        return self._procedures[code]

    def unit(self, code: str) -> Unit | None:
        if code not in self._units:
            self._units[code] = _DATABASE.unit(code)
        return self._units[code]

    def forward_department(self, dossier: Dossier, code: str | None) -> Department | None:
        key = (dossier.competent_unit_id, dossier.sector_id, code or "")
        if key not in self._departments:
            try:
                self._departments[key] = _forward_department(dossier, code)
            except FieldError as exc:  # an unknown department is refused again, the same way, for free
                self._departments[key] = exc
        found = self._departments[key]
        if isinstance(found, FieldError):
            raise found.with_traceback(None)
        return found

    def codes_known(self, codes: Iterable[str]) -> None:
        """Look the given dossier codes up in one query: later :meth:`code_taken` calls need none."""
        asked = {c for c in codes if c and c not in self._used and c not in self._free}
        if not asked:
            return
        used = set(Dossier.objects.filter(code__in=asked).values_list("code", flat=True))
        self._used |= used
        self._free |= asked - used

    def code_taken(self, dossier: Dossier, code: str) -> bool:
        if code in self._used:
            return True
        if code in self._free:
            return False
        return Dossier.objects.filter(code=code).exclude(pk=dossier.pk).exists()

    def code_issued(self, code: str | None) -> None:
        """``code`` now belongs to a dossier (committed, or in the open batch)."""
        if code:
            self._used.add(code)
            self._free.discard(code)

    def codes_forget(self, codes: Iterable[str | None]) -> None:
        """What is known of ``codes`` is no longer sure (the batch that issued them rolled back)."""
        for code in codes:
            if code:
                self._used.discard(code)
                self._free.discard(code)


class ReplayBatch:
    """Lines replayed in one transaction (:func:`replay_batch`): what succeeded, for the listeners."""

    def __init__(self, cache: ReplayCache) -> None:
        self.cache = cache
        self.items: list[tuple[Dossier, Sequence[DossierEvent]]] = []
        self.open = True

    def _add(self, dossier: Dossier, events: Sequence[DossierEvent]) -> None:
        if not self.open:
            raise RuntimeError("the replay batch is closed: replay inside its with block")
        self.items.append((dossier, events))
        self.cache.code_issued(dossier.code)


@contextmanager
def replay_batch(cache: ReplayCache | None = None) -> Iterator[ReplayBatch]:
    """One transaction for the lines replayed in the block with ``dossier_replay(..., batch=batch)``.

    Each line is a savepoint: a refused line is rolled back alone (its dossier number too) and raises as usual.
    At the end of the block the listeners are called once for every line that succeeded
    (:func:`motcua.dossiers.hooks.notify_many`), then the transaction commits. If the block or a listener
    raises, everything in it is rolled back (and the cache forgets the codes the batch issued).
    """
    batch = ReplayBatch(cache or ReplayCache())
    try:
        with transaction.atomic():
            yield batch
            batch.open = False
            hooks.notify_many(batch.items)
    except BaseException:
        batch.cache.codes_forget(dossier.code for dossier, _ in batch.items)
        raise
    finally:
        batch.open = False


def dossier_replay(
    *,
    procedure_code: str,
    receiving_unit_code: str,
    channel: str,
    applicant: Applicant,
    at: datetime,
    events: Sequence[ReplayEvent],
    actor: User | None = None,
    competent_unit_code: str | None = None,
    components: Sequence[ComponentIn] = (),
    fees_exempt: bool = False,
    fee_total: Decimal | int | None = None,
    external_ref: str | None = None,
    code: str | None = None,
    synced_to_portal_at: datetime | None = None,
    cache: ReplayCache | None = None,
    batch: ReplayBatch | None = None,
) -> Dossier:
    """Create a dossier submitted at ``at`` and perform ``events`` on it, in one transaction.

    The result is the one of ``dossier_submit(...)`` followed by ``dossier_act(...)`` for each event, with
    ``actor`` acting throughout (``None``: the system, as in an import). ``code`` is the dossier's code in an
    older system: every ``accept`` takes it (an accept naming another code is refused). ``synced_to_portal_at``
    records when the dossier reached the national portal (a plain field, not an action).

    Raises what ``dossier_submit`` raises for the submission (a ``Conflict`` on ``external_ref`` when the
    dossier already exists), and :class:`EventRefused` for the first event the services would refuse.

    With ``batch`` (from :func:`replay_batch`) the line is a savepoint of the batch's transaction and its
    listeners are called with the batch's other lines when the batch ends, not now.
    """
    if batch is not None:
        if cache is not None and cache is not batch.cache:
            raise ValueError("a batched replay uses its batch's cache")
        if not batch.open:
            raise RuntimeError("the replay batch is closed: replay inside its with block")
        cache = batch.cache
    cache = cache or ReplayCache()
    at = _now(at)
    try:
        with transaction.atomic():
            dossier, written = _replay(
                cache,
                procedure_code=procedure_code,
                receiving_unit_code=receiving_unit_code,
                competent_unit_code=competent_unit_code,
                channel=channel,
                applicant=applicant,
                at=at,
                events=events,
                actor=actor,
                components=components,
                fees_exempt=fees_exempt,
                fee_total=fee_total,
                external_ref=external_ref,
                code=code,
                synced_to_portal_at=synced_to_portal_at,
            )
            if batch is None:
                hooks.notify(dossier, written)
    except IntegrityError as exc:
        raise _integrity_refusal(exc, external_ref=external_ref, events=events, code=code) from exc
    if batch is not None:
        batch._add(dossier, written)
    else:
        cache.code_issued(dossier.code)
    return dossier


def _replay(
    cache: ReplayCache,
    *,
    procedure_code: str,
    receiving_unit_code: str,
    competent_unit_code: str | None,
    channel: str,
    applicant: Applicant,
    at: datetime,
    events: Sequence[ReplayEvent],
    actor: User | None,
    components: Sequence[ComponentIn],
    fees_exempt: bool,
    fee_total: Decimal | int | None,
    external_ref: str | None,
    code: str | None,
    synced_to_portal_at: datetime | None,
) -> tuple[Dossier, list[DossierEvent]]:
    # the submission: dossier_submit's checks and rows, without its external_ref query (the unique constraint
    # refuses a duplicate at the INSERT, and the caller says which)
    checked = _submission_checked(
        lookups=cache,
        procedure_code=procedure_code,
        receiving_unit_code=receiving_unit_code,
        competent_unit_code=competent_unit_code,
        channel=channel,
        applicant=applicant,
        components=components,
        fee_total=fee_total,
    )
    dossier, component_rows, decision, roles, extra = _submission_built(
        checked,
        channel=channel,
        applicant=applicant,
        actor=actor,
        components=components,
        fees_exempt=fees_exempt,
        at=at,
        external_ref=external_ref,
    )
    event_rows = [_event(dossier, decision, actor=actor, roles=roles, extra=extra)]
    payments: list[Payment] = []
    result: DossierResult | None = None
    due_changes: list[tuple[datetime, datetime]] = []
    forwarded = False
    roles_cache: dict[tuple[Any, ...], frozenset[Role]] = {}

    def roles_in(user: User | None, unit: Unit, *, department: Department | None = None) -> frozenset[Role]:
        key = (unit.pk, department.pk if department is not None else None)
        if key not in roles_cache:
            roles_cache[key] = roles_in_unit(user, unit, department=department)
        return roles_cache[key]

    # every event, decided in memory as dossier_act decides it
    for k, event in enumerate(events):
        action = Action(event.action)
        payload = dict(event.payload)
        if action is Action.ACCEPT and code:
            if payload.get("code", code) != code:
                raise EventRefused(
                    index=k,
                    action=action,
                    where=f"events[{k}].code",
                    error=ApplicationError(
                        f"differs from the dossier's code {code!r} (got {payload['code']!r})",
                        field="code",
                        value=payload["code"],
                    ),
                )
            payload["code"] = code
        try:
            if action is Action.SUBMIT:
                raise FieldError(
                    "action", action.value, "the submission is implied; list the actions after it"
                )
            when = _now(event.at)
            roles = _acting_roles(actor, dossier, action, roles_in)
            before = _snapshot(dossier)
            _precheck(before.state, action, roles)
            pre = _prepare(
                dossier,
                action,
                payload,
                actor,
                department_of=cache.forward_department,
                code_taken=cache.code_taken,
            )
            decision = _decide(
                before,
                action,
                at=when,
                version=dossier.procedure_version,
                unit=dossier.receiving_unit,
                roles=roles,
                payload=payload,
            )
            _copy_decision(dossier, decision, pre)
            extra = {}
            if action is Action.ACCEPT:
                dossier.code = pre.get("code") or _next_code(dossier.receiving_unit, decision.at)
                extra["code"] = dossier.code
            elif action is Action.CONFIRM_PAYMENT:
                payment = _payment(
                    dossier, decision, pre, receipt_number=_receipt(dossier, len(payments) + 1)
                )
                payments.append(payment)
                extra["receipt_number"] = payment.receipt_number
                extra["amount"] = pre["amount"]
            elif action is Action.RESOLVE:
                result = DossierResult(dossier=dossier, **_result_fields(decision))
            elif action is Action.FORWARD:
                forwarded = True
            extra.update(_copy_end(dossier, decision))
        except EventRefused:
            raise
        except _REFUSALS as exc:
            raise EventRefused(index=k, action=action, error=exc) from exc
        event_rows.append(_event(dossier, decision, actor=actor, roles=roles, before=before, extra=extra))
        if decision.due_at is not None and decision.due_at != before.due_at:
            due_changes.append((decision.at, decision.due_at))
    dossier.synced_to_portal_at = synced_to_portal_at

    # the writes: each table once
    dossier.save(force_insert=True)
    if component_rows:
        DossierComponent.objects.bulk_create(component_rows)
    written = DossierEvent.objects.bulk_create(event_rows)
    due_changes_record(dossier, due_changes)
    if payments:
        Payment.objects.bulk_create(payments)
    if result is not None:
        result.save(force_insert=True)
    fact_create(
        dossier,
        fact_from_rows(
            dossier, components=component_rows, payments=payments, result=result, forwarded=forwarded
        ),
    )
    return dossier, written


def _next_code(unit: Unit, at: datetime) -> str:
    """The next dossier code of ``unit`` for the local date of ``at`` (rules §3.1), in one statement.

    The same counter row as the services' (:class:`DailySequence`), incremented by an upsert that locks it
    for the rest of the transaction: concurrent acceptances queue on it and get consecutive numbers, and a
    rolled-back line gives its number back (no gaps).
    """
    local_date = at.astimezone(ZoneInfo(unit.timezone)).date()
    table = connection.ops.quote_name(DailySequence._meta.db_table)
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({q('unit_id')}, {q('date')}, {q('last')}) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT ({q('unit_id')}, {q('date')}) DO UPDATE SET {q('last')} = {table}.{q('last')} + 1 "
            f"RETURNING {q('last')}",
            [unit.pk, local_date],
        )
        (seq,) = cursor.fetchone()
    return format_dossier_code(
        unit_code=unit.code,
        local_date=local_date,
        seq=seq,
        pattern=unit.dossier_code_pattern or DEFAULT_PATTERN,
    )


def _integrity_refusal(
    exc: IntegrityError, *, external_ref: str | None, events: Sequence[ReplayEvent], code: str | None
) -> Exception:
    """Which unique constraint refused the line (now rolled back): the services' error for it.

    A duplicate ``external_ref`` is ``dossier_submit``'s Conflict; a dossier code taken since it was checked
    is the accept's Conflict, as ``dossier_act`` reports it; anything else is the database's error.
    """
    if external_ref is not None and Dossier.objects.filter(external_ref=external_ref).exists():
        return Conflict(
            f"a dossier with external reference {external_ref!r} already exists",
            field="external_ref",
            value=external_ref,
        )
    for k, event in enumerate(events):
        if event.action == Action.ACCEPT:
            taken = code or event.payload.get("code")
            if taken and Dossier.objects.filter(code=taken).exists():
                return EventRefused(
                    index=k,
                    action=Action.ACCEPT,
                    error=Conflict(f"dossier code {taken!r} is already used", field="code", value=taken),
                )
            break
    return exc
