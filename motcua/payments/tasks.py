"""Background work: the reconciliation of pending online payments (every 5 minutes, motcua/jobs/schedule.py)."""

from __future__ import annotations

from datetime import timedelta

from django.tasks import task

from motcua.payments.services import payments_reconcile


@task()
def payments_reconcile_task() -> str:
    """Settle pending online payments the gateway has an answer for; one line of figures."""
    return payments_reconcile(older_than=timedelta(minutes=1)).line()
