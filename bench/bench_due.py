"""Due-date computations per second: ``compute_due`` against plain loops over the same calendar.

    .venv/bin/python bench/bench_due.py [--samples 40000] [--minute-samples 600] [--seed 20251] [--repeat 3]

Inputs are deterministic (a seeded ``random.Random``): acceptance instants spread over 2024-2027 at any
minute of the day (inside and outside office hours, weekends and holidays included) and time limits of all
four units (``working_days`` with halves, ``working_hours``, ``calendar_days``, ``same_day``), on
``vietnam_calendar(years=range(2024, 2029))``.

Two baselines walk the same calendar with ``is_working_day`` and its sessions, and must give the same due as
``compute_due`` on every sample they run (asserted):

- *session stepping*: the loop one would write first: session by session, day by day;
- *minute stepping*: the obviously-correct oracle: one minute of wall clock at a time.

The minute-stepping loop is slow, so it runs on a smaller slice of the same samples; each figure is the best
of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from motcua.domain.calendar import WorkingCalendar
from motcua.domain.deadlines import (
    DEFAULT_SAME_DAY_CUTOFF,
    TimeLimit,
    TimeUnit,
    compute_due,
)
from motcua.domain.vn_holidays import vietnam_calendar

Sample = tuple[datetime, TimeLimit]

WORKING_DAYS = ("0.5", "1", "1.5", "2", "3", "5", "7", "10", "12", "15", "20", "30")
WORKING_HOURS = ("1", "2", "4", "8", "16", "24")
CALENDAR_DAYS = ("1", "3", "7", "15", "30", "45")
_MINUTE = timedelta(minutes=1)


def make_samples(calendar: WorkingCalendar, count: int, seed: int) -> list[Sample]:
    rng = random.Random(seed)
    first = date(2024, 1, 1)
    span = (date(2027, 12, 31) - first).days
    samples: list[Sample] = []
    for _ in range(count):
        day = first + timedelta(days=rng.randrange(span))
        minute = rng.randrange(24 * 60)
        at = datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=calendar.zone)
        unit = rng.choice(list(TimeUnit))
        if unit is TimeUnit.WORKING_DAYS:
            value = rng.choice(WORKING_DAYS)
        elif unit is TimeUnit.WORKING_HOURS:
            value = rng.choice(WORKING_HOURS)
        elif unit is TimeUnit.CALENDAR_DAYS:
            value = rng.choice(CALENDAR_DAYS)
        else:
            value = "1"
        samples.append((at, TimeLimit.parse(value, unit)))
    return samples


# -- the two plain loops --------------------------------------------------------------------------------------


def _amount(calendar: WorkingCalendar, limit: TimeLimit) -> timedelta:
    base = calendar.day_length if limit.unit is TimeUnit.WORKING_DAYS else timedelta(hours=1)
    return timedelta(microseconds=int(base // timedelta(microseconds=1) * limit.value))


def _end_of(calendar: WorkingCalendar, day: date) -> datetime:
    return datetime.combine(day, calendar.sessions[-1][1], tzinfo=calendar.zone)


def _next_working(calendar: WorkingCalendar, day: date) -> date:
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


def _calendar_units(calendar: WorkingCalendar, received: datetime, limit: TimeLimit) -> datetime:
    """calendar_days and same_day: the same for both loops (a few days walked at most)."""
    local = received.astimezone(calendar.zone)
    if limit.unit is TimeUnit.CALENDAR_DAYS:
        return _end_of(calendar, _next_working(calendar, local.date() + timedelta(days=int(limit.value))))
    if calendar.is_working_day(local.date()) and local.time() < DEFAULT_SAME_DAY_CUTOFF:
        return _end_of(calendar, local.date())
    return _end_of(calendar, _next_working(calendar, local.date() + timedelta(days=1)))


def due_by_sessions(calendar: WorkingCalendar, received: datetime, limit: TimeLimit) -> datetime:
    """Walk session by session, day by day, consuming working time until it runs out."""
    if limit.unit in (TimeUnit.CALENDAR_DAYS, TimeUnit.SAME_DAY):
        return _calendar_units(calendar, received, limit)
    remaining = _amount(calendar, limit)
    local = received.astimezone(calendar.zone).replace(tzinfo=None)
    day = local.date()
    while True:
        if calendar.is_working_day(day):
            for start_t, end_t in calendar.sessions:
                start = max(datetime.combine(day, start_t), local)
                end = datetime.combine(day, end_t)
                if start >= end:
                    continue
                if remaining <= end - start:
                    return (start + remaining).replace(tzinfo=calendar.zone)
                remaining -= end - start
        day += timedelta(days=1)


def due_by_minutes(calendar: WorkingCalendar, received: datetime, limit: TimeLimit) -> datetime:
    """Step one minute of wall clock at a time; a minute counts when it lies inside a working session."""
    if limit.unit in (TimeUnit.CALENDAR_DAYS, TimeUnit.SAME_DAY):
        return _calendar_units(calendar, received, limit)
    remaining = int(_amount(calendar, limit) / _MINUTE)
    t = received.astimezone(calendar.zone).replace(tzinfo=None)
    day, working = t.date(), calendar.is_working_day(t.date())
    while True:
        if t.date() != day:
            day, working = t.date(), calendar.is_working_day(t.date())
        moment = t.time()
        if working and any(start <= moment < end for start, end in calendar.sessions):
            remaining -= 1
            if remaining == 0:
                return (t + _MINUTE).replace(tzinfo=calendar.zone)
        t += _MINUTE


# -- measuring -------------------------------------------------------------------------------------------------


def ours(calendar: WorkingCalendar, received: datetime, limit: TimeLimit) -> datetime:
    return compute_due(calendar=calendar, received_at=received, limit=limit)


def rate(
    fn: Callable[[WorkingCalendar, datetime, TimeLimit], datetime],
    calendar: WorkingCalendar,
    samples: Sequence[Sample],
    repeat: int,
) -> tuple[float, list[datetime]]:
    """Best-of-``repeat`` computations per second, and the dues of the last run."""
    best = float("inf")
    dues: list[datetime] = []
    for _ in range(repeat):
        start = time.perf_counter()
        dues = [fn(calendar, at, limit) for at, limit in samples]
        best = min(best, time.perf_counter() - start)
    return len(samples) / best, dues


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=40_000, help="instants × limits (default 40000)")
    parser.add_argument("--minute-samples", type=int, default=600, help="slice for the minute loop (600)")
    parser.add_argument("--seed", type=int, default=20251)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    calendar = vietnam_calendar(years=range(2024, 2029))
    samples = make_samples(calendar, args.samples, args.seed)
    print(
        f"calendar {calendar.version}: {len(calendar.holidays)} holidays, {len(calendar.overrides)} overrides; "
        f"{len(samples)} samples (seed {args.seed}), units "
        + ", ".join(f"{u}={sum(1 for _, lim in samples if lim.unit is u)}" for u in TimeUnit)
    )

    minute_slice = samples[: args.minute_samples]
    loops = (
        ("session stepping", due_by_sessions, samples),
        ("minute stepping", due_by_minutes, minute_slice),
    )
    our_rate, our_dues = rate(ours, calendar, samples, args.repeat)
    rates: dict[str, float] = {}
    for name, fn, subset in loops:
        rates[name], dues = rate(fn, calendar, subset, args.repeat if subset is samples else 1)
        for (at, limit), expected, got in zip(subset, our_dues, dues, strict=False):
            assert got == expected, f"{name} disagrees for {at.isoformat()} + {limit}: {got} != {expected}"
    print(f"all dues agree: {len(samples)} with session stepping, {len(minute_slice)} with minute stepping")

    print(f"\n{'all samples':24s}{'dues/s':>12s}{'ours / baseline':>18s}")
    print(f"{'compute_due (ours)':24s}{our_rate:12,.0f}")
    for name, _, _ in loops:
        print(f"{name + ' loop':24s}{rates[name]:12,.0f}{our_rate / rates[name]:17.1f}×")

    print(
        f"\n{'by time unit, dues/s':24s}{'ours':>10s}{'sessions':>10s}{'ratio':>8s}{'minutes':>10s}{'ratio':>8s}"
    )
    for unit in TimeUnit:
        mine = [s for s in samples if s[1].unit is unit]
        few = [s for s in minute_slice if s[1].unit is unit]
        ours_u = rate(ours, calendar, mine, args.repeat)[0]
        sessions_u = rate(due_by_sessions, calendar, mine, args.repeat)[0]
        minutes_u = rate(due_by_minutes, calendar, few, 1)[0]
        print(
            f"{unit.value:24s}{ours_u:10,.0f}{sessions_u:10,.0f}{ours_u / sessions_u:7.1f}×"
            f"{minutes_u:10,.0f}{ours_u / minutes_u:7.1f}×"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
