"""Time limits, due dates, timeliness, extensions and payment pauses (rules.md §1, §2.1-§2.3).

Usage::

    limit = TimeLimit.parse(3, "working_days")
    due = compute_due(calendar=calendar, received_at=received_at, limit=limit)
    classify_ended(ended_at=resolved_at, due_at=due, tz=calendar.tz)      # Timeliness.ON_TIME, ...

Pure: every instant, including "now", is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from motcua.domain.calendar import WorkingCalendar, scale_timedelta

__all__ = [
    "DEFAULT_SAME_DAY_CUTOFF",
    "DeadlineError",
    "TimeLimit",
    "TimeUnit",
    "Timeliness",
    "check_extension",
    "choose_limit",
    "classify_ended",
    "classify_open",
    "compute_due",
    "extension_allowed",
    "paused_due",
]

DEFAULT_SAME_DAY_CUTOFF: Final = time(15, 0)
"""A procedure's default ``same_day_cutoff`` (rules.md §1)."""

ONLINE_CHANNEL: Final = "online"
_ONE_HOUR: Final = timedelta(hours=1)


class DeadlineError(ValueError):
    """An invalid time limit, or a refused deadline change; ``field`` and ``value`` name what is wrong."""

    def __init__(self, message: str, *, field: str = "", value: object = None) -> None:
        super().__init__(message)
        self.field = field
        self.value = value


class TimeUnit(StrEnum):
    """The unit of a procedure's time limit (rules.md §1)."""

    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"
    CALENDAR_DAYS = "calendar_days"
    SAME_DAY = "same_day"


def _to_decimal(value: object) -> Decimal:
    if isinstance(value, bool):
        raise DeadlineError(f"time limit value must be a number, got {value!r}", field="value", value=value)
    try:
        if isinstance(value, Decimal):
            number = value
        elif isinstance(value, int):
            number = Decimal(value)
        elif isinstance(value, float):
            number = Decimal(repr(value))
        elif isinstance(value, str):
            number = Decimal(value.strip())
        else:
            raise TypeError
    except (InvalidOperation, TypeError):
        raise DeadlineError(
            f"time limit value must be a number, got {value!r}", field="value", value=value
        ) from None
    if not number.is_finite():
        raise DeadlineError(f"time limit value must be finite, got {value!r}", field="value", value=value)
    if number < 0:
        raise DeadlineError(
            f"time limit value must not be negative, got {value!r}", field="value", value=value
        )
    return number


@dataclass(frozen=True, kw_only=True)
class TimeLimit:
    """A procedure's time limit ``{value, unit}`` (rules.md §1); ``value`` may be fractional (0.5 day).

    ``TimeLimit(value=Decimal("0.5"), unit=TimeUnit.WORKING_DAYS)`` or ``TimeLimit.parse("0.5",
    "working_days")``. A ``calendar_days`` value must be a whole number; a ``same_day`` value is ignored.
    """

    value: Decimal
    unit: TimeUnit

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", _to_decimal(self.value))
        try:
            unit = TimeUnit(self.unit)
        except ValueError:
            raise DeadlineError(
                f"time limit unit must be one of {', '.join(TimeUnit)}, got {self.unit!r}",
                field="unit",
                value=self.unit,
            ) from None
        object.__setattr__(self, "unit", unit)
        if unit is TimeUnit.CALENDAR_DAYS and self.value != self.value.to_integral_value():
            raise DeadlineError(
                f"time limit value must be a whole number of days for calendar_days, got {self.value}",
                field="value",
                value=self.value,
            )

    @classmethod
    def parse(cls, value: int | float | str | Decimal, unit: str | TimeUnit) -> TimeLimit:
        """Build a time limit from catalogue data, refusing a negative value or an unknown unit."""
        return cls(value=_to_decimal(value), unit=unit)  # type: ignore[arg-type]  # validated in __post_init__

    def as_dict(self) -> dict[str, str]:
        """The JSON form ``{"value": "0.5", "unit": "working_days"}`` (value as a string: exact)."""
        return {"value": str(self.value), "unit": str(self.unit)}

    def __str__(self) -> str:
        return f"{self.value} {self.unit}"


def choose_limit(*, limit: TimeLimit, online_limit: TimeLimit | None, channel: str) -> TimeLimit:
    """The ``online_time_limit`` when the dossier's channel is online and one exists (rules.md §2.1)."""
    if channel == ONLINE_CHANNEL and online_limit is not None:
        return online_limit
    return limit


def compute_due(
    *,
    calendar: WorkingCalendar,
    received_at: datetime,
    limit: TimeLimit,
    same_day_cutoff: time = DEFAULT_SAME_DAY_CUTOFF,
) -> datetime:
    """The due instant (ngày hẹn trả) of a dossier accepted at ``received_at`` (rules.md §2.1).

    - ``working_days`` N: N * the working-day length of working time from the start of work;
    - ``working_hours`` N: N hours of working time likewise; when the amount runs out exactly at a
      session's end, the due is that session's end;
    - ``calendar_days`` N: the end of the last session of ``date(received_at) + N`` days, or of the next
      working day if that date is not a working day;
    - ``same_day``: received on a working day before ``same_day_cutoff`` (local time) → the end of that
      day; otherwise the end of the next working day.

    Example (default hours): received Mon 09:00, 3 working days → Thu 09:00; received Mon 18:00 → Thu
    17:00; received Sat → Wed 17:00.
    """
    if same_day_cutoff.tzinfo is not None:
        raise DeadlineError(
            "same_day_cutoff must be a local (naive) time", field="same_day_cutoff", value=same_day_cutoff
        )
    unit = limit.unit
    if unit is TimeUnit.WORKING_DAYS:
        return calendar.add_working_time(received_at, scale_timedelta(calendar.day_length, limit.value))
    if unit is TimeUnit.WORKING_HOURS:
        return calendar.add_working_time(received_at, scale_timedelta(_ONE_HOUR, limit.value))
    received_date = calendar.local_date(received_at)
    if unit is TimeUnit.CALENDAR_DAYS:
        target = received_date + timedelta(days=int(limit.value))
        return calendar.end_of_day(calendar.working_day_on_or_after(target))
    # TimeUnit.SAME_DAY
    local_time = received_at.astimezone(calendar.zone).time()
    if calendar.is_working_day(received_date) and local_time < same_day_cutoff:
        return calendar.end_of_day(received_date)
    return calendar.end_of_day(calendar.next_working_day(received_date))


class Timeliness(StrEnum):
    """A dossier's timeliness (rules.md §2.3)."""

    BEFORE_DUE = "before_due"
    ON_TIME = "on_time"
    OVERDUE = "overdue"
    WITHIN_DUE = "within_due"


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise DeadlineError(f"unknown time zone tz={tz!r}", field="tz", value=tz) from None


def _local_date(value: datetime, *, field: str, zone: ZoneInfo) -> date:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise DeadlineError(
            f"{field} must be a timezone-aware datetime, got {value!r}", field=field, value=value
        )
    return value.astimezone(zone).date()


def classify_ended(*, ended_at: datetime, due_at: datetime, tz: str) -> Timeliness:
    """Timeliness of an ended dossier, comparing local DATES (rules.md §2.3).

    Ended before the due date → ``before_due``; on the due date → ``on_time``; after → ``overdue``.
    """
    zone = _zone(tz)
    ended = _local_date(ended_at, field="ended_at", zone=zone)
    due = _local_date(due_at, field="due_at", zone=zone)
    if ended < due:
        return Timeliness.BEFORE_DUE
    if ended == due:
        return Timeliness.ON_TIME
    return Timeliness.OVERDUE


def classify_open(*, due_at: datetime, at: datetime, tz: str) -> Timeliness:
    """Timeliness of a dossier still open at ``at``: ``within_due`` iff date(due) ≥ date(at) (§2.3)."""
    zone = _zone(tz)
    due = _local_date(due_at, field="due_at", zone=zone)
    today = _local_date(at, field="at", zone=zone)
    return Timeliness.WITHIN_DUE if due >= today else Timeliness.OVERDUE


def extension_allowed(*, calendar: WorkingCalendar, at: datetime, due_at: datetime) -> bool:
    """Whether an extension requested at ``at`` is early enough (rules.md §2.2).

    It must be made at least one working day before the due: ``working_time_between(at, due_at) >=
    day_length``.
    """
    return calendar.working_time_between(at, due_at) >= calendar.day_length


def check_extension(
    *,
    calendar: WorkingCalendar,
    at: datetime,
    due_at: datetime,
    new_appointment: datetime,
    extensions_so_far: int,
) -> None:
    """Refuse an extension with apology (Form 04) that rules.md §2.2 does not allow.

    Raises :class:`DeadlineError` when an extension was already made (at most once), when it is requested
    less than one working day before the due date, or when the new appointment is not later than the due.
    The statutory due itself never changes: an apology does not erase lateness.
    """
    if extensions_so_far >= 1:
        raise DeadlineError(
            f"the dossier was already extended ({extensions_so_far}); an extension is allowed at most once",
            field="extensions",
            value=extensions_so_far,
        )
    if not extension_allowed(calendar=calendar, at=at, due_at=due_at):
        left = calendar.working_time_between(at, due_at)
        raise DeadlineError(
            f"an extension must be requested at least 1 working day ({calendar.day_length}) before the due "
            f"date {due_at.astimezone(calendar.zone).isoformat()}; only {left} of working time is left",
            field="at",
            value=at,
        )
    if new_appointment.tzinfo is None or new_appointment.utcoffset() is None:
        raise DeadlineError(
            f"new_appointment must be timezone-aware, got {new_appointment!r}",
            field="new_appointment",
            value=new_appointment,
        )
    if new_appointment <= due_at:
        raise DeadlineError(
            f"the new appointment {new_appointment.astimezone(calendar.zone).isoformat()} must be later than "
            f"the due {due_at.astimezone(calendar.zone).isoformat()}",
            field="new_appointment",
            value=new_appointment,
        )


def paused_due(
    *, calendar: WorkingCalendar, due_at: datetime, waiting_from: datetime, waiting_until: datetime
) -> datetime:
    """The due moved later by the working time spent waiting for payment (rules.md §2.2).

    Only for procedures that set ``pause_for_payment``. Without working time spent waiting, ``due_at`` is
    returned unchanged (even when it is a session's end, which ``add_working_time`` would otherwise move to
    the next opening).
    """
    waited = calendar.working_time_between(waiting_from, waiting_until)
    if waited <= timedelta(0):
        return due_at.astimezone(calendar.zone)
    return calendar.add_working_time(due_at, waited)
