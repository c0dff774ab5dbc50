"""Each definition of rules §4, with hand-built dossiers run through the real services."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import COMMUNE, OTHER_COMMUNE, PROVINCE, Staff, vn
from motcua.catalogue.models import Unit
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier
from motcua.reports.facts import facts_verify
from motcua.reports.periodic import period_preset, periodic_report, rate

pytestmark = pytest.mark.django_db


class Desk:
    """Drives dossiers through the services, as the desk and the department would."""

    def __init__(self, staff: Staff) -> None:
        self.staff = staff

    def submit(self, at: str, *, procedure: str = "1.001022", channel: str = "direct", unit: str = COMMUNE,
               competent: str | None = None, digitized: bool = True, exempt: bool = False) -> Dossier:
        components = [s.ComponentIn(code="TK", digitized=digitized)] if procedure == "1.001022" else []
        return s.dossier_submit(procedure_code=procedure, receiving_unit_code=unit, competent_unit_code=competent,
                                channel=channel, applicant=s.Applicant(name="Lục Văn B"), components=components,
                                actor=self.staff.desk if unit == COMMUNE else self.staff.other_desk,
                                fees_exempt=exempt, at=vn(at))

    def accepted(self, at: str, **kwargs: object) -> Dossier:
        d = self.submit(at, **kwargs)  # type: ignore[arg-type]
        desk = self.staff.desk if d.receiving_unit.code == COMMUNE else self.staff.other_desk
        d = s.dossier_accept(dossier_id=d.pk, actor=desk, at=vn(at))
        return s.dossier_forward(dossier_id=d.pk, actor=desk, at=vn(at))

    def resolve(self, d: Dossier, at: str, *, e_copy: bool = True) -> Dossier:
        approver = self.staff.approver if d.competent_unit.code == COMMUNE else self.staff.other_approver
        return s.dossier_resolve(dossier_id=d.pk, actor=approver, result_code="KQ", e_copy=e_copy, at=vn(at))


@pytest.fixture
def desk(staff: Staff) -> Desk:
    return Desk(staff)


def report(date_from: str, date_to: str, unit: str = COMMUNE) -> dict:  # type: ignore[type-arg]
    return periodic_report(unit=Unit.objects.get(code=unit), date_from=date.fromisoformat(date_from),
                           date_to=date.fromisoformat(date_to))


def test_rate_rounds_half_up_to_two_decimals() -> None:
    assert rate(276, 332) == 83.13
    assert rate(460, 944) == 48.73
    assert rate(415, 711) == 58.37
    assert rate(31, 41) == 75.61
    assert rate(1, 8) == 12.5
    assert rate(1, 0) == 0.0


@pytest.mark.parametrize(("name", "period"), [
    ("2025-Q3", ("2025-07-01", "2025-09-30")),
    ("2025-Q3-15", ("2025-06-15", "2025-09-14")),
    ("2026-Q1-15", ("2025-12-15", "2026-03-14")),
    ("2025-11", ("2025-11-01", "2025-11-30")),
    ("2024-02", ("2024-02-01", "2024-02-29")),
    ("2025", ("2025-01-01", "2025-12-31")),
])
def test_period_presets(name: str, period: tuple[str, str]) -> None:
    assert period_preset(name) == tuple(date.fromisoformat(p) for p in period)


def test_received_by_channel_and_carried_over(desk: Desk) -> None:
    # given: one accepted before the period and still open, one before and ended before the period,
    # three accepted in the period by three channels, one after the period
    desk.accepted("2026-02-25 09:00")
    old = desk.accepted("2026-02-26 09:00")
    desk.resolve(old, "2026-02-27 09:00")
    desk.accepted("2026-03-02 09:00", channel="online")
    desk.accepted("2026-03-03 09:00", channel="direct")
    desk.accepted("2026-03-31 16:00", channel="postal")
    desk.accepted("2026-04-01 09:00")
    # when
    r = report("2026-03-01", "2026-03-31")
    # then
    assert r["received"] == {"online": 1, "direct": 1, "postal": 1, "carried_over": 1, "total": 4}
    assert r["postal"] == 1


def test_resolved_by_timeliness_and_result(desk: Desk, staff: Staff) -> None:
    # 3 working days: accepted Mon 9 Mar 09:00 → due Thu 12 Mar 09:00
    before = desk.accepted("2026-03-09 09:00")
    on_time = desk.accepted("2026-03-09 09:00")
    late = desk.accepted("2026-03-09 09:00")
    stopped = desk.accepted("2026-03-09 09:00")
    desk.resolve(before, "2026-03-11 16:00")
    desk.resolve(on_time, "2026-03-12 16:30")  # later in the day than the due instant: still on the due DATE
    desk.resolve(late, "2026-03-13 08:00")
    s.dossier_stop(dossier_id=stopped.pk, actor=staff.approver, reason_code="not_eligible", at=vn("2026-03-10 09:00"))
    r = report("2026-03-01", "2026-03-31")
    assert r["resolved"] == {"before_due": 2, "on_time": 1, "overdue": 1, "with_result": 3, "without_result": 1,
                             "total": 4}
    assert r["in_process"]["total"] == 0


def test_an_extension_does_not_erase_lateness(desk: Desk, staff: Staff) -> None:
    d = desk.accepted("2026-03-09 09:00")  # due Thu 12 Mar
    s.dossier_extend(dossier_id=d.pk, actor=staff.approver, new_appointment=vn("2026-03-17 17:00"),
                     at=vn("2026-03-10 09:00"))
    desk.resolve(d, "2026-03-16 10:00")  # before the new appointment, after the statutory due
    r = report("2026-03-01", "2026-03-31")
    assert r["resolved"]["overdue"] == 1


def test_in_process_timeliness_uses_the_due_in_force_at_the_end_of_the_period(desk: Desk, staff: Staff) -> None:
    # given two dossiers due Thu 12 Mar; one had a supplement supplied on Wed 11 Mar, restarting its clock
    restarted = desk.accepted("2026-03-09 09:00")
    plain = desk.accepted("2026-03-09 09:00")
    s.dossier_request_supplement(dossier_id=restarted.pk, actor=staff.specialist, reason="thiếu",
                                 at=vn("2026-03-10 09:00"))
    s.dossier_supply_supplement(dossier_id=restarted.pk, actor=staff.desk, at=vn("2026-03-11 09:00"))  # → 16 Mar
    # when the period ends on Fri 13 Mar
    r = report("2026-03-01", "2026-03-13")
    # then the restarted one is within due, the other overdue
    assert r["in_process"] == {"within_due": 1, "overdue": 1, "total": 2}
    # and for a period that ended on Wed 11 Mar, both were within due then
    assert report("2026-03-01", "2026-03-11")["in_process"] == {"within_due": 2, "overdue": 0, "total": 2}
    # and once resolved, the restarted one is judged against its new due
    desk.resolve(restarted, "2026-03-16 08:00")
    desk.resolve(plain, "2026-03-16 08:00")
    assert report("2026-03-01", "2026-03-31")["resolved"]["on_time"] == 1
    assert report("2026-03-01", "2026-03-31")["resolved"]["overdue"] == 1


def test_periods_that_split_a_dossiers_life(desk: Desk) -> None:
    d = desk.accepted("2026-03-30 09:00")
    desk.resolve(d, "2026-04-01 09:00")
    march = report("2026-03-01", "2026-03-31")
    april = report("2026-04-01", "2026-04-30")
    assert (march["received"]["total"], march["resolved"]["total"], march["in_process"]["total"]) == (1, 0, 1)
    assert (april["received"]["carried_over"], april["resolved"]["total"], april["in_process"]["total"]) == (1, 1, 0)
    both = report("2026-03-01", "2026-04-30")
    assert (both["received"]["total"], both["received"]["carried_over"], both["resolved"]["total"]) == (1, 0, 1)


def test_a_cancellation_after_acceptance_voids_the_record_everywhere(desk: Desk, staff: Staff) -> None:
    d = desk.accepted("2026-03-09 09:00")
    s.dossier_cancel(dossier_id=d.pk, actor=staff.admin, reason="nhập trùng", at=vn("2026-04-02 09:00"))
    march = report("2026-03-01", "2026-03-31")
    assert march["received"]["total"] == 0  # void in every report, even one closed before the cancellation
    assert march["in_process"]["total"] == 0
    assert march["not_accepted"]["cancelled"] == 0
    assert report("2026-04-01", "2026-04-30")["not_accepted"]["cancelled"] == 1


def test_not_accepted_buckets_and_return_reasons(desk: Desk, staff: Staff) -> None:
    for reason in ("supplement_not_provided", "supplement_not_provided", "cannot_submit"):
        d = desk.submit("2026-03-09 08:00")
        s.dossier_return_unaccepted(dossier_id=d.pk, actor=staff.desk, reason_code=reason, at=vn("2026-03-09 09:00"))
    d = desk.submit("2026-03-09 08:00")
    s.dossier_refuse(dossier_id=d.pk, actor=staff.desk, reason="không thuộc thẩm quyền", at=vn("2026-03-09 09:00"))
    r = report("2026-03-01", "2026-03-31")
    assert r["not_accepted"] == {"refused": 1, "returned": 3, "cancelled": 0, "returned_by_reason": {
        "supplement_not_provided": 2, "cannot_submit": 1, "other_procedure_required": 0}}
    assert r["received"]["total"] == 0


def test_inspection_figures(desk: Desk, staff: Staff) -> None:
    # fees 15,000: one paid online, one in cash, one exempt; one not digitized; one result without e-copy
    paid_online = desk.accepted("2026-03-09 09:00")
    cash = desk.accepted("2026-03-09 09:00", digitized=False)
    desk.accepted("2026-03-09 09:00", exempt=True, channel="postal")
    s.dossier_confirm_payment(dossier_id=paid_online.pk, actor=staff.desk, method="online", amount=15000,
                              at=vn("2026-03-09 09:10"))
    s.dossier_confirm_payment(dossier_id=cash.pk, actor=staff.desk, method="cash", amount=15000,
                              at=vn("2026-03-09 09:10"))
    desk.resolve(paid_online, "2026-03-10 09:00", e_copy=True)
    desk.resolve(cash, "2026-03-10 09:00", e_copy=True)
    s.dossier_mark_synced(dossier_id=paid_online.pk, at=vn("2026-03-09 10:00"))
    r = report("2026-03-01", "2026-03-31")
    assert r["digitization"] == {"components": 2, "results": 2, "both": 1}
    assert r["online_payment"] == {"numerator": 1, "denominator": 2, "rate": 50.0}
    assert r["boundary_independent"] == {"numerator": 3, "denominator": 3, "rate": 100.0}
    assert r["portal_sync"] == {"numerator": 1, "denominator": 3, "rate": 33.33}
    assert r["postal"] == 1
    assert r["results_missing"] == 0


def test_by_sector(desk: Desk) -> None:
    desk.accepted("2026-03-09 09:00")
    desk.accepted("2026-03-09 09:00", procedure="1.012784")
    r = report("2026-03-01", "2026-03-31")
    assert [(x["sector"], x["received"]["total"], x["in_process"]["total"]) for x in r["by_sector"]] == [
        ("DD", 1, 1), ("HT", 1, 1)]


def test_province_totals_count_each_dossier_once(desk: Desk) -> None:
    desk.accepted("2026-03-09 09:00")
    desk.accepted("2026-03-09 09:00", unit=OTHER_COMMUNE)
    bi = desk.accepted("2026-03-09 09:00", competent=OTHER_COMMUNE)  # received here, resolved there
    desk.resolve(bi, "2026-03-10 09:00")
    here, there = report("2026-03-01", "2026-03-31"), report("2026-03-01", "2026-03-31", OTHER_COMMUNE)
    province = report("2026-03-01", "2026-03-31", PROVINCE)
    assert (here["received"]["total"], there["received"]["total"]) == (1, 2)
    assert province["received"]["total"] == 3
    assert province["resolved"]["total"] == 1
    assert there["resolved"]["total"] == 1


def test_the_identity_holds_and_facts_agree_with_events(desk: Desk, staff: Staff) -> None:
    for day in ("02", "03", "05", "09", "10"):
        d = desk.accepted(f"2026-03-{day} 09:00")
        if day in ("02", "05"):
            desk.resolve(d, f"2026-03-{day} 15:00")
    r = report("2026-03-04", "2026-03-09")
    assert r["in_process"]["total"] == r["received"]["total"] - r["resolved"]["total"]
    assert r["in_process"]["total"] == r["in_process"]["within_due"] + r["in_process"]["overdue"]
    checked, differences = facts_verify()
    assert checked == 5
    assert differences == []


def test_facts_verify_finds_a_tampered_fact(desk: Desk) -> None:
    from motcua.reports.models import DossierFact

    d = desk.accepted("2026-03-09 09:00")
    DossierFact.objects.filter(dossier=d).update(channel="online")
    _, differences = facts_verify()
    assert [(x.field, x.stored, x.from_events) for x in differences] == [("channel", "online", "direct")]


def test_changing_one_dossier_moves_the_figure(desk: Desk, staff: Staff) -> None:
    d = desk.accepted("2026-03-09 09:00")
    assert report("2026-03-01", "2026-03-31")["online_payment"]["numerator"] == 0
    s.dossier_confirm_payment(dossier_id=d.pk, actor=staff.desk, method="online", amount=15000,
                              at=vn("2026-03-09 10:00"))
    assert report("2026-03-01", "2026-03-31")["online_payment"]["numerator"] == 1


def test_a_file_attached_after_the_action_moves_the_digitization_figures_and_verifies(desk: Desk) -> None:
    # given an accepted dossier whose form was not scanned, resolved without an e-copy
    from motcua.dossiers.models import DossierComponent, DossierResult
    from motcua.reports.facts import fact_refresh

    d = desk.accepted("2026-03-09 09:00", digitized=False)
    d = desk.resolve(d, "2026-03-10 09:00", e_copy=False)
    before = report("2026-03-01", "2026-03-31")["digitization"]
    # when the scan and the e-copy are attached later (as motcua.documents does: rows, no lifecycle event)
    DossierComponent.objects.filter(dossier=d).update(digitized=True)
    DossierResult.objects.filter(dossier=d).update(e_copy=True)
    fact_refresh(Dossier.objects.get(pk=d.pk))
    # then the figures move and the stored facts still agree with what the events and rows say
    assert before == {"components": 0, "results": 0, "both": 0}
    assert report("2026-03-01", "2026-03-31")["digitization"] == {"components": 1, "results": 1, "both": 1}
    assert facts_verify() == (1, [])
