"""The pure rules of the reform plan: rates, statuses decided from dates, standing at a date (rules §6)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from motcua.reform import completion as c
from motcua.reform.completion import TaskFacts, decide_status, evaluate, rate, standing

D = date.fromisoformat


@pytest.mark.parametrize(("numerator", "denominator", "expected"), [
    (31, 41, "75.61"),   # the seed plan
    (31, 40, "77.50"),   # one task removed
    (1, 32, "3.13"),     # 3.125 → half-up (half-even would give 3.12)
    (1, 160, "0.63"),    # 0.625 → half-up
    (2, 3, "66.67"),
    (1, 3, "33.33"),
    (0, 5, "0.00"),
    (5, 5, "100.00"),
    (0, 0, None),        # nothing counts: no rate
])
def test_rate_is_a_percent_rounded_half_up_to_2_decimals(numerator: int, denominator: int,
                                                          expected: str | None) -> None:
    # when
    value = rate(numerator, denominator)
    # then
    assert value == (Decimal(expected) if expected is not None else None)


@pytest.mark.parametrize(("requested", "deadline", "completed_on", "expected"), [
    ("done", "2025-09-30", "2025-09-30", "done_on_time"),        # on the deadline day is on time
    ("done", "2025-09-30", "2025-10-01", "done_late"),
    ("done_on_time", "2025-09-30", "2025-10-15", "done_late"),   # the dates win over what was asked
    ("done_late", "2025-09-30", "2025-09-01", "done_on_time"),
    ("in_progress", "2025-09-30", None, "in_progress"),
    ("not_started", "2025-09-30", None, "not_started"),
    ("removed", "2025-09-30", None, "removed"),
    ("removed", "2025-09-30", "2025-09-01", "removed"),
])
def test_status_is_decided_from_the_dates(requested: str, deadline: str, completed_on: str | None,
                                          expected: str) -> None:
    # when
    status = decide_status(requested, deadline=D(deadline), completed_on=D(completed_on) if completed_on else None)
    # then
    assert status == expected


@pytest.mark.parametrize(("requested", "completed_on", "field"), [
    ("done", None, "completed_on"),             # a done task needs its completion date
    ("done_on_time", None, "completed_on"),
    ("in_progress", "2025-09-01", "completed_on"),  # an open task has none
    ("overdue", None, "status"),                # computed, never stored
    ("finished", None, "status"),
])
def test_status_rules_refuse_inconsistent_requests(requested: str, completed_on: str | None, field: str) -> None:
    # when
    with pytest.raises(c.StatusRuleError) as error:
        decide_status(requested, deadline=D("2025-09-30"), completed_on=D(completed_on) if completed_on else None)
    # then
    assert error.value.field == field


def task(status: str, deadline: str, completed_on: str | None = None, area: str = "procedures",
         number: str = "1") -> TaskFacts:
    return TaskFacts(number=number, area=area, deadline=D(deadline), status=status,
                     completed_on=D(completed_on) if completed_on else None)


@pytest.mark.parametrize(("facts", "as_of", "expected"), [
    (task("done_on_time", "2025-09-30", "2025-09-20"), "2025-11-30", "done_on_time"),
    (task("done_late", "2025-09-30", "2025-10-20"), "2025-11-30", "done_late"),
    (task("done_late", "2025-09-30", "2025-10-20"), "2025-10-10", "overdue"),      # not yet done then
    (task("done_on_time", "2025-12-31", "2025-11-20"), "2025-11-01", "in_progress"),
    (task("in_progress", "2025-10-31"), "2025-11-30", "overdue"),
    (task("not_started", "2025-10-31"), "2025-11-30", "overdue"),
    (task("in_progress", "2025-11-30"), "2025-11-30", "in_progress"),               # due today: not overdue
    (task("not_started", "2025-12-31"), "2025-11-30", "not_started"),
    (task("removed", "2025-01-31"), "2025-11-30", "removed"),
])
def test_standing_at_a_date(facts: TaskFacts, as_of: str, expected: str) -> None:
    # when / then
    assert standing(facts, as_of=D(as_of)) == expected


def test_removed_tasks_leave_the_denominator_and_overdue_is_computed() -> None:
    # given: 10 tasks, 2 removed, 4 done (1 late), 1 overdue, 3 still within their deadline
    tasks = [
        task("done_on_time", "2025-08-31", "2025-08-30", area="institutional", number="1"),
        task("done_on_time", "2025-09-30", "2025-09-30", number="2"),
        task("done_on_time", "2025-12-31", "2025-11-01", number="3"),
        task("done_late", "2025-09-30", "2025-10-05", number="4"),
        task("in_progress", "2025-10-31", number="5"),
        task("in_progress", "2025-12-31", number="6"),
        task("not_started", "2025-12-31", number="7"),
        task("not_started", "2025-12-31", area="digital_government", number="8"),
        task("removed", "2025-06-30", number="9"),
        task("removed", "2025-12-31", area="institutional", number="10"),
    ]
    # when
    result = evaluate(tasks, as_of=D("2025-11-30"), year_end=D("2025-12-31"),
                      area_order=["institutional", "procedures", "apparatus", "digital_government"])
    # then
    counts = result.counts
    assert (counts.total, counts.removed, counts.counted, counts.done) == (10, 2, 8, 4)
    assert (counts.done_on_time, counts.done_late, counts.overdue) == (3, 1, 1)
    assert (counts.in_progress, counts.not_started) == (1, 2)
    assert result.rate == Decimal("50.00")
    assert (result.by_deadline.numerator, result.by_deadline.denominator) == (2, 4)   # tasks 1, 2 of 1, 2, 4, 5
    assert result.by_deadline.rate == Decimal("50.00")
    assert (result.by_year_end.numerator, result.by_year_end.denominator) == (4, 8)
    assert list(result.by_area) == ["institutional", "procedures", "digital_government"]  # empty areas left out
    assert (result.by_area["institutional"].counted, result.by_area["institutional"].rate) == (1, Decimal("100.00"))
    assert result.by_area["digital_government"].rate == Decimal("0.00")


def test_a_plan_of_removed_tasks_only_has_no_rate() -> None:
    # when
    result = evaluate([task("removed", "2025-06-30")], as_of=D("2025-11-30"), year_end=D("2025-12-31"))
    # then
    assert (result.counts.counted, result.rate, result.by_deadline.rate) == (0, None, None)
    assert c.counts_dict(result.counts)["rate"] is None


def test_the_model_statuses_are_the_rules_statuses() -> None:
    # given
    from motcua.reform.models import STATUS_NAMES, TaskStatus

    # then
    assert tuple(TaskStatus.values) == c.STATUSES == tuple(STATUS_NAMES)
