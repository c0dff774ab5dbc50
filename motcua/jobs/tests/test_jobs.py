"""Background work: on-commit enqueueing, retries with backoff, the schedule, recovery of orphaned tasks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time, timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django.tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from conftest import vn
from motcua.jobs import schedule
from motcua.jobs.models import EffectKey, ScheduledJob, WorkerProcess
from motcua.jobs.retry import Retry, policy_for
from motcua.jobs.services import effect_claim, enqueue_on_commit
from motcua.jobs.tests import tasks
from motcua.jobs.worker import recover_orphans, run_ready_tasks, schedule_tick


class Rollback(Exception):
    pass


def in_rolled_back_transaction(work: Callable[[], object]) -> None:
    """Run ``work`` in a transaction that then fails and rolls back."""
    try:
        with transaction.atomic():
            work()
            raise Rollback
    except Rollback:
        pass


# --- enqueue_on_commit ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_task_enqueued_in_a_rolled_back_transaction_never_runs() -> None:
    # given: a transaction that enqueues a task, then fails
    in_rolled_back_transaction(lambda: enqueue_on_commit(tasks.group_create, "rolled-back"))
    # when: a worker runs everything that is ready
    ran = run_ready_tasks()
    # then: there was nothing to run, and the effect never happened
    assert ran == 0
    assert not DBTaskResult.objects.exists()
    assert not Group.objects.filter(name="rolled-back").exists()


@pytest.mark.django_db
def test_a_task_enqueued_in_a_committed_transaction_runs_once() -> None:
    with transaction.atomic():
        enqueue_on_commit(tasks.group_create, "committed")
    assert run_ready_tasks() == 1
    assert run_ready_tasks() == 0
    assert Group.objects.filter(name="committed").count() == 1
    assert DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL


IMMEDIATE = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    "immediate": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"},
}


@pytest.mark.django_db(transaction=True)
def test_with_a_backend_outside_the_database_the_enqueue_waits_for_the_commit(settings) -> None:  # type: ignore[no-untyped-def]
    # given: a backend that runs tasks at once, outside the database transaction
    settings.TASKS = IMMEDIATE
    immediate = tasks.group_create.using(backend="immediate")
    # when: one transaction rolls back, another commits
    in_rolled_back_transaction(lambda: enqueue_on_commit(immediate, "never"))
    with transaction.atomic():
        enqueue_on_commit(immediate, "after-commit")
        assert not Group.objects.filter(name="after-commit").exists()  # not yet: still inside
    # then
    assert not Group.objects.filter(name="never").exists()
    assert Group.objects.filter(name="after-commit").exists()


# --- retries ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_failing_task_is_retried_with_growing_delays_and_stops_after_max_attempts() -> None:
    # given: a task whose policy is 4 attempts, 10 s doubling
    t0 = vn("2026-03-09 08:00")
    result = tasks.gateway_call.enqueue("R-1")
    now, delays = t0, []
    # when: a worker runs it each time it is due
    for _ in range(4):
        assert run_ready_tasks(now=now) == 1
        row = DBTaskResult.objects.get(pk=result.id)
        assert run_ready_tasks(now=now + timedelta(seconds=1)) == 0 or row.status == TaskResultStatus.FAILED
        if row.status == TaskResultStatus.READY:
            delays.append((row.run_after - now).total_seconds())
            now = row.run_after
    # then: three retries 10, 20, 40 s apart, on the same task row, then failed for good
    row = DBTaskResult.objects.get(pk=result.id)
    assert delays == [10, 20, 40]
    assert row.status == TaskResultStatus.FAILED
    assert len(row.worker_ids) == 4  # the attempt number is kept
    assert row.exception_class_path == "builtins.ConnectionError"
    assert "0912345678" not in row.traceback  # personal data masked in the stored traceback
    assert run_ready_tasks(now=now + timedelta(days=1)) == 0


@pytest.mark.django_db
def test_a_task_that_fails_once_succeeds_on_its_retry() -> None:
    t0 = vn("2026-03-09 08:00")
    result = tasks.succeeds_on_second_attempt.enqueue("second")
    run_ready_tasks(now=t0)
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.READY
    run_ready_tasks(now=t0 + timedelta(seconds=10))
    row = DBTaskResult.objects.get(pk=result.id)
    assert (row.status, len(row.worker_ids), row.return_value) == (TaskResultStatus.SUCCESSFUL, 2, "second")


def test_backoff_doubles_up_to_the_maximum() -> None:
    policy = Retry(max_attempts=10, base_delay=timedelta(seconds=30), max_delay=timedelta(minutes=5))
    assert [policy.delay(n).total_seconds() for n in range(1, 7)] == [30, 60, 120, 240, 300, 300]
    assert policy_for("no.such.task").max_attempts == 3
    with pytest.raises(ValueError, match="max_attempts"):
        Retry(max_attempts=0)


# --- idempotent effects -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_effect_claimed_once_is_refused_the_second_time_and_a_rolled_back_claim_is_forgotten() -> None:
    in_rolled_back_transaction(lambda: effect_claim("k"))
    with transaction.atomic():
        assert effect_claim("k")
    with transaction.atomic():
        assert not effect_claim("k")
    assert EffectKey.objects.filter(key="k").count() == 1


# --- orphaned tasks ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_task_left_running_by_a_vanished_worker_is_put_back_and_runs() -> None:
    # given: a task claimed by a worker that stopped beating ten minutes ago
    now = vn("2026-03-09 08:00")
    result = tasks.group_create.enqueue("orphan")
    WorkerProcess.objects.create(
        worker_id="ghost",
        hostname="elsewhere",
        pid=1,
        started_at=now - timedelta(hours=1),
        seen_at=now - timedelta(minutes=10),
    )
    DBTaskResult.objects.get(pk=result.id).claim("ghost")
    # and a live worker's running task
    busy = tasks.group_create.enqueue("busy")
    WorkerProcess.objects.create(worker_id="alive", hostname="elsewhere", pid=1, started_at=now, seen_at=now)
    DBTaskResult.objects.get(pk=busy.id).claim("alive")
    # when
    recovered = recover_orphans(now=now, stale_after=timedelta(seconds=60))
    # then: only the orphan went back to the queue, and it runs as its second attempt
    assert recovered == [str(result.id)]
    assert DBTaskResult.objects.get(pk=busy.id).status == TaskResultStatus.RUNNING
    assert run_ready_tasks(now=now) == 1
    row = DBTaskResult.objects.get(pk=result.id)
    assert (row.status, len(row.worker_ids)) == (TaskResultStatus.SUCCESSFUL, 2)
    assert Group.objects.filter(name="orphan").count() == 1


# --- schedule ---------------------------------------------------------------------------------------------


def test_daily_entries_run_at_the_local_time_and_intervals_at_once() -> None:
    daily = schedule.Entry(name="d", task_path="x.y", daily_at=time(7, 30), tz="Asia/Ho_Chi_Minh")
    assert daily.first_run(vn("2026-03-09 06:00")) == vn("2026-03-09 07:30")
    assert daily.next_after(vn("2026-03-09 07:30")) == vn("2026-03-10 07:30")
    every = schedule.Entry(name="e", task_path="x.y", every=timedelta(minutes=15))
    assert every.first_run(vn("2026-03-09 06:00")) == vn("2026-03-09 06:00")
    assert every.next_after(vn("2026-03-09 06:00")) == vn("2026-03-09 06:15")
    with pytest.raises(ValueError, match="exactly one"):
        schedule.Entry(name="bad", task_path="x.y")


@pytest.fixture
def only_test_entries():  # type: ignore[no-untyped-def]
    saved = dict(schedule._entries)
    schedule._entries.clear()
    yield
    schedule._entries.clear()
    schedule._entries.update(saved)


@pytest.mark.django_db
@pytest.mark.usefixtures("only_test_entries")
def test_the_schedule_enqueues_each_due_run_once() -> None:
    # given: an entry every minute and one daily at 07:30
    schedule.register("test.every", tasks.group_create, every=timedelta(minutes=1), kwargs={"name": "tick"})
    schedule.register(
        "test.daily", "motcua.jobs.tests.tasks.group_create", daily_at=time(7, 30), kwargs={"name": "daily"}
    )
    t0 = vn("2026-03-09 07:00")
    # when / then: the interval entry runs at once, then a minute later; the daily one at 07:30
    assert schedule_tick(t0) == ["test.every"]
    assert schedule_tick(t0 + timedelta(seconds=30)) == []
    assert schedule_tick(t0 + timedelta(minutes=1)) == ["test.every"]
    assert ScheduledJob.objects.get(name="test.daily").next_run_at == vn("2026-03-09 07:30")
    assert schedule_tick(vn("2026-03-09 07:30")) == ["test.daily", "test.every"]
    # a worker down for three days runs the daily entry once, not three times
    assert "test.daily" in schedule_tick(vn("2026-03-12 09:00"))
    assert ScheduledJob.objects.get(name="test.daily").next_run_at == vn("2026-03-13 07:30")
    assert DBTaskResult.objects.filter(args_kwargs__kwargs__name="daily").count() == 2


@pytest.mark.django_db
@pytest.mark.usefixtures("only_test_entries")
def test_a_broken_entry_does_not_stop_the_others() -> None:
    schedule.register("test.broken", "motcua.jobs.tests.tasks.no_such_task", every=timedelta(minutes=1))
    schedule.register("test.fine", tasks.group_create, every=timedelta(minutes=1), kwargs={"name": "fine"})
    assert schedule_tick(vn("2026-03-09 07:00")) == ["test.fine"]


def test_motcuas_own_entries_are_registered() -> None:
    names = {e.name for e in schedule.entries()}
    assert {"notify.staff_digest", "jobs.prune_results"} <= names


def test_the_worker_command_logs_through_the_personal_data_filter() -> None:
    """``motcua worker`` adds its own stderr handler; it masks ID and phone numbers and lookup secrets too."""
    import io
    import logging

    from motcua.jobs.management.commands.worker import log_handler

    err = io.StringIO()
    logger = logging.getLogger("motcua.test.worker")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    handler = log_handler(err)
    logger.addHandler(handler)
    try:
        logger.info("to %s: Mã tra cứu: SECRET12, ?ma=X&bi-mat=SECRET12", "0912345678")
    finally:
        logger.removeHandler(handler)
    assert "SECRET12" not in err.getvalue()
    assert "0912345678" not in err.getvalue()
    assert "to *******678: Mã tra cứu: ***, ?ma=X&bi-mat=***" in err.getvalue()
