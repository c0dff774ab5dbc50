"""The inbox's reads (motcua.web.selectors): scope by role and unit, and the narrows that make the queues."""

from __future__ import annotations

import pytest

from conftest import Staff, vn
from motcua.domain.lifecycle import Action, Role, State
from motcua.web.selectors import (
    dossiers_in_state,
    dossiers_last_step_is,
    dossiers_overdue,
    dossiers_to_appraise,
    dossiers_to_assign,
    inbox_dossiers,
    is_near_due,
    role_grants,
)
from motcua.web.tests.conftest import dossier_in

pytestmark = pytest.mark.django_db

AT = vn("2026-03-09 09:00")
DESK = frozenset({Role.DESK_OFFICER})
ORDER = ("submitted_at", "id")


def codes(qs: object) -> list[int]:
    return [d.pk for d in qs]  # type: ignore[attr-defined]


def test_role_grants_name_each_role_with_its_unit_and_department(staff: Staff) -> None:
    grants = role_grants(staff.specialist)
    assert [(g.role, g.department_id is not None) for g in grants] == [(Role.SPECIALIST, True)]


def test_desk_work_is_scoped_by_the_receiving_unit(staff: Staff) -> None:
    # given
    received = dossier_in(staff, "received")
    # when
    mine = inbox_dossiers(
        user=staff.desk, roles=DESK, desk=True, narrow=dossiers_in_state(State.RECEIVED), order=ORDER, at=AT
    )
    other = inbox_dossiers(
        user=staff.other_desk,
        roles=DESK,
        desk=True,
        narrow=dossiers_in_state(State.RECEIVED),
        order=ORDER,
        at=AT,
    )
    # then
    assert codes(mine) == [received.pk]
    assert codes(other) == []


def test_a_role_the_queue_does_not_name_sees_nothing(staff: Staff) -> None:
    dossier_in(staff, "received")
    qs = inbox_dossiers(
        user=staff.approver,
        roles=DESK,
        desk=True,
        narrow=dossiers_in_state(State.RECEIVED),
        order=ORDER,
        at=AT,
    )
    assert codes(qs) == []


def test_assignment_and_appraisal_follow_the_assignee_and_the_department(staff: Staff) -> None:
    # given
    unassigned = dossier_in(staff, "processing")
    assigned = dossier_in(staff, "assigned")
    proposed = dossier_in(staff, "proposed")
    department = frozenset({Role.SPECIALIST, Role.DEPARTMENT_HEAD})

    def queue(user: object, narrow: object) -> list[int]:
        return codes(
            inbox_dossiers(user=user, roles=department, desk=False, narrow=narrow, order=ORDER, at=AT)  # type: ignore[arg-type]
        )

    # then
    assert queue(staff.head, dossiers_to_assign) == [unassigned.pk]
    assert queue(staff.specialist, dossiers_to_appraise) == [assigned.pk]  # the proposed one waits upstairs
    assert queue(staff.land_specialist, dossiers_to_appraise) == []  # another department
    assert proposed.pk not in queue(staff.specialist, dossiers_to_appraise)


def test_the_last_step_decides_who_approves_and_who_issues(staff: Staff) -> None:
    proposed = dossier_in(staff, "proposed")
    approved = dossier_in(staff, "approved")
    roles = frozenset({Role.APPROVER})

    def queue(action: Action) -> list[int]:
        narrow = dossiers_last_step_is(action)
        return codes(
            inbox_dossiers(user=staff.approver, roles=roles, desk=False, narrow=narrow, order=ORDER, at=AT)
        )

    assert queue(Action.PROPOSE) == [proposed.pk]
    assert queue(Action.APPROVE) == [approved.pk]


def test_overdue_and_near_due_on_the_units_calendar(staff: Staff) -> None:
    # given: accepted Mon 9 Mar 08:10 with 3 working days → due Thu 12 Mar 17:00
    dossier = dossier_in(staff, "processing")
    watchers = frozenset({Role.APPROVER})

    def overdue(at: object) -> list[int]:
        return codes(
            inbox_dossiers(
                user=staff.approver, roles=watchers, desk=False, narrow=dossiers_overdue, order=ORDER, at=at
            )  # type: ignore[arg-type]
        )

    # then
    assert not is_near_due(dossier, vn("2026-03-10 09:00"))
    assert is_near_due(dossier, vn("2026-03-12 08:00"))
    assert overdue(vn("2026-03-12 18:00")) == []  # late the same day is not yet overdue (rules §2.3)
    assert overdue(vn("2026-03-13 08:00")) == [dossier.pk]
