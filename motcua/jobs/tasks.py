"""The jobs module's own scheduled task: forget old finished task results."""

from __future__ import annotations

from datetime import timedelta

from django.tasks import task
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from motcua.jobs.models import EffectKey

KEEP = timedelta(days=30)


@task
def task_results_prune() -> int:
    """Delete successful task results and effect keys older than 30 days (failed ones are kept to inspect)."""
    before = timezone.now() - KEEP
    deleted, _ = DBTaskResult.objects.filter(
        status=TaskResultStatus.SUCCESSFUL, finished_at__lt=before
    ).delete()
    EffectKey.objects.filter(done_at__lt=before).delete()
    return deleted
