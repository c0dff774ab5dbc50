"""The staff app's reads: which dossiers are in an inbox queue, and whether a dossier is near its due date.

Built on :func:`~motcua.dossiers.selectors.dossier_list` (the dossiers a user may see). A queue is a *narrow*
(a function ``(queryset, user, at) -> queryset``) plus a scope: the units (and departments) where the user holds
one of the queue's roles, by the receiving unit for desk work and by the competent unit otherwise, as
:func:`~motcua.dossiers.services.dossier_act` takes roles. The queues themselves (keys, labels, roles, order)
are listed in :mod:`motcua.web.inbox`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time

from django.db.models import OuterRef, Q, QuerySet, Subquery

from motcua.accounts.models import User
from motcua.catalogue.models import Unit
from motcua.catalogue.selectors import unit_calendar
from motcua.domain.lifecycle import ACCEPTED_OPEN, Action, Role, State
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.selectors import DossierFilters, dossier_list
from motcua.web.choices import role_rows

__all__ = [
    "DEPARTMENT_ROLES",
    "STEP_ACTIONS",
    "Grant",
    "Narrow",
    "dossiers_in_state",
    "dossiers_last_step_is",
    "dossiers_near_due",
    "dossiers_overdue",
    "dossiers_to_appraise",
    "dossiers_to_assign",
    "inbox_dossiers",
    "is_near_due",
    "role_grants",
]

STEP_ACTIONS: tuple[Action, ...] = (
    Action.FORWARD,
    Action.ASSIGN,
    Action.REQUEST_SUPPLEMENT,
    Action.SUPPLY_SUPPLEMENT,
    Action.PROPOSE,
    Action.APPROVE,
    Action.REJECT_PROPOSAL,
)
"""The events that hand a dossier in processing from one officer to another."""

DEPARTMENT_ROLES = frozenset({Role.SPECIALIST, Role.DEPARTMENT_HEAD})
"""Roles that a department-limited grant limits to that department's dossiers."""

_OPEN = [s.value for s in ACCEPTED_OPEN]

Narrow = Callable[[QuerySet[Dossier], User, datetime], QuerySet[Dossier]]


# -- narrows ------------------------------------------------------------------------------------------------


def dossiers_in_state(state: State) -> Narrow:
    return lambda qs, user, at: qs.filter(state=state.value)


def _last_step() -> Subquery:
    return Subquery(
        DossierEvent.objects.filter(dossier=OuterRef("pk"), action__in=[a.value for a in STEP_ACTIONS])
        .order_by("-seq")
        .values("action")[:1]
    )


def dossiers_to_assign(qs: QuerySet[Dossier], user: User, at: datetime) -> QuerySet[Dossier]:
    """In processing, nobody assigned yet."""
    return qs.filter(state=State.PROCESSING.value, assignee__isnull=True)


def dossiers_to_appraise(qs: QuerySet[Dossier], user: User, at: datetime) -> QuerySet[Dossier]:
    """In processing, assigned to ``user``, not waiting for the approver (last step not propose/approve)."""
    return (
        qs.filter(state=State.PROCESSING.value, assignee=user)
        .annotate(last_step=_last_step())
        .exclude(last_step__in=[Action.PROPOSE.value, Action.APPROVE.value])
    )


def dossiers_last_step_is(action: Action) -> Narrow:
    """In processing, the latest of :data:`STEP_ACTIONS` being ``action``."""

    def narrow(qs: QuerySet[Dossier], user: User, at: datetime) -> QuerySet[Dossier]:
        return (
            qs.filter(state=State.PROCESSING.value)
            .annotate(last_step=_last_step())
            .filter(last_step=action.value)
        )

    return narrow


def _start_of_day(unit: Unit, at: datetime) -> datetime:
    zone = unit_calendar(unit).zone
    return datetime.combine(at.astimezone(zone).date(), time(0), tzinfo=zone)


def _units_of(qs: QuerySet[Dossier]) -> list[Unit]:
    return list(Unit.objects.filter(pk__in=qs.values("receiving_unit_id")))


def is_near_due(dossier: Dossier, at: datetime) -> bool:
    """Open, within due (rules §2.3), and at most one working day of the unit's calendar left."""
    if dossier.state not in _OPEN or dossier.due_at is None:
        return False
    unit = dossier.receiving_unit  # the due was computed on the receiving unit's calendar
    if dossier.due_at < _start_of_day(unit, at):
        return False
    calendar = unit_calendar(unit)
    return calendar.working_time_between(at, dossier.due_at) <= calendar.day_length


def dossiers_near_due(qs: QuerySet[Dossier], user: User, at: datetime) -> QuerySet[Dossier]:
    """Open dossiers for which :func:`is_near_due` holds at ``at``."""
    qs = qs.filter(state__in=_OPEN, due_at__isnull=False)
    keep: list[int] = []
    for unit in _units_of(qs):
        calendar = unit_calendar(unit)
        # every due that can be ≤ 1 working day away lies before the next opening after that point
        bound = calendar.start_of_work(calendar.add_working_time(at, calendar.day_length))
        candidates = qs.filter(receiving_unit=unit, due_at__gte=_start_of_day(unit, at), due_at__lte=bound)
        keep += [
            pk
            for pk, due in candidates.values_list("pk", "due_at")
            if calendar.working_time_between(at, due) <= calendar.day_length
        ]
    return qs.filter(pk__in=keep)


def dossiers_overdue(qs: QuerySet[Dossier], user: User, at: datetime) -> QuerySet[Dossier]:
    """Open dossiers whose due date passed before the start of today (rules §2.3), in each unit's time."""
    qs = qs.filter(state__in=_OPEN, due_at__isnull=False)
    late = Q(pk__in=[])
    for unit in _units_of(qs):
        late |= Q(receiving_unit=unit, due_at__lt=_start_of_day(unit, at))
    return qs.filter(late)


# -- scope --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grant:
    role: Role
    unit_id: int
    department_id: int | None


def role_grants(user: User) -> list[Grant]:
    """The user's roles, each with its unit and optional department (read once per request)."""
    return [Grant(Role(a.role), a.unit_id, a.department_id) for a in role_rows(user)]


def _scope(user: User, roles: frozenset[Role], desk: bool) -> Q:
    if user.is_superuser:
        return Q()
    unit = "receiving_unit" if desk else "competent_unit"
    scope = Q(pk__in=[])
    for grant in role_grants(user):
        if grant.role not in roles and grant.role is not Role.ADMIN:
            continue
        part = Q(**{f"{unit}_id": grant.unit_id}) | Q(**{f"{unit}__parent_id": grant.unit_id})
        if grant.department_id is not None and grant.role in DEPARTMENT_ROLES:
            part &= Q(department_id=grant.department_id)
        scope |= part
    return scope


def inbox_dossiers(
    *,
    user: User,
    roles: Iterable[Role],
    desk: bool,
    narrow: Narrow,
    order: Sequence[str],
    at: datetime,
    filters: DossierFilters | None = None,
) -> QuerySet[Dossier]:
    """The dossiers ``user`` may see, in the units where they hold one of ``roles`` (by the receiving unit
    when ``desk``, else the competent unit), that ``narrow`` keeps at instant ``at``, matching ``filters``,
    in ``order``."""
    qs = dossier_list(user=user, filters=filters).filter(_scope(user, frozenset(roles), desk))
    return narrow(qs, user, at).order_by(*order)
