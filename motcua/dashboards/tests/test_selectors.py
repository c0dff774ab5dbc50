"""The monthly timeliness series, on dossiers driven through the real services, against the report."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import COMMUNE, OTHER_COMMUNE, PROVINCE, Staff, vn
from motcua.catalogue.models import Unit
from motcua.dashboards.selectors import MonthTimeliness, inspection_figures, timeliness_by_month
from motcua.dossiers import services as s
from motcua.reports.periodic import periodic_report
from motcua.reports.tests.test_periodic import Desk

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(staff: Staff) -> Desk:
    return Desk(staff)


def months(unit: str, date_from: str, date_to: str) -> list[MonthTimeliness]:
    return timeliness_by_month(
        unit=Unit.objects.get(code=unit),
        date_from=date.fromisoformat(date_from),
        date_to=date.fromisoformat(date_to),
    )


def test_dossiers_are_counted_in_the_month_they_ended_by_timeliness(desk: Desk, staff: Staff) -> None:
    # 3 working days: accepted Wed 25 Feb 09:00 → due Mon 2 Mar; accepted Mon 9 Mar → due Thu 12 Mar;
    # accepted Mon 30 Mar → due Thu 2 Apr
    desk.resolve(desk.accepted("2026-01-05 09:00"), "2026-01-06 09:00")  # ended before the period
    desk.resolve(desk.accepted("2026-02-25 09:00"), "2026-02-27 09:00")  # February, before due
    desk.resolve(desk.accepted("2026-03-09 09:00"), "2026-03-11 09:00")  # March, before due
    desk.resolve(desk.accepted("2026-03-09 09:00"), "2026-03-13 09:00")  # March, overdue
    desk.resolve(desk.accepted("2026-03-30 09:00"), "2026-04-02 16:00")  # April, on the due date: on time
    desk.accepted("2026-03-10 09:00")  # still open: not ended, in no month
    stopped = desk.accepted("2026-03-16 09:00")
    s.dossier_stop(
        dossier_id=stopped.pk, actor=staff.approver, reason_code="not_eligible", at=vn("2026-03-17 09:00")
    )  # ended without a result, before due: counts (rules §4)
    cancelled = desk.accepted("2026-03-09 09:00")
    s.dossier_cancel(
        dossier_id=cancelled.pk, actor=staff.admin, reason="nhập trùng", at=vn("2026-03-10 09:00")
    )
    desk.resolve(desk.accepted("2026-03-09 09:00", unit=OTHER_COMMUNE), "2026-03-10 09:00")  # another commune

    series = months(COMMUNE, "2026-02-01", "2026-04-30")

    assert series == [
        MonthTimeliness(date(2026, 2, 1), 1, 0, 0),
        MonthTimeliness(date(2026, 3, 1), 2, 0, 1),
        MonthTimeliness(date(2026, 4, 1), 0, 1, 0),
    ]
    report = periodic_report(
        unit=Unit.objects.get(code=COMMUNE), date_from=date(2026, 2, 1), date_to=date(2026, 4, 30)
    )
    assert sum(m.before_due for m in series) == report["resolved"]["before_due"]
    assert sum(m.on_time for m in series) == report["resolved"]["on_time"]
    assert sum(m.overdue for m in series) == report["resolved"]["overdue"]
    assert sum(m.total for m in series) == report["resolved"]["total"]
    # the province counts its communes: the other commune's dossier too
    assert [m.total for m in months(PROVINCE, "2026-02-01", "2026-04-30")] == [1, 4, 1]


def test_every_month_of_the_period_is_listed_even_empty_and_partial_months_count_their_days(
    desk: Desk,
) -> None:
    desk.resolve(desk.accepted("2026-03-09 09:00"), "2026-03-11 09:00")
    desk.resolve(desk.accepted("2026-03-23 09:00"), "2026-03-24 09:00")  # after the end of the period
    series = months(COMMUNE, "2025-12-15", "2026-03-14")  # the "15th–14th" Q1 2026 reporting period
    assert [m.month for m in series] == [
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
        date(2026, 3, 1),
    ]
    assert [m.total for m in series] == [0, 0, 0, 1]


def test_no_dossier_gives_a_zero_for_each_month(catalogue: dict[str, object]) -> None:
    assert months(COMMUNE, "2026-01-10", "2026-02-20") == [
        MonthTimeliness(date(2026, 1, 1), 0, 0, 0),
        MonthTimeliness(date(2026, 2, 1), 0, 0, 0),
    ]


def test_inspection_figures_give_the_report_ratios_and_the_shares_of_the_counts() -> None:
    report = {
        "received": {"online": 424, "direct": 516, "postal": 4, "carried_over": 0, "total": 944},
        "resolved": {"with_result": 940},
        "digitization": {"components": 940, "results": 940, "both": 940},
        "postal": 11,
        "online_payment": {"numerator": 276, "denominator": 332, "rate": 83.13},
        "boundary_independent": {"numerator": 460, "denominator": 944, "rate": 48.73},
        "portal_sync": {"numerator": 597, "denominator": 944, "rate": 63.24},
    }
    figures = inspection_figures(report)
    assert figures["components"] == {"numerator": 940, "denominator": 944, "rate": 99.58}
    assert figures["results"] == {"numerator": 940, "denominator": 940, "rate": 100.0}
    assert figures["postal"] == {"numerator": 11, "denominator": 944, "rate": 1.17}
    assert figures["online_payment"] == report["online_payment"]
    assert figures["boundary_independent"]["rate"] == 48.73
