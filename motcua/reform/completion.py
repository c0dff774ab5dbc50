"""The reform-plan rules as pure functions: a task's status decided from its dates, and the completion rates.

Rules ``rules.md`` §6 (completion rate = done ÷ (total − removed), by deadline and by year end) and the
background in ``domain-research.md`` §8 (Resolution 76/NQ-CP, the PAR plan and task model). Standard library
only: no Django, every input (including the date the figures are taken at) passed in.

    decide_status("done", deadline=date(2025, 9, 30), completed_on=date(2025, 10, 2))  # → "done_late"
    evaluate(tasks, as_of=date(2025, 11, 30), year_end=date(2025, 12, 31)).rate       # → Decimal("75.61")
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

__all__ = [
    "DONE",
    "DONE_LATE",
    "DONE_ON_TIME",
    "IN_PROGRESS",
    "NOT_STARTED",
    "OPEN",
    "OVERDUE",
    "REMOVED",
    "STATUSES",
    "Completion",
    "Counts",
    "Ratio",
    "StatusRuleError",
    "TaskFacts",
    "counts_dict",
    "decide_status",
    "evaluate",
    "rate",
    "standing",
]

NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
DONE_ON_TIME = "done_on_time"
DONE_LATE = "done_late"
OVERDUE = "overdue"
REMOVED = "removed"
STATUSES = (NOT_STARTED, IN_PROGRESS, DONE_ON_TIME, DONE_LATE, OVERDUE, REMOVED)
"""The statuses of rules §6, in this order."""

DONE = frozenset({DONE_ON_TIME, DONE_LATE})
OPEN = frozenset({NOT_STARTED, IN_PROGRESS})
"""The statuses a task is stored with while not done: ``overdue`` is never stored, it is computed."""

_HUNDRED = Decimal(100)
_CENT = Decimal("0.01")


class StatusRuleError(ValueError):
    """A requested status that the dates do not allow; ``field`` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def rate(numerator: int, denominator: int) -> Decimal | None:
    """``numerator / denominator`` as a percent rounded half-up to 2 decimals; ``None`` when nothing counts.

    >>> rate(31, 41), rate(1, 8), rate(0, 0)
    (Decimal('75.61'), Decimal('12.50'), None)
    """
    if denominator <= 0:
        return None
    return (Decimal(numerator) * _HUNDRED / Decimal(denominator)).quantize(_CENT, rounding=ROUND_HALF_UP)


def decide_status(requested: str, *, deadline: date, completed_on: date | None) -> str:
    """The status a task is stored with when ``requested``; the dates decide between on time and late.

    - ``done``, ``done_on_time``, ``done_late``: the task needs ``completed_on``; it is ``done_on_time`` when
      ``completed_on ≤ deadline`` and ``done_late`` otherwise, whichever of the two was asked for.
    - ``not_started``, ``in_progress``: the task must have no ``completed_on``.
    - ``overdue`` is refused: it is computed from the deadline at the date the figures are taken.
    - ``removed`` is kept as asked (the service requires a reason).
    """
    if requested in (*DONE, "done"):
        if completed_on is None:
            raise StatusRuleError("completed_on", "is required for a done task")
        return DONE_ON_TIME if completed_on <= deadline else DONE_LATE
    if requested in OPEN:
        if completed_on is not None:
            raise StatusRuleError("completed_on", f"must be empty for a task that is {requested}")
        return requested
    if requested == REMOVED:
        return REMOVED
    if requested == OVERDUE:
        raise StatusRuleError(
            "status", "overdue is not stored: it is computed from the deadline (send not_started or in_progress)"
        )
    raise StatusRuleError("status", f"must be one of {', '.join(s for s in STATUSES if s != OVERDUE)} or done")


@dataclass(frozen=True, kw_only=True)
class TaskFacts:
    """What the rates need to know about one task."""

    number: str
    area: str
    deadline: date
    status: str
    completed_on: date | None = None


def standing(task: TaskFacts, *, as_of: date) -> str:
    """The task's status at the end of ``as_of``.

    - removed stays removed;
    - done counts only when completed on or before ``as_of`` (a task finished later was not yet done then);
    - a task not done whose deadline is before ``as_of`` is ``overdue``;
    - otherwise ``not_started`` or ``in_progress`` as stored (a task done after ``as_of`` was ``in_progress``).
    """
    if task.status == REMOVED:
        return REMOVED
    if task.status in DONE and task.completed_on is not None and task.completed_on <= as_of:
        return DONE_ON_TIME if task.completed_on <= task.deadline else DONE_LATE
    if task.deadline < as_of:
        return OVERDUE
    return NOT_STARTED if task.status == NOT_STARTED else IN_PROGRESS


@dataclass(frozen=True)
class Ratio:
    numerator: int
    denominator: int

    @property
    def rate(self) -> Decimal | None:
        return rate(self.numerator, self.denominator)


@dataclass
class Counts:
    """Tasks by standing; ``counted`` = total − removed; ``rate`` = done ÷ counted (rules §6)."""

    total: int = 0
    removed: int = 0
    done_on_time: int = 0
    done_late: int = 0
    in_progress: int = 0
    not_started: int = 0
    overdue: int = 0

    def add(self, status: str) -> None:
        self.total += 1
        setattr(self, status, getattr(self, status) + 1)

    @property
    def counted(self) -> int:
        return self.total - self.removed

    @property
    def done(self) -> int:
        return self.done_on_time + self.done_late

    @property
    def rate(self) -> Decimal | None:
        return rate(self.done, self.counted)


@dataclass
class Completion:
    """The figures of one plan at ``as_of``.

    - ``counts``: every task by its standing at ``as_of``;
    - ``by_deadline``: the tasks (not removed) whose deadline is on or before ``as_of``, and of those the ones
      completed on or before their deadline;
    - ``by_year_end``: done ÷ (total − removed) taken at ``year_end`` (31 December of the plan year);
    - ``by_area``: ``counts`` per area, in the order the areas first appear in ``area_order`` then the tasks.
    """

    as_of: date
    year_end: date
    counts: Counts
    by_deadline: Ratio
    by_year_end: Ratio
    by_area: dict[str, Counts] = field(default_factory=dict)

    @property
    def rate(self) -> Decimal | None:
        return self.counts.rate


def evaluate(
    tasks: Iterable[TaskFacts], *, as_of: date, year_end: date, area_order: Iterable[str] = ()
) -> Completion:
    """The completion figures of a plan's ``tasks`` at ``as_of`` (rules §6)."""
    tasks = list(tasks)
    counts = Counts()
    by_area: dict[str, Counts] = {area: Counts() for area in area_order}
    due = due_on_time = 0
    year_end_counts = Counts()
    for task in tasks:
        now = standing(task, as_of=as_of)
        counts.add(now)
        by_area.setdefault(task.area, Counts()).add(now)
        year_end_counts.add(standing(task, as_of=year_end))
        if now != REMOVED and task.deadline <= as_of:
            due += 1
            if now == DONE_ON_TIME:
                due_on_time += 1
    return Completion(
        as_of=as_of,
        year_end=year_end,
        counts=counts,
        by_deadline=Ratio(due_on_time, due),
        by_year_end=Ratio(year_end_counts.done, year_end_counts.counted),
        by_area={area: c for area, c in by_area.items() if c.total},
    )


def counts_dict(counts: Counts) -> Mapping[str, object]:
    """``counts`` as plain values (the rate as a float with 2 decimals, or ``None``)."""
    value = counts.rate
    return {
        "total": counts.total,
        "removed": counts.removed,
        "counted": counts.counted,
        "done": counts.done,
        "done_on_time": counts.done_on_time,
        "done_late": counts.done_late,
        "in_progress": counts.in_progress,
        "not_started": counts.not_started,
        "overdue": counts.overdue,
        "rate": float(value) if value is not None else None,
    }
