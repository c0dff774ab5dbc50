"""The portal sync as a scheduled background task (``motcua worker`` runs it every minute, see apps.py)."""

from __future__ import annotations

from django.tasks import task

from motcua.portal import conf
from motcua.portal.outbox import portal_sync_batch

__all__ = ["portal_sync"]


@task
def portal_sync(limit: int = 100, max_passes: int = 50) -> dict[str, int]:
    """Send what is due, pass after pass while messages go (a sent message makes its dossier's next one due).

    Does nothing when ``MOTCUA_PORTAL_URL`` is not set. Returns the counts for the task result.
    """
    totals = {"sent": 0, "failed": 0, "dead": 0}
    if not conf.portal_url():
        return totals
    for _ in range(max_passes):
        result = portal_sync_batch(limit)
        totals["sent"] += result.sent
        totals["failed"] += result.failed
        totals["dead"] += result.dead
        if result.sent == 0:
            break
    return totals
