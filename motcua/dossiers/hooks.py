"""Listeners on dossier events, called inside the transaction that records them.

Other modules (the portal outbox, notifications, refunds) react to dossier events without the dossier
services knowing them: each registers a listener once, in its ``AppConfig.ready``::

    from motcua.dossiers import hooks
    hooks.listen("portal.outbox", outbox_enqueue, batch=outbox_enqueue_many)

A listener receives the dossier (as just saved, row still locked) and the events the operation appended,
in order. It runs in the same transaction: what it writes commits or rolls back with the event, and an
exception it raises aborts the whole action. Work that must not run unless the transaction commits (sending a
message, enqueuing a task) is deferred with ``transaction.on_commit``.

A listener may also give a **batch** function, which takes many ``(dossier, events)`` items at once and writes
the same rows as calling the single function once per item, in item order, with one query per table for the
whole batch. :func:`notify` (a live action: one dossier) calls each listener's single function;
:func:`notify_many` (the historic import: the lines of one transaction) calls each listener's batch function
once with every item, or its single function once per item when it has no batch function. The single function
should be the batch function applied to one item, so the two paths cannot drift apart.

:func:`notify_many` calls the listeners one after the other, each with all the items (listener-major order),
where :func:`notify` calls all the listeners for one dossier: a listener must therefore not rely on another
listener's writes, which no listener does (each writes its own tables).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from motcua.dossiers.models import Dossier, DossierEvent

__all__ = [
    "BatchListener",
    "Item",
    "Listener",
    "listen",
    "listeners_paused",
    "notify",
    "notify_many",
    "unlisten",
]

Listener = Callable[["Dossier", Sequence["DossierEvent"]], None]
Item = tuple["Dossier", Sequence["DossierEvent"]]
"""A dossier and the events just appended to it, in order."""
BatchListener = Callable[[Sequence[Item]], None]


@dataclass(frozen=True)
class _Registered:
    one: Listener
    many: BatchListener | None


_listeners: dict[str, _Registered] = {}


def listen(name: str, listener: Listener, *, batch: BatchListener | None = None) -> None:
    """Register ``listener`` (and its optional ``batch`` version) under ``name``; registering the same name
    again replaces it (ready() may rerun)."""
    _listeners[name] = _Registered(one=listener, many=batch)


def unlisten(name: str) -> None:
    _listeners.pop(name, None)


def notify(dossier: Dossier, events: Sequence[DossierEvent]) -> None:
    """Call every listener, in registration order, with the events just appended to ``dossier``."""
    if not events:
        return
    for registered in list(_listeners.values()):
        registered.one(dossier, events)


def notify_many(items: Sequence[Item]) -> None:
    """Call every listener, in registration order, once with all ``items`` (its batch function), or once per
    item (its single function) when it has no batch function. Items without events are left out."""
    items = [(dossier, events) for dossier, events in items if events]
    if not items:
        return
    for registered in list(_listeners.values()):
        if registered.many is not None:
            registered.many(items)
        else:
            for dossier, events in items:
                registered.one(dossier, events)


@contextmanager
def listeners_paused() -> Iterator[None]:
    """No listener is called inside this block (benchmarks and tests that measure the dossier writes alone)."""
    saved = dict(_listeners)
    _listeners.clear()
    try:
        yield
    finally:
        _listeners.clear()
        _listeners.update(saved)
