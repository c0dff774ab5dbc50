"""Retry policies: how many times a failed task runs, and how long the worker waits between attempts.

Declare a task's policy where the task is defined, above ``@task``::

    from django.tasks import task
    from motcua.jobs.retry import retry

    @retry(max_attempts=5, base_delay=timedelta(seconds=30))
    @task
    def payment_reconcile() -> None: ...

A task that raises is put back in the queue (the same task row: its id and arguments are kept, and
``len(worker_ids)`` is the attempt number) with ``run_after = now + delay``; the delay doubles at each attempt
(``base_delay × factor^(attempt − 1)``, at most ``max_delay``). After ``max_attempts`` attempts it is marked
failed, with the last traceback. Tasks without a declared policy get :data:`DEFAULT_RETRY`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

__all__ = ["DEFAULT_RETRY", "Retry", "policy_for", "retry"]


@dataclass(frozen=True, kw_only=True)
class Retry:
    max_attempts: int = 3
    base_delay: timedelta = timedelta(seconds=30)
    factor: float = 2.0
    max_delay: timedelta = timedelta(hours=1)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {self.max_attempts}")
        if self.factor < 1:
            raise ValueError(f"factor must be at least 1, got {self.factor}")

    def delay(self, attempt: int) -> timedelta:
        """The wait after the ``attempt``-th failed attempt (1-based)."""
        seconds = self.base_delay.total_seconds() * self.factor ** max(0, attempt - 1)
        return min(self.max_delay, timedelta(seconds=seconds))

    def gives_up_after(self, attempt: int) -> bool:
        return attempt >= self.max_attempts


DEFAULT_RETRY = Retry()
_policies: dict[str, Retry] = {}

T = TypeVar("T")


def _path(task: Any) -> str:
    return task if isinstance(task, str) else str(task.module_path)


def retry(
    *,
    max_attempts: int = DEFAULT_RETRY.max_attempts,
    base_delay: timedelta = DEFAULT_RETRY.base_delay,
    factor: float = DEFAULT_RETRY.factor,
    max_delay: timedelta = DEFAULT_RETRY.max_delay,
) -> Callable[[T], T]:
    """Decorate a ``@task`` (or give a dotted task path) to set its retry policy; returns it unchanged."""
    policy = Retry(max_attempts=max_attempts, base_delay=base_delay, factor=factor, max_delay=max_delay)

    def register(task: T) -> T:
        _policies[_path(task)] = policy
        return task

    return register


def policy_for(task_path: str) -> Retry:
    return _policies.get(task_path, DEFAULT_RETRY)
