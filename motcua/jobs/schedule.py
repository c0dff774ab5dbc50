"""Scheduled jobs: tasks the worker enqueues by itself, every N seconds or daily at a local time.

Add an entry from your app's ``AppConfig.ready()``::

    from datetime import time, timedelta
    from motcua.jobs import schedule

    schedule.register("payments.reconcile", "motcua.payments.tasks.payment_reconcile",
                      every=timedelta(minutes=15))
    schedule.register("portal.sync", "motcua.portal.tasks.portal_sync", daily_at=time(22, 0))

- ``name`` identifies the entry (its last and next run are stored under it: keep it stable);
  registering the same name again replaces the entry (``ready()`` may run twice).
- the task is a dotted path to a ``@task`` function (or the task object), called with ``kwargs`` (JSON values).
- ``every=`` a ``timedelta`` (the first run is as soon as a worker sees the entry), or ``daily_at=`` a
  ``datetime.time`` in ``tz`` (default: ``settings.TIME_ZONE``, Vietnam time).

Every running ``motcua worker`` ticks the schedule about once per poll interval; the due entry's row is locked
while its task is enqueued in the same transaction, so with several workers each due run is enqueued exactly
once. A run missed while no worker was running is enqueued once when a worker starts (not once per missed
slot). Scheduled tasks follow the same retry policy as any task (:mod:`motcua.jobs.retry`).

:data:`SCHEDULE` lists motcua's own entries; ``motcua worker --list-schedule`` prints them all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

__all__ = ["SCHEDULE", "Entry", "entries", "register", "unregister"]


@dataclass(frozen=True, kw_only=True)
class Entry:
    name: str
    task_path: str
    every: timedelta | None = None
    daily_at: time | None = None
    tz: str | None = None
    kwargs: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if (self.every is None) == (self.daily_at is None):
            raise ValueError(f"schedule entry {self.name!r}: give exactly one of every= or daily_at=")
        if self.every is not None and self.every <= timedelta(0):
            raise ValueError(f"schedule entry {self.name!r}: every= must be positive, got {self.every}")

    @property
    def spec(self) -> str:
        """A text form of the timing, stored with the entry's state so a changed timing is noticed."""
        if self.every is not None:
            return f"every {int(self.every.total_seconds())}s"
        assert self.daily_at is not None
        return f"daily {self.daily_at.isoformat('minutes')} {self.zone().key}"

    def zone(self) -> ZoneInfo:
        if self.tz:
            return ZoneInfo(self.tz)
        from django.conf import settings

        return ZoneInfo(settings.TIME_ZONE)

    def first_run(self, now: datetime) -> datetime:
        """When a worker that sees the entry for the first time at ``now`` should run it."""
        return now if self.every is not None else self.next_after(now)

    def next_after(self, now: datetime) -> datetime:
        """The next run strictly after ``now``."""
        if self.every is not None:
            return now + self.every
        assert self.daily_at is not None
        zone = self.zone()
        local = now.astimezone(zone)
        candidate = datetime.combine(local.date(), self.daily_at, tzinfo=zone)
        if candidate <= local:
            candidate = datetime.combine(local.date() + timedelta(days=1), self.daily_at, tzinfo=zone)
        return candidate


_entries: dict[str, Entry] = {}


def register(
    name: str,
    task: Any,
    *,
    every: timedelta | None = None,
    daily_at: time | None = None,
    tz: str | None = None,
    kwargs: dict[str, Any] | None = None,
) -> Entry:
    """Run ``task`` (a dotted path or a ``@task`` object) ``every`` interval or ``daily_at`` a local time."""
    path = task if isinstance(task, str) else str(task.module_path)
    entry = Entry(name=name, task_path=path, every=every, daily_at=daily_at, tz=tz, kwargs=dict(kwargs or {}))
    _entries[name] = entry
    return entry


def unregister(name: str) -> None:
    _entries.pop(name, None)


def entries() -> list[Entry]:
    """Every registered entry, by name."""
    return [_entries[name] for name in sorted(_entries)]


# motcua's own entries (``name``, task path, timing); other apps call :func:`register` from ready().
SCHEDULE: list[tuple[str, str, timedelta | time]] = [
    ("notify.staff_digest", "motcua.notify.tasks.staff_digest_send", time(7, 30)),
    ("jobs.prune_results", "motcua.jobs.tasks.task_results_prune", time(2, 30)),
]


def install_defaults() -> None:
    for name, path, timing in SCHEDULE:
        if isinstance(timing, timedelta):
            register(name, path, every=timing)
        else:
            register(name, path, daily_at=timing)
