"""The statistics page shows the periodic report's numbers, lead times in working time and the ratings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client

from conftest import COMMUNE, PROVINCE, Staff, vn
from motcua.catalogue.models import Unit
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier
from motcua.feedback.services import rating_submit
from motcua.public.stats import period_for
from motcua.public.tests.conftest import APPLICANT
from motcua.reports.periodic import periodic_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def month(staff: Staff, make_dossier: Callable[..., Dossier]) -> dict[str, Dossier]:
    """March 2026 in Đông Khê: one dossier before due (rated), one overdue, one still open."""
    early = make_dossier()
    rating_submit(
        dossier=early, level="very_satisfied", answers={"attitude": "courteous"}, at=vn("2026-03-14 08:00")
    )
    late = s.dossier_submit(
        procedure_code="1.001193",
        receiving_unit_code=COMMUNE,
        channel="online",
        applicant=APPLICANT,
        actor=staff.desk,
        at=vn("2026-03-10 08:50"),
    )
    late = s.dossier_accept(dossier_id=late.pk, actor=staff.desk, at=vn("2026-03-10 09:00"))
    late = s.dossier_forward(dossier_id=late.pk, actor=staff.desk, at=vn("2026-03-10 09:05"))
    late = s.dossier_resolve(
        dossier_id=late.pk, actor=staff.approver, result_code="KS-1", at=vn("2026-03-11 10:00")
    )
    open_ = s.dossier_submit(
        procedure_code="2.000815",
        receiving_unit_code=COMMUNE,
        channel="direct",
        applicant=APPLICANT,
        actor=staff.desk,
        at=vn("2026-03-12 08:00"),
    )
    open_ = s.dossier_accept(dossier_id=open_.pk, actor=staff.desk, at=vn("2026-03-12 08:05"))
    return {"early": early, "late": late, "open": open_}


def _stats(unit: str, **params: str) -> tuple[dict[str, object], str]:
    response = Client().get(
        "/thong-ke/", {"don-vi": unit, "ky": "tuy-chon", "tu": "2026-03-01", "den": "2026-03-31", **params}
    )
    assert response.status_code == 200
    return response.context["s"], response.content.decode()


def test_numbers_are_the_periodic_reports(month: dict[str, Dossier]) -> None:
    s_, html = _stats(COMMUNE)
    report = periodic_report(
        unit=Unit.objects.get(code=COMMUNE), date_from=date(2026, 3, 1), date_to=date(2026, 3, 31)
    )
    assert s_["received"] == report["received"]["total"] == 3
    assert s_["resolved"] == report["resolved"]["total"] == 2
    assert s_["in_process"] == report["in_process"]["total"] == 1
    assert s_["in_time"] == report["resolved"]["before_due"] + report["resolved"]["on_time"] == 1
    assert s_["on_time_rate"] == 50.0
    assert "50%" in html
    sectors = {row["code"]: row for row in s_["sectors"]}  # type: ignore[attr-defined]
    assert sectors["HT"]["received"] == 2
    assert sectors["HT"]["resolved"] == 2
    assert sectors["CT"]["in_process"] == 1
    # HT: Mon 09:00 → Fri 10:00 = 31 h, Tue 09:00 → Wed 10:00 = 8.5 h of working time; 19.75 h / 7.5 h a day
    assert sectors["HT"]["lead"] == "2,6 ngày làm việc"
    assert s_["ratings"].total == 1
    assert s_["ratings"].satisfied_rate == 100.0
    assert "<svg" in html
    assert "<rect" in html


def test_the_province_sums_its_communes(month: dict[str, Dossier]) -> None:
    s_, html = _stats(PROVINCE)
    assert s_["received"] == 3
    assert "Tỉnh Cao Bằng" in html


def test_units_and_presets(month: dict[str, Dossier]) -> None:
    response = Client().get("/thong-ke/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Xã Đông Khê" in html
    assert "Tỉnh Cao Bằng" in html
    assert "Xã Thạch An" not in html  # no dossiers there
    today = date(2026, 11, 26)
    assert (period_for("quy-truoc", today).date_from, period_for("quy-truoc", today).date_to) == (
        date(2026, 7, 1),
        date(2026, 9, 30),
    )
    assert period_for("quy-truoc", date(2026, 2, 1)).date_from == date(2025, 10, 1)
    assert (period_for("nam-nay", today).date_from, period_for("nam-nay", today).date_to) == (
        date(2026, 1, 1),
        today,
    )
    assert period_for("nam-truoc", today).date_to == date(2025, 12, 31)
