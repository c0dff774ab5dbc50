"""Dossiers through the real services, for the public pages' tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from conftest import COMMUNE, Staff, vn
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier

APPLICANT = s.Applicant(
    name="Nông Thị Hoa Mận",
    id_number="004190001234",
    phone="0987654321",
    email="hoaman@example.vn",
    address="Bản Nà Lẹng, xã Đông Khê",
)


@pytest.fixture
def make_dossier(staff: Staff) -> Callable[..., Dossier]:
    """``make_dossier(until="delivered")``: a 3-working-day civil-status dossier accepted Mon 9 Mar 2026
    09:00, with a supplement request on the way; ``until`` stops at ``received``, ``processing``,
    ``supplement_requested``, ``resolved`` or ``delivered``."""

    def make(until: str = "delivered", reason: str = "Bản sao giấy khai sinh của con", **kw: Any) -> Dossier:
        d = s.dossier_submit(
            procedure_code="1.001022",
            receiving_unit_code=COMMUNE,
            channel="direct",
            applicant=APPLICANT,
            actor=staff.desk,
            at=vn("2026-03-09 08:30"),
            **kw,
        )
        d = s.dossier_accept(dossier_id=d.pk, actor=staff.desk, at=vn("2026-03-09 09:00"))
        if until == "received":
            return d
        d = s.dossier_forward(dossier_id=d.pk, actor=staff.desk, at=vn("2026-03-09 09:10"))
        d = s.dossier_assign(
            dossier_id=d.pk, actor=staff.head, assignee="specialist", at=vn("2026-03-09 09:20")
        )
        if until == "processing":
            return d
        d = s.dossier_request_supplement(
            dossier_id=d.pk, actor=staff.specialist, reason=reason, at=vn("2026-03-10 10:00")
        )
        if until == "supplement_requested":
            return d
        d = s.dossier_supply_supplement(dossier_id=d.pk, actor=staff.desk, at=vn("2026-03-11 09:00"))
        d = s.dossier_resolve(
            dossier_id=d.pk, actor=staff.approver, result_code="KQ-1", e_copy=True, at=vn("2026-03-13 10:00")
        )
        if until == "resolved":
            return d
        return s.dossier_deliver(dossier_id=d.pk, actor=staff.desk, method="desk", at=vn("2026-03-13 11:00"))

    return make
