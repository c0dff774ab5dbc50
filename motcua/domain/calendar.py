"""The working calendar of an administrative unit (rules.md §1 and §2).

A date is a working day unless it is a Saturday or Sunday or a public holiday; the unit's calendar
overrides are applied last and beat both (rules.md §2). One working day lasts the sum of the unit's office
sessions, 7.5 h with the default sessions 07:30-11:30 and 13:30-17:00 (rules.md §1).

Working time is measured on the local wall clock of the calendar's time zone: the time between 07:30 and
11:30 of a working day is always 4 h of working time. All instants passed in must be timezone-aware;
instants returned are in the calendar's time zone.

Usage::

    calendar = WorkingCalendar(holidays={date(2026, 1, 1): "Tết Dương lịch"})
    calendar.is_working_day(date(2026, 1, 1))                      # False
    calendar.add_working_time(received_at, 3 * calendar.day_length)  # 3 working days later

Pure: nothing here reads the clock or any file.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Final, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "DEFAULT_SESSIONS",
    "DEFAULT_TZ",
    "CalendarError",
    "Override",
    "OverrideKind",
    "WorkingCalendar",
    "scale_timedelta",
]

DEFAULT_TZ: Final = "Asia/Ho_Chi_Minh"
"""The default time zone of a unit (rules.md, preamble)."""

DEFAULT_SESSIONS: tuple[tuple[time, time], ...] = ((time(7, 30), time(11, 30)), (time(13, 30), time(17, 0)))
"""The default office hours of a unit, ``[["07:30","11:30"],["13:30","17:00"]]`` (rules.md §1)."""

_ZERO: Final = timedelta(0)
_ONE_DAY: Final = timedelta(days=1)
_MAX_SEARCH_DAYS: Final = 3700
"""A calendar without a working day in ten years is broken; stop searching rather than loop forever."""
_VERSION_SCHEMA: Final = "motcua.calendar/1"


class CalendarError(ValueError):
    """An invalid calendar definition or argument; ``field`` and ``value`` name what is wrong."""

    def __init__(self, message: str, *, field: str = "", value: object = None) -> None:
        super().__init__(message)
        self.field = field
        self.value = value


class OverrideKind(StrEnum):
    """The kinds of calendar override (rules.md §2)."""

    DAY_OFF = "day_off"
    """An extra or compensatory day off, e.g. a Tết day added by the Prime Minister."""
    WORKING_DAY = "working_day"
    """A swapped working Saturday, or a date the package marks off but the official notice does not."""


@dataclass(frozen=True, kw_only=True)
class Override:
    """One calendar override: ``{date, kind, note}`` (rules.md §2); it beats weekends and holidays.

    ``note`` and ``source`` carry the official notice that decided it (a legal citation).
    """

    date: _dt.date
    kind: OverrideKind
    note: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.date, datetime) or not isinstance(self.date, _dt.date):
            raise CalendarError(
                f"override date must be a date, got {self.date!r}", field="override.date", value=self.date
            )
        try:
            kind = OverrideKind(self.kind)
        except ValueError:
            raise CalendarError(
                f"override kind must be one of {', '.join(OverrideKind)}, got {self.kind!r}",
                field="override.kind",
                value=self.kind,
            ) from None
        object.__setattr__(self, "kind", kind)
        for name in ("note", "source"):
            if not isinstance(getattr(self, name), str):
                raise CalendarError(
                    f"override {name} must be a string", field=f"override.{name}", value=getattr(self, name)
                )

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> Override:
        """Build an override from its JSON form ``{"date": "2026-01-02", "kind": "day_off", "note": ...}``."""
        raw_date = data.get("date")
        try:
            parsed = raw_date if isinstance(raw_date, date) else date.fromisoformat(str(raw_date))
        except ValueError:
            raise CalendarError(
                f"override date must be an ISO date, got {raw_date!r}", field="override.date", value=raw_date
            ) from None
        raw_kind = data.get("kind")
        try:
            kind = OverrideKind(str(raw_kind))
        except ValueError:
            raise CalendarError(
                f"override kind must be one of {', '.join(OverrideKind)}, got {raw_kind!r}",
                field="override.kind",
                value=raw_kind,
            ) from None
        return cls(
            date=parsed,
            kind=kind,
            note=str(data.get("note") or ""),
            source=str(data.get("source") or ""),
        )


def scale_timedelta(amount: timedelta, factor: Decimal | int) -> timedelta:
    """``amount * factor`` exactly, rounded half-up to the microsecond (fractional limits, rules.md §1)."""
    micros = Decimal(amount // timedelta(microseconds=1)) * Decimal(factor)
    return timedelta(microseconds=int(micros.to_integral_value(rounding=ROUND_HALF_UP)))


def _fail(message: str, *, field: str, value: object) -> NoReturn:
    raise CalendarError(message, field=field, value=value)


def _validate_sessions(sessions: Sequence[tuple[time, time]]) -> tuple[tuple[time, time], ...]:
    result: list[tuple[time, time]] = []
    if isinstance(sessions, (str, bytes)):
        _fail("sessions must be a sequence of (start, end) times", field="sessions", value=sessions)
    for index, session in enumerate(sessions):
        try:
            start, end = session
        except (TypeError, ValueError):
            _fail(
                f"session {index} must be a (start, end) pair, got {session!r}",
                field="sessions",
                value=session,
            )
        if not isinstance(start, time) or not isinstance(end, time):
            _fail(f"session {index} must hold two times, got {session!r}", field="sessions", value=session)
        if start.tzinfo is not None or end.tzinfo is not None:
            _fail(
                f"session {index} must use local (naive) times, got {session!r}",
                field="sessions",
                value=session,
            )
        if not start < end:
            _fail(
                f"session {index} must start before it ends, got {start.isoformat()}-{end.isoformat()}",
                field="sessions",
                value=session,
            )
        if result and start < result[-1][1]:
            _fail(
                f"sessions must be sorted and must not overlap: {start.isoformat()} starts before "
                f"{result[-1][1].isoformat()}",
                field="sessions",
                value=tuple(sessions),
            )
        result.append((start, end))
    if not result:
        _fail("at least one session is required", field="sessions", value=tuple(sessions))
    return tuple(result)


def _wall_length(start: time, end: time) -> timedelta:
    return datetime.combine(date.min, end) - datetime.combine(date.min, start)


def _check_date(value: object, field: str) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        _fail(f"{field} must be a date (not a datetime), got {value!r}", field=field, value=value)
    return value


class WorkingCalendar:
    """The working calendar of one unit: time zone, office sessions, public holidays and overrides.

    ``WorkingCalendar(*, tz="Asia/Ho_Chi_Minh", sessions=DEFAULT_SESSIONS, holidays={}, overrides=())``

    - ``sessions``: the office hours of a working day, sorted, non-overlapping, each ``start < end``,
      at least one (rules.md §1). One working day lasts their sum (:attr:`day_length`).
    - ``holidays``: public holidays ``{date: name}`` (rules.md §2: from the ``holidays`` package, see
      :func:`motcua.domain.vn_holidays.vietnam_calendar`).
    - ``overrides``: :class:`Override` entries, applied last (rules.md §2). Two overrides on the same date
      must agree (same kind); conflicting ones raise :class:`CalendarError`.

    Instances are immutable, hashable and compare equal when their definitions are equal; :attr:`version`
    fingerprints the definition (rules.md §2: each due date records the calendar version it used).
    """

    __slots__ = (
        "_day_length",
        "_first_open",
        "_holidays",
        "_last_close",
        "_override_by_date",
        "_overrides",
        "_session_lengths",
        "_sessions",
        "_tz",
        "_version",
        "_zone",
    )

    _tz: str
    _zone: ZoneInfo
    _sessions: tuple[tuple[time, time], ...]
    _session_lengths: tuple[timedelta, ...]
    _day_length: timedelta
    _first_open: time
    _last_close: time
    _holidays: Mapping[date, str]
    _overrides: tuple[Override, ...]
    _override_by_date: Mapping[date, OverrideKind]
    _version: str

    def __init__(
        self,
        *,
        tz: str = DEFAULT_TZ,
        sessions: Sequence[tuple[time, time]] = DEFAULT_SESSIONS,
        holidays: Mapping[date, str] = MappingProxyType({}),
        overrides: Iterable[Override] = (),
    ) -> None:
        if not isinstance(tz, str) or not tz:
            _fail(f"tz must be an IANA time zone name, got {tz!r}", field="tz", value=tz)
        try:
            zone = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            _fail(f"unknown time zone tz={tz!r}", field="tz", value=tz)
        checked_sessions = _validate_sessions(sessions)

        checked_holidays: dict[date, str] = {}
        for day, name in dict(holidays).items():
            _check_date(day, "holidays")
            if not isinstance(name, str):
                _fail(
                    f"holiday name for {day.isoformat()} must be a string, got {name!r}",
                    field="holidays",
                    value=name,
                )
            checked_holidays[day] = name

        by_date: dict[date, Override] = {}
        for override in overrides:
            if not isinstance(override, Override):
                _fail(
                    f"overrides must hold Override objects, got {override!r}",
                    field="overrides",
                    value=override,
                )
            known = by_date.get(override.date)
            if known is not None and known.kind != override.kind:
                _fail(
                    f"conflicting overrides on {override.date.isoformat()}: {known.kind}, {override.kind}",
                    field="overrides",
                    value=override.date,
                )
            if known is None:
                by_date[override.date] = override

        lengths = tuple(_wall_length(start, end) for start, end in checked_sessions)
        setter = object.__setattr__
        setter(self, "_tz", tz)
        setter(self, "_zone", zone)
        setter(self, "_sessions", checked_sessions)
        setter(self, "_session_lengths", lengths)
        setter(self, "_day_length", sum(lengths, _ZERO))
        setter(self, "_first_open", checked_sessions[0][0])
        setter(self, "_last_close", checked_sessions[-1][1])
        setter(self, "_holidays", MappingProxyType(dict(sorted(checked_holidays.items()))))
        setter(self, "_overrides", tuple(by_date[day] for day in sorted(by_date)))
        setter(self, "_override_by_date", MappingProxyType({day: o.kind for day, o in by_date.items()}))
        setter(self, "_version", self._compute_version())

    # -- immutability, equality, representation ------------------------------------------------------------

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"WorkingCalendar is immutable; cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"WorkingCalendar is immutable; cannot delete {name!r}")

    def _key(self) -> tuple[object, ...]:
        return (self._tz, self._sessions, tuple(self._holidays.items()), self._overrides)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WorkingCalendar):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._version)

    def __repr__(self) -> str:
        sessions = ", ".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in self._sessions)
        return (
            f"WorkingCalendar(tz={self._tz!r}, sessions=[{sessions}], holidays={len(self._holidays)}, "
            f"overrides={len(self._overrides)}, version={self._version!r})"
        )

    def _compute_version(self) -> str:
        document = {
            "schema": _VERSION_SCHEMA,
            "tz": self._tz,
            "sessions": [[start.isoformat(), end.isoformat()] for start, end in self._sessions],
            "holidays": [[day.isoformat(), name] for day, name in self._holidays.items()],
            "overrides": [[o.date.isoformat(), str(o.kind), o.note, o.source] for o in self._overrides],
        }
        canonical = json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]

    # -- definition -----------------------------------------------------------------------------------------

    @property
    def tz(self) -> str:
        """The IANA time zone name in which dates and office hours are read (rules.md, preamble)."""
        return self._tz

    @property
    def zone(self) -> ZoneInfo:
        """The time zone object of :attr:`tz`."""
        return self._zone

    @property
    def sessions(self) -> tuple[tuple[time, time], ...]:
        """The office sessions of a working day, sorted (rules.md §1)."""
        return self._sessions

    @property
    def holidays(self) -> Mapping[date, str]:
        """The public holidays ``{date: name}``, read-only and sorted by date."""
        return self._holidays

    @property
    def overrides(self) -> tuple[Override, ...]:
        """The overrides, one per date, sorted by date."""
        return self._overrides

    @property
    def day_length(self) -> timedelta:
        """The length of one working day: the sum of the sessions, 7.5 h by default (rules.md §1)."""
        return self._day_length

    @property
    def version(self) -> str:
        """A stable fingerprint (16 hex of SHA-256) of tz, sessions, holidays and overrides (rules.md §2).

        Computed over canonical JSON, so equal calendars have equal versions and any change (a holiday, an
        override, its note or source, the sessions, the time zone) changes it.
        """
        return self._version

    # -- days -----------------------------------------------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        """Whether ``d`` is a working day: not Sat/Sun and not a holiday, then overrides win (rules.md §2)."""
        _check_date(d, "d")
        kind = self._override_by_date.get(d)
        if kind is not None:
            return kind is OverrideKind.WORKING_DAY
        return d.weekday() < 5 and d not in self._holidays

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        _check_date(d, "d")
        return self._working_day_from(d + _ONE_DAY)

    def working_day_on_or_after(self, d: date) -> date:
        """``d`` itself if it is a working day, else the next working day."""
        _check_date(d, "d")
        return self._working_day_from(d)

    def _working_day_from(self, d: date) -> date:
        for _ in range(_MAX_SEARCH_DAYS):
            if self.is_working_day(d):
                return d
            d += _ONE_DAY
        _fail(f"no working day within {_MAX_SEARCH_DAYS} days of {d.isoformat()}", field="d", value=d)

    def end_of_day(self, d: date) -> datetime:
        """The end of the last session of ``d``, as an aware instant (rules.md §2.1)."""
        _check_date(d, "d")
        return self._aware(datetime.combine(d, self._last_close))

    def local_date(self, at: datetime) -> date:
        """The local calendar date of the instant ``at`` (rules.md, preamble: "date" means local date)."""
        return self._local(at).date()

    # -- instants -------------------------------------------------------------------------------------------

    def _local(self, at: datetime, field: str = "at") -> datetime:
        """``at`` as a naive local wall-clock datetime; naive input is refused."""
        if not isinstance(at, datetime):
            _fail(f"{field} must be a datetime, got {at!r}", field=field, value=at)
        if at.tzinfo is None or at.utcoffset() is None:
            _fail(f"{field} must be timezone-aware, got naive {at.isoformat()}", field=field, value=at)
        return at.astimezone(self._zone).replace(tzinfo=None)

    def _aware(self, local: datetime) -> datetime:
        return local.replace(tzinfo=self._zone)

    def start_of_work(self, at: datetime) -> datetime:
        """Where the clock starts for an event at ``at`` (rules.md §2.1, "Start").

        If ``at`` lies inside a session of a working day (start inclusive, end exclusive) it is returned;
        otherwise the next session opening on a working day.
        """
        local = self._local(at)
        day = local.date()
        if self.is_working_day(day):
            moment = local.time()
            for start, end in self._sessions:
                if moment < start:
                    return self._aware(datetime.combine(day, start))
                if moment < end:
                    return at.astimezone(self._zone)
        return self._aware(datetime.combine(self.next_working_day(day), self._first_open))

    def add_working_time(self, at: datetime, amount: timedelta) -> datetime:
        """Advance ``amount`` of working time from :meth:`start_of_work` of ``at`` (rules.md §2.1).

        Time runs only inside sessions of working days. When the amount runs out exactly at a session's end
        the result is that session's end, never the next opening. ``amount == 0`` gives
        ``start_of_work(at)``. Whole working days are skipped at once, so long amounts cost one step per day.
        """
        if not isinstance(amount, timedelta):
            _fail(f"amount must be a timedelta, got {amount!r}", field="amount", value=amount)
        if amount < _ZERO:
            _fail(f"amount must not be negative, got {amount}", field="amount", value=amount)
        start = self.start_of_work(at)
        if amount == _ZERO:
            return start
        local = start.replace(tzinfo=None)
        day = local.date()
        remaining = amount
        # The rest of the start day (start_of_work guarantees a working day).
        for start_t, end_t in self._sessions:
            session_end = datetime.combine(day, end_t)
            if session_end <= local:
                continue
            begin = max(local, datetime.combine(day, start_t))
            available = session_end - begin
            if remaining <= available:
                return self._aware(begin + remaining)
            remaining -= available
        # Whole working days, then the sessions of the last day.
        while True:
            day = self.next_working_day(day)
            if remaining > self._day_length:
                remaining -= self._day_length
                continue
            for (start_t, _), length in zip(self._sessions, self._session_lengths, strict=True):
                if remaining <= length:
                    return self._aware(datetime.combine(day, start_t) + remaining)
                remaining -= length
            raise AssertionError("unreachable: remaining <= day_length")  # pragma: no cover

    def add_working_days(self, at: datetime, days: Decimal | int) -> datetime:
        """``add_working_time(at, days * day_length)``; ``days`` may be fractional (rules.md §1, §2.1)."""
        return self.add_working_time(at, scale_timedelta(self._day_length, days))

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        """The working time inside sessions of working days in ``[a, b)``; zero when ``b <= a``."""
        local_a = self._local(a, "a")
        local_b = self._local(b, "b")
        if b <= a:
            return _ZERO
        first, last = local_a.date(), local_b.date()
        total = _ZERO
        day = first
        while day <= last:
            if self.is_working_day(day):
                if first < day < last:
                    total += self._day_length
                else:
                    for start_t, end_t in self._sessions:
                        overlap = min(datetime.combine(day, end_t), local_b) - max(
                            datetime.combine(day, start_t), local_a
                        )
                        if overlap > _ZERO:
                            total += overlap
            day += _ONE_DAY
        return total

    def is_working_time(self, at: datetime, *, include_end: bool = False) -> bool:
        """Whether ``at`` lies inside a session of a working day (end exclusive unless ``include_end``)."""
        local = self._local(at)
        if not self.is_working_day(local.date()):
            return False
        moment = local.time()
        return any(start <= moment < end or (include_end and moment == end) for start, end in self._sessions)
