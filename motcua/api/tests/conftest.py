"""API test helpers: a bearer-token client per user, and dossiers brought to a state through the services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from conftest import COMMUNE, Staff, vn
from motcua.accounts.models import User
from motcua.accounts.services import token_create
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier

ID_NUMBER = "004090000123"
PHONE = "0912345678"
START = vn("2026-03-09 08:00")  # a Monday; accepted 08:30 → due Thu 12 Mar 08:30 (3 working days)

# How to bring a dossier from `submitted` to each state: (action, actor attribute of Staff, payload).
PATHS: dict[str, list[tuple[str, str, dict[str, Any]]]] = {
    "submitted": [],
    "intake_supplement": [("request_intake_supplement", "desk", {"reason": "thiếu tờ khai"})],
    "received": [("accept", "desk", {})],
    "processing": [("accept", "desk", {}), ("forward", "desk", {})],
    "supplement_requested": [("accept", "desk", {}), ("forward", "desk", {}),
                             ("request_supplement", "specialist", {"reason": "thiếu"})],
    "awaiting_payment": [("accept", "desk", {}), ("forward", "desk", {}),
                         ("request_payment", "specialist", {"amount": 15000})],
    "resolved": [("accept", "desk", {}), ("forward", "desk", {}), ("resolve", "approver", {"result_code": "KQ-1"})],
    "refused": [("refuse", "desk", {"reason": "không thuộc thẩm quyền"})],
}


def submit(staff: Staff, *, procedure: str = "1.001022", at: Any = START) -> Dossier:
    return s.dossier_submit(procedure_code=procedure, receiving_unit_code=COMMUNE, channel="direct",
                            applicant=s.Applicant(name="Nông Văn A", id_number=ID_NUMBER, phone=PHONE),
                            actor=staff.desk, components=[s.ComponentIn(code="TK", digitized=True)], at=at)


def dossier_in(staff: Staff, state: str) -> Dossier:
    """A dossier of procedure 1.001022 in ``state``, every step 10 minutes after the previous one."""
    dossier = submit(staff)
    for i, (action, actor, payload) in enumerate(PATHS[state], start=1):
        dossier = s.dossier_act(dossier_id=dossier.pk, action=action, actor=getattr(staff, actor),
                                payload=payload, at=START + timedelta(minutes=10 * i))
    return dossier


@pytest.fixture
def client_of(db: None) -> Callable[[User], Client]:
    """``client_of(user)``: a test client sending ``Authorization: Bearer <a new token of user>``."""
    clients: dict[int, Client] = {}

    def make(user: User) -> Client:
        if user.pk not in clients:
            token, _record = token_create(user=user, name="tests")
            clients[user.pk] = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        return clients[user.pk]

    return make
