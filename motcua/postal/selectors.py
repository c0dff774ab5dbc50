"""Reads of the postal module: the staff list of shipments (addresses masked) and the postal figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q

from motcua.accounts.models import User
from motcua.accounts.selectors import units_visible_to
from motcua.catalogue.models import Unit
from motcua.dossiers.models import Dossier
from motcua.postal.models import Shipment

__all__ = ["PostalFigures", "ShipmentRow", "mask_address", "mask_phone", "postal_figures", "shipment_rows"]


def mask_address(address: str) -> str:
    """Only the last two parts of an address (commune, province) are shown in lists: ``***, Xã A, Tỉnh B``."""
    parts = [p.strip() for p in address.split(",") if p.strip()]
    if len(parts) <= 2:
        return "***"
    return ", ".join(["***", *parts[-2:]])


def mask_phone(phone: str) -> str:
    return "*" * max(0, len(phone) - 3) + phone[-3:] if phone else ""


@dataclass(frozen=True)
class ShipmentRow:
    shipment: Shipment
    recipient_name: str
    recipient_address: str
    recipient_phone: str


def shipment_rows(*, user: User, limit: int = 200) -> list[ShipmentRow]:
    """The shipments of the units ``user`` may see, newest first, personal data masked."""
    shipments = (
        Shipment.objects.filter(unit__in=units_visible_to(user))
        .select_related("dossier", "unit")
        .order_by("-created_at", "-id")[:limit]
    )
    return [
        ShipmentRow(
            shipment=s,
            recipient_name=s.recipient_name if s.direction == "lodging" else s.recipient_name.split(" ")[-1],
            recipient_address=mask_address(s.recipient_address),
            recipient_phone=mask_phone(s.recipient_phone),
        )
        for s in shipments
    ]


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
