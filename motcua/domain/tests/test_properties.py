"""Properties of working-time arithmetic on the real Vietnamese calendar, 2025-2027 (rules.md §2.1)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.domain.calendar import WorkingCalendar
from motcua.domain.deadlines import TimeLimit, TimeUnit, compute_due

from .support import VN, VN_TZ

PROPERTY = settings(max_examples=300, deadline=None, database=None)

instants = st.datetimes(
    min_value=datetime(2025, 1, 1),
    max_value=datetime(2027, 12, 31, 23, 59),
    timezones=st.sampled_from([VN_TZ, UTC]),
)
# Whole minutes up to 80 working days, plus amounts aligned on sessions and days (the boundary cases).
amounts = st.one_of(
    st.integers(min_value=0, max_value=80 * 450).map(lambda minutes: timedelta(minutes=minutes)),
    st.integers(min_value=0, max_value=160).map(lambda halves: halves * VN.day_length / 2),
    st.sampled_from([timedelta(hours=4), timedelta(hours=3, minutes=30), VN.day_length, timedelta(0)]),
    st.integers(min_value=0, max_value=10**8).map(lambda micros: timedelta(microseconds=micros)),
)


def _in_working_time(calendar: WorkingCalendar, at: datetime) -> bool:
    """Inside a session of a working day, the session's end included (independent of the code under test)."""
    local = at.astimezone(VN_TZ)
    if not calendar.is_working_day(local.date()):
        return False
    moment = local.time().replace(tzinfo=None)
    return any(start <= moment <= end for start, end in calendar.sessions)


def _reference_add(calendar: WorkingCalendar, at: datetime, amount: timedelta) -> datetime:
    """The slow obvious walk, session by session, that ``add_working_time`` must agree with."""
    local = calendar.start_of_work(at).replace(tzinfo=None)
    remaining = amount
    day = local.date()
    while True:
        if calendar.is_working_day(day):
            for start, end in calendar.sessions:
                session_end = datetime.combine(day, end)
                if session_end <= local:
                    continue
                begin = max(local, datetime.combine(day, start))
                if remaining <= session_end - begin:
                    return (begin + remaining).replace(tzinfo=VN_TZ)
                remaining -= session_end - begin
        day += timedelta(days=1)
        local = datetime.combine(day, time.min)


@PROPERTY
@given(at=instants, amount=amounts)
def test_the_due_always_lies_in_working_time(at: datetime, amount: timedelta) -> None:
    due = VN.add_working_time(at, amount)

    assert _in_working_time(VN, due)
    assert due >= at


@PROPERTY
@given(at=instants, amount=amounts, more=amounts)
def test_more_time_never_gives_an_earlier_due(at: datetime, amount: timedelta, more: timedelta) -> None:
    assert VN.add_working_time(at, amount) <= VN.add_working_time(at, amount + more)


@PROPERTY
@given(at=instants, amount=amounts)
def test_the_working_time_to_the_due_is_the_amount(at: datetime, amount: timedelta) -> None:
    assert VN.working_time_between(VN.start_of_work(at), VN.add_working_time(at, amount)) == amount
    assert VN.working_time_between(at, VN.add_working_time(at, amount)) == amount


@PROPERTY
@given(at=instants, amount=amounts)
def test_day_skipping_agrees_with_the_session_by_session_walk(at: datetime, amount: timedelta) -> None:
    assert VN.add_working_time(at, amount) == _reference_add(VN, at, amount)


@PROPERTY
@given(a=instants, b=instants, c=instants)
def test_working_time_between_adds_up(a: datetime, b: datetime, c: datetime) -> None:
    a, b, c = sorted((a, b, c))

    assert VN.working_time_between(a, b) + VN.working_time_between(b, c) == VN.working_time_between(a, c)


@PROPERTY
@given(
    at=instants,
    value=st.decimals(min_value=0, max_value=60, places=2),
    unit=st.sampled_from([TimeUnit.WORKING_DAYS, TimeUnit.WORKING_HOURS]),
)
def test_a_due_date_is_never_on_a_day_off(at: datetime, value: Decimal, unit: TimeUnit) -> None:
    due = compute_due(calendar=VN, received_at=at, limit=TimeLimit(value=value, unit=unit))

    assert VN.is_working_day(VN.local_date(due))
    assert _in_working_time(VN, due)


@PROPERTY
@given(at=instants, days=st.integers(min_value=0, max_value=90), unit=st.sampled_from(list(TimeUnit)))
def test_every_unit_gives_a_due_in_working_time(at: datetime, days: int, unit: TimeUnit) -> None:
    due = compute_due(calendar=VN, received_at=at, limit=TimeLimit(value=Decimal(days), unit=unit))

    assert _in_working_time(VN, due)
    assert due.tzinfo == VN_TZ
