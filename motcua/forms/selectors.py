"""Reads the tracking book needs: the units a user may print it for, and the dossiers a unit accepted."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Min, Q, QuerySet

from motcua.accounts.models import User
from motcua.accounts.selectors import units_visible_to
from motcua.catalogue.models import Unit
from motcua.domain.lifecycle import Action
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.selectors import dossiers_visible_to

__all__ = ["book_dossiers", "book_units", "first_forwarded"]


def book_units(user: User) -> QuerySet[Unit]:
    """The active units whose tracking book ``user`` may print (those whose dossiers they may see)."""
    return units_visible_to(user).filter(active=True).order_by("kind", "code")


def book_dossiers(*, user: User, unit: Unit, date_from: date, date_to: date) -> QuerySet[Dossier]:
    """The dossiers ``unit`` (or, for a province, its communes) accepted on the local dates
    ``date_from``..``date_to`` (inclusive), visible to ``user``, in order of acceptance."""
    tz = ZoneInfo(unit.timezone)
    start = datetime.combine(date_from, time.min, tzinfo=tz)
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=tz)
    return (
        dossiers_visible_to(user)
        .filter(Q(receiving_unit=unit) | Q(receiving_unit__parent=unit))
        .filter(received_at__gte=start, received_at__lt=end)
        .select_related("procedure_version", "procedure", "receiving_unit", "competent_unit", "result")
        .order_by("received_at", "id")
    )


def first_forwarded(dossiers: QuerySet[Dossier]) -> dict[int, datetime]:
    """When each dossier was first forwarded to the competent department (the book's "ngày chuyển")."""
    rows = (
        DossierEvent.objects.filter(dossier__in=dossiers.values("pk"), action=Action.FORWARD.value)
        .values("dossier_id")
        .annotate(at=Min("at"))
    )
    return {row["dossier_id"]: row["at"] for row in rows}
