"""The working calendar (rules.md §1, §2, §2.1), with real Vietnamese dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest

from motcua.domain.calendar import (
    DEFAULT_SESSIONS,
    CalendarError,
    Override,
    OverrideKind,
    WorkingCalendar,
    scale_timedelta,
)

from .support import VN, VN_TZ, d, dt

H = timedelta(hours=1)


# -- definition ----------------------------------------------------------------------------------------------


def test_default_day_lasts_seven_and_a_half_hours() -> None:
    calendar = WorkingCalendar()

    assert calendar.sessions == DEFAULT_SESSIONS == ((time(7, 30), time(11, 30)), (time(13, 30), time(17)))
    assert calendar.day_length == timedelta(hours=7, minutes=30)
    assert calendar.tz == "Asia/Ho_Chi_Minh"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"sessions": ()}, "sessions"),
        ({"sessions": ((time(9), time(9)),)}, "sessions"),
        ({"sessions": ((time(12), time(9)),)}, "sessions"),
        ({"sessions": ((time(13), time(17)), (time(8), time(12)))}, "sessions"),
        ({"sessions": ((time(8), time(12)), (time(11), time(17)))}, "sessions"),
        ({"sessions": ((time(8, tzinfo=UTC), time(12)),)}, "sessions"),
        ({"sessions": ((time(8),),)}, "sessions"),
        ({"sessions": (("08:00", "12:00"),)}, "sessions"),
        ({"sessions": "08:00-12:00"}, "sessions"),
        ({"tz": "Mars/Olympus"}, "tz"),
        ({"tz": ""}, "tz"),
        ({"holidays": {datetime(2026, 1, 1): "x"}}, "holidays"),
        ({"holidays": {date(2026, 1, 1): 1}}, "holidays"),
        ({"overrides": ["2026-01-02"]}, "overrides"),
    ],
)
def test_invalid_definitions_are_refused_naming_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(CalendarError) as error:
        WorkingCalendar(**kwargs)  # type: ignore[arg-type]

    assert error.value.field == field
    assert isinstance(error.value, ValueError)


def test_touching_sessions_are_allowed() -> None:
    calendar = WorkingCalendar(sessions=((time(8), time(12)), (time(12), time(16))))

    assert calendar.day_length == 8 * H
    assert calendar.add_working_time(dt("2026-03-09T11:00"), H) == dt("2026-03-09T12:00")


def test_conflicting_overrides_on_one_date_are_refused() -> None:
    overrides = [
        Override(date=d("2026-03-09"), kind=OverrideKind.DAY_OFF),
        Override(date=d("2026-03-09"), kind=OverrideKind.WORKING_DAY),
    ]

    with pytest.raises(CalendarError, match="2026-03-09") as error:
        WorkingCalendar(overrides=overrides)

    assert error.value.field == "overrides"


def test_agreeing_duplicate_overrides_collapse_to_one() -> None:
    override = Override(date=d("2026-03-09"), kind=OverrideKind.DAY_OFF, note="a")
    calendar = WorkingCalendar(overrides=[override, Override(date=d("2026-03-09"), kind="day_off")])  # type: ignore[arg-type]

    assert calendar.overrides == (override,)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"date": datetime(2026, 1, 2, tzinfo=UTC), "kind": "day_off"}, "override.date"),
        ({"date": "2026-01-02", "kind": "day_off"}, "override.date"),
        ({"date": date(2026, 1, 2), "kind": "holiday"}, "override.kind"),
        ({"date": date(2026, 1, 2), "kind": "day_off", "note": None}, "override.note"),
    ],
)
def test_invalid_overrides_are_refused(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(CalendarError) as error:
        Override(**kwargs)  # type: ignore[arg-type]

    assert error.value.field == field


def test_override_from_its_json_form() -> None:
    override = Override.from_mapping({"date": "2026-01-02", "kind": "day_off", "note": "Tết Dương lịch"})

    assert override == Override(date=date(2026, 1, 2), kind=OverrideKind.DAY_OFF, note="Tết Dương lịch")
    with pytest.raises(CalendarError, match="ISO date"):
        Override.from_mapping({"date": "02/01/2026", "kind": "day_off"})
    with pytest.raises(CalendarError, match="kind"):
        Override.from_mapping({"date": "2026-01-02", "kind": None})


def test_calendar_is_immutable() -> None:
    calendar = WorkingCalendar()

    with pytest.raises(AttributeError):
        calendar._tz = "UTC"
    with pytest.raises(AttributeError):
        del calendar._tz
    with pytest.raises(TypeError):
        calendar.holidays[date(2026, 1, 1)] = "x"  # type: ignore[index]


# -- working days --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        # Tết Ất Tỵ 2025: Mon 27 - Fri 31 Jan off
        ("2025-01-24", True),
        ("2025-01-27", False),
        ("2025-01-28", False),
        ("2025-01-29", False),
        ("2025-01-30", False),
        ("2025-01-31", False),
        ("2025-02-03", True),
        # 30/4-1/5 2025: Sat 26/4 worked (override), Fri 2/5 off (package)
        ("2025-04-26", True),
        ("2025-04-27", False),
        ("2025-04-30", False),
        ("2025-05-01", False),
        ("2025-05-02", False),
        ("2025-05-05", True),
        # Culture Day is not a holiday in 2025
        ("2025-11-24", True),
        # New Year 2026: Thu 1/1 and Fri 2/1 (override) off, Sat 10/1 worked (override)
        ("2026-01-01", False),
        ("2026-01-02", False),
        ("2026-01-03", False),
        ("2026-01-05", True),
        ("2026-01-10", True),
        ("2026-01-11", False),
        # Tết Bính Ngọ 2026: Mon 16 - Fri 20 Feb off
        ("2026-02-13", True),
        ("2026-02-16", False),
        ("2026-02-17", False),
        ("2026-02-18", False),
        ("2026-02-19", False),
        ("2026-02-20", False),
        ("2026-02-23", True),
        # Hùng Kings 2026 on a Sunday, observed Monday 27/4
        ("2026-04-26", False),
        ("2026-04-27", False),
        ("2026-04-28", True),
        ("2026-04-30", False),
        ("2026-05-01", False),
        # National Day 2026: Sat 22/8 worked, Mon 31/8 - Wed 2/9 off
        ("2026-08-22", True),
        ("2026-08-29", False),
        ("2026-08-31", False),
        ("2026-09-01", False),
        ("2026-09-02", False),
        ("2026-09-03", True),
        # Vietnam Culture Day, Tue 24/11/2026
        ("2026-11-23", True),
        ("2026-11-24", False),
        ("2026-11-25", True),
    ],
)
def test_working_days_of_the_vietnamese_calendar(day: str, working: bool) -> None:
    assert VN.is_working_day(d(day)) is working


def test_an_override_beats_weekends_and_holidays() -> None:
    calendar = WorkingCalendar(
        holidays={d("2026-03-10"): "made-up holiday"},
        overrides=[
            Override(date=d("2026-03-10"), kind=OverrideKind.WORKING_DAY),
            Override(date=d("2026-03-15"), kind=OverrideKind.WORKING_DAY),
            Override(date=d("2026-03-11"), kind=OverrideKind.DAY_OFF),
        ],
    )

    assert calendar.is_working_day(d("2026-03-10"))  # holiday, override says working
    assert calendar.is_working_day(d("2026-03-15"))  # Sunday, override says working
    assert not calendar.is_working_day(d("2026-03-11"))  # Wednesday, override says off
    assert not calendar.is_working_day(d("2026-03-14"))  # plain Saturday


def test_a_datetime_is_not_a_date() -> None:
    with pytest.raises(CalendarError, match="not a datetime"):
        VN.is_working_day(dt("2026-03-09T09:00"))


@pytest.mark.parametrize(
    ("day", "after", "on_or_after"),
    [
        ("2026-03-09", "2026-03-10", "2026-03-09"),
        ("2026-03-13", "2026-03-16", "2026-03-13"),
        ("2026-03-14", "2026-03-16", "2026-03-16"),
        ("2026-02-13", "2026-02-23", "2026-02-13"),
        ("2026-02-16", "2026-02-23", "2026-02-23"),
        ("2026-08-21", "2026-08-22", "2026-08-21"),
        ("2026-08-28", "2026-09-03", "2026-08-28"),
        ("2026-01-09", "2026-01-10", "2026-01-09"),
        ("2025-12-31", "2026-01-05", "2025-12-31"),
    ],
)
def test_next_working_day(day: str, after: str, on_or_after: str) -> None:
    assert VN.next_working_day(d(day)) == d(after)
    assert VN.working_day_on_or_after(d(day)) == d(on_or_after)


def test_a_calendar_without_working_days_fails_loudly() -> None:
    all_off = WorkingCalendar(
        overrides=[
            Override(date=d("2026-03-09") + timedelta(days=i), kind=OverrideKind.DAY_OFF) for i in range(3800)
        ]
    )

    with pytest.raises(CalendarError, match="no working day"):
        all_off.next_working_day(d("2026-03-08"))


# -- instants ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "start"),
    [
        ("2026-03-09T07:30", "2026-03-09T07:30"),  # session start is inside
        ("2026-03-09T09:15:30", "2026-03-09T09:15:30"),
        ("2026-03-09T06:00", "2026-03-09T07:30"),
        ("2026-03-09T11:30", "2026-03-09T13:30"),  # session end is outside
        ("2026-03-09T12:00", "2026-03-09T13:30"),
        ("2026-03-09T16:59:59", "2026-03-09T16:59:59"),
        ("2026-03-09T17:00", "2026-03-10T07:30"),
        ("2026-03-09T18:00", "2026-03-10T07:30"),
        ("2026-03-13T17:00", "2026-03-16T07:30"),  # Friday evening -> Monday
        ("2026-03-14T10:00", "2026-03-16T07:30"),  # Saturday -> Monday
        ("2026-02-13T17:30", "2026-02-23T07:30"),  # Tết 2026
        ("2026-03-09T02:00:00+00:00", "2026-03-09T09:00"),  # UTC input, local 09:00
    ],
)
def test_start_of_work(at: str, start: str) -> None:
    result = VN.start_of_work(dt(at))

    assert result == dt(start)
    assert result.tzinfo == VN_TZ


@pytest.mark.parametrize(
    "method",
    [
        lambda at: VN.start_of_work(at),
        lambda at: VN.add_working_time(at, H),
        lambda at: VN.local_date(at),
        lambda at: VN.working_time_between(at, at),
        lambda at: VN.is_working_time(at),
    ],
)
def test_naive_instants_are_refused(method: object) -> None:
    with pytest.raises(CalendarError, match="timezone-aware"):
        method(datetime(2026, 3, 9, 9))  # type: ignore[operator]


@pytest.mark.parametrize(
    ("at", "amount", "due"),
    [
        ("2026-03-09T07:30", 4 * H, "2026-03-09T11:30"),  # runs out at a session end: that end
        ("2026-03-09T09:00", 2.5 * H, "2026-03-09T11:30"),
        ("2026-03-09T13:30", 3.5 * H, "2026-03-09T17:00"),
        ("2026-03-09T07:30", 7.5 * H, "2026-03-09T17:00"),
        ("2026-03-09T11:00", H, "2026-03-09T14:00"),  # lunch is skipped
        ("2026-03-09T16:00", 2 * H, "2026-03-10T08:30"),
        ("2026-03-09T12:00", 3.5 * H, "2026-03-09T17:00"),
        ("2026-03-13T16:00", 2 * H, "2026-03-16T08:30"),  # weekend is skipped
        ("2026-03-09T09:00", timedelta(0), "2026-03-09T09:00"),
        ("2026-03-09T18:00", timedelta(0), "2026-03-10T07:30"),
        ("2026-03-09T17:00", timedelta(microseconds=1), "2026-03-10T07:30:00.000001"),
        ("2026-03-09T07:30", 15 * H, "2026-03-10T17:00"),  # two whole days end at 17:00, not at 07:30
        ("2026-02-12T09:00", 3 * 7.5 * H, "2026-02-24T09:00"),  # Tết 2026
        ("2025-01-24T09:00", 7.5 * H, "2025-02-03T09:00"),  # Tết 2025
        ("2026-04-24T09:00", 7.5 * H, "2026-04-28T09:00"),  # Hùng Kings observed on Mon 27/4
        ("2026-08-21T09:00", 7.5 * H, "2026-08-22T09:00"),  # the working Saturday
        ("2026-08-28T09:00", 7.5 * H, "2026-09-03T09:00"),  # National Day break 31/8-2/9
        ("2026-11-23T09:00", 7.5 * H, "2026-11-25T09:00"),  # Culture Day
        ("2026-01-09T09:00", 7.5 * H, "2026-01-10T09:00"),  # swapped Saturday 10/1/2026
        ("2025-12-31T09:00", 7.5 * H, "2026-01-05T09:00"),  # New Year 1-2/1/2026
        ("2025-04-25T09:00", 7.5 * H, "2025-04-26T09:00"),  # swapped Saturday 26/4/2025
    ],
)
def test_add_working_time(at: str, amount: timedelta, due: str) -> None:
    assert VN.add_working_time(dt(at), amount) == dt(due)


def test_a_long_amount_skips_whole_days() -> None:
    # 60 working days from Mon 9 March 2026: Hùng Kings (27/4), 30/4 and 1/5 fall inside
    due = VN.add_working_days(dt("2026-03-09T09:00"), 60)

    assert due == dt("2026-06-04T09:00")
    assert VN.working_time_between(dt("2026-03-09T09:00"), due) == 60 * VN.day_length


def test_fractional_working_days() -> None:
    assert VN.add_working_days(dt("2026-03-09T07:30"), Decimal("0.5")) == dt("2026-03-09T11:15")
    assert VN.add_working_days(dt("2026-03-09T09:00"), Decimal("0.5")) == dt("2026-03-09T14:45")


def test_negative_amounts_are_refused() -> None:
    with pytest.raises(CalendarError) as error:
        VN.add_working_time(dt("2026-03-09T09:00"), -H)

    assert error.value.field == "amount"
    with pytest.raises(CalendarError):
        VN.add_working_time(dt("2026-03-09T09:00"), 3)  # type: ignore[arg-type]


def test_results_are_in_the_calendar_time_zone() -> None:
    due = VN.add_working_time(dt("2026-03-09T02:00:00+00:00"), H)

    assert due.tzinfo == VN_TZ
    assert due.isoformat() == "2026-03-09T10:00:00+07:00"


@pytest.mark.parametrize(
    ("a", "b", "between"),
    [
        ("2026-03-09T09:00", "2026-03-09T09:00", timedelta(0)),
        ("2026-03-09T10:00", "2026-03-09T09:00", timedelta(0)),
        ("2026-03-09T09:00", "2026-03-09T10:00", H),
        ("2026-03-09T11:00", "2026-03-09T14:00", H),
        ("2026-03-09T00:00", "2026-03-10T00:00", 7.5 * H),
        ("2026-03-13T16:00", "2026-03-16T08:30", 2 * H),
        ("2026-03-14T08:00", "2026-03-15T16:00", timedelta(0)),
        ("2026-03-09T09:00", "2026-03-12T09:00", 3 * 7.5 * H),
        ("2026-02-12T09:00", "2026-02-24T09:00", 3 * 7.5 * H),
        ("2026-03-09T02:00:00+00:00", "2026-03-09T10:00", H),
    ],
)
def test_working_time_between(a: str, b: str, between: timedelta) -> None:
    assert VN.working_time_between(dt(a), dt(b)) == between


def test_end_of_day_and_local_date() -> None:
    assert VN.end_of_day(d("2026-03-14")) == dt("2026-03-14T17:00")
    assert VN.local_date(dt("2026-03-08T18:00:00+00:00")) == d("2026-03-09")
    with pytest.raises(CalendarError):
        VN.end_of_day(dt("2026-03-14T09:00"))


@pytest.mark.parametrize(
    ("at", "include_end", "expected"),
    [
        ("2026-03-09T07:30", False, True),
        ("2026-03-09T11:30", False, False),
        ("2026-03-09T11:30", True, True),
        ("2026-03-09T12:00", True, False),
        ("2026-03-14T09:00", True, False),
    ],
)
def test_is_working_time(at: str, include_end: bool, expected: bool) -> None:
    assert VN.is_working_time(dt(at), include_end=include_end) is expected


def test_scale_timedelta_rounds_half_up_to_the_microsecond() -> None:
    assert scale_timedelta(timedelta(hours=7, minutes=30), Decimal("0.5")) == timedelta(hours=3, minutes=45)
    assert scale_timedelta(timedelta(microseconds=3), Decimal("0.5")) == timedelta(microseconds=2)


# -- version -------------------------------------------------------------------------------------------------

BASE: dict[str, Any] = {
    "tz": "Asia/Ho_Chi_Minh",
    "sessions": DEFAULT_SESSIONS,
    "holidays": {d("2026-01-01"): "Tết Dương lịch"},
    "overrides": (Override(date=d("2026-01-02"), kind=OverrideKind.DAY_OFF, note="hoán đổi"),),
}


def test_equal_calendars_have_equal_versions() -> None:
    one = WorkingCalendar(**BASE)
    two = WorkingCalendar(
        tz="Asia/Ho_Chi_Minh",
        sessions=list(DEFAULT_SESSIONS),
        holidays=dict(BASE["holidays"]),
        overrides=list(BASE["overrides"]),
    )

    assert one == two
    assert hash(one) == hash(two)
    assert one.version == two.version
    assert len(one.version) == 16
    int(one.version, 16)
    assert one != "calendar"
    assert "version=" in repr(one)


@pytest.mark.parametrize(
    "change",
    [
        {"tz": "Asia/Bangkok"},
        {"sessions": ((time(8), time(12)), (time(13, 30), time(17)))},
        {"holidays": {}},
        {"holidays": {d("2026-01-01"): "New Year's Day"}},
        {"overrides": ()},
        {"overrides": (Override(date=d("2026-01-02"), kind=OverrideKind.DAY_OFF, note="other note"),)},
        {"overrides": (Override(date=d("2026-01-02"), kind=OverrideKind.WORKING_DAY, note="hoán đổi"),)},
        {
            "overrides": (
                Override(date=d("2026-01-02"), kind=OverrideKind.DAY_OFF, note="hoán đổi", source="x"),
            )
        },
    ],
)
def test_any_change_changes_the_version(change: dict[str, object]) -> None:
    base = WorkingCalendar(**BASE)
    changed = WorkingCalendar(**{**BASE, **change})

    assert changed.version != base.version
    assert changed != base


def test_the_version_is_stable_across_runs() -> None:
    # A literal: a change to the canonical form must be deliberate (it marks every stored due as "other").
    assert WorkingCalendar().version == WorkingCalendar(holidays={}, overrides=()).version
    assert WorkingCalendar().version == "07cf3f53466f7708"
