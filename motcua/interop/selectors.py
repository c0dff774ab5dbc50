"""Reads for interconnected work: a dossier's requests, the late and near-due ones, boundary-independent hops."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from motcua.accounts.models import User
from motcua.accounts.selectors import units_visible_to
from motcua.dossiers.models import Dossier
from motcua.interop.models import AgencyRequest, BoundaryHop

__all__ = [
    "dossier_requests",
    "dossier_section",
    "hops_visible_to",
    "linked_progress",
    "requests_late",
    "requests_open",
]


def dossier_requests(dossier: Dossier) -> QuerySet[AgencyRequest]:
    return AgencyRequest.objects.filter(dossier=dossier).select_related("department").order_by("order", "pk")


def requests_open(user: User) -> QuerySet[AgencyRequest]:
    """Sent, unanswered requests of dossiers whose competent unit the user can see, earliest due first."""
    return (
        AgencyRequest.objects.filter(
            status=AgencyRequest.Status.SENT, dossier__competent_unit__in=units_visible_to(user)
        )
        .select_related("dossier", "dossier__competent_unit", "department")
        .order_by("due_at", "pk")
    )


def requests_late(user: User, *, at: datetime | None = None) -> QuerySet[AgencyRequest]:
    """Open requests past their deadline: the late consultees reported to the head of the one-stop unit."""
    return requests_open(user).filter(due_at__lt=at or timezone.now())


def linked_progress(dossier: Dossier) -> tuple[int, int]:
    """(answered, total) interconnected steps of a dossier; (0, 0) when it has none."""
    steps = AgencyRequest.objects.filter(dossier=dossier, kind=AgencyRequest.Kind.LINKED_STEP)
    return steps.filter(status=AgencyRequest.Status.ANSWERED).count(), steps.exclude(
        status=AgencyRequest.Status.WITHDRAWN
    ).count()


def hops_visible_to(user: User) -> QuerySet[BoundaryHop]:
    """Boundary-independent dossiers the user's units received or must resolve: both communes see them."""
    units = units_visible_to(user)
    return (
        BoundaryHop.objects.filter(Q(receiving_unit__in=units) | Q(competent_unit__in=units))
        .select_related("dossier", "receiving_unit", "competent_unit")
        .order_by("closed_at", "-received_at")
    )


def dossier_section(dossier: Dossier, user: User) -> dict[str, object]:
    """What the dossier page's "Lấy ý kiến, liên thông" section shows to ``user``."""
    from motcua.accounts.selectors import roles_in_unit
    from motcua.catalogue.models import Department
    from motcua.interop.services import REQUEST_ROLES

    roles = roles_in_unit(user, dossier.competent_unit, department=dossier.department)
    return {
        "requests": list(dossier_requests(dossier)),
        "may_act": bool(roles & REQUEST_ROLES),
        "departments": list(Department.objects.filter(unit=dossier.competent_unit).order_by("code")),
    }
