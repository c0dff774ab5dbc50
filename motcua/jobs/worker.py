"""The worker behind ``motcua worker``: django-tasks-db's database worker, plus retries, schedule, recovery.

One loop, per poll:

1. tick the schedule (:mod:`motcua.jobs.schedule`): enqueue each due entry once;
2. claim the next ready task atomically (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, an ``EXCLUSIVE``
   transaction on SQLite) and mark it running with this worker's id;
3. run it: on success it is marked successful; on an exception it is put back with ``run_after = now +
   backoff`` until its retry policy gives up (:mod:`motcua.jobs.retry`), then marked failed.

Each worker records itself in :class:`~motcua.jobs.models.WorkerProcess` and beats every few seconds from a
thread. A task left ``RUNNING`` by a worker that is gone (killed, machine lost: no heartbeat for
``stale_after`` seconds, or a dead process id on this host) is put back in the queue at the next worker's
start or recovery pass, with its attempt counted; task effects are made idempotent with
:func:`motcua.jobs.services.effect_claim`, so a re-run never repeats an effect that committed.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import IntegrityError, close_old_connections, connection, transaction
from django.db.models import Q
from django.db.utils import OperationalError
from django.tasks.base import TaskContext, TaskResultStatus
from django.tasks.signals import task_finished, task_started
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string
from django_tasks_db.management.commands.db_worker import Worker as DatabaseWorker
from django_tasks_db.models import DBTaskResult, get_date_max
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from motcua.jobs import schedule
from motcua.jobs.models import ScheduledJob, WorkerProcess
from motcua.jobs.retry import policy_for
from motcua.logging import mask_personal_data

__all__ = ["Worker", "WorkerLost", "recover_orphans", "run_ready_tasks", "schedule_tick"]

logger = logging.getLogger("motcua.jobs")

Clock = Callable[[], datetime]


class WorkerLost(Exception):
    """The worker running a task stopped (killed, machine lost) before the task finished."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _ready(now: datetime, backend_name: str) -> object:
    return DBTaskResult.objects.filter(status=TaskResultStatus.READY, backend_name=backend_name).filter(
        Q(run_after=get_date_max()) | Q(run_after__lte=now)
    )


def _fail(db_task: DBTaskResult, exc: BaseException) -> None:
    db_task.set_failed(exc)
    DBTaskResult.objects.filter(pk=db_task.pk).update(traceback=mask_personal_data(db_task.traceback))


def _requeue(db_task: DBTaskResult, *, run_after: datetime, exc: BaseException | None) -> None:
    fields: dict[str, object] = {
        "status": TaskResultStatus.READY,
        "run_after": run_after,
        "finished_at": None,
    }
    if exc is not None:
        from traceback import format_exception

        fields["exception_class_path"] = f"{type(exc).__module__}.{type(exc).__qualname__}"
        fields["traceback"] = mask_personal_data("".join(format_exception(exc)))
    DBTaskResult.objects.filter(pk=db_task.pk).update(**fields)


def recover_orphans(*, now: datetime, stale_after: timedelta, worker_id: str = "") -> list[str]:
    """Put back in the queue the tasks left running by workers that are gone; returns their ids.

    A worker is gone when it was stopped, has not beaten for ``stale_after``, or (on this host) its process
    no longer exists. A task that has used up its retry policy's attempts is marked failed instead.
    """
    host = socket.gethostname()
    for worker in WorkerProcess.objects.filter(stopped_at__isnull=True, hostname=host).exclude(
        worker_id=worker_id
    ):
        if worker.pid == os.getpid() or not _alive(worker.pid):
            WorkerProcess.objects.filter(pk=worker.pk).update(stopped_at=now)
    live = set(
        WorkerProcess.objects.filter(stopped_at__isnull=True, seen_at__gte=now - stale_after).values_list(
            "worker_id", flat=True
        )
    )
    live.add(worker_id)
    recovered: list[str] = []
    with exclusive_transaction(DBTaskResult.objects.db):
        for db_task in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).select_for_update(
            skip_locked=True
        ):
            last = db_task.worker_ids[-1] if db_task.worker_ids else ""
            if last in live:
                continue
            attempts = len(db_task.worker_ids)
            lost = WorkerLost(f"worker {last or '?'} stopped during attempt {attempts}")
            if policy_for(db_task.task_path).gives_up_after(attempts):
                _fail(db_task, lost)
                logger.error("task %s (%s) failed: %s", db_task.pk, db_task.task_path, lost)
            else:
                _requeue(db_task, run_after=now, exc=lost)
                logger.warning("task %s (%s) put back in the queue: %s", db_task.pk, db_task.task_path, lost)
            recovered.append(str(db_task.pk))
    return recovered


def schedule_tick(now: datetime) -> list[str]:
    """Enqueue every schedule entry that is due at ``now`` (once, even with several workers); returns names."""
    enqueued: list[str] = []
    known = {row.name: row for row in ScheduledJob.objects.all()}
    for entry in schedule.entries():
        seen = known.get(entry.name)
        if seen and (seen.spec, seen.task_path) == (entry.spec, entry.task_path) and seen.next_run_at > now:
            continue  # not due: no write transaction (SQLite has one writer at a time)
        try:
            with transaction.atomic():
                row = ScheduledJob.objects.select_for_update(skip_locked=True).filter(name=entry.name).first()
                if row is None:
                    try:
                        with transaction.atomic():
                            row = ScheduledJob.objects.create(
                                name=entry.name,
                                task_path=entry.task_path,
                                spec=entry.spec,
                                next_run_at=entry.first_run(now),
                            )
                    except IntegrityError:
                        continue  # another worker holds it right now
                if row.spec != entry.spec or row.task_path != entry.task_path:
                    row.spec, row.task_path = entry.spec, entry.task_path
                    row.next_run_at = entry.first_run(now)
                if row.next_run_at <= now:
                    result = import_string(entry.task_path).enqueue(**entry.kwargs)
                    row.last_run_at = now
                    row.last_task_id = str(result.id)
                    row.next_run_at = entry.next_after(now)
                    enqueued.append(entry.name)
                row.save()
        except Exception:
            logger.exception("schedule entry %s could not be enqueued", entry.name)
    return enqueued


class Worker(DatabaseWorker):
    """django-tasks-db's worker loop with motcua's retries, schedule, heartbeat and recovery."""

    def __init__(
        self,
        *,
        queue_names: list[str] | None = None,
        interval: float = 1.0,
        batch: bool = False,
        backend_name: str = "default",
        startup_delay: bool = False,
        max_tasks: int | None = None,
        worker_id: str | None = None,
        excluded_queue_names: list[str] | None = None,
        run_schedule: bool = True,
        stale_after: float = 60.0,
        heartbeat: float = 5.0,
        clock: Clock | None = None,
        manage_connections: bool = True,
    ) -> None:
        super().__init__(
            queue_names=queue_names or ["default"],
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id or get_random_string(32),
            excluded_queue_names=excluded_queue_names or [],
        )
        self.run_schedule = run_schedule
        self.stale_after = timedelta(seconds=stale_after)
        self.heartbeat = heartbeat
        self.clock: Clock = clock or timezone.now
        self._beating = threading.Event()
        # a long-running worker drops stale database connections between tasks; an inline run keeps the
        # caller's connection (and its transaction) as it is
        self.manage_connections = manage_connections

    # -- process record and heartbeat ---------------------------------------------------------------------

    def _register(self) -> None:
        now = self.clock()
        WorkerProcess.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={
                "hostname": socket.gethostname(),
                "pid": os.getpid(),
                "started_at": now,
                "seen_at": now,
                "stopped_at": None,
            },
        )

    def _beat(self) -> None:
        WorkerProcess.objects.filter(worker_id=self.worker_id).update(seen_at=timezone.now())

    def _beat_forever(self) -> None:
        try:
            while not self._beating.wait(self.heartbeat):
                try:
                    self._beat()
                except OperationalError:
                    logger.warning("worker %s: heartbeat skipped (database busy)", self.worker_id)
        finally:
            connection.close()

    def _stopped(self) -> None:
        try:
            WorkerProcess.objects.filter(worker_id=self.worker_id).update(stopped_at=timezone.now())
        except Exception:
            logger.warning("worker %s: could not record its stop", self.worker_id)

    # -- the loop -----------------------------------------------------------------------------------------

    def _tasks(self, now: datetime) -> object:
        tasks = _ready(now, self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)  # type: ignore[attr-defined]
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)  # type: ignore[attr-defined]
        return tasks

    def claim_next(self) -> tuple[DBTaskResult | None, bool]:
        """Claim the next ready task; returns it (or ``None``) and whether the database answered."""
        tasks = self._tasks(self.clock())
        with exclusive_transaction(DBTaskResult.objects.db):
            try:
                db_task = tasks.get_locked()  # type: ignore[attr-defined]
                if db_task is not None:
                    db_task.claim(self.worker_id)
                return db_task, True
            except OperationalError as exc:
                if is_locked_database_exception(exc):
                    return None, False
                raise

    def run(self) -> None:
        logger.info("worker %s started (queues %s)", self.worker_id, ",".join(self.queue_names))
        self._register()
        recover_orphans(now=self.clock(), stale_after=self.stale_after, worker_id=self.worker_id)
        beater = None
        if not self.batch and self.heartbeat > 0:
            beater = threading.Thread(target=self._beat_forever, name="motcua-heartbeat", daemon=True)
            beater.start()
        last_recovery = last_tick = time.monotonic()
        try:
            while self.running:
                if self.manage_connections:
                    close_old_connections()
                if self.run_schedule and (time.monotonic() - last_tick >= 1.0 or self.batch):
                    schedule_tick(self.clock())
                    last_tick = time.monotonic()
                if time.monotonic() - last_recovery > self.stale_after.total_seconds() / 2:
                    recover_orphans(now=self.clock(), stale_after=self.stale_after, worker_id=self.worker_id)
                    last_recovery = time.monotonic()
                db_task, answered = self.claim_next()
                if db_task is not None:
                    self.run_task(db_task)
                if self.batch and answered and db_task is None:
                    return
                if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                    return
                if self.manage_connections:
                    close_old_connections()
                if self.running and db_task is None:
                    time.sleep(self.interval)
        finally:
            self._beating.set()
            self._stopped()

    def run_task(self, db_task_result: DBTaskResult) -> None:
        """Run one claimed task; on failure retry it later with backoff, or mark it failed."""
        db_task = db_task_result
        attempt = len(db_task.worker_ids)
        try:
            self.running_task = True
            task = db_task.task
            task_result = db_task.task_result
            sender = type(task.get_backend())
            task_started.send(sender=sender, task_result=task_result)
            if task.takes_context:
                value = task.call(
                    TaskContext(task_result=task_result), *task_result.args, **task_result.kwargs
                )
            else:
                value = task.call(*task_result.args, **task_result.kwargs)
            db_task.set_successful(value)
            task_finished.send(sender=sender, task_result=db_task.task_result)
        except (KeyboardInterrupt, SystemExit) as exc:
            # stopped by force in the middle: the attempt counts, the task goes back to the queue
            _requeue(db_task, run_after=self.clock(), exc=exc)
            raise
        except Exception as exc:
            policy = policy_for(db_task.task_path)
            if policy.gives_up_after(attempt):
                _fail(db_task, exc)
                logger.error(
                    "task %s (%s) failed after %d attempts: %s",
                    db_task.pk,
                    db_task.task_path,
                    attempt,
                    type(exc).__name__,
                )
                try:
                    task_finished.send(
                        sender=type(db_task.task.get_backend()), task_result=db_task.task_result
                    )
                except Exception:
                    logger.exception("task %s failed unexpectedly", db_task.pk)
            else:
                delay = policy.delay(attempt)
                _requeue(db_task, run_after=self.clock() + delay, exc=exc)
                logger.warning(
                    "task %s (%s) attempt %d failed (%s); retry in %ss",
                    db_task.pk,
                    db_task.task_path,
                    attempt,
                    type(exc).__name__,
                    int(delay.total_seconds()),
                )
        finally:
            self.running_task = False
            self._run_tasks += 1


def run_ready_tasks(
    *,
    now: datetime | None = None,
    worker_id: str = "inline",
    run_schedule: bool = False,
    max_tasks: int = 1000,
) -> int:
    """Run, in this process, every task ready at ``now`` (default: the clock), then return how many ran.

    For tests, the demo and ``motcua worker --batch``: no heartbeat thread, no signal handlers. Tasks that
    fail are put back with their backoff as usual, so they are not ready again within the same call.
    """
    clock: Clock = (lambda: now) if now is not None else timezone.now  # type: ignore[assignment,return-value]
    worker = Worker(
        batch=True,
        worker_id=worker_id,
        run_schedule=run_schedule,
        clock=clock,
        max_tasks=max_tasks,
        queue_names=["*"],
        heartbeat=0,
        manage_connections=False,
    )
    worker.run()
    return worker._run_tasks
