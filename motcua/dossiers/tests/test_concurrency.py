"""Concurrent officers: gapless codes under parallel acceptance, and no lost update (PostgreSQL)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from conftest import COMMUNE, Staff, vn
from motcua.core.errors import ApplicationError
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier, DossierEvent

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks are proven on PostgreSQL"),
]


def _in_thread(fn, *args):  # type: ignore[no-untyped-def]
    try:
        return fn(*args)
    finally:
        connections.close_all()


def test_two_hundred_parallel_acceptances_get_codes_0001_to_0200(staff: Staff) -> None:
    # given 200 submitted dossiers
    assert connection.vendor == "postgresql"
    ids = [
        s.dossier_submit(
            procedure_code="1.001022",
            receiving_unit_code=COMMUNE,
            channel="direct",
            applicant=s.Applicant(name=f"Công dân {i}"),
            actor=staff.desk,
            at=vn("2026-03-09 07:40"),
        ).pk
        for i in range(200)
    ]

    # when 16 officers accept them at once
    def accept(dossier_id: int) -> str:
        return s.dossier_accept(dossier_id=dossier_id, actor=staff.desk, at=vn("2026-03-09 09:00")).code or ""

    with ThreadPoolExecutor(max_workers=16) as pool:
        codes = list(pool.map(lambda i: _in_thread(accept, i), ids))

    # then every number 0001..0200 is issued exactly once
    assert sorted(codes) == [f"000.31.00.H11-260309-{n:04d}" for n in range(1, 201)]
    assert Dossier.objects.filter(state="received").count() == 200


def test_two_officers_acting_on_one_dossier_at_once_do_not_both_win(staff: Staff) -> None:
    # given a received dossier
    d = s.dossier_submit(
        procedure_code="1.001022",
        receiving_unit_code=COMMUNE,
        channel="direct",
        applicant=s.Applicant(name="A"),
        actor=staff.desk,
        at=vn("2026-03-09 07:40"),
    )
    d = s.dossier_accept(dossier_id=d.pk, actor=staff.desk, at=vn("2026-03-09 09:00"))

    # when 8 threads try to forward it at the same time
    def forward(_: int) -> str:
        try:
            s.dossier_forward(dossier_id=d.pk, actor=staff.desk, at=vn("2026-03-09 09:05"))
            return "ok"
        except ApplicationError as exc:
            return type(exc).__name__

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(lambda i: _in_thread(forward, i), range(8)))

    # then exactly one succeeds, the others are refused by the state machine
    assert outcomes.count("ok") == 1
    assert outcomes.count("StateError") == 7
    assert DossierEvent.objects.filter(dossier=d, action="forward").count() == 1
