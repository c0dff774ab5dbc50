"""The portal outbox: enqueue in the dossier's transaction, send in order with retries, dead-letter, resend.

- :func:`outbox_enqueue` is a :mod:`motcua.dossiers.hooks` listener: every event whose state has a portal
  status code (rules §3; a cancelled record has none) writes one :class:`OutboxMessage` in the event's own
  transaction, so a change and its message commit or roll back together. :func:`outbox_enqueue_many` is its
  batch version (the historic import: the dossiers of one transaction, one query a table); the single one is
  the batch one applied to one dossier.
- :func:`portal_sync_batch` sends due messages. Per dossier only the lowest unsent ``seq`` is ever eligible,
  so ``seq`` n+1 is never sent before the portal acknowledged n. A message is *claimed* in a short
  transaction (row locks with ``SKIP LOCKED`` on PostgreSQL, SQLite's single writer otherwise) for a lease
  longer than the HTTP time-out, sent outside any transaction, then recorded. Two workers never send one
  message at once; a worker killed after sending and before recording leaves a claim that expires, and the
  message is sent again with the same idempotency key, which the portal stores once.
- A failure is retried after ``MOTCUA_PORTAL_BACKOFF`` × 2^(attempts−1) seconds (at most an hour); after
  ``MOTCUA_PORTAL_MAX_ATTEMPTS`` attempts, or at once when the portal refuses the message itself (4xx), it
  goes to the dead-letter list, and the dossier's later messages wait until it is resent
  (:func:`outbox_resend`).
- The first acknowledged message that tells the portal more than "lodged" (status ≠ 1) marks the dossier
  synced (:func:`motcua.dossiers.services.dossier_mark_synced`), which the ``portal_sync`` figure counts.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from motcua.core.errors import FieldError, NotFound
from motcua.domain.lifecycle import State, portal_status
from motcua.dossiers.services import dossier_mark_synced
from motcua.portal import conf
from motcua.portal.client import HttpPortalClient, PortalClient, SendResult
from motcua.portal.models import OutboxMessage
from motcua.portal.payload import dossier_key, dossier_records_many

if TYPE_CHECKING:
    from motcua.dossiers.models import Dossier, DossierEvent

__all__ = [
    "BatchResult",
    "message_body",
    "outbox_claim",
    "outbox_dead_letters",
    "outbox_deliver",
    "outbox_enqueue",
    "outbox_enqueue_many",
    "outbox_record",
    "outbox_resend",
    "portal_sync_batch",
]

logger = logging.getLogger(__name__)

LODGED = 1
"""Portal status 1 (Mới đăng ký): a message with only this tells the portal nothing about acceptance."""


# ---------------------------------------------------------------------------------------------------------------
# enqueue


def outbox_enqueue(dossier: Dossier, events: Sequence[DossierEvent]) -> None:
    """Write one message per event the portal must know, in the event's transaction (a hooks listener).

    A replay (the historic import) reports all of a dossier's events at once: their messages carry the dossier
    as it now stands, each with the status and the history up to its own event. An imported dossier that the
    older system had synced (``synced_to_portal_at``) sends only the events after that instant.
    """
    outbox_enqueue_many([(dossier, events)])


def outbox_enqueue_many(items: Sequence[tuple[Dossier, Sequence[DossierEvent]]]) -> None:
    """:func:`outbox_enqueue` for many dossiers at once (the hooks' batch listener): the same messages, written
    with one query a table for the whole batch (whether a dossier has messages already, the records' rows, the
    messages themselves)."""
    wanted: list[tuple[Dossier, list[tuple[DossierEvent, int]]]] = []
    for dossier, events in items:
        synced = dossier.synced_to_portal_at
        known = [
            (event, code)
            for event in events
            if (code := portal_status(State(event.to_state), event.payload.get("reason_code"))) is not None
            and (synced is None or event.at > synced)
        ]  # a cancelled record has no portal code; what an older system synced before the import, the portal has
        if known:
            wanted.append((dossier, known))
    if not wanted:
        return
    unsynced = {dossier.pk for dossier, _ in wanted if dossier.synced_to_portal_at is None}
    sent_before = (
        set(
            OutboxMessage.objects.filter(dossier_id__in=unsynced)
            .values_list("dossier_id", flat=True)
            .distinct()
        )
        if unsynced
        else set()
    )
    records = dossier_records_many(
        [(dossier, [event.seq for event, _ in known]) for dossier, known in wanted]
    )
    now = timezone.now()
    messages = []
    for (dossier, known), dossier_records in zip(wanted, records, strict=True):
        updating = dossier.synced_to_portal_at is not None or dossier.pk in sent_before
        for (event, code), record in zip(known, dossier_records, strict=True):
            key = f"{dossier.receiving_unit.code}:{dossier.pk}:{event.seq}"
            record["TrangThaiHoSo"] = code
            messages.append(
                OutboxMessage(
                    dossier=dossier,
                    seq=event.seq,
                    idempotency_key=key,
                    portal_status=code,
                    payload={
                        "service": "DongBoHoSoMC",
                        "isUpdating": updating,
                        "key": key,
                        "dossier": dossier_key(dossier),
                        "seq": event.seq,
                        "data": [record],
                    },
                    next_attempt_at=min(event.at, now),
                )
            )
            updating = True
        sent_before.add(dossier.pk)  # the same dossier again later in the batch: an update
    OutboxMessage.objects.bulk_create(messages)


def message_body(message: OutboxMessage) -> bytes:
    """The exact bytes sent (the same on every attempt)."""
    return json.dumps(message.payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


# ---------------------------------------------------------------------------------------------------------------
# send


@dataclass
class BatchResult:
    sent: int = 0
    failed: int = 0
    dead: int = 0
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        return self.sent + self.failed + self.dead

    def line(self) -> str:
        return f"sent {self.sent}, failed {self.failed} (will retry), dead {self.dead}"


def _heads(now: datetime) -> QuerySet[OutboxMessage]:
    """Due messages that are the lowest unsent ``seq`` of their dossier and not claimed by a live worker."""
    earlier_unsent = OutboxMessage.objects.filter(
        dossier_id=OuterRef("dossier_id"), seq__lt=OuterRef("seq")
    ).exclude(status=OutboxMessage.Status.SENT)
    return (
        OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .filter(~Exists(earlier_unsent))
        .order_by("next_attempt_at", "id")
    )


def outbox_claim(*, limit: int, now: datetime | None = None) -> list[tuple[OutboxMessage, str]]:
    """Reserve up to ``limit`` due messages for this worker; returns them with this claim's token."""
    now = now or timezone.now()
    token = secrets.token_hex(8)
    with transaction.atomic():
        heads = _heads(now)
        if connection.features.has_select_for_update_skip_locked:
            heads = heads.select_for_update(skip_locked=True, of=("self",))
        claimed = list(heads[:limit])
        if not claimed:
            return []
        until = now + timedelta(seconds=conf.lease_seconds())
        OutboxMessage.objects.filter(pk__in=[m.pk for m in claimed]).update(
            claimed_until=until, claim_token=token
        )
    return [(m, token) for m in claimed]


def outbox_deliver(message: OutboxMessage, client: PortalClient) -> SendResult:
    """One attempt to send ``message`` (outside any transaction)."""
    try:
        return client.send(key=message.idempotency_key, body=message_body(message))
    except Exception as exc:
        return SendResult(ok=False, error=f"{type(exc).__name__}: {exc}"[:500])


def outbox_record(
    message: OutboxMessage, token: str, result: SendResult, *, now: datetime | None = None
) -> str:
    """Record an attempt's outcome; returns ``sent``, ``failed`` or ``dead``."""
    now = now or timezone.now()
    with transaction.atomic():
        current = OutboxMessage.objects.select_for_update().filter(pk=message.pk).first()
        if current is None:
            return "failed"
        if result.ok:
            if current.status != OutboxMessage.Status.SENT:
                current.status = OutboxMessage.Status.SENT
                current.sent_at = now
                current.attempts += 1
                current.last_error = ""
                current.claimed_until, current.claim_token = None, ""
                current.save(
                    update_fields=[
                        "status",
                        "sent_at",
                        "attempts",
                        "last_error",
                        "claimed_until",
                        "claim_token",
                    ]
                )
                if current.portal_status != LODGED:
                    dossier_mark_synced(dossier_id=current.dossier_id, at=now)
            return "sent"
        if current.status != OutboxMessage.Status.PENDING or current.claim_token != token:
            return "failed"  # another worker took it over after our lease ran out; its outcome stands
        current.attempts += 1
        current.last_error = result.error[:500]
        current.claimed_until, current.claim_token = None, ""
        if not result.retry or current.attempts >= conf.max_attempts():
            current.status = OutboxMessage.Status.DEAD
            outcome = "dead"
        else:
            delay = min(conf.BACKOFF_CAP, conf.backoff_base() * 2 ** (current.attempts - 1))
            current.next_attempt_at = now + timedelta(seconds=delay)
            outcome = "failed"
        current.save(
            update_fields=[
                "status",
                "attempts",
                "last_error",
                "claimed_until",
                "claim_token",
                "next_attempt_at",
            ]
        )
        return outcome


def portal_sync_batch(
    limit: int = 100, *, client: PortalClient | None = None, now: datetime | None = None
) -> BatchResult:
    """Send up to ``limit`` due messages, each the next one of its dossier; one attempt each."""
    result = BatchResult()
    if client is None:
        url = conf.portal_url()
        if not url:
            return result
        client = HttpPortalClient(url=url, secret=conf.portal_secret(), timeout=conf.timeout())
    for message, token in outbox_claim(limit=limit, now=now):
        sent = outbox_deliver(message, client)
        outcome = outbox_record(message, token, sent, now=now)
        if outcome == "sent":
            result.sent += 1
            result.duplicates += int(sent.duplicate)
        elif outcome == "dead":
            result.dead += 1
            result.errors.append(f"{message.idempotency_key}: {sent.error}")
        else:
            result.failed += 1
            result.errors.append(f"{message.idempotency_key}: {sent.error}")
    if result.failed or result.dead:
        logger.warning("portal sync: %s", result.line())
    return result


# ---------------------------------------------------------------------------------------------------------------
# dead letters


def outbox_dead_letters() -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.filter(status=OutboxMessage.Status.DEAD).order_by("dossier_id", "seq")


@transaction.atomic
def outbox_resend(
    *, message_id: int | None = None, all_dead: bool = False, now: datetime | None = None
) -> int:
    """Put one dead message (or every one) back in the queue with a fresh attempt count; returns how many."""
    now = now or timezone.now()
    if message_id is None and not all_dead:
        raise FieldError("message", None, "name a message id or ask for all dead letters")
    messages = outbox_dead_letters()
    if message_id is not None:
        if not OutboxMessage.objects.filter(pk=message_id).exists():
            raise NotFound(f"outbox message {message_id} does not exist", field="message", value=message_id)
        messages = messages.filter(pk=message_id)
        if not messages.exists():
            raise FieldError("message", message_id, "is not in the dead-letter list")
    return messages.update(
        status=OutboxMessage.Status.PENDING,
        attempts=0,
        next_attempt_at=now,
        claimed_until=None,
        claim_token="",
    )
