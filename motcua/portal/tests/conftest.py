"""Fixtures of the portal tests: a live motcua serving the sandbox portal, and dossiers with many events."""

from __future__ import annotations

import urllib.request
from datetime import timedelta
from typing import Any

import pytest

from conftest import COMMUNE, Staff, vn
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier

START = vn("2026-03-09 08:00")


@pytest.fixture
def sandbox_url(live_server: Any, settings: Any) -> str:
    """motcua served for real on a local port, sending its outbox to its own sandbox portal."""
    url = f"{live_server.url}/sandbox/portal/dong-bo"
    settings.MOTCUA_PORTAL_URL = url
    settings.MOTCUA_PORTAL_SANDBOX = "1"
    settings.MOTCUA_PORTAL_TIMEOUT = "5"
    settings.MOTCUA_PORTAL_BACKOFF = "0"
    settings.MOTCUA_PORTAL_MAX_ATTEMPTS = "40"
    # The server's first request loads every URL module (seconds on a busy machine): not the sender's business.
    urllib.request.urlopen(f"{live_server.url}/sandbox/portal/control", timeout=120).read()  # noqa: S310
    return url


def lodge(staff: Staff, i: int, *, procedure: str = "1.001022", channel: str = "direct") -> Dossier:
    return s.dossier_submit(
        procedure_code=procedure,
        receiving_unit_code=COMMUNE,
        channel=channel,
        applicant=s.Applicant(name=f"Nông Văn {i}", id_number="004090000123", phone="0912345678"),
        actor=staff.desk,
        components=[s.ComponentIn(code="TK", digitized=True), s.ComponentIn(code="CC", reused=i % 2 == 0)]
        if procedure == "1.001022"
        else [],
        at=START + timedelta(minutes=i),
    )


def play(staff: Staff, i: int) -> Dossier:
    """Dossier ``i`` through a path chosen by ``i % 6``: full life, supplements, payment, stop, refusal, cancel."""
    d = lodge(staff, i, channel=("direct", "online", "postal")[i % 3])
    at = START + timedelta(minutes=i, hours=1)
    kind = i % 6
    if kind == 4:
        return s.dossier_refuse(dossier_id=d.pk, actor=staff.desk, reason="không thuộc thẩm quyền", at=at)
    if kind == 5:
        return s.dossier_cancel(dossier_id=d.pk, actor=staff.admin, reason="nhập trùng", at=at)
    d = s.dossier_accept(dossier_id=d.pk, actor=staff.desk, at=at)
    d = s.dossier_forward(dossier_id=d.pk, actor=staff.desk, at=at + timedelta(minutes=5))
    if kind == 1:
        d = s.dossier_request_supplement(
            dossier_id=d.pk, actor=staff.specialist, reason="thiếu bản sao", at=at + timedelta(hours=2)
        )
        d = s.dossier_supply_supplement(dossier_id=d.pk, actor=staff.desk, at=at + timedelta(days=1))
    if kind == 2:
        d = s.dossier_request_payment(
            dossier_id=d.pk, actor=staff.specialist, amount=15000, at=at + timedelta(hours=2)
        )
        d = s.dossier_confirm_payment(
            dossier_id=d.pk, actor=staff.desk, method="online", amount=15000, at=at + timedelta(hours=3)
        )
    if kind == 3:
        return s.dossier_stop(
            dossier_id=d.pk, actor=staff.approver, reason_code="withdrawn", at=at + timedelta(days=1, hours=1)
        )
    d = s.dossier_resolve(
        dossier_id=d.pk,
        actor=staff.approver,
        result_code=f"KQ-{i}",
        e_copy=True,
        at=at + timedelta(days=1, hours=2),
    )
    return s.dossier_deliver(
        dossier_id=d.pk, actor=staff.desk, method="desk", at=at + timedelta(days=1, hours=3)
    )
