"""React to dossier events (:mod:`motcua.dossiers.hooks`), inside the action's transaction.

- A boundary-independent dossier (receiving unit ≠ competent unit) gets a :class:`BoundaryHop` at acceptance,
  and each hop (forwarded, taken up by the competent commune, result returned, delivered) moves its sub-state.
- A dossier of an interconnected procedure gets one :class:`AgencyRequest` per step of its
  :class:`LinkedGroup` when it is forwarded into processing: all at once (parallel) or the first one (sequential).
- A dossier that ends without a result (stopped, refused, cancelled) withdraws its open requests.

The listener costs no query for a dossier that is neither boundary-independent nor interconnected: which
procedures have a linked group is cached per process for a short time and cleared when a group is saved.
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
    if dossier.receiving_unit_id != dossier.competent_unit_id:
        _move_hop(dossier, events)
    if dossier.procedure_id in linked_procedure_ids() or any(
        e.to_state in _ENDED_WITHOUT_RESULT for e in events
    ):
        from motcua.interop.services import linked_steps_start, requests_withdraw

        for event in events:
            if event.action == Action.FORWARD.value:
                linked_steps_start(dossier, at=event.at)
            elif event.to_state in _ENDED_WITHOUT_RESULT:
                requests_withdraw(dossier, at=event.at, reason=event.to_state)


def _move_hop(dossier: Dossier, events: Sequence[DossierEvent]) -> None:
    hop: BoundaryHop | None = None
    moved: list[BoundaryHopEvent] = []
    for event in events:
        action = Action(event.action) if event.action in Action.__members__.values() else None
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
            moved.append(_hop_event(hop, HopStatus.RECEIVED, event, dossier.receiving_unit_id))
            continue
        if hop is None:
            hop = BoundaryHop.objects.select_for_update().filter(dossier=dossier).first()
            if hop is None:
                return  # received before motcua tracked hops: nothing to move
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
            moved.append(_hop_event(hop, status, event, unit))
    if hop is None:
        return
    hop.save()
    for item in moved:
        item.hop = hop
    BoundaryHopEvent.objects.bulk_create(moved)


def _hop_event(hop: BoundaryHop, status: HopStatus, event: DossierEvent, unit_id: int) -> BoundaryHopEvent:
    return BoundaryHopEvent(hop=hop, status=status, at=event.at, dossier_seq=event.seq, unit_id=unit_id)


__all__ = ["linked_cache_clear", "linked_procedure_ids", "on_dossier_events"]
