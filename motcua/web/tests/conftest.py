"""Staff-app test helpers: a signed-in client per user, and dossiers brought to a state by the services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from conftest import COMMUNE, Staff, vn
from motcua.accounts.models import User
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier

ID_NUMBER = "004090000123"
PHONE = "0912345678"
START = vn("2026-03-09 08:00")  # a Monday; accepted 08:10 with 3 working days → due Thu 12 Mar (long past)

PATHS: dict[str, list[tuple[str, str, dict[str, Any]]]] = {
    "submitted": [],
    "intake_supplement": [("request_intake_supplement", "desk", {"reason": "thiếu tờ khai"})],
    "received": [("accept", "desk", {})],
    "processing": [("accept", "desk", {}), ("forward", "desk", {})],
    "assigned": [
        ("accept", "desk", {}),
        ("forward", "desk", {}),
        ("assign", "head", {"assignee": "specialist"}),
    ],
    "proposed": [
        ("accept", "desk", {}),
        ("forward", "desk", {}),
        ("assign", "head", {"assignee": "specialist"}),
        ("propose", "specialist", {"note": "đủ điều kiện"}),
    ],
    "approved": [
        ("accept", "desk", {}),
        ("forward", "desk", {}),
        ("assign", "head", {"assignee": "specialist"}),
        ("propose", "specialist", {}),
        ("approve", "approver", {}),
    ],
    "supplement_requested": [
        ("accept", "desk", {}),
        ("forward", "desk", {}),
        ("request_supplement", "specialist", {"reason": "thiếu"}),
    ],
    "awaiting_payment": [
        ("accept", "desk", {}),
        ("forward", "desk", {}),
        ("request_payment", "specialist", {"amount": 15000}),
    ],
    "resolved": [
        ("accept", "desk", {}),
        ("forward", "desk", {}),
        ("resolve", "approver", {"result_code": "KQ-1"}),
    ],
    "refused": [("refuse", "desk", {"reason": "không thuộc thẩm quyền"})],
}


def submit(
    staff: Staff,
    *,
    procedure: str = "1.001022",
    at: datetime | None = START,
    name: str = "Nông Văn A",
    id_number: str = ID_NUMBER,
    channel: str = "direct",
) -> Dossier:
    return s.dossier_submit(
        procedure_code=procedure,
        receiving_unit_code=COMMUNE,
        channel=channel,
        applicant=s.Applicant(name=name, id_number=id_number, phone=PHONE),
        actor=staff.desk,
        components=[s.ComponentIn(code="TK", digitized=True)]
        if procedure in ("1.001022", "1.001193")
        else [],
        at=at,
    )


def dossier_in(staff: Staff, state: str, *, at: datetime | None = START, **kwargs: Any) -> Dossier:
    """A dossier in ``state`` (``assigned``/``proposed``/``approved`` are steps of ``processing``), its
    steps 10 minutes apart from ``at`` (``at=None``: now)."""
    dossier = submit(staff, at=at, **kwargs)
    for i, (action, actor, payload) in enumerate(PATHS[state], start=1):
        when = at + timedelta(minutes=10 * i) if at is not None else None
        dossier = s.dossier_act(
            dossier_id=dossier.pk, action=action, actor=getattr(staff, actor), payload=payload, at=when
        )
    return dossier


@pytest.fixture
def client_of(db: None) -> Callable[[User], Client]:
    """``client_of(user)``: a test client signed in as ``user``."""

    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make
