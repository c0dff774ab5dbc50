"""The notify module's background tasks: send one logged message; queue the daily staff digest."""

from __future__ import annotations

from datetime import timedelta

from django.tasks import task

from motcua.jobs.retry import retry


@retry(max_attempts=6, base_delay=timedelta(minutes=1), max_delay=timedelta(hours=2))
@task
def notification_send_task(log_id: int) -> str:
    """Send the message of ``NotificationLog`` ``log_id`` (retried 1, 2, 4, 8, 16 minutes apart)."""
    from motcua.notify.services import notification_send

    return notification_send(log_id=log_id)


@task
def staff_digest_send() -> int:
    """Scheduled daily at 07:30 (``notify.staff_digest``): one e-mail per staff member with alerts."""
    from motcua.notify.services import staff_digests_queue

    return staff_digests_queue()
