"""The sender against the sandbox portal over HTTP: backoff, dead letters, resend, lost answers, time-outs."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from io import StringIO
from typing import Any
from unittest import mock

import pytest
from django.utils import timezone

from conftest import Staff
from motcua.cli import main
from motcua.portal.client import HttpPortalClient
from motcua.portal.models import OutboxMessage, SandboxMessage
from motcua.portal.outbox import portal_sync_batch
from motcua.portal.sandbox import sandbox_configure
from motcua.portal.tests.conftest import lodge

pytestmark = pytest.mark.django_db(transaction=True)


def run(*argv: str) -> tuple[int, str, str]:
    """The real `motcua` entry point, keeping the test's database connection open."""
    from django.db import connections

    out, err = StringIO(), StringIO()
    with (
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
        mock.patch.object(connections, "close_all"),
    ):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def two_messages(staff: Staff) -> tuple[OutboxMessage, OutboxMessage]:
    from motcua.dossiers import services as s

    d = lodge(staff, 0)
    s.dossier_accept(dossier_id=d.pk, actor=staff.desk, at=d.submitted_at + timedelta(minutes=5))
    first, second = OutboxMessage.objects.filter(dossier=d).order_by("seq")
    return first, second


def test_failures_back_off_then_dead_letter_and_the_dossier_waits_until_resent(
    staff: Staff, sandbox_url: str, settings: Any
) -> None:
    # given: a portal that fails every request; 30 s backoff, 3 attempts
    settings.MOTCUA_PORTAL_BACKOFF = "30"
    settings.MOTCUA_PORTAL_MAX_ATTEMPTS = "3"
    first, second = two_messages(staff)
    sandbox_configure(fail_rate=1.0)
    t0 = timezone.now()
    # when / then: 1st attempt fails, the next waits 30 s, then 60 s
    assert portal_sync_batch(10, now=t0).failed == 1
    first.refresh_from_db()
    assert (first.attempts, first.next_attempt_at) == (1, t0 + timedelta(seconds=30))
    assert "HTTP 503" in first.last_error
    assert portal_sync_batch(10, now=t0 + timedelta(seconds=29)).attempted == 0
    assert portal_sync_batch(10, now=t0 + timedelta(seconds=31)).failed == 1
    first.refresh_from_db()
    assert first.next_attempt_at == t0 + timedelta(seconds=31 + 60)
    assert portal_sync_batch(10, now=t0 + timedelta(seconds=95)).dead == 1
    first.refresh_from_db()
    assert (first.status, first.attempts) == ("dead", 3)
    # ... and the dossier's next message is never sent past a dead one
    sandbox_configure(fail_rate=0.0)
    assert portal_sync_batch(10, now=t0 + timedelta(hours=2)).attempted == 0
    second.refresh_from_db()
    assert (second.status, second.attempts) == ("pending", 0)
    # when: the dead letter is listed and resent from the command line
    code, out, _ = run("portal", "dead-letters")
    assert code == 0
    assert first.idempotency_key in out
    assert "3 attempts" in out
    assert "1 dead letter(s)" in out
    assert "0912345678" not in out
    assert "004090000123" not in out
    assert run("portal", "resend", str(first.pk))[1] == "queued 1 message(s) again\n"
    code, out, _ = run("portal", "sync", "--once")
    # then: both go, in order
    assert (code, out) == (0, "sent 2, failed 0 (will retry), dead 0\n")
    assert list(SandboxMessage.objects.order_by("id").values_list("seq", flat=True)) == [1, 2]


def test_a_message_the_portal_refuses_is_dead_at_once_naming_the_field(
    staff: Staff, sandbox_url: str
) -> None:
    # given: a message that breaks the schema
    first, _ = two_messages(staff)
    payload = first.payload
    del payload["data"][0]["MaTTHC"]
    OutboxMessage.objects.filter(pk=first.pk).update(payload=payload)
    # when
    result = portal_sync_batch(10)
    # then
    first.refresh_from_db()
    assert (result.dead, first.status, first.attempts) == (1, "dead", 1)
    assert "HTTP 422" in first.last_error
    assert SandboxMessage.objects.count() == 0


def test_a_wrong_secret_is_refused_and_not_retried(staff: Staff, sandbox_url: str) -> None:
    first, _ = two_messages(staff)
    portal_sync_batch(
        10, client=HttpPortalClient(url=sandbox_url, secret="not-the-portals-secret", timeout=5)
    )
    first.refresh_from_db()
    assert first.status == "dead"
    assert "HTTP 401" in first.last_error
    assert "signature" in first.last_error


def test_a_lost_answer_is_resent_and_stored_once(staff: Staff, sandbox_url: str) -> None:
    # given: the sandbox stores each new message but its first answer is lost
    first, _ = two_messages(staff)
    sandbox_configure(answer_twice=True)
    # when
    first_pass = portal_sync_batch(10)
    second_pass = portal_sync_batch(10)
    # then
    assert (first_pass.failed, second_pass.sent, second_pass.duplicates) == (1, 1, 1)
    stored = SandboxMessage.objects.get(idempotency_key=first.idempotency_key)
    assert stored.deliveries == 2
    assert SandboxMessage.objects.count() == 1
    first.refresh_from_db()
    assert (first.status, first.attempts) == ("sent", 2)


def test_a_time_out_after_the_portal_stored_the_message_is_resent_invisibly(
    staff: Staff, sandbox_url: str, settings: Any
) -> None:
    # given: the sandbox answers after 1.5 s, the sender waits 0.5 s
    settings.MOTCUA_PORTAL_TIMEOUT = "0.5"
    first, _ = two_messages(staff)
    sandbox_configure(delay_rate=1.0, delay_seconds=1.5)
    # when
    result = portal_sync_batch(1)
    # then: the sender does not know, the portal has it
    first.refresh_from_db()
    assert (result.failed, first.status) == (1, "pending")
    assert "no answer within 0.5 s" in first.last_error
    assert SandboxMessage.objects.filter(idempotency_key=first.idempotency_key).exists()
    # when: the portal answers in time again
    sandbox_configure(delay_rate=0.0)
    settings.MOTCUA_PORTAL_TIMEOUT = "5"
    portal_sync_batch(10)
    portal_sync_batch(10)
    # then
    assert list(SandboxMessage.objects.order_by("id").values_list("seq", "deliveries")) == [(1, 2), (2, 1)]


def test_sync_without_a_portal_url_says_so(settings: Any, db: None) -> None:
    settings.MOTCUA_PORTAL_URL = ""
    code, _, err = run("portal", "sync", "--once")
    assert code == 1
    assert "MOTCUA_PORTAL_URL is not set" in err


def test_the_worker_runs_the_sync_every_minute_and_it_drains_what_is_due(
    staff: Staff, sandbox_url: str
) -> None:
    from motcua.jobs import schedule
    from motcua.portal.tasks import portal_sync

    # given
    entry = next(e for e in schedule.entries() if e.name == "portal.sync")
    assert (entry.task_path, entry.spec) == ("motcua.portal.tasks.portal_sync", "every 60s")
    two_messages(staff)
    # when
    totals = portal_sync.call()
    # then: the acceptance went after the lodging, in the same run
    assert totals == {"sent": 2, "failed": 0, "dead": 0}
    assert list(SandboxMessage.objects.order_by("id").values_list("seq", flat=True)) == [1, 2]
