"""Closed periods: an immutable snapshot, later changes as adjustments, carried-over figures from it."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import COMMUNE, Staff, vn
from motcua.catalogue.models import Unit
from motcua.core.errors import Conflict, FieldError, Forbidden
from motcua.dossiers import services as s
from motcua.reports.models import ClosedPeriod
from motcua.reports.periodic import periodic_report
from motcua.reports.services import period_close
from motcua.reports.tests.test_periodic import Desk

pytestmark = pytest.mark.django_db


def test_a_closed_period_keeps_its_figures_and_shows_later_changes_as_adjustments(staff: Staff) -> None:
    # given March with two accepted dossiers, one still open at the end of March
    desk = Desk(staff)
    unit = Unit.objects.get(code=COMMUNE)
    done = desk.accepted("2026-03-09 09:00")
    desk.resolve(done, "2026-03-10 09:00")
    open_one = desk.accepted("2026-03-30 09:00")
    march = (date(2026, 3, 1), date(2026, 3, 31))

    # when March is closed
    closed = period_close(unit=unit, date_from=march[0], date_to=march[1], actor=staff.approver, note="Quý I")
    assert closed.figures["received"]["total"] == 2
    assert closed.figures["in_process"]["total"] == 1
    assert sorted(closed.inputs["dossier_ids"]) == sorted([done.pk, open_one.pk])
    assert closed.closed_by == staff.approver

    # and a March dossier is cancelled afterwards (void in every report)
    s.dossier_cancel(dossier_id=open_one.pk, actor=staff.admin, reason="nhập trùng", at=vn("2026-04-02 09:00"))

    # then March's report shows the snapshot and the adjustment against it
    again = periodic_report(unit=unit, date_from=march[0], date_to=march[1])
    assert again["closed"]["figures"]["received"]["total"] == 2
    assert again["adjustments"]["received.total"] == -1
    assert again["adjustments"]["in_process.total"] == -1
    # and April's carried-over figure says where it starts from
    april = periodic_report(unit=unit, date_from=date(2026, 4, 1), date_to=date(2026, 4, 30))
    assert april["received"]["carried_over_detail"] == {
        "from_closed_period": 1, "closed_period": "2026-03-01..2026-03-31", "adjustments": -1}
    assert april["received"]["carried_over"] == 0

    # and the snapshot itself never changes
    with pytest.raises(ValueError, match="immutable"):
        closed.save()
    assert ClosedPeriod.objects.get(pk=closed.pk).figures["received"]["total"] == 2


def test_closing_rules(staff: Staff) -> None:
    unit = Unit.objects.get(code=COMMUNE)
    with pytest.raises(Forbidden):
        period_close(unit=unit, date_from=date(2026, 1, 1), date_to=date(2026, 1, 31), actor=staff.desk)
    with pytest.raises(FieldError) as err:
        period_close(unit=unit, date_from=date(2026, 1, 31), date_to=date(2026, 1, 1), actor=staff.approver)
    assert err.value.field == "from"
    with pytest.raises(FieldError) as err:
        period_close(unit=unit, date_from=date(2099, 1, 1), date_to=date(2099, 1, 31), actor=staff.approver)
    assert err.value.field == "to"
    period_close(unit=unit, date_from=date(2026, 1, 1), date_to=date(2026, 1, 31), actor=staff.approver)
    with pytest.raises(Conflict):
        period_close(unit=unit, date_from=date(2026, 1, 15), date_to=date(2026, 2, 14), actor=staff.approver)
