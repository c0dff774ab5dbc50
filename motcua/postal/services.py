"""Writes of the postal module (Decision 45/2016/QĐ-TTg).

- :func:`postal_lodging_create`: a citizen hands a dossier to the post office; the carrier's shipment to the
  center is registered (``lodging``).
- :func:`postal_lodge`: the center's receiver and the postal worker sign the hand-over minutes: the dossier is
  submitted through :func:`~motcua.dossiers.services.dossier_submit` with channel ``postal`` and
  ``submitted_at`` = the hand-over instant, which is the lodging instant (art.7(4)).
- :func:`postal_return_create`: a resolved dossier's result is sent to the citizen by post (``return``).
- :func:`shipment_record_event`: a status event from the carrier (webhook or tracking); a duplicate is ignored.
  When a return shipment is delivered, the dossier is delivered (``dossier_deliver`` with method ``postal``) at
  the carrier's delivery instant, in the same transaction.

The carrier is called before the database transaction (it has to give the tracking code); a failed call writes
nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from motcua.accounts.models import User
from motcua.accounts.selectors import roles_in_unit
from motcua.catalogue.models import Unit
from motcua.core.errors import Conflict, FieldError, Forbidden, NotFound, StateError
from motcua.domain.lifecycle import Role
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import dossier_get
from motcua.dossiers.services import Applicant, ComponentIn, dossier_deliver, dossier_submit
from motcua.postal.carrier import Address, Carrier, CarrierEvent, ShipmentRequest, carrier
from motcua.postal.models import Direction, Shipment, ShipmentEvent, ShipmentStatus

__all__ = [
    "postal_lodge",
    "postal_lodging_create",
    "postal_return_create",
    "shipment_record_event",
    "shipment_sync",
]

_DESK = frozenset({Role.DESK_OFFICER, Role.ADMIN, Role.SYSTEM})
# a status never goes back to an earlier one (events may arrive out of order)
_RANK = {"created": 0, "picked_up": 1, "in_transit": 2, "delivered": 3, "returned": 3, "failed": 3}


def _check_address(field: str, address: Address) -> None:
    if not address.name.strip():
        raise FieldError(f"{field}.name", address.name, "is required")
    if not address.address.strip():
        raise FieldError(f"{field}.address", address.address, "is required")


def _center(unit: Unit) -> Address:
    return Address(name=f"Trung tâm Phục vụ hành chính công {unit.name}", address=unit.name)


def _create(
    *,
    direction: Direction,
    unit: Unit,
    sender: Address,
    recipient: Address,
    actor: User | None,
    order_ref: str,
    dossier: Dossier | None,
    at: datetime | None,
    via: Carrier | None,
) -> Shipment:
    client = via or carrier()
    made = client.create_shipment(ShipmentRequest(order_ref=order_ref, sender=sender, recipient=recipient))
    at = at or timezone.now()
    with transaction.atomic():
        if Shipment.objects.filter(tracking_code=made.tracking_code).exists():
            raise Conflict(
                f"tracking code {made.tracking_code} is already registered",
                field="tracking_code",
                value=made.tracking_code,
            )
        return Shipment.objects.create(
            direction=direction,
            tracking_code=made.tracking_code,
            carrier=client.name,
            unit=unit,
            dossier=dossier,
            sender_name=sender.name,
            sender_address=sender.address,
            sender_phone=sender.phone,
            recipient_name=recipient.name,
            recipient_address=recipient.address,
            recipient_phone=recipient.phone,
            fee=made.fee,
            status=ShipmentStatus.CREATED,
            status_at=at,
            created_at=at,
            created_by=actor,
        )


def postal_lodging_create(
    *,
    unit_code: str,
    sender: Address,
    actor: User | None,
    at: datetime | None = None,
    via: Carrier | None = None,
) -> Shipment:
    """Register the shipment of a dossier a citizen lodged at a post office, addressed to ``unit_code``'s center."""
    unit = Unit.objects.filter(code=unit_code, active=True).first()
    if unit is None:
        raise FieldError("unit", unit_code, "is not a known unit code")
    if actor is not None and not (roles_in_unit(actor, unit) & _DESK):
        raise Forbidden(f"only desk officers of {unit.code} register postal dossiers")
    _check_address("sender", sender)
    return _create(
        direction=Direction.LODGING,
        unit=unit,
        sender=sender,
        recipient=_center(unit),
        actor=actor,
        order_ref=f"{unit.code}-L-{timezone.now():%y%m%d%H%M%S%f}",
        dossier=None,
        at=at,
        via=via,
    )


@transaction.atomic
def postal_lodge(
    *,
    shipment_id: int,
    procedure_code: str,
    applicant: Applicant,
    actor: User | None,
    components: Sequence[ComponentIn] = (),
    handed_over_at: datetime | None = None,
) -> Dossier:
    """Sign the hand-over of a lodged dossier: submit it with channel ``postal`` at the hand-over instant.

    The instant defaults to the carrier's delivery to the center; a given instant may be neither before that
    delivery nor in the future. The shipment must be a lodging shipment that was delivered and not yet handed
    over.
    """
    shipment = Shipment.objects.select_for_update().select_related("unit").filter(pk=shipment_id).first()
    if shipment is None:
        raise NotFound(f"shipment {shipment_id} does not exist", field="shipment", value=shipment_id)
    if shipment.direction != Direction.LODGING:
        raise FieldError("shipment", shipment.tracking_code, "is not a lodging shipment")
    if shipment.dossier_id is not None:
        raise Conflict(
            f"shipment {shipment.tracking_code} was already handed over", field="shipment", value=shipment_id
        )
    if shipment.status != ShipmentStatus.DELIVERED:
        raise StateError(
            f"shipment {shipment.tracking_code} has not reached the center (status {shipment.status})",
            state=shipment.status,
            allowed=[],
        )
    assert shipment.delivered_at is not None
    at = handed_over_at or shipment.delivered_at
    if at.tzinfo is None or at.utcoffset() is None:
        raise FieldError("handed_over_at", at.isoformat(), "must include a time zone offset")
    if at < shipment.delivered_at:
        raise FieldError(
            "handed_over_at",
            at.isoformat(),
            f"is before the carrier delivered the shipment ({shipment.delivered_at.isoformat()})",
        )
    if handed_over_at is not None and at > timezone.now():
        raise FieldError("handed_over_at", at.isoformat(), "is in the future")
    dossier = dossier_submit(
        procedure_code=procedure_code,
        receiving_unit_code=shipment.unit.code,
        channel="postal",
        applicant=applicant,
        actor=actor,
        components=components,
        at=at,
        external_ref=f"postal:{shipment.tracking_code}",
    )
    Shipment.objects.filter(pk=shipment.pk).update(dossier=dossier, handed_over_at=at)
    return dossier


def postal_return_create(
    *,
    dossier_id: int,
    actor: User,
    recipient: Address | None = None,
    at: datetime | None = None,
    via: Carrier | None = None,
) -> Shipment:
    """Send a resolved dossier's result to the citizen by post (art.9); to the applicant's address by default."""
    dossier = dossier_get(user=actor, dossier_id=dossier_id)
    if not (roles_in_unit(actor, dossier.receiving_unit) & _DESK):
        raise Forbidden(f"only desk officers of {dossier.receiving_unit.code} return results by post")
    if dossier.state != "resolved":
        raise StateError(
            f"dossier {dossier.code} is {dossier.state}: only a resolved dossier's result is sent",
            state=dossier.state,
            allowed=[],
        )
    if (
        dossier.shipments.filter(direction=Direction.RETURN)
        .exclude(status__in=[ShipmentStatus.RETURNED, ShipmentStatus.FAILED])
        .exists()
    ):
        raise Conflict(
            f"the result of {dossier.code} is already on its way", field="dossier", value=dossier_id
        )
    recipient = recipient or Address(
        name=dossier.applicant_name, address=dossier.applicant_address, phone=dossier.applicant_phone
    )
    _check_address("recipient", recipient)
    return _create(
        direction=Direction.RETURN,
        unit=dossier.receiving_unit,
        sender=_center(dossier.receiving_unit),
        recipient=recipient,
        actor=actor,
        order_ref=f"{dossier.code}-R",
        dossier=dossier,
        at=at,
        via=via,
    )


@transaction.atomic
def shipment_record_event(*, tracking_code: str, event: CarrierEvent) -> tuple[ShipmentEvent, bool]:
    """Record one carrier event; returns ``(event, created)``. A repeated ``event_id`` changes nothing."""
    shipment = Shipment.objects.select_for_update().filter(tracking_code=tracking_code).first()
    if shipment is None:
        raise NotFound(
            f"no shipment has tracking code {tracking_code!r}", field="ItemCode", value=tracking_code
        )
    existing = ShipmentEvent.objects.filter(shipment=shipment, carrier_event_id=event.event_id).first()
    if existing is not None:
        return existing, False
    row = ShipmentEvent.objects.create(
        shipment=shipment, carrier_event_id=event.event_id, status=event.status, at=event.at, note=event.note
    )
    if shipment.status_at is None or _RANK[event.status] >= _RANK[shipment.status]:
        shipment.status, shipment.status_at = event.status, event.at
    if event.status == ShipmentStatus.DELIVERED and shipment.delivered_at is None:
        shipment.delivered_at = event.at
    shipment.save(update_fields=["status", "status_at", "delivered_at"])
    if (
        event.status == ShipmentStatus.DELIVERED
        and shipment.direction == Direction.RETURN
        and shipment.dossier_id is not None
        and Dossier.objects.filter(pk=shipment.dossier_id, state="resolved").exists()
    ):
        dossier_deliver(dossier_id=shipment.dossier_id, actor=None, method="postal", at=event.at)
    return row, True


def shipment_sync(*, shipment_id: int, via: Carrier | None = None) -> int:
    """Ask the carrier for a shipment's events and record the new ones; returns how many were new."""
    shipment = Shipment.objects.filter(pk=shipment_id).first()
    if shipment is None:
        raise NotFound(f"shipment {shipment_id} does not exist", field="shipment", value=shipment_id)
    new = 0
    for event in (via or carrier()).track(shipment.tracking_code):
        _row, created = shipment_record_event(tracking_code=shipment.tracking_code, event=event)
        new += int(created)
    return new
