"""Enqueue after commit, and make a task's effect happen once.

``enqueue_on_commit(task, *args, **kwargs)``: the task exists only if the surrounding transaction commits.
With the database task backend on the same database (motcua's setting), the task row is inserted inside the
transaction: workers cannot see it before the commit, a rollback removes it, and no crash between the commit
and a callback can lose it (the transactional outbox). With any other backend the enqueue is deferred with
``transaction.on_commit``. Outside a transaction the task is enqueued at once.

``effect_claim(key)``: call it inside the ``transaction.atomic()`` block that performs a task's effect; it
returns ``False`` when the effect with that key was already committed (a retry, or a task re-run after its
worker was killed between the commit and marking the task done), so the effect happens exactly once.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, connections, router, transaction
from django.tasks import Task

from motcua.jobs.models import EffectKey

__all__ = ["effect_claim", "enqueue_on_commit"]


def _task_database(task: Task) -> str | None:
    """The database alias the task's backend writes to, when it is a database backend."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if isinstance(task.get_backend(), DatabaseBackend):
        return router.db_for_write(DBTaskResult)
    return None


def enqueue_on_commit(task: Task, *args: Any, using: str | None = None, **kwargs: Any) -> None:
    """Enqueue ``task(*args, **kwargs)`` so that it exists only if the current transaction commits.

    ``using`` names the database whose transaction counts (default: ``default``).
    """
    using = using or "default"
    in_transaction = connections[using].in_atomic_block
    if not in_transaction or _task_database(task) == using:
        task.enqueue(*args, **kwargs)
        return
    transaction.on_commit(lambda: task.enqueue(*args, **kwargs), using=using)


def effect_claim(key: str) -> bool:
    """Record that the effect ``key`` happens in the current transaction; ``False`` if it already happened.

    Must be called inside ``transaction.atomic()``: the key commits or rolls back with the effect.
    """
    if not connections["default"].in_atomic_block:
        raise RuntimeError("effect_claim() must be called inside transaction.atomic()")
    try:
        with transaction.atomic():
            EffectKey.objects.create(key=key)
    except IntegrityError:
        return False
    return True
