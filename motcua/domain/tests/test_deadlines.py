"""Time limits, due dates, timeliness, extensions and payment pauses (rules.md §2.1-§2.3)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest

from motcua.domain.deadlines import (
    DeadlineError,
    TimeLimit,
    Timeliness,
    TimeUnit,
    check_extension,
    choose_limit,
    classify_ended,
    classify_open,
    compute_due,
    extension_allowed,
    paused_due,
)

from .support import VN, dt

TZ = "Asia/Ho_Chi_Minh"


def due(received: str, value: object, unit: str, cutoff: time = time(15)) -> datetime:
    return compute_due(
        calendar=VN,
        received_at=dt(received),
        limit=TimeLimit.parse(value, unit),  # type: ignore[arg-type]
        same_day_cutoff=cutoff,
    )


# -- time limits ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (3, "working_days", TimeLimit(value=Decimal(3), unit=TimeUnit.WORKING_DAYS)),
        (0.5, "working_days", TimeLimit(value=Decimal("0.5"), unit=TimeUnit.WORKING_DAYS)),
        (" 1.5 ", TimeUnit.WORKING_HOURS, TimeLimit(value=Decimal("1.5"), unit=TimeUnit.WORKING_HOURS)),
        (Decimal(30), "calendar_days", TimeLimit(value=Decimal(30), unit=TimeUnit.CALENDAR_DAYS)),
        ("30.0", "calendar_days", TimeLimit(value=Decimal(30), unit=TimeUnit.CALENDAR_DAYS)),
        (0, "same_day", TimeLimit(value=Decimal(0), unit=TimeUnit.SAME_DAY)),
    ],
)
def test_time_limits_parse_catalogue_values(value: object, unit: str, expected: TimeLimit) -> None:
    limit = TimeLimit.parse(value, unit)  # type: ignore[arg-type]

    assert limit == expected
    assert isinstance(limit.value, Decimal)
    assert isinstance(limit.unit, TimeUnit)


@pytest.mark.parametrize(
    ("value", "unit", "field"),
    [
        (-1, "working_days", "value"),
        ("-0.5", "working_days", "value"),
        ("three", "working_days", "value"),
        (True, "working_days", "value"),
        (None, "working_days", "value"),
        (float("nan"), "working_days", "value"),
        ("Infinity", "working_days", "value"),
        (1.5, "calendar_days", "value"),
        (3, "weeks", "unit"),
        (3, "", "unit"),
    ],
)
def test_invalid_time_limits_are_refused_naming_field_and_value(value: object, unit: str, field: str) -> None:
    with pytest.raises(DeadlineError) as error:
        TimeLimit.parse(value, unit)  # type: ignore[arg-type]

    assert error.value.field == field
    assert f"time limit {field}" in str(error.value)
    assert isinstance(error.value, ValueError)


def test_time_limit_json_form() -> None:
    limit = TimeLimit.parse("0.5", "working_days")

    assert limit.as_dict() == {"value": "0.5", "unit": "working_days"}
    assert str(limit) == "0.5 working_days"


def test_the_online_limit_applies_to_online_dossiers_only() -> None:
    limit = TimeLimit.parse(5, "working_days")
    online = TimeLimit.parse(3, "working_days")

    assert choose_limit(limit=limit, online_limit=online, channel="online") is online
    assert choose_limit(limit=limit, online_limit=online, channel="direct") is limit
    assert choose_limit(limit=limit, online_limit=None, channel="online") is limit


# -- due dates -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "value", "unit", "expected"),
    [
        # rules.md §2.1 examples (Mon 9 March 2026)
        ("2026-03-09T09:00", 3, "working_days", "2026-03-12T09:00"),
        ("2026-03-09T18:00", 3, "working_days", "2026-03-12T17:00"),
        ("2026-03-14T10:00", 3, "working_days", "2026-03-18T17:00"),
        # the same examples read from UTC instants
        ("2026-03-09T02:00:00+00:00", 3, "working_days", "2026-03-12T09:00"),
        # Tết 2026 and Tết 2025
        ("2026-02-12T09:00", 3, "working_days", "2026-02-24T09:00"),
        ("2025-01-23T14:00", 2, "working_days", "2025-02-03T14:00"),
        # runs out exactly at a session end
        ("2026-03-09T07:30", "0.5333333333333333333333333333", "working_days", "2026-03-09T11:30"),
        ("2026-03-09T07:30", 1, "working_days", "2026-03-09T17:00"),
        # fractional working days
        ("2026-03-09T09:00", "0.5", "working_days", "2026-03-09T14:45"),
        ("2026-03-09T13:30", "0.5", "working_days", "2026-03-10T07:45"),
        ("2026-03-09T09:00", 0, "working_days", "2026-03-09T09:00"),
        # working hours
        ("2026-03-09T07:30", 4, "working_hours", "2026-03-09T11:30"),
        ("2026-03-09T07:30", 8, "working_hours", "2026-03-10T08:00"),
        ("2026-03-13T15:00", 2, "working_hours", "2026-03-13T17:00"),
        ("2026-03-13T15:00", "2.5", "working_hours", "2026-03-16T08:00"),
        ("2026-08-21T16:00", 4, "working_hours", "2026-08-22T10:30"),
        # calendar days: end of date(received) + N, moved to the next working day when off
        ("2026-03-09T09:00", 3, "calendar_days", "2026-03-12T17:00"),
        ("2026-03-09T09:00", 5, "calendar_days", "2026-03-16T17:00"),  # Sat 14 -> Mon 16
        ("2026-04-20T16:30", 7, "calendar_days", "2026-04-28T17:00"),  # Hùng Kings observed Mon 27/4
        ("2026-08-24T09:00", 8, "calendar_days", "2026-09-03T17:00"),  # Tue 1/9 off -> Thu 3/9
        ("2026-03-09T18:00", 0, "calendar_days", "2026-03-09T17:00"),
        ("2026-03-14T10:00", 0, "calendar_days", "2026-03-16T17:00"),
        # same day: before the cutoff on a working day -> end of that day
        ("2026-03-09T14:59", 0, "same_day", "2026-03-09T17:00"),
        ("2026-03-09T06:00", 0, "same_day", "2026-03-09T17:00"),
        ("2026-03-09T15:00", 0, "same_day", "2026-03-10T17:00"),
        ("2026-03-13T16:00", 0, "same_day", "2026-03-16T17:00"),
        ("2026-03-14T09:00", 0, "same_day", "2026-03-16T17:00"),  # Saturday
        ("2026-01-10T09:00", 0, "same_day", "2026-01-10T17:00"),  # working Saturday
        ("2026-02-13T15:30", 1, "same_day", "2026-02-23T17:00"),  # before Tết 2026
    ],
)
def test_compute_due(received: str, value: object, unit: str, expected: str) -> None:
    result = due(received, value, unit)

    assert result == dt(expected)
    assert result.tzinfo is not None
    assert result.utcoffset() == timedelta(hours=7)


def test_same_day_cutoff_is_configurable() -> None:
    assert due("2026-03-09T15:30", 0, "same_day", cutoff=time(16)) == dt("2026-03-09T17:00")
    assert due("2026-03-09T10:00", 0, "same_day", cutoff=time(10)) == dt("2026-03-10T17:00")
    with pytest.raises(DeadlineError) as error:
        due("2026-03-09T10:00", 0, "same_day", cutoff=time(10, tzinfo=UTC))

    assert error.value.field == "same_day_cutoff"


# -- timeliness ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ended", "due_at", "expected"),
    [
        ("2026-03-11T16:59", "2026-03-12T09:00", Timeliness.BEFORE_DUE),
        ("2026-03-12T07:30", "2026-03-12T09:00", Timeliness.ON_TIME),
        ("2026-03-12T16:59", "2026-03-12T09:00", Timeliness.ON_TIME),  # same date, after the hour: on time
        ("2026-03-13T07:30", "2026-03-12T17:00", Timeliness.OVERDUE),
        # 18:00 UTC on the 11th is 01:00 local on the 12th: the local dates are compared
        ("2026-03-11T18:00:00+00:00", "2026-03-12T17:00", Timeliness.ON_TIME),
        ("2026-03-11T16:00:00+00:00", "2026-03-12T17:00", Timeliness.BEFORE_DUE),
    ],
)
def test_classify_ended_compares_local_dates(ended: str, due_at: str, expected: Timeliness) -> None:
    assert classify_ended(ended_at=dt(ended), due_at=dt(due_at), tz=TZ) is expected


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        ("2026-03-11T09:00", Timeliness.WITHIN_DUE),
        ("2026-03-12T23:59", Timeliness.WITHIN_DUE),
        ("2026-03-12T17:00:00+00:00", Timeliness.OVERDUE),  # 00:00 on the 13th, local
        ("2026-03-13T00:00", Timeliness.OVERDUE),
    ],
)
def test_classify_open(at: str, expected: Timeliness) -> None:
    assert classify_open(due_at=dt("2026-03-12T09:00"), at=dt(at), tz=TZ) is expected


def test_timeliness_refuses_naive_instants_and_unknown_zones() -> None:
    with pytest.raises(DeadlineError) as error:
        classify_ended(ended_at=datetime(2026, 3, 12), due_at=dt("2026-03-12T09:00"), tz=TZ)
    assert error.value.field == "ended_at"
    with pytest.raises(DeadlineError) as error:
        classify_open(due_at=dt("2026-03-12T09:00"), at=dt("2026-03-12T09:00"), tz="Nowhere/Void")
    assert error.value.field == "tz"


# -- extension (Form 04) -------------------------------------------------------------------------------------

DUE = "2026-03-12T17:00"


@pytest.mark.parametrize(
    ("at", "allowed"),
    [
        ("2026-03-09T09:00", True),
        ("2026-03-11T17:00", True),  # exactly one working day (Thu 07:30-17:00) before the due
        ("2026-03-11T17:00:00.000001", True),  # after hours: still a full day left
        ("2026-03-12T07:30:00.000001", False),
        ("2026-03-12T09:00", False),
        ("2026-03-13T09:00", False),  # after the due
    ],
)
def test_extension_must_come_one_working_day_before_the_due(at: str, allowed: bool) -> None:
    assert extension_allowed(calendar=VN, at=dt(at), due_at=dt(DUE)) is allowed


def test_an_extension_is_accepted() -> None:
    check_extension(
        calendar=VN,
        at=dt("2026-03-10T09:00"),
        due_at=dt(DUE),
        new_appointment=dt("2026-03-16T17:00"),
        extensions_so_far=0,
    )


@pytest.mark.parametrize(
    ("at", "new_appointment", "extensions", "field", "message"),
    [
        ("2026-03-10T09:00", "2026-03-16T17:00", 1, "extensions", "at most once"),
        ("2026-03-12T08:00", "2026-03-16T17:00", 0, "at", "at least 1 working day"),
        ("2026-03-10T09:00", DUE, 0, "new_appointment", "must be later than the due"),
        ("2026-03-10T09:00", "2026-03-11T17:00", 0, "new_appointment", "must be later than the due"),
    ],
)
def test_an_extension_is_refused_with_a_clear_error(
    at: str, new_appointment: str, extensions: int, field: str, message: str
) -> None:
    with pytest.raises(DeadlineError, match=message) as error:
        check_extension(
            calendar=VN,
            at=dt(at),
            due_at=dt(DUE),
            new_appointment=dt(new_appointment),
            extensions_so_far=extensions,
        )

    assert error.value.field == field


def test_an_extension_needs_an_aware_appointment() -> None:
    with pytest.raises(DeadlineError) as error:
        check_extension(
            calendar=VN,
            at=dt("2026-03-10T09:00"),
            due_at=dt(DUE),
            new_appointment=datetime(2026, 3, 16, 17),
            extensions_so_far=0,
        )

    assert error.value.field == "new_appointment"


# -- payment pause -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due_at", "waiting_from", "waiting_until", "expected"),
    [
        (DUE, "2026-03-10T09:00", "2026-03-10T09:00", DUE),  # no wait: a session end stays put
        (DUE, "2026-03-14T09:00", "2026-03-15T16:00", DUE),  # waited over a weekend only
        (DUE, "2026-03-09T09:00", "2026-03-10T09:00", "2026-03-13T17:00"),  # one working day
        (DUE, "2026-03-09T09:00", "2026-03-09T10:00", "2026-03-13T08:30"),
        ("2026-03-12T11:30", "2026-03-09T09:00", "2026-03-09T10:00", "2026-03-12T14:30"),
        ("2026-03-12T09:00", "2026-03-09T09:00", "2026-03-09T09:30", "2026-03-12T09:30"),
    ],
)
def test_paused_due_adds_the_working_time_spent_waiting(
    due_at: str, waiting_from: str, waiting_until: str, expected: str
) -> None:
    result = paused_due(
        calendar=VN, due_at=dt(due_at), waiting_from=dt(waiting_from), waiting_until=dt(waiting_until)
    )

    assert result == dt(expected)
