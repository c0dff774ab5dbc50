"""The Circular 01/2018 evaluation of a quarter of hand-built dossiers (see ``conftest.quarter``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from conftest import COMMUNE, PROVINCE, Staff
from motcua.catalogue.models import Unit
from motcua.evaluation.selectors import evaluation_report
from motcua.evaluation.tests.conftest import Quarter, accepted, resolve

pytestmark = pytest.mark.django_db

Q1 = (date(2026, 1, 1), date(2026, 3, 31))


def D(text: str) -> Decimal:
    return Decimal(text)


def _report(code: str = COMMUNE):  # type: ignore[no-untyped-def]
    return evaluation_report(unit=Unit.objects.get(code=code), date_from=Q1[0], date_to=Q1[1])


def test_officials_scores_and_grades(staff: Staff, quarter: Quarter) -> None:
    report = _report()
    rows = {row.username: row for row in report.officials}
    assert set(rows) == {"desk", "approver", "specialist", "head"}

    desk = rows["desk"].evaluation
    # D1..D4: index 1 [2,1,0,2]; desk's own steps all early; contacts [0,1,0,2]; attitude [2,1,0,2]
    assert desk.dossiers == 4
    assert desk.scores == {1: D("1.3"), 2: D("2.0"), 3: D("1.3"), 4: D("1.5"), 7: D("1.3")}
    assert desk.total == D("7.4")
    assert desk.band is not None
    assert desk.band.code == "full"
    assert rows["desk"].roles == ("desk_officer",)
    assert (rows["desk"].ratings, rows["desk"].satisfied, rows["desk"].complaints) == (2, 2, 1)

    approver = rows["approver"].evaluation  # resolved D1 early, D2 on the due date, D3 late, D4 early
    assert approver.scores == {1: D("1.3"), 2: D("1.3"), 3: D("1.3"), 4: D("1.5"), 7: D("1.3")}
    assert approver.total == D("6.7")

    specialist = rows["specialist"].evaluation  # D2 (one request), D4 (asked twice: index 2 at 0)
    assert specialist.dossiers == 2
    assert specialist.scores == {1: D("1.5"), 2: D("1.0"), 3: D("0.5"), 4: D("1.0"), 7: D("1.5")}
    assert specialist.total == D("5.5")
    assert specialist.band is not None
    assert specialist.band.code == "full"

    head = rows["head"].evaluation  # only D3: assigned after the due date, late, a substantiated complaint
    assert head.scores == {1: D("0.0"), 2: D("0.0"), 3: D("2.0"), 4: D("2.0"), 7: D("0.0")}
    assert head.total == D("4.0")
    assert head.band is not None
    assert head.band.code == "partial"
    assert rows["head"].roles == ("department_head",)


def test_unit_scores_and_grade(staff: Staff, quarter: Quarter) -> None:
    unit = _report().unit_row
    e = unit.evaluation
    assert e.dossiers == 4  # the April dossier and the other commune's are not counted
    assert e.scores == {
        1: D("1.3"),  # (2 + 1 + 0 + 2) / 4
        2: D("0.8"),  # the dossier's latest step: 2, 1, 0, and D4's repeat request 0
        3: D("1.3"),
        4: D("1.5"),
        5: D(2),  # every dossier received at the desk and resolved by the approver
        6: D("1.5"),  # citizens: both places (2), one place (1)
        7: D("1.3"),
        8: D(0),  # a petition still open past its due at the end of March
        9: D(1),  # 2 of 5 procedures online (40%), 1 of 5 dossiers accepted in Q1 online (20%)
    }
    assert e.total == D("10.7")
    assert e.band is not None
    assert e.band.code == "fair"
    assert (unit.ratings, unit.satisfied) == (2, 2)
    assert unit.facts.petitions_closed == 1
    assert unit.facts.petitions_protracted == 1
    assert unit.details[8].startswith("1/1 phản ánh")


def test_province_scope_covers_its_communes(staff: Staff, quarter: Quarter) -> None:
    report = _report(PROVINCE)
    assert report.unit_row.evaluation.dossiers == 5
    assert {row.username for row in report.officials} >= {"other_desk", "other_approver", "desk"}
    units = {row.username: row.units for row in report.officials}
    assert units["other_desk"] == ("Xã Thạch An",)
    assert units["desk"] == ("Xã Đông Khê",)


def test_a_unit_without_dossiers_is_not_graded(staff: Staff) -> None:
    report = _report()
    assert report.officials == []
    assert report.unit_row.evaluation.total is None
    assert report.unit_row.evaluation.band is None
    assert report.unit_row.evaluation.scores[8] == D(2)  # no petition: 2 points


def test_a_fixed_number_of_queries(
    staff: Staff, quarter: Quarter, django_assert_max_num_queries: Any
) -> None:
    for _ in range(5):
        resolve(staff, accepted(staff, "2026-03-16 09:00"), "2026-03-17 09:00")
    with django_assert_max_num_queries(14):
        report = _report()
    assert report.unit_row.evaluation.dossiers == 9
