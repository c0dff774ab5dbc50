"""Evaluation test helpers: signed-in clients, and a quarter of hand-built dossiers run through the
services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client

from conftest import COMMUNE, OTHER_COMMUNE, Staff, vn
from motcua.accounts.models import User
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier
from motcua.feedback import services as fs
from motcua.feedback.models import Petition


@pytest.fixture
def client_of(db: None) -> Callable[[User], Client]:
    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


def accepted(staff: Staff, at: str, *, channel: str = "direct", unit: str = COMMUNE) -> Dossier:
    desk = staff.desk if unit == COMMUNE else staff.other_desk
    d = s.dossier_submit(procedure_code="1.001022", receiving_unit_code=unit, channel=channel,
                         applicant=s.Applicant(name="Lục Văn B"), components=[s.ComponentIn(code="TK")],
                         actor=desk, at=vn(at))
    s.dossier_accept(dossier_id=d.pk, actor=desk, at=vn(at))
    return s.dossier_forward(dossier_id=d.pk, actor=desk, at=vn(at))


def resolve(staff: Staff, d: Dossier, at: str) -> Dossier:
    approver = staff.approver if d.competent_unit.code == COMMUNE else staff.other_approver
    return s.dossier_resolve(dossier_id=d.pk, actor=approver, result_code="KQ", at=vn(at))


def deliver(staff: Staff, d: Dossier, at: str) -> Dossier:
    return s.dossier_deliver(dossier_id=d.pk, actor=staff.desk, method="desk", at=vn(at))


def petition(at: str = "2026-03-09 09:00", **kw: str) -> Petition:
    data = {"unit_code": COMMUNE, "kind": "regulation", "subject": "Giấy tờ thừa",
            "content": "Đề nghị bỏ yêu cầu nộp bản sao sổ hộ khẩu.", "sender_name": "Lò Văn Sáng",
            "contact": "0912345678", **kw}
    return fs.petition_submit(**data, at=vn(at))  # type: ignore[arg-type]


@dataclass
class Quarter:
    d1: Dossier
    d2: Dossier
    d3: Dossier
    d4: Dossier


@pytest.fixture
def quarter(staff: Staff) -> Quarter:
    """Q1 2026 in Đông Khê (1.001022: 3 working days; accepted Mon 9 Mar → due Thu 12 Mar).

    - D1 online, resolved Tue 10 Mar (early), delivered, rated very satisfied (publication: both);
    - D2 one supplement request (specialist, 10 Mar), supplied 11 Mar → due Mon 16 Mar, resolved on 16 Mar (on
      time), delivered, rated satisfied (attitude: normal, publication: one place);
    - D3 assigned by the head on Fri 13 Mar and resolved that day (late); a behaviour petition about it,
      answered "accepted";
    - D4 two supplement requests by the specialist (the second is a repeat), resolved early;
    - out of scope: a dossier resolved in April, one of another commune;
    - an open petition received 2 Mar, overdue at the end of March (protracted).
    """
    d1 = accepted(staff, "2026-03-09 09:00", channel="online")
    resolve(staff, d1, "2026-03-10 10:00")
    deliver(staff, d1, "2026-03-10 15:00")
    fs.rating_submit(dossier=Dossier.objects.get(pk=d1.pk), level="very_satisfied",
                     answers={"contacts": "none", "attitude": "courteous", "publication": "both"},
                     at=vn("2026-03-10 15:05"))

    d2 = accepted(staff, "2026-03-09 09:00")
    s.dossier_request_supplement(dossier_id=d2.pk, actor=staff.specialist, reason="thiếu",
                                 at=vn("2026-03-10 09:00"))
    s.dossier_supply_supplement(dossier_id=d2.pk, actor=staff.desk, at=vn("2026-03-11 09:00"))
    resolve(staff, d2, "2026-03-16 10:00")
    deliver(staff, d2, "2026-03-16 15:00")
    fs.rating_submit(dossier=Dossier.objects.get(pk=d2.pk), level="satisfied",
                     answers={"attitude": "normal", "publication": "one"}, at=vn("2026-03-16 15:05"))

    d3 = accepted(staff, "2026-03-09 09:00")
    s.dossier_assign(dossier_id=d3.pk, actor=staff.head, assignee="specialist", at=vn("2026-03-13 08:00"))
    resolve(staff, d3, "2026-03-13 09:00")
    complaint = petition("2026-03-16 09:00", kind="behaviour", subject="Cán bộ hẹn nhiều lần",
                         dossier_code=d3.code or "")
    fs.petition_answer(petition_id=complaint.pk, actor=staff.approver, answer="Đã chấn chỉnh.",
                       outcome="accepted", at=vn("2026-03-17 09:00"))

    d4 = accepted(staff, "2026-03-09 09:00")
    s.dossier_request_supplement(dossier_id=d4.pk, actor=staff.specialist, reason="thiếu",
                                 at=vn("2026-03-10 09:00"))
    s.dossier_supply_supplement(dossier_id=d4.pk, actor=staff.desk, at=vn("2026-03-10 15:00"))
    s.dossier_request_supplement(dossier_id=d4.pk, actor=staff.specialist, reason="còn thiếu",
                                 at=vn("2026-03-11 09:00"))
    s.dossier_supply_supplement(dossier_id=d4.pk, actor=staff.desk, at=vn("2026-03-11 15:00"))
    resolve(staff, d4, "2026-03-12 10:00")

    april = accepted(staff, "2026-03-30 09:00")
    resolve(staff, april, "2026-04-01 09:00")
    other = accepted(staff, "2026-03-09 09:00", unit=OTHER_COMMUNE)
    resolve(staff, other, "2026-03-13 09:00")
    petition("2026-03-02 09:00")  # never answered: overdue from 24 Mar
    return Quarter(d1, d2, d3, d4)
