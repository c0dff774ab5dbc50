"""Issue 6's "done when", literally, over real HTTP to the sandbox portal that motcua serves.

- With the sandbox failing half the requests at random (seeded), every change reaches it exactly once per
  idempotency key, in order per dossier, and the ``portal_sync`` figure is right.
- Killing the worker mid-batch loses nothing and repeats nothing visible.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from conftest import COMMUNE, Staff
from motcua.catalogue.models import Unit
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.portal.client import HttpPortalClient
from motcua.portal.models import OutboxMessage, SandboxMessage
from motcua.portal.outbox import outbox_claim, outbox_deliver, portal_sync_batch
from motcua.portal.sandbox import sandbox_configure
from motcua.portal.tests.conftest import play
from motcua.reports.periodic import periodic_report

pytestmark = pytest.mark.django_db(transaction=True)


def drain(*, limit: int = 25, max_passes: int = 500) -> int:
    """Run the sender until the outbox is empty; returns the number of passes."""
    for n in range(1, max_passes + 1):
        portal_sync_batch(limit)
        if not OutboxMessage.objects.exclude(status=OutboxMessage.Status.SENT).exists():
            return n
    raise AssertionError("the outbox did not drain")


def test_with_half_the_requests_failing_every_change_arrives_once_in_order_and_the_figure_is_right(
    staff: Staff, sandbox_url: str
) -> None:
    # given: 36 dossiers through six different lives (supplements, payment, withdrawal, refusal, cancellation)
    dossiers = [play(staff, i) for i in range(36)]
    sandbox_configure(fail_rate=0.5, seed=20260309)
    expected_keys = {
        f"{COMMUNE}:{e.dossier_id}:{e.seq}" for e in DossierEvent.objects.exclude(to_state="cancelled")
    }
    assert OutboxMessage.objects.count() == len(expected_keys) > 150

    # when
    passes = drain()

    # then: every key exactly once
    stored = list(SandboxMessage.objects.order_by("id"))
    assert sorted(m.idempotency_key for m in stored) == sorted(expected_keys)
    # ... in seq order per dossier, as they arrived
    arrival: dict[str, list[int]] = defaultdict(list)
    for m in stored:
        arrival[m.dossier_key].append(m.seq)
    assert all(seqs == sorted(seqs) for seqs in arrival.values())
    assert not any(m.out_of_order for m in stored)
    # ... the sandbox really failed about half of the requests, and they were retried
    attempts = sum(OutboxMessage.objects.values_list("attempts", flat=True))
    assert attempts > 1.6 * len(expected_keys)
    assert passes > 1
    # ... the last message of each dossier carries its final portal status
    last = {m.dossier_key: m for m in stored}
    by_id = {d.pk: d for d in dossiers}
    for key, message in last.items():
        dossier = by_id[int(key.split(":")[1])]
        if dossier.state != "cancelled":
            assert message.portal_status == {"delivered": 10, "stopped": 7, "refused": 3}[dossier.state]
    # ... and the figure: every accepted dossier is synced
    accepted = Dossier.objects.filter(received_at__isnull=False)
    assert accepted.count() == 24
    assert all(d.synced_to_portal_at is not None for d in accepted)
    report = periodic_report(
        unit=Unit.objects.get(code=COMMUNE), date_from=date(2026, 3, 1), date_to=date(2026, 3, 31)
    )
    assert report["portal_sync"] == {"numerator": 24, "denominator": 24, "rate": 100.0}


def test_the_figure_counts_only_dossiers_whose_acceptance_reached_the_portal(
    staff: Staff, sandbox_url: str
) -> None:
    # given: six dossiers; the sender's first pass sends only the lodging messages (status 1)
    for i in range(6):
        play(staff, i)
    portal_sync_batch(100)  # the head of each dossier: its submit message
    unit = Unit.objects.get(code=COMMUNE)
    # then: lodged is not synced
    report = periodic_report(unit=unit, date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))
    assert report["portal_sync"]["numerator"] == 0
    # when: the acceptance messages go
    portal_sync_batch(100)
    report = periodic_report(unit=unit, date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))
    assert report["portal_sync"] == {"numerator": 4, "denominator": 4, "rate": 100.0}


def test_a_worker_killed_after_sending_and_before_recording_repeats_nothing_visible(
    staff: Staff, sandbox_url: str, settings: Any
) -> None:
    # given: dossiers with pending messages; a worker claims a batch and sends it, then dies (no record)
    for i in range(4):
        play(staff, i)
    client = HttpPortalClient(url=sandbox_url, secret="motcua-portal-development-secret", timeout=5)
    claimed = outbox_claim(limit=10)
    for message, _token in claimed:
        assert outbox_deliver(message, client).ok
    assert SandboxMessage.objects.count() == len(claimed) == 4
    # then: while the dead worker's lease lasts, nobody sends those messages again
    assert portal_sync_batch(100).attempted == 0
    # when: the lease runs out and another worker runs until the outbox is empty
    later = timezone.now() + timedelta(minutes=5)
    portal_sync_batch(100, now=later)
    drain()
    # then: nothing lost, nothing stored twice; the portal saw the crashed batch twice, and said so
    keys = list(SandboxMessage.objects.values_list("idempotency_key", flat=True))
    assert len(keys) == len(set(keys)) == OutboxMessage.objects.count()
    resent = SandboxMessage.objects.filter(idempotency_key__in=[m.idempotency_key for m, _ in claimed])
    assert sorted(resent.values_list("deliveries", flat=True)) == [2, 2, 2, 2]
    assert (
        SandboxMessage.objects.exclude(idempotency_key__in=[m.idempotency_key for m, _ in claimed])
        .filter(deliveries__gt=1)
        .count()
        == 0
    )


def test_a_worker_process_killed_mid_batch_loses_nothing(staff: Staff, sandbox_url: str) -> None:
    """The worker in a real process, killed with SIGKILL while the sandbox holds its requests."""
    pytest.importorskip("django")
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a second process needs a shared database: run on PostgreSQL")
    import os
    import signal
    import subprocess
    import sys
    import time

    # given: pending messages, and a sandbox that answers slowly
    for i in range(6):
        play(staff, i)
    sandbox_configure(delay_rate=1.0, delay_seconds=0.3)
    env = {
        **os.environ,
        "MOTCUA_DATABASE_URL": _database_url(),
        "MOTCUA_PORTAL_URL": sandbox_url,
        "MOTCUA_PORTAL_BACKOFF": "0",
        "MOTCUA_PORTAL_TIMEOUT": "5",
    }
    # when: a worker runs and is killed mid-batch
    worker = subprocess.Popen(
        [sys.executable, "-m", "motcua", "portal", "sync", "--batch", "20"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while SandboxMessage.objects.count() < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    stored_before = SandboxMessage.objects.count()
    assert 3 <= stored_before < OutboxMessage.objects.count()
    # ... and another runs after the dead one's lease
    sandbox_configure(delay_rate=0.0)
    portal_sync_batch(100, now=timezone.now() + timedelta(minutes=5))
    drain()
    # then
    keys = list(SandboxMessage.objects.values_list("idempotency_key", flat=True))
    assert len(keys) == len(set(keys)) == OutboxMessage.objects.count()
    assert not SandboxMessage.objects.filter(out_of_order=True).exists()


def _database_url() -> str:
    from django.db import connection

    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
