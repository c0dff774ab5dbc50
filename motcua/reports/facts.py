"""Keeping the stored facts in step with the dossiers, and checking them against the events.

- :func:`fact_refresh` is called by the dossier services inside the action's transaction (directly, or at the
  end of a :func:`facts_deferred` block, which the importer uses to refresh once per line).
- :func:`fact_from_events` rebuilds the same values from the event log alone (plus the submit event's
  snapshot of components and fees); :func:`facts_verify` compares the two for every dossier.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction

from motcua.domain.deadlines import classify_ended
from motcua.dossiers.models import Dossier, DossierComponent, DossierEvent, DossierResult, Payment
from motcua.reports.models import DossierFact, DueChange

__all__ = [
    "FactValues",
    "due_change_record",
    "due_changes_record",
    "fact_create",
    "fact_from_events",
    "fact_from_rows",
    "fact_refresh",
    "facts_deferred",
    "facts_verify",
]

FORMULA_VERSION = "2026.1"


@dataclass(frozen=True)
class FactValues:
    report_unit_id: int
    province_id: int
    receiving_unit_id: int
    sector_id: int
    procedure_id: int
    channel: str
    accepted_on: date | None
    ended_on: date | None
    end_state: str
    timeliness: str
    due_on: date | None
    not_accepted: str
    not_accepted_on: date | None
    return_reason: str
    cancelled_on: date | None
    components_digitized: bool
    components_reused: bool
    has_result: bool
    result_e_copy: bool
    postal: bool
    fee_required: bool
    paid_online: bool
    boundary_independent: bool
    synced: bool
    supplement_requests: int
    online_level: str
    requires_e_result: bool
    resolution_seconds: int | None


_local = threading.local()


@contextmanager
def facts_deferred() -> Iterator[None]:
    """Within this block, facts of the dossiers the services touch are refreshed once, at the block's end.

    Use it inside the same ``transaction.atomic`` as the actions (the importer does, per line), so facts are
    still written in the events' transaction.
    """
    outer = getattr(_local, "pending", None)
    if outer is not None:
        yield
        return
    _local.pending = {}
    try:
        yield
        pending: dict[int, Dossier] = _local.pending
        _local.pending = None
        for dossier in pending.values():
            _refresh_now(dossier)
    finally:
        _local.pending = None


def fact_refresh(dossier: Dossier) -> None:
    """Write the facts of ``dossier`` now, or at the end of the enclosing :func:`facts_deferred` block."""
    pending = getattr(_local, "pending", None)
    if pending is not None:
        pending[dossier.pk] = dossier
        return
    _refresh_now(dossier)


def due_change_record(dossier: Dossier, *, at: datetime, due_at: datetime) -> None:
    """Record that ``due_at`` is the statutory due from ``at`` on (for in-process timeliness, rules §4)."""
    tz = ZoneInfo(dossier.receiving_unit.timezone)
    DueChange.objects.create(
        dossier=dossier,
        effective_at=at,
        effective_on=at.astimezone(tz).date(),
        due_on=due_at.astimezone(tz).date(),
    )


def _local_date(value: datetime | None, tz: ZoneInfo) -> date | None:
    return value.astimezone(tz).date() if value is not None else None


def _report_unit(dossier: Dossier, forwarded: bool) -> tuple[int, int]:
    """Rules §4: a dossier counts for its receiving unit, unless it is a boundary-independent dossier that
    was forwarded to another competent unit: then for the competent unit. Returns (unit id, province id)."""
    unit = (
        dossier.competent_unit
        if (dossier.competent_unit_id != dossier.receiving_unit_id and forwarded)
        else dossier.receiving_unit
    )
    return unit.pk, unit.parent_id or unit.pk


def _refresh_now(dossier: Dossier) -> None:
    values = fact_from_dossier(dossier)
    fields = asdict(values)
    if not DossierFact.objects.filter(dossier_id=dossier.pk).update(**fields):
        DossierFact.objects.create(dossier=dossier, **fields)


def fact_from_dossier(dossier: Dossier) -> FactValues:
    """The facts of ``dossier`` from its current row and child rows (read here; :func:`fact_from_rows` decides)."""
    forwarded = (
        dossier.competent_unit_id != dossier.receiving_unit_id
        and dossier.events.filter(action="forward").exists()
    )
    try:
        result = dossier.result
    except Dossier.result.RelatedObjectDoesNotExist:  # type: ignore[attr-defined]
        result = None
    return fact_from_rows(
        dossier,
        components=list(dossier.components.only("submitted", "digitized", "reused")),
        payments=list(dossier.payments.filter(method="online").only("method")[:1]),  # only "any online?" matters
        result=result,
        forwarded=forwarded,
    )


def fact_from_events(dossier: Dossier, events: list[DossierEvent] | None = None) -> FactValues:
    """The facts of ``dossier`` rebuilt from its event log (and the catalogue version it points to).

    The portal-sync flag, the digitization flags (components digitized or reused, the result's e-copy) and the
    fees owed come from the rows: a file attached (``motcua.documents``), an amount entered or an exemption
    granted (``motcua.payments``) after an action changes them without an event of the lifecycle.
    """
    tz = ZoneInfo(dossier.receiving_unit.timezone)
    events = events if events is not None else list(dossier.events.order_by("seq"))
    version = dossier.procedure_version
    accepted_at = ended_at = due_at = None
    end_state = not_accepted = return_reason = ""
    not_accepted_at = cancelled_at = None
    channel = dossier.channel
    components: list[dict[str, Any]] = []
    has_result = e_copy = paid_online = delivered_by_post = forwarded = False
    supplement_requests = 0
    for e in events:
        p = e.payload
        if e.action == "submit":
            channel = p.get("channel", channel)
            components = p.get("components", [])
        elif e.action == "accept":
            accepted_at = e.at
        elif e.action == "forward":
            forwarded = True
        elif e.action == "request_supplement":
            supplement_requests += 1
        elif e.action == "confirm_payment" and p.get("method") == "online":
            paid_online = True
        elif e.action in ("resolve", "stop") and ended_at is None:
            ended_at, end_state = e.at, ("resolved" if e.action == "resolve" else "stopped")
            if e.action == "resolve":
                has_result, e_copy = True, bool(p.get("e_copy", False))
        elif e.action in ("refuse", "return_unaccepted"):
            not_accepted, not_accepted_at = ("refused" if e.action == "refuse" else "returned"), e.at
            return_reason = p.get("reason_code", "") if e.action == "return_unaccepted" else ""
        elif e.action == "cancel":
            cancelled_at = e.at
        elif e.action == "deliver" and p.get("method") == "postal":
            delivered_by_post = True
        if "due_at" in p and (ended_at is None or e.at <= ended_at):
            due_at = datetime.fromisoformat(p["due_at"])
    report_unit_id, province_id = _report_unit(dossier, forwarded)
    rows = list(dossier.components.values("submitted", "digitized", "reused"))
    if rows or not components:
        components = rows
    submitted = [c for c in components if c.get("submitted", True)]
    if has_result:
        result_row = DossierResult.objects.filter(dossier=dossier).values_list("e_copy", flat=True).first()
        if result_row is not None:
            e_copy = bool(result_row)
    timeliness = ""
    if ended_at is not None and due_at is not None:
        timeliness = classify_ended(ended_at=ended_at, due_at=due_at, tz=str(tz)).value
    return FactValues(
        report_unit_id=report_unit_id,
        province_id=province_id,
        receiving_unit_id=dossier.receiving_unit_id,
        sector_id=dossier.sector_id,
        procedure_id=dossier.procedure_id,
        channel=channel,
        accepted_on=_local_date(accepted_at, tz),
        ended_on=_local_date(ended_at, tz),
        end_state=end_state,
        timeliness=timeliness,
        due_on=_local_date(due_at, tz),
        not_accepted=not_accepted,
        not_accepted_on=_local_date(not_accepted_at, tz),
        return_reason=return_reason,
        cancelled_on=_local_date(cancelled_at, tz),
        components_digitized=bool(submitted) and all(c.get("digitized") for c in submitted),
        components_reused=any(c.get("reused") for c in submitted),
        has_result=has_result,
        result_e_copy=e_copy,
        postal=channel == "postal" or delivered_by_post,
        fee_required=dossier.fee_total > 0 and not dossier.fees_exempt,
        paid_online=paid_online,
        boundary_independent=version.boundary_independent,
        synced=dossier.synced_to_portal_at is not None,
        supplement_requests=supplement_requests,
        online_level=version.online,
        requires_e_result=version.requires_e_result,
        resolution_seconds=int((ended_at - accepted_at).total_seconds())
        if ended_at and accepted_at
        else None,
    )


@dataclass(frozen=True)
class FactDifference:
    dossier_id: int
    code: str
    field: str
    stored: object
    from_events: object

    def line(self) -> str:
        return (
            f"dossier {self.code or self.dossier_id}: {self.field}: stored {self.stored!r}, "
            f"events say {self.from_events!r}"
        )


def facts_verify(*, unit_ids: list[int] | None = None, batch: int = 500) -> tuple[int, list[FactDifference]]:
    """Recompute every dossier's facts from its events and compare with the stored ones.

    Returns (dossiers checked, differences). A dossier without a stored fact is a difference too.
    """
    dossiers = Dossier.objects.select_related(
        "receiving_unit", "competent_unit", "procedure_version", "fact"
    ).order_by("pk")
    if unit_ids is not None:
        dossiers = dossiers.filter(receiving_unit_id__in=unit_ids) | dossiers.filter(
            competent_unit_id__in=unit_ids
        )
    differences: list[FactDifference] = []
    checked = 0
    names = [f.name for f in fields(FactValues)]
    last_pk = 0
    while True:
        chunk = list(dossiers.filter(pk__gt=last_pk)[:batch])
        if not chunk:
            break
        last_pk = chunk[-1].pk
        events: dict[int, list[DossierEvent]] = {}
        for e in DossierEvent.objects.filter(dossier_id__in=[d.pk for d in chunk]).order_by(
            "dossier_id", "seq"
        ):
            events.setdefault(e.dossier_id, []).append(e)
        for dossier in chunk:
            checked += 1
            expected = fact_from_events(dossier, events.get(dossier.pk, []))
            stored = getattr(dossier, "fact", None)
            if stored is None:
                differences.append(FactDifference(dossier.pk, dossier.code or "", "fact", None, "present"))
                continue
            for name in names:
                a, b = getattr(stored, name), getattr(expected, name)
                if a != b:
                    differences.append(FactDifference(dossier.pk, dossier.code or "", name, a, b))
    return checked, differences


@transaction.atomic
def facts_rebuild(*, unit_ids: list[int] | None = None) -> int:
    """Rewrite every stored fact from the dossiers (after an upgrade that adds a fact)."""
    count = 0
    qs = Dossier.objects.select_related("receiving_unit", "competent_unit", "procedure_version")
    if unit_ids is not None:
        qs = qs.filter(receiving_unit_id__in=unit_ids)
    for dossier in qs.iterator(chunk_size=500):
        _refresh_now(dossier)
        count += 1
    return count


# ---------------------------------------------------------------------------------------------------------------
# a dossier written whole, in one go (the historic import's replay, motcua/dossiers/replay.py)


def fact_from_rows(
    dossier: Dossier,
    *,
    components: Sequence[DossierComponent],
    payments: Sequence[Payment],
    result: DossierResult | None,
    forwarded: bool,
) -> FactValues:
    """The same values as :func:`fact_from_dossier`, from the rows the caller holds in memory (no query).

    For a dossier created in the caller's transaction, whose components, payments, result and events it
    has just built: ``forwarded`` says whether one of its events is a ``forward``. The replay's tests check
    that both functions give the same facts for the same history.
    """
    tz = ZoneInfo(dossier.receiving_unit.timezone)
    version = dossier.procedure_version
    report_unit_id, province_id = _report_unit(
        dossier, dossier.competent_unit_id != dossier.receiving_unit_id and forwarded
    )
    submitted = [c for c in components if c.submitted]
    state = dossier.state
    ended = dossier.ended_at is not None
    return FactValues(
        report_unit_id=report_unit_id,
        province_id=province_id,
        receiving_unit_id=dossier.receiving_unit_id,
        sector_id=dossier.sector_id,
        procedure_id=dossier.procedure_id,
        channel=dossier.channel,
        accepted_on=_local_date(dossier.received_at, tz),
        ended_on=_local_date(dossier.ended_at, tz),
        end_state=("stopped" if dossier.stop_reason else "resolved") if ended else "",
        timeliness=dossier.timeliness if ended else "",
        due_on=_local_date(dossier.due_at, tz),
        not_accepted=state if state in ("refused", "returned") else "",
        not_accepted_on=_local_date(dossier.closed_at, tz) if state in ("refused", "returned") else None,
        return_reason=dossier.return_reason,
        cancelled_on=_local_date(dossier.closed_at, tz) if state == "cancelled" else None,
        components_digitized=bool(submitted) and all(c.digitized for c in submitted),
        components_reused=any(c.reused for c in submitted),
        has_result=result is not None,
        result_e_copy=bool(result and result.e_copy),
        postal=dossier.channel == "postal" or dossier.delivery_method == "postal",
        fee_required=dossier.fee_total > 0 and not dossier.fees_exempt,
        paid_online=any(p.method == "online" for p in payments),
        boundary_independent=version.boundary_independent,
        synced=dossier.synced_to_portal_at is not None,
        supplement_requests=dossier.supplement_requests,
        online_level=version.online,
        requires_e_result=version.requires_e_result,
        resolution_seconds=int((dossier.ended_at - dossier.received_at).total_seconds())
        if ended and dossier.received_at
        else None,
    )


def fact_create(dossier: Dossier, values: FactValues) -> DossierFact:
    """Write the facts of a dossier that has none yet (created in this transaction): one INSERT."""
    return DossierFact.objects.create(dossier=dossier, **asdict(values))


def due_changes_record(dossier: Dossier, changes: Sequence[tuple[datetime, datetime]]) -> None:
    """:func:`due_change_record` for several ``(at, due_at)`` changes of one dossier, in one INSERT."""
    if not changes:
        return
    tz = ZoneInfo(dossier.receiving_unit.timezone)
    DueChange.objects.bulk_create(
        [
            DueChange(
                dossier=dossier,
                effective_at=at,
                effective_on=at.astimezone(tz).date(),
                due_on=due_at.astimezone(tz).date(),
            )
            for at, due_at in changes
        ]
    )
