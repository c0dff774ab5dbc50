"""The inbox (hồ sơ cần xử lý): work queues per role and unit, built on ``dossier_list``.

Each queue is a filter over the dossiers a user may see (:func:`~motcua.dossiers.selectors.dossier_list`),
limited to the units (and departments) where the user holds one of the queue's roles:

| queue | who | which dossiers |
| --- | --- | --- |
| ``to_accept`` | desk officer | ``submitted`` |
| ``intake_supplement`` | desk officer | ``intake_supplement`` |
| ``to_forward`` | desk officer | ``received`` |
| ``to_record_supplement`` | desk officer | ``supplement_requested`` |
| ``awaiting_payment`` | desk officer | ``awaiting_payment`` (the desk confirms the payment) |
| ``to_deliver`` | desk officer | ``resolved`` |
| ``to_assign`` | department head | ``processing`` without an assignee |
| ``to_appraise`` | specialist, head | ``processing``, assigned to me, not waiting for the approver |
| ``to_approve`` | approver | ``processing`` whose last step is ``propose`` |
| ``to_resolve`` | approver, clerk | ``processing`` whose last step is ``approve`` |
| ``near_due`` | department, approver, inspector | open, within due, ≤ 1 working day left |
| ``overdue`` | department, approver, inspector | open, due date passed (rules §2.3) |

Desk queues are scoped by the receiving unit, the others by the competent unit (and the department of a
department-limited role), as :func:`~motcua.dossiers.services.dossier_act` takes roles. "Last step" is the
latest event among :data:`STEP_ACTIONS` (extensions, payments and due recomputes do not move a dossier
between officers). Read-only; candidates for ``motcua.dossiers.selectors`` (see the issue's report).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, time

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.catalogue.models import Unit
from motcua.catalogue.selectors import unit_calendar
from motcua.domain.lifecycle import ACCEPTED_OPEN, Action, Role, State
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.selectors import DossierFilters, dossier_list
from motcua.web.choices import role_rows

__all__ = ["QUEUES", "STEP_ACTIONS", "Queue", "is_near_due", "queue_counts", "queue_dossiers", "queues_for"]

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

_OPEN = [s.value for s in ACCEPTED_OPEN]
_DESK = frozenset({Role.DESK_OFFICER})
_DEPARTMENT = frozenset({Role.SPECIALIST, Role.DEPARTMENT_HEAD})
_WATCHERS = frozenset({Role.SPECIALIST, Role.DEPARTMENT_HEAD, Role.APPROVER, Role.INSPECTOR})

Narrow = Callable[[QuerySet[Dossier], User, datetime], QuerySet[Dossier]]


@dataclass(frozen=True)
class Queue:
    key: str
    label: Promise
    roles: frozenset[Role]
    narrow: Narrow
    order: tuple[str, ...] = ("submitted_at", "id")
    desk: bool = False
    """Scoped by the receiving unit (desk work) rather than the competent unit."""


def _state(state: State) -> Narrow:
    return lambda qs, user, at: qs.filter(state=state.value)


def _last_step() -> Subquery:
    return Subquery(
        DossierEvent.objects.filter(dossier=OuterRef("pk"), action__in=[a.value for a in STEP_ACTIONS])
        .order_by("-seq")
        .values("action")[:1]
    )


def _to_assign(qs: QuerySet[Dossier], user: User, at: datetime) -> QuerySet[Dossier]:
    return qs.filter(state=State.PROCESSING.value, assignee__isnull=True)


def _to_appraise(qs: QuerySet[Dossier], user: User, at: datetime) -> QuerySet[Dossier]:
    return (
        qs.filter(state=State.PROCESSING.value, assignee=user)
        .annotate(last_step=_last_step())
        .exclude(last_step__in=[Action.PROPOSE.value, Action.APPROVE.value])
    )


def _last_step_is(action: Action) -> Narrow:
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


def _near_due(qs: QuerySet[Dossier], user: User, at: datetime) -> QuerySet[Dossier]:
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


def _overdue(qs: QuerySet[Dossier], user: User, at: datetime) -> QuerySet[Dossier]:
    qs = qs.filter(state__in=_OPEN, due_at__isnull=False)
    late = Q(pk__in=[])
    for unit in _units_of(qs):
        late |= Q(receiving_unit=unit, due_at__lt=_start_of_day(unit, at))
    return qs.filter(late)


_BY_DUE = ("due_at", "id")

QUEUES: tuple[Queue, ...] = (
    Queue("to_accept", _("Chờ tiếp nhận"), _DESK, _state(State.SUBMITTED), desk=True),
    Queue(
        "intake_supplement", _("Chờ bổ sung khi tiếp nhận"), _DESK, _state(State.INTAKE_SUPPLEMENT), desk=True
    ),
    Queue("to_forward", _("Chờ chuyển xử lý"), _DESK, _state(State.RECEIVED), _BY_DUE, desk=True),
    Queue(
        "to_record_supplement",
        _("Chờ nhận bổ sung"),
        _DESK,
        _state(State.SUPPLEMENT_REQUESTED),
        _BY_DUE,
        desk=True,
    ),
    Queue("awaiting_payment", _("Chờ nộp phí"), _DESK, _state(State.AWAITING_PAYMENT), _BY_DUE, desk=True),
    Queue("to_deliver", _("Chờ trả kết quả"), _DESK, _state(State.RESOLVED), ("ended_at", "id"), desk=True),
    Queue("to_assign", _("Chờ phân công"), frozenset({Role.DEPARTMENT_HEAD}), _to_assign, _BY_DUE),
    Queue("to_appraise", _("Được giao thẩm định"), _DEPARTMENT, _to_appraise, _BY_DUE),
    Queue(
        "to_approve", _("Chờ phê duyệt"), frozenset({Role.APPROVER}), _last_step_is(Action.PROPOSE), _BY_DUE
    ),
    Queue(
        "to_resolve",
        _("Chờ ban hành kết quả"),
        frozenset({Role.APPROVER, Role.CLERK}),
        _last_step_is(Action.APPROVE),
        _BY_DUE,
    ),
    Queue("near_due", _("Sắp đến hạn"), _WATCHERS, _near_due, _BY_DUE),
    Queue("overdue", _("Quá hạn"), _WATCHERS, _overdue, _BY_DUE),
)
_BY_KEY = {q.key: q for q in QUEUES}


@dataclass(frozen=True)
class _Grant:
    role: Role
    unit_id: int
    department_id: int | None


def _grants(user: User) -> list[_Grant]:
    return [_Grant(Role(a.role), a.unit_id, a.department_id) for a in role_rows(user)]


def queues_for(user: User) -> list[Queue]:
    """The queues ``user`` works on, in display order (an admin sees them all)."""
    if user.is_superuser:
        return list(QUEUES)
    held = {g.role for g in _grants(user)}
    if Role.ADMIN in held:
        return list(QUEUES)
    return [q for q in QUEUES if q.roles & held]


def _scope(user: User, queue: Queue) -> Q:
    if user.is_superuser:
        return Q()
    unit = "receiving_unit" if queue.desk else "competent_unit"
    scope = Q(pk__in=[])
    for grant in _grants(user):
        if grant.role not in queue.roles and grant.role is not Role.ADMIN:
            continue
        part = Q(**{f"{unit}_id": grant.unit_id}) | Q(**{f"{unit}__parent_id": grant.unit_id})
        if grant.department_id is not None and grant.role in _DEPARTMENT:
            part &= Q(department_id=grant.department_id)
        scope |= part
    return scope


def queue_dossiers(
    user: User, key: str, *, at: datetime, filters: DossierFilters | None = None
) -> QuerySet[Dossier]:
    """The dossiers of queue ``key`` for ``user`` at instant ``at``, matching ``filters``, in work order."""
    queue = _BY_KEY[key]
    qs = dossier_list(user=user, filters=filters).filter(_scope(user, queue))
    return queue.narrow(qs, user, at).order_by(*queue.order)


def queue_counts(user: User, queues: Iterable[Queue], *, at: datetime) -> dict[str, int]:
    return {q.key: queue_dossiers(user, q.key, at=at).count() for q in queues}
