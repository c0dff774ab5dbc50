"""Listeners on dossier events, called inside the transaction that records them.

Other modules (the portal outbox, notifications, refunds) react to dossier events without the dossier
services knowing them: each registers a listener once, in its ``AppConfig.ready``::

    from motcua.dossiers import hooks
    hooks.listen("portal.outbox", outbox_enqueue)

A listener receives the dossier (as just saved, row still locked) and the events the operation appended,
in order. It runs in the same transaction: what it writes commits or rolls back with the event, and an
exception it raises aborts the whole action. Work that must not run unless the transaction commits (sending a
message, enqueuing a task) is deferred with ``transaction.on_commit``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from motcua.dossiers.models import Dossier, DossierEvent

Listener = Callable[["Dossier", Sequence["DossierEvent"]], None]

_listeners: dict[str, Listener] = {}


def listen(name: str, listener: Listener) -> None:
    """Register ``listener`` under ``name``; registering the same name again replaces it (ready() may rerun)."""
    _listeners[name] = listener


def unlisten(name: str) -> None:
    _listeners.pop(name, None)


def notify(dossier: Dossier, events: Sequence[DossierEvent]) -> None:
    """Call every listener, in registration order, with the events just appended to ``dossier``."""
    if not events:
        return
    for listener in list(_listeners.values()):
        listener(dossier, events)


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
