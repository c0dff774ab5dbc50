"""Reads of the postal module: the staff list of shipments (addresses masked) and the postal figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q

from motcua.accounts.models import RoleAssignment, User
from motcua.accounts.selectors import roles_in_unit, units_visible_to
from motcua.catalogue.models import Unit
from motcua.core.personal import mask_contact
from motcua.domain.lifecycle import Role
from motcua.dossiers.models import Dossier
from motcua.postal.models import Direction, Shipment

__all__ = [
    "POSTAL_ROLES",
    "PostalFigures",
    "ShipmentRow",
    "dossier_shipment_rows",
    "mask_address",
    "mask_name",
    "mask_phone",
    "postal_figures",
    "postal_may_act",
    "postal_units",
    "shipment_row",
    "shipment_rows",
    "shipment_visible",
]


def mask_address(address: str) -> str:
    """Only the last two parts of an address (commune, province) are shown in lists: ``***, Xã A, Tỉnh B``."""
    parts = [p.strip() for p in address.split(",") if p.strip()]
    if len(parts) <= 2:
        return "***"
    return ", ".join(["***", *parts[-2:]])


def mask_phone(phone: str) -> str:
    """The shared rule (:func:`motcua.core.personal.mask_contact`): ``0912 345 678`` → ``*******678``."""
    return mask_contact(phone)


def mask_name(name: str) -> str:
    """Lists show a citizen's given name only: ``Nông Văn A`` → ``A``."""
    return name.split(" ")[-1] if name else ""


@dataclass(frozen=True)
class ShipmentRow:
    """One shipment as a list shows it. ``recipient_*``: the addressee (the center for a lodging shipment,
    shown whole; a citizen for a return, masked); ``citizen_*``: the citizen, sender or recipient, masked."""

    shipment: Shipment
    recipient_name: str
    recipient_address: str
    recipient_phone: str
    citizen_name: str = ""
    citizen_address: str = ""
    citizen_phone: str = ""


def shipment_row(s: Shipment) -> ShipmentRow:
    """``s`` with its personal data masked (:func:`mask_name`, :func:`mask_address`, :func:`mask_phone`)."""
    lodging = s.direction == Direction.LODGING
    name, address, phone = (
        (s.sender_name, s.sender_address, s.sender_phone)
        if lodging
        else (s.recipient_name, s.recipient_address, s.recipient_phone)
    )
    return ShipmentRow(
        shipment=s,
        recipient_name=s.recipient_name if lodging else mask_name(s.recipient_name),
        recipient_address=s.recipient_address if lodging else mask_address(s.recipient_address),
        recipient_phone=s.recipient_phone if lodging else mask_phone(s.recipient_phone),
        citizen_name=mask_name(name),
        citizen_address=mask_address(address),
        citizen_phone=mask_phone(phone),
    )


def shipment_rows(*, user: User, limit: int = 200) -> list[ShipmentRow]:
    """The shipments of the units ``user`` may see, newest first, personal data masked."""
    shipments = (
        Shipment.objects.filter(unit__in=units_visible_to(user))
        .select_related("dossier", "unit")
        .order_by("-created_at", "-id")[:limit]
    )
    return [shipment_row(s) for s in shipments]


def dossier_shipment_rows(*, dossier: Dossier) -> list[ShipmentRow]:
    """A dossier's shipments (lodging and return), oldest first, personal data masked."""
    return [
        shipment_row(s)
        for s in Shipment.objects.filter(dossier=dossier).select_related("unit").order_by("created_at", "id")
    ]


def shipment_visible(*, user: User, shipment_id: int) -> Shipment | None:
    """The shipment if it belongs to a unit ``user`` may see, else ``None``."""
    return (
        Shipment.objects.filter(pk=shipment_id, unit__in=units_visible_to(user))
        .select_related("unit", "dossier")
        .first()
    )


POSTAL_ROLES = frozenset({Role.DESK_OFFICER, Role.ADMIN})
"""Who registers, hands over, returns by post and syncs shipments: the desk officers of the unit, or admins."""


def postal_may_act(*, user: User, unit: Unit) -> bool:
    return bool(roles_in_unit(user, unit) & POSTAL_ROLES)


def postal_units(*, user: User) -> list[Unit]:
    """The active units whose postal work ``user`` may do (a role held in a province covers its communes)."""
    if user.is_superuser:
        return list(units_visible_to(user).filter(active=True).order_by("name"))
    ids = list(
        RoleAssignment.objects.filter(user=user, role__in=[r.value for r in POSTAL_ROLES]).values_list(
            "unit_id", flat=True
        )
    )
    if not ids or not user.is_active:
        return []
    return list(Unit.objects.filter(Q(pk__in=ids) | Q(parent_id__in=ids), active=True).order_by("name"))


@dataclass(frozen=True)
class PostalFigures:
    unit: str
    date_from: date
    date_to: date
    lodged_by_post: int
    """Dossiers accepted in the period that were lodged by post (= the report's ``received.postal``)."""
    returned_by_post: int
    """Dossiers whose result was delivered by post in the period."""
    report_postal: int
    """Dossiers accepted in the period lodged by post or whose result went by post (= the report's ``postal``)."""


def postal_figures(*, unit: Unit, date_from: date, date_to: date) -> PostalFigures:
    """The postal figures of ``unit`` (a province: its communes) for local dates ``date_from``..``date_to``.

    Cancelled records count in no figure (rules §4).
    """
    tz = ZoneInfo(unit.timezone)
    start = datetime.combine(date_from, time.min, tzinfo=tz)
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=tz)
    scope = Dossier.objects.filter(Q(receiving_unit=unit) | Q(receiving_unit__parent=unit)).exclude(
        state="cancelled"
    )
    accepted = scope.filter(received_at__gte=start, received_at__lt=end)
    return PostalFigures(
        unit=unit.code,
        date_from=date_from,
        date_to=date_to,
        lodged_by_post=accepted.filter(channel="postal").count(),
        returned_by_post=scope.filter(
            delivery_method="postal", delivered_at__gte=start, delivered_at__lt=end
        ).count(),
        report_postal=accepted.filter(Q(channel="postal") | Q(delivery_method="postal")).count(),
    )
