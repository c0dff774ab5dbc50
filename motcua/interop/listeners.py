"""React to dossier events (:mod:`motcua.dossiers.hooks`), inside the action's transaction.

- A boundary-independent dossier (receiving unit ≠ competent unit) gets a :class:`BoundaryHop` at acceptance,
  and each hop (forwarded, taken up by the competent commune, result returned, delivered) moves its sub-state.
- A dossier of an interconnected procedure gets one :class:`AgencyRequest` per step of its
  :class:`LinkedGroup` when it is forwarded into processing: all at once (parallel) or the first one (sequential).
- A dossier that ends without a result (stopped, refused, cancelled) withdraws its open requests.

The listener costs no query for a dossier that is neither boundary-independent nor interconnected: which
procedures have a linked group is cached per process for a short time and cleared when a group is saved.
:func:`on_dossier_events_many` is the batch version (the historic import: the dossiers of one transaction, one
query a table); the single listener is the batch one applied to one dossier. A replayed history (submission,
intake steps, acceptance… in one call) gets its hop at its acceptance, as the same actions one by one do.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from django.db.models.signals import post_delete, post_save

from motcua.domain.lifecycle import Action, State
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.interop.models import BoundaryHop, BoundaryHopEvent, HopStatus, LinkedGroup

_CACHE_SECONDS = 30.0
_linked: tuple[float, frozenset[int]] | None = None

# Actions of the competent commune that show it has taken a forwarded dossier up.
_TAKE_UP = {
    Action.ASSIGN,
    Action.REQUEST_SUPPLEMENT,
    Action.REQUEST_PAYMENT,
    Action.EXTEND,
    Action.PROPOSE,
    Action.APPROVE,
    Action.REJECT_PROPOSAL,
}
# Actions of a dossier not accepted yet (or refused/returned at intake): it has no hop.
_BEFORE_ACCEPTANCE = {
    None,
    Action.SUBMIT,
    Action.REQUEST_INTAKE_SUPPLEMENT,
    Action.SUPPLY_INTAKE_SUPPLEMENT,
    Action.REFUSE,
    Action.RETURN_UNACCEPTED,
}
_ENDED_WITHOUT_RESULT = {
    State.STOPPED.value,
    State.REFUSED.value,
    State.RETURNED.value,
    State.CANCELLED.value,
}


def linked_procedure_ids() -> frozenset[int]:
    global _linked
    now = time.monotonic()
    if _linked is None or now - _linked[0] > _CACHE_SECONDS:
        _linked = (now, frozenset(LinkedGroup.objects.values_list("procedure_id", flat=True)))
    return _linked[1]


def linked_cache_clear(**_: object) -> None:
    global _linked
    _linked = None


post_save.connect(linked_cache_clear, sender=LinkedGroup, dispatch_uid="interop.linked_cache_clear.save")
post_delete.connect(linked_cache_clear, sender=LinkedGroup, dispatch_uid="interop.linked_cache_clear.delete")


def on_dossier_events(dossier: Dossier, events: Sequence[DossierEvent]) -> None:
    on_dossier_events_many([(dossier, events)])


def on_dossier_events_many(items: Sequence[tuple[Dossier, Sequence[DossierEvent]]]) -> None:
    """The listener for many dossiers at once (the hook's batch version, the historic import): the hops of the
    boundary-independent ones (one query for the hops they already have, one ``INSERT`` a table), the linked
    steps of those forwarded, and the open requests withdrawn of those ended without a result (one query to
    find which have any)."""
    hopping = [(d, events) for d, events in items if d.receiving_unit_id != d.competent_unit_id]
    if hopping:
        _move_hops(hopping)
    linked = linked_procedure_ids()
    ending: list[tuple[Dossier, Sequence[DossierEvent]]] = []
    for dossier, events in items:
        if dossier.procedure_id in linked and any(e.action == Action.FORWARD.value for e in events):
            _start_or_withdraw(dossier, events)  # steps to start (and maybe withdraw): in the events' order
        elif any(e.to_state in _ENDED_WITHOUT_RESULT for e in events):
            ending.append((dossier, events))
    if ending:
        from motcua.interop.models import AgencyRequest

        with_open = set(
            AgencyRequest.objects.filter(
                dossier__in=[d for d, _ in ending],
                status__in=[AgencyRequest.Status.SENT, AgencyRequest.Status.WAITING],
            )
            .order_by()
            .values_list("dossier_id", flat=True)
            .distinct()
        )
        for dossier, events in ending:
            if dossier.pk in with_open:
                _start_or_withdraw(dossier, events)


def _start_or_withdraw(dossier: Dossier, events: Sequence[DossierEvent]) -> None:
    from motcua.interop.services import linked_steps_start, requests_withdraw

    for event in events:
        if event.action == Action.FORWARD.value:
            linked_steps_start(dossier, at=event.at)
        elif event.to_state in _ENDED_WITHOUT_RESULT:
            requests_withdraw(dossier, at=event.at, reason=event.to_state)


def _move_hops(items: Sequence[tuple[Dossier, Sequence[DossierEvent]]]) -> None:
    """Move the hops of boundary-independent dossiers along their events: a hop is created at acceptance;
    a dossier accepted before motcua tracked hops has none, and nothing moves."""

    def needs_stored(events: Sequence[DossierEvent]) -> bool:
        """Whether the dossier may have a hop already: it was accepted before these events."""
        actions = {_action_of(event) for event in events}
        return Action.ACCEPT not in actions and bool(actions - _BEFORE_ACCEPTANCE)

    stored_for = [d.pk for d, events in items if needs_stored(events)]
    stored: dict[int, BoundaryHop] = {}
    if stored_for:
        stored = {
            hop.dossier_id: hop
            for hop in BoundaryHop.objects.select_for_update().filter(dossier_id__in=stored_for)
        }
    new: list[BoundaryHop] = []
    changed: dict[int, BoundaryHop] = {}
    moved: list[BoundaryHopEvent] = []
    for dossier, events in items:
        hop = _move_hop(dossier, events, stored.get(dossier.pk), moved)
        if hop is None:
            continue
        if hop.pk is None:
            if hop not in new:
                new.append(hop)
        else:
            changed[hop.pk] = hop
        stored[dossier.pk] = hop  # the same dossier again later in the batch moves the same hop
    if new:
        BoundaryHop.objects.bulk_create(new)
    if changed:  # every field, as save() would
        fields = [f.name for f in BoundaryHop._meta.concrete_fields if not f.primary_key]
        BoundaryHop.objects.bulk_update(list(changed.values()), fields)
    for item in moved:
        item.hop_id = item.hop.pk  # a new hop has its id now
    if moved:
        BoundaryHopEvent.objects.bulk_create(moved)


def _action_of(event: DossierEvent) -> Action | None:
    return Action(event.action) if event.action in Action.__members__.values() else None


def _move_hop(
    dossier: Dossier,
    events: Sequence[DossierEvent],
    hop: BoundaryHop | None,
    moved: list[BoundaryHopEvent],
) -> BoundaryHop | None:
    """Move ``dossier``'s hop (``hop``: the one it has, if any) along ``events``; the hop events go to ``moved``.
    Returns the hop to save, or None when nothing moves."""
    mine: list[BoundaryHopEvent] = []
    for event in events:
        action = _action_of(event)
        if action is None:
            continue
        if action is Action.ACCEPT:
            hop = BoundaryHop(
                dossier=dossier,
                receiving_unit_id=dossier.receiving_unit_id,
                competent_unit_id=dossier.competent_unit_id,
                status=HopStatus.RECEIVED,
                received_at=event.at,
            )
            mine.append(_hop_event(hop, HopStatus.RECEIVED, event, dossier.receiving_unit_id))
            continue
        if hop is None:
            continue  # not accepted yet, or accepted before motcua tracked hops: nothing to move
        status: HopStatus | None = None
        if action is Action.FORWARD and hop.sent_at is None:
            hop.sent_at, status = event.at, HopStatus.WAITING
        elif action in _TAKE_UP and hop.status == HopStatus.WAITING:
            hop.taken_at, status = event.at, HopStatus.PROCESSING
        elif action is Action.RESOLVE:
            if hop.taken_at is None:
                hop.taken_at = event.at
            hop.returned_at, status = event.at, HopStatus.RETURNED
        elif action is Action.DELIVER:
            hop.delivered_at = hop.closed_at = event.at
        elif event.to_state in _ENDED_WITHOUT_RESULT:
            hop.closed_at = event.at
        if status is not None:
            hop.status = status
            unit = dossier.receiving_unit_id if status == HopStatus.WAITING else dossier.competent_unit_id
            mine.append(_hop_event(hop, status, event, unit))
    moved.extend(mine)
    return hop


def _hop_event(hop: BoundaryHop, status: HopStatus, event: DossierEvent, unit_id: int) -> BoundaryHopEvent:
    return BoundaryHopEvent(hop=hop, status=status, at=event.at, dossier_seq=event.seq, unit_id=unit_id)


__all__ = ["linked_cache_clear", "linked_procedure_ids", "on_dossier_events", "on_dossier_events_many"]
