"""Notifications: which dossier events send what, the log, sending one logged message, the staff digest.

| dossier action | template | to the applicant by |
| --- | --- | --- |
| ``accept`` | ``dossier_accepted`` (code, appointment, lookup link) | SMS and/or e-mail, when given |
| ``request_supplement``, ``request_intake_supplement`` | ``supplement_requested`` (reason) | |
| ``resolve`` | ``result_ready`` | |
| ``extend`` | ``extension_apology`` (new appointment, reason; Form 04) | |
| ``confirm_payment`` | ``payment_received`` (amount, receipt number) | |
| an online submission (:func:`online_submission_notify`) | ``online_submitted`` (reference, secret, link) | |

:func:`on_dossier_events` runs inside the dossier action's transaction (:mod:`motcua.dossiers.hooks`): it writes
one :class:`~motcua.notify.models.NotificationLog` per message (unique per event and channel) and enqueues its
send task with :func:`~motcua.jobs.services.enqueue_on_commit`, so a rolled-back action sends nothing. Events
older than ``MOTCUA_NOTIFY_MAX_AGE_HOURS`` (the historic import, the demo) send nothing.

The log never holds the full recipient: :func:`notification_send` reads it from the dossier (or the staff
member) when sending, and stores only its masked form; the stored ``params`` hold no personal data either.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils import timezone

from motcua.accounts.models import RoleAssignment, User
from motcua.catalogue.models import Unit
from motcua.catalogue.selectors import unit_calendar
from motcua.domain.lifecycle import Action
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.forms.qr import lookup_url, public_base_url
from motcua.jobs.retry import policy_for
from motcua.jobs.services import enqueue_on_commit
from motcua.logging import mask_personal_data
from motcua.notify.alerts import Alert, staff_alerts
from motcua.notify.backends import EMAIL, SMS, Rejected, Transport, Unavailable, mask_recipient, send
from motcua.notify.config import max_event_age_hours
from motcua.notify.models import NotificationLog

__all__ = [
    "TEMPLATES_BY_ACTION",
    "notification_queue",
    "notification_send",
    "on_dossier_events",
    "on_dossier_events_many",
    "online_submission_notify",
    "staff_digests_queue",
]

logger = logging.getLogger("motcua.notify")

TEMPLATES_BY_ACTION: dict[str, str] = {
    Action.ACCEPT.value: "dossier_accepted",
    Action.REQUEST_INTAKE_SUPPLEMENT.value: "supplement_requested",
    Action.REQUEST_SUPPLEMENT.value: "supplement_requested",
    Action.RESOLVE.value: "result_ready",
    Action.EXTEND.value: "extension_apology",
    Action.CONFIRM_PAYMENT.value: "payment_received",
}
DIGEST_TEMPLATE = "staff_digest"
ONLINE_SUBMITTED_TEMPLATE = "online_submitted"
DIGEST_LIMIT = 50


def _local(at: datetime | None, tz: str) -> str:
    """``17:00 ngày 12/03/2026`` in the unit's time zone (empty when unknown)."""
    if at is None:
        return ""
    local = at.astimezone(ZoneInfo(tz))
    return f"{local:%H:%M} ngày {local:%d/%m/%Y}"


def _money(amount: object) -> str:
    try:
        value = int(Decimal(str(amount)))
    except (ArithmeticError, ValueError):
        return str(amount)
    return f"{value:,}".replace(",", ".") + " đồng"


def _dossier_params(dossier: Dossier, event: DossierEvent) -> dict[str, Any]:
    tz = dossier.receiving_unit.timezone
    payload = event.payload or {}
    params: dict[str, Any] = {
        "code": dossier.code or "",
        "procedure": dossier.procedure.name,
        "unit": dossier.receiving_unit.name,
        "appointment": _local(dossier.appointment_at or dossier.due_at, tz),
    }
    if (
        event.action in (Action.REQUEST_SUPPLEMENT.value, Action.REQUEST_INTAKE_SUPPLEMENT.value)
        or event.action == Action.EXTEND.value
    ):
        params["reason"] = str(payload.get("reason", ""))
    elif event.action == Action.RESOLVE.value:
        submission = getattr(dossier, "online_submission", None)  # how an online applicant takes the result
        params["delivery"] = submission.delivery if submission is not None else "desk"
    elif event.action == Action.CONFIRM_PAYMENT.value:
        params["amount"] = _money(payload.get("amount", dossier.fee_total))
        params["receipt_number"] = str(payload.get("receipt_number", ""))
    return params


def notification_queue(
    *,
    key: str,
    channel: str,
    template: str,
    recipient: str,
    params: Mapping[str, Any],
    dossier: Dossier | None = None,
    user: User | None = None,
) -> NotificationLog | None:
    """Log one message and enqueue its send task after commit; ``None`` when ``key`` was already logged."""
    try:
        with transaction.atomic():
            log = NotificationLog.objects.create(
                key=key,
                channel=channel,
                template=template,
                dossier=dossier,
                user=user,
                recipient_masked=mask_recipient(channel, recipient),
                params=dict(params),
            )
    except IntegrityError:
        return None
    from motcua.notify.tasks import notification_send_task

    enqueue_on_commit(notification_send_task, log.pk)
    return log


def on_dossier_events(dossier: Dossier, events: Sequence[DossierEvent]) -> None:
    """The hook listener: queue the applicant's messages for the events that have a template."""
    on_dossier_events_many([(dossier, events)])


def on_dossier_events_many(items: Sequence[tuple[Dossier, Sequence[DossierEvent]]]) -> None:
    """:func:`on_dossier_events` for many dossiers at once (the hook's batch version, the historic import).

    The age limit is read once for the batch and checked before anything else, so old events (an import's,
    nearly all of them) cost no query. The messages of the batch are written with one ``INSERT`` (in a
    savepoint); if one of them was logged already (its key is unique), each is queued on its own instead, as
    :func:`notification_queue` does, and the ones already logged are left out.
    """
    max_age = timedelta(hours=max_event_age_hours())
    now = timezone.now()
    wanted: list[tuple[Dossier, DossierEvent, str]] = []
    for dossier, events in items:
        if not (dossier.applicant_phone.strip() or dossier.applicant_email.strip()):
            continue  # no one to tell
        for event in events:
            template = TEMPLATES_BY_ACTION.get(event.action)
            if template is None or now - event.at > max_age:
                continue
            if event.action == Action.CONFIRM_PAYMENT.value and not event.payload.get("receipt_number"):
                continue
            wanted.append((dossier, event, template))
    if not wanted:
        return
    resolved = [d for d, event, _ in wanted if event.action == Action.RESOLVE.value]
    if resolved:  # how an online applicant takes the result (_dossier_params), one query for all
        prefetch_related_objects(resolved, "online_submission")
    logs: list[tuple[NotificationLog, str]] = []
    for dossier, event, template in wanted:
        params = _dossier_params(dossier, event)
        for channel, recipient in ((SMS, dossier.applicant_phone), (EMAIL, dossier.applicant_email)):
            if recipient and recipient.strip():
                log = NotificationLog(
                    key=f"dossier:{dossier.pk}:{event.seq}:{channel}",
                    channel=channel,
                    template=template,
                    dossier=dossier,
                    recipient_masked=mask_recipient(channel, recipient),
                    params=dict(params),
                )
                logs.append((log, recipient))
    from motcua.notify.tasks import notification_send_task

    try:
        with transaction.atomic():
            NotificationLog.objects.bulk_create([log for log, _ in logs])
    except IntegrityError:  # some were logged already: one at a time, as notification_queue does
        for log, recipient in logs:
            notification_queue(
                key=log.key,
                channel=log.channel,
                template=log.template,
                recipient=recipient,
                params=log.params,
                dossier=log.dossier,
            )
        return
    for log, _ in logs:
        enqueue_on_commit(notification_send_task, log.pk)


def online_submission_notify(dossier: Dossier, *, reference: str, at: datetime) -> int:
    """Queue the confirmation of an online submission (its reference; the secret and the link to follow it
    are read from the dossier when sending, never stored in the log). How many messages were queued."""
    params = {
        "reference": reference,
        "procedure": dossier.procedure.name,
        "unit": dossier.receiving_unit.name,
        "submitted_at": _local(at, dossier.receiving_unit.timezone),
    }
    queued = 0
    for channel, recipient in ((SMS, dossier.applicant_phone), (EMAIL, dossier.applicant_email)):
        if recipient and recipient.strip():
            queued += (
                notification_queue(
                    key=f"online:{dossier.pk}:{channel}",
                    channel=channel,
                    template=ONLINE_SUBMITTED_TEMPLATE,
                    recipient=recipient,
                    params=params,
                    dossier=dossier,
                )
                is not None
            )
    return queued


# -- sending -----------------------------------------------------------------------------------------------


def _recipient(log: NotificationLog) -> str:
    if log.dossier is not None:
        return (log.dossier.applicant_phone if log.channel == SMS else log.dossier.applicant_email).strip()
    if log.user is not None and log.channel == EMAIL:
        return log.user.email.strip()
    return ""


def _context(log: NotificationLog) -> dict[str, Any]:
    context = dict(log.params)
    dossier = log.dossier
    if dossier is not None and dossier.code:
        context["lookup_url"] = lookup_url(public_base_url(), dossier.code, dossier.secret)
        context["secret"] = dossier.secret
    submission = getattr(dossier, "online_submission", None) if dossier is not None else None
    if dossier is not None and submission is not None:  # submitted online: its own page, by reference
        query = urlencode({"ma": submission.reference, "bi-mat": dossier.secret})
        context["status_url"] = f"{public_base_url()}{reverse('online:status')}?{query}"
        context["secret"] = dossier.secret
    if log.user is not None:
        context["staff_name"] = log.user.get_full_name() or log.user.get_username()
    return context


def _save(log: NotificationLog, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(log, name, value)
    log.save(update_fields=list(fields))


def notification_send(*, log_id: int, transport: Transport | None = None) -> str:
    """Send one logged message; returns its status. Sent, skipped and failed messages are not sent again.

    A gateway outage raises :class:`~motcua.notify.backends.Unavailable` after recording the attempt, so
    the worker retries with backoff; a permanent refusal marks the message failed and returns.
    """
    from motcua.notify.tasks import notification_send_task

    log = NotificationLog.objects.select_related("dossier", "user").get(pk=log_id)
    if log.status != NotificationLog.Status.QUEUED:
        return log.status
    to = _recipient(log)
    if not to:
        _save(log, status=NotificationLog.Status.SKIPPED, error="no recipient any more")
        return log.status
    attempts = log.attempts + 1
    _save(log, attempts=attempts, recipient_masked=mask_recipient(log.channel, to))
    try:
        result = send(
            log.channel, to, log.template, _context(log), message_id=log.uuid.hex, transport=transport
        )
    except Rejected as exc:
        _save(log, status=NotificationLog.Status.FAILED, error=mask_personal_data(str(exc))[:300])
        logger.warning(
            "notification %s (%s to %s) refused: %s", log.pk, log.channel, log.recipient_masked, exc
        )
        return log.status
    except Unavailable as exc:
        gives_up = policy_for(notification_send_task.module_path).gives_up_after(attempts)
        status = NotificationLog.Status.FAILED if gives_up else NotificationLog.Status.QUEUED
        _save(log, status=status, error=mask_personal_data(str(exc))[:300])
        logger.warning("notification %s (%s) attempt %d failed: %s", log.pk, log.channel, attempts, exc)
        raise
    _save(
        log,
        status=NotificationLog.Status.SENT,
        sent_at=timezone.now(),
        provider_id=result.provider_id[:120],
        error="",
    )
    logger.info("notification %s sent: %s %s to %s", log.pk, log.channel, log.template, log.recipient_masked)
    return log.status


# -- the staff digest --------------------------------------------------------------------------------------


def _alert_row(alert: Alert) -> dict[str, Any]:
    d = alert.dossier
    row: dict[str, Any] = {
        "code": d.code or f"#{d.pk}",
        "procedure": d.procedure.name,
        "due": _local(d.due_at, alert.tz),
    }
    if alert.working_time_left is not None:
        row["hours_left"] = alert.hours_left
    else:
        row["days_late"] = alert.days_late
    return row


def _works_today(user: User, at: datetime) -> bool:
    unit_ids = RoleAssignment.objects.filter(user=user).values("unit_id")
    for unit in Unit.objects.filter(pk__in=unit_ids):
        calendar = unit_calendar(unit)
        if calendar.is_working_day(calendar.local_date(at)):
            return True
    return user.is_superuser


def staff_digests_queue(*, at: datetime | None = None) -> int:
    """Queue today's e-mail digest of overdue and near-due dossiers for every staff member who has some.

    One digest per person per local date (re-running the job the same day queues nothing new); only on a
    working day of one of the person's units; only to active staff with an e-mail address.
    """
    at = at or timezone.now()
    today = at.astimezone(ZoneInfo(settings.TIME_ZONE)).date()
    staff = (
        User.objects.filter(is_active=True)
        .exclude(email="")
        .filter(pk__in=RoleAssignment.objects.values("user_id"))
        .order_by("pk")
    )
    alerts_url = public_base_url() + reverse("notify:alerts")
    queued = 0
    for user in staff:
        if not _works_today(user, at):
            continue
        alerts = staff_alerts(user=user, at=at)
        if not alerts:
            continue
        params = {
            "date": f"{today:%d/%m/%Y}",
            "overdue_count": len(alerts.overdue),
            "near_due_count": len(alerts.near_due),
            "overdue": [_alert_row(a) for a in alerts.overdue[:DIGEST_LIMIT]],
            "near_due": [_alert_row(a) for a in alerts.near_due[:DIGEST_LIMIT]],
            "alerts_url": alerts_url,
        }
        with transaction.atomic():
            log = notification_queue(
                key=f"digest:{user.pk}:{today.isoformat()}",
                channel=EMAIL,
                template=DIGEST_TEMPLATE,
                recipient=user.email,
                params=params,
                user=user,
            )
        queued += log is not None
    return queued
