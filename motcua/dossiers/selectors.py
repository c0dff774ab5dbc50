"""Reads of dossiers: what a user may see, lists with filters, one dossier, its timeline, and the facts a
reader needs about a dossier (the actions they may take now, whether they may see the applicant's personal
data, its timeliness now).

Writes are in :mod:`motcua.dossiers.services`; these functions change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from motcua.accounts.models import User
from motcua.accounts.selectors import roles_in_unit, units_visible_to
from motcua.catalogue.models import Department, Unit
from motcua.core.errors import NotFound
from motcua.domain import lifecycle
from motcua.domain.deadlines import classify_open
from motcua.domain.lifecycle import DESK_ACTIONS, Action, Role, State
from motcua.dossiers.models import Dossier, DossierEvent

__all__ = [
    "PERSONAL_DATA_ROLES",
    "DossierFilters",
    "UserRoles",
    "dossier_allowed_actions",
    "dossier_events",
    "dossier_get",
    "dossier_get_by_code",
    "dossier_list",
    "dossier_personal_data_visible",
    "dossier_timeliness",
    "dossiers_visible_to",
]

PERSONAL_DATA_ROLES: frozenset[Role] = frozenset(
    {Role.DESK_OFFICER, Role.SPECIALIST, Role.DEPARTMENT_HEAD, Role.APPROVER, Role.CLERK}
)
"""The roles that work on a dossier and so may see its applicant's full ID and phone numbers (not inspectors,
not admins, not other units)."""

_RELATED = ("procedure", "procedure_version", "sector", "receiving_unit", "competent_unit", "department",
            "assignee")


class UserRoles:
    """:func:`~motcua.accounts.selectors.roles_in_unit` for one user, remembered per (unit, department).

    A list of fifty dossiers of one commune asks the database once or twice instead of once per dossier.
    """

    def __init__(self, user: User) -> None:
        self.user = user
        self._cache: dict[tuple[int, int | None], frozenset[Role]] = {}

    def __call__(self, unit: Unit, department: Department | None = None) -> frozenset[Role]:
        key = (unit.pk, department.pk if department is not None else None)
        if key not in self._cache:
            self._cache[key] = roles_in_unit(self.user, unit, department=department)
        return self._cache[key]


@dataclass(frozen=True, kw_only=True)
class DossierFilters:
    """Filters of :func:`dossier_list`; ``None`` = no filter.

    - ``unit``: the receiving or competent unit's code, or their province's code;
    - ``received_from`` / ``received_to``: local dates of acceptance, both inclusive;
    - ``q``: the dossier code, an exact ID number, or a part of the applicant's name.
    """

    unit: str | None = None
    state: str | None = None
    sector: str | None = None
    procedure: str | None = None
    channel: str | None = None
    code: str | None = None
    received_from: date | None = None
    received_to: date | None = None
    q: str | None = None


def dossiers_visible_to(user: User) -> QuerySet[Dossier]:
    """The dossiers ``user`` may see: those whose receiving or competent unit is visible to them."""
    units = units_visible_to(user)
    return Dossier.objects.filter(Q(receiving_unit__in=units) | Q(competent_unit__in=units))


def dossier_list(*, user: User, filters: DossierFilters | None = None) -> QuerySet[Dossier]:
    """The visible dossiers matching ``filters``, newest submission first."""
    f = filters or DossierFilters()
    qs = dossiers_visible_to(user).select_related(*_RELATED)
    if f.unit:
        qs = qs.filter(Q(receiving_unit__code=f.unit) | Q(competent_unit__code=f.unit)
                       | Q(receiving_unit__parent__code=f.unit) | Q(competent_unit__parent__code=f.unit))
    if f.state:
        qs = qs.filter(state=f.state)
    if f.sector:
        qs = qs.filter(sector__code=f.sector)
    if f.procedure:
        qs = qs.filter(procedure__code=f.procedure)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.code:
        qs = qs.filter(code=f.code)
    if f.received_from:
        qs = qs.filter(received_at__date__gte=f.received_from)
    if f.received_to:
        qs = qs.filter(received_at__date__lte=f.received_to)
    if f.q and f.q.strip():
        q = f.q.strip()
        qs = qs.filter(Q(code=q) | Q(applicant_id_number=q) | Q(applicant_name__icontains=q))
    return qs.order_by("-submitted_at", "-id")


def _detail_queryset(user: User) -> QuerySet[Dossier]:
    return (dossiers_visible_to(user).select_related(*_RELATED, "result")
            .prefetch_related("components", "payments"))


def dossier_get(*, user: User, dossier_id: int) -> Dossier:
    """One dossier visible to ``user``; :class:`NotFound` when it does not exist or is not visible."""
    dossier = _detail_queryset(user).filter(pk=dossier_id).first()
    if dossier is None:
        raise NotFound(f"dossier {dossier_id} does not exist or is outside your units")
    return dossier


def dossier_get_by_code(*, user: User, code: str) -> Dossier:
    """One dossier visible to ``user``, by its code (rules §3.1)."""
    dossier = _detail_queryset(user).filter(code=code).first()
    if dossier is None:
        raise NotFound(f"dossier {code!r} does not exist or is outside your units")
    return dossier


def dossier_events(*, dossier: Dossier) -> QuerySet[DossierEvent]:
    """The dossier's timeline: its events in order."""
    return DossierEvent.objects.filter(dossier=dossier).select_related("actor").order_by("seq")


def dossier_allowed_actions(*, dossier: Dossier, user: User, roles: UserRoles | None = None) -> tuple[Action, ...]:
    """The actions ``user`` may perform on ``dossier`` now, in :class:`Action` order.

    The roles are taken where :func:`~motcua.dossiers.services.dossier_act` takes them: desk actions at the
    receiving unit, the others at the competent unit (within the dossier's department); ``cancel`` also
    with the roles held in the competent unit as a whole.
    """
    roles = roles or UserRoles(user)
    state = State(dossier.state)
    desk = roles(dossier.receiving_unit, dossier.department)
    competent = roles(dossier.competent_unit, dossier.department)
    allowed: list[Action] = []
    for action in lifecycle.allowed_actions(state):
        held = desk if action in DESK_ACTIONS else competent
        if action is Action.CANCEL:
            held = held | roles(dossier.competent_unit)
        if action in lifecycle.actions_for(state, held):
            allowed.append(action)
    return tuple(allowed)


def dossier_personal_data_visible(*, dossier: Dossier, user: User, roles: UserRoles | None = None) -> bool:
    """Whether ``user`` may see the applicant's full ID and phone numbers: only those who work on the dossier
    (:data:`PERSONAL_DATA_ROLES` in its receiving or competent unit, within its department)."""
    roles = roles or UserRoles(user)
    held = roles(dossier.receiving_unit, dossier.department) | roles(dossier.competent_unit, dossier.department)
    return bool(held & PERSONAL_DATA_ROLES)


def dossier_timeliness(*, dossier: Dossier, at: datetime | None = None) -> str | None:
    """The stored timeliness of an ended dossier, or for an accepted open one its timeliness at ``at``
    (default: now) (rules §2.3); ``None`` for a dossier never accepted."""
    if dossier.timeliness:
        return dossier.timeliness
    if State(dossier.state) in lifecycle.ACCEPTED_OPEN and dossier.due_at is not None:
        at = at or timezone.now()
        return classify_open(due_at=dossier.due_at, at=at, tz=dossier.receiving_unit.timezone).value
    return None
