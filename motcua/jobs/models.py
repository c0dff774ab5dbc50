"""The worker's own records: live worker processes, the schedule's state, and claimed task effects.

The tasks themselves are ``django_tasks_db.DBTaskResult`` rows (one per enqueued task, kept across retries).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerProcess(models.Model):
    """A running (or stopped) ``motcua worker``; ``seen_at`` is its heartbeat."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("tiến trình nền")
        verbose_name_plural = _("tiến trình nền")

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}:{self.pid})"


class ScheduledJob(models.Model):
    """The state of one schedule entry (:mod:`motcua.jobs.schedule`): when it runs next, when it last ran."""

    name = models.CharField(max_length=100, unique=True)
    task_path = models.CharField(max_length=255)
    spec = models.CharField(max_length=100)
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("công việc định kỳ")
        verbose_name_plural = _("công việc định kỳ")

    def __str__(self) -> str:
        return self.name


class EffectKey(models.Model):
    """A task effect that has happened: written in the same transaction as the effect itself."""

    key = models.CharField(max_length=200, unique=True)
    done_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("khóa hiệu lực công việc")
        verbose_name_plural = _("khóa hiệu lực công việc")

    def __str__(self) -> str:
        return self.key
