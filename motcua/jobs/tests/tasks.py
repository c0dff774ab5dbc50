"""Tasks used by the jobs tests (and run by real worker processes in the restart test)."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from pathlib import Path

from django.contrib.auth.models import Group
from django.db import transaction
from django.tasks import task

from motcua.jobs.retry import retry
from motcua.jobs.services import effect_claim


@task
def group_create(name: str) -> str:
    """An effect anyone can see: a row in auth's Group table."""
    Group.objects.create(name=name)
    return name


@retry(max_attempts=4, base_delay=timedelta(seconds=10))
@task
def gateway_call(reference: str) -> None:
    raise ConnectionError(f"gateway unreachable for {reference} (phone 0912345678)")


@retry(max_attempts=3, base_delay=timedelta(seconds=10))
@task
def succeeds_on_second_attempt(name: str) -> str:
    # the first attempt leaves a marker and fails; the second finds it and succeeds
    if not Group.objects.filter(name=f"{name}-tried").exists():
        Group.objects.create(name=f"{name}-tried")
        raise TimeoutError("first attempt times out")
    Group.objects.create(name=name)
    return name


@retry(max_attempts=5, base_delay=timedelta(seconds=0))
@task
def slow_effect(key: str, pause: float, markers: str) -> str:
    """A non-idempotent write (a new Group named ``key-<random>``) made exactly-once by ``effect_claim``.

    Marker files tell the test where the task is: ``A-key`` inside the transaction, before the commit;
    ``B-key`` after the commit, before the worker marks the task done.
    """
    with transaction.atomic():
        if not effect_claim(f"test:{key}"):
            return "already done"
        Group.objects.create(name=f"{key}-{uuid.uuid4().hex[:8]}")
        Path(markers, f"A-{key}").touch()
        time.sleep(pause)
    Path(markers, f"B-{key}").touch()
    time.sleep(pause)
    return "done"
