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
latest event among :data:`~motcua.web.selectors.STEP_ACTIONS` (extensions, payments and due recomputes do not
move a dossier between officers). This module lists the queues; the queries are in :mod:`motcua.web.selectors`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.domain.lifecycle import Action, Role, State
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import DossierFilters
from motcua.web.selectors import (
    DEPARTMENT_ROLES,
    STEP_ACTIONS,
    Narrow,
    dossiers_in_state,
    dossiers_last_step_is,
    dossiers_near_due,
    dossiers_overdue,
    dossiers_to_appraise,
    dossiers_to_assign,
    inbox_dossiers,
    is_near_due,
    role_grants,
)

__all__ = ["QUEUES", "STEP_ACTIONS", "Queue", "is_near_due", "queue_counts", "queue_dossiers", "queues_for"]

_DESK = frozenset({Role.DESK_OFFICER})
_DEPARTMENT = DEPARTMENT_ROLES
_WATCHERS = frozenset({Role.SPECIALIST, Role.DEPARTMENT_HEAD, Role.APPROVER, Role.INSPECTOR})


@dataclass(frozen=True)
class Queue:
    key: str
    label: Promise
    roles: frozenset[Role]
    narrow: Narrow
    order: tuple[str, ...] = ("submitted_at", "id")
    desk: bool = False
    """Scoped by the receiving unit (desk work) rather than the competent unit."""


_BY_DUE = ("due_at", "id")

QUEUES: tuple[Queue, ...] = (
    Queue("to_accept", _("Chờ tiếp nhận"), _DESK, dossiers_in_state(State.SUBMITTED), desk=True),
    Queue(
        "intake_supplement",
        _("Chờ bổ sung khi tiếp nhận"),
        _DESK,
        dossiers_in_state(State.INTAKE_SUPPLEMENT),
        desk=True,
    ),
    Queue("to_forward", _("Chờ chuyển xử lý"), _DESK, dossiers_in_state(State.RECEIVED), _BY_DUE, desk=True),
    Queue(
        "to_record_supplement",
        _("Chờ nhận bổ sung"),
        _DESK,
        dossiers_in_state(State.SUPPLEMENT_REQUESTED),
        _BY_DUE,
        desk=True,
    ),
    Queue(
        "awaiting_payment",
        _("Chờ nộp phí"),
        _DESK,
        dossiers_in_state(State.AWAITING_PAYMENT),
        _BY_DUE,
        desk=True,
    ),
    Queue(
        "to_deliver",
        _("Chờ trả kết quả"),
        _DESK,
        dossiers_in_state(State.RESOLVED),
        ("ended_at", "id"),
        desk=True,
    ),
    Queue("to_assign", _("Chờ phân công"), frozenset({Role.DEPARTMENT_HEAD}), dossiers_to_assign, _BY_DUE),
    Queue("to_appraise", _("Được giao thẩm định"), _DEPARTMENT, dossiers_to_appraise, _BY_DUE),
    Queue(
        "to_approve",
        _("Chờ phê duyệt"),
        frozenset({Role.APPROVER}),
        dossiers_last_step_is(Action.PROPOSE),
        _BY_DUE,
    ),
    Queue(
        "to_resolve",
        _("Chờ ban hành kết quả"),
        frozenset({Role.APPROVER, Role.CLERK}),
        dossiers_last_step_is(Action.APPROVE),
        _BY_DUE,
    ),
    Queue("near_due", _("Sắp đến hạn"), _WATCHERS, dossiers_near_due, _BY_DUE),
    Queue("overdue", _("Quá hạn"), _WATCHERS, dossiers_overdue, _BY_DUE),
)
_BY_KEY = {q.key: q for q in QUEUES}


def queues_for(user: User) -> list[Queue]:
    """The queues ``user`` works on, in display order (an admin sees them all)."""
    if user.is_superuser:
        return list(QUEUES)
    held = {g.role for g in role_grants(user)}
    if Role.ADMIN in held:
        return list(QUEUES)
    return [q for q in QUEUES if q.roles & held]


def queue_dossiers(
    user: User, key: str, *, at: datetime, filters: DossierFilters | None = None
) -> QuerySet[Dossier]:
    """The dossiers of queue ``key`` for ``user`` at instant ``at``, matching ``filters``, in work order."""
    queue = _BY_KEY[key]
    return inbox_dossiers(
        user=user,
        roles=queue.roles,
        desk=queue.desk,
        narrow=queue.narrow,
        order=queue.order,
        at=at,
        filters=filters,
    )


def queue_counts(user: User, queues: Iterable[Queue], *, at: datetime) -> dict[str, int]:
    return {q.key: queue_dossiers(user, q.key, at=at).count() for q in queues}
