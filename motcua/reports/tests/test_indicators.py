"""Decision 766 scoreboard (rules §5): inputs from the stored facts, immutable runs, the CLI and the API."""

from __future__ import annotations

import copy
import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import ProtectedError
from django.test import Client

from conftest import COMMUNE, OTHER_COMMUNE, PROVINCE, Staff, vn
from motcua.accounts.services import token_create
from motcua.catalogue.models import Unit
from motcua.catalogue.services import catalogue_import
from motcua.core.errors import Conflict, FieldError, NotFound
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier
from motcua.reports.indicators import (
    BUNDLED_DEFINITIONS,
    DefinitionsInvalid,
    indicator_set_load,
    score_run_get,
    scoreboard_compute,
    scoreboard_get,
)
from motcua.reports.models import IndicatorDefinition, IndicatorScore, IndicatorSet, ScoreRun
from motcua.reports.tests.test_periodic import Desk

pytestmark = pytest.mark.django_db

MARCH = ("2026-03-01", "2026-03-31")


@pytest.fixture
def desk(staff: Staff) -> Desk:
    return Desk(staff)


def board(unit: str = COMMUNE, period: tuple[str, str] = MARCH, **kwargs: Any) -> dict[str, Any]:
    run = scoreboard_compute(
        unit=Unit.objects.get(code=unit),
        date_from=date.fromisoformat(period[0]),
        date_to=date.fromisoformat(period[1]),
        **kwargs,
    )
    return scoreboard_get(run=run)


def by_code(b: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {x["code"]: x for x in b["indicators"]}


def fractions(b: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {code: (x["numerator"], x["denominator"]) for code, x in by_code(b).items()}


def bundled() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(BUNDLED_DEFINITIONS.read_text(encoding="utf-8"))
    return data


def reused_online(desk: Desk, at: str) -> Dossier:
    d = s.dossier_submit(
        procedure_code="1.001022",
        receiving_unit_code=COMMUNE,
        channel="online",
        applicant=s.Applicant(name="Hoàng Thị C"),
        actor=desk.staff.desk,
        components=[s.ComponentIn(code="TK", digitized=True, reused=True)],
        at=vn(at),
    )
    s.dossier_accept(dossier_id=d.pk, actor=desk.staff.desk, at=vn(at))
    return s.dossier_forward(dossier_id=d.pk, actor=desk.staff.desk, at=vn(at))


@pytest.fixture
def march(desk: Desk, staff: Staff) -> None:
    """Dossiers of procedure 1.001022 (fee 15,000, fully online, 3 working days) around March 2026."""
    carried = desk.accepted("2026-02-25 09:00")  # due Mon 2 Mar 09:00
    desk.resolve(carried, "2026-03-02 08:00")  # on time, ended in March
    paid_online = desk.accepted("2026-03-09 09:00", channel="online")  # due Thu 12 Mar
    s.dossier_confirm_payment(
        dossier_id=paid_online.pk, actor=staff.desk, method="online", amount=15000, at=vn("2026-03-09 09:10")
    )
    s.dossier_mark_synced(dossier_id=paid_online.pk, at=vn("2026-03-09 10:00"))
    desk.resolve(paid_online, "2026-03-10 09:00")  # before due
    cash = desk.accepted("2026-03-09 09:00", digitized=False)
    s.dossier_confirm_payment(
        dossier_id=cash.pk, actor=staff.desk, method="cash", amount=15000, at=vn("2026-03-09 09:10")
    )
    desk.resolve(cash, "2026-03-12 16:30")  # on time, components not digitized
    twice = desk.accepted("2026-03-09 09:00")
    for day in ("10", "12"):  # two supplement requests
        s.dossier_request_supplement(
            dossier_id=twice.pk, actor=staff.specialist, reason="thiếu", at=vn(f"2026-03-{day} 09:00")
        )
        s.dossier_supply_supplement(
            dossier_id=twice.pk, actor=staff.desk, at=vn(f"2026-03-{int(day) + 1} 09:00")
        )
    desk.resolve(twice, "2026-03-16 09:00")  # before the restarted due, yet "overdue"
    desk.accepted("2026-03-09 09:00")  # open on 31 Mar, overdue since 12 Mar
    desk.accepted("2026-03-30 09:00", channel="postal", exempt=True)  # open, within due (2 Apr)
    synced = reused_online(desk, "2026-03-30 10:00")  # open, within due, reused a component
    s.dossier_mark_synced(dossier_id=synced.pk, at=vn("2026-03-30 11:00"))
    void = desk.accepted("2026-03-10 09:00", channel="online")
    s.dossier_cancel(dossier_id=void.pk, actor=staff.admin, reason="nhập trùng", at=vn("2026-03-11 09:00"))
    desk.accepted("2026-04-01 09:00", channel="online")  # after the period


def test_each_indicator_counts_the_stored_facts(march: None) -> None:
    # when
    b = board(store=False)
    # then: 6 accepted in March (the cancelled one is void), 4 ended in March + 3 open at its end
    got = fractions(b)
    assert got["1.4"] == (2, 6)  # synced / accepted
    assert got["2.1"] == (5, 7)  # 3 ended in time (not the one with 2 supplements) + 2 open within due
    assert got["2.2"] == (16.27, 4)  # days from acceptance to end: 4.96 + 1 + 3.31 + 7
    assert got["3.1"] == (2, 5)  # catalogue: 2 of 5 commune procedures offered online
    assert got["3.2"] == (1, 2)  # of those, 1 had online dossiers
    assert got["3.3"] == (2, 6)  # online / accepted
    assert got["3.x"] == (2, 6)  # online / accepted under fully online procedures
    assert got["3.5"] == (1, 2)  # catalogue: fee-bearing procedures offered online / fee-bearing
    assert got["3.5b"] == (1, 1)  # procedures with a dossier paid online / with fee-bearing dossiers
    assert got["3.6"] == (1, 5)  # paid online / fee required (the exempt one is out)
    assert got["4.1"] == (0, 0)  # no procedure requires an e-result
    assert got["4.2"] == (3, 4)  # digitized components (+ e-result where required) / resolved
    assert got["4.3"] == (1, 6)  # reused / accepted
    scores = {code: x["score"] for code, x in by_code(b).items()}
    assert scores == {
        "1.1": None,
        "1.2": None,
        "1.3": None,
        "1.4": 2.0,
        "2.1": 14.29,
        "2.2": 0.0,
        "3.1": 3.0,
        "3.2": 0.0,
        "3.3": 4.0,
        "3.x": 0.0,
        "3.5": 1.25,
        "3.5b": 2.0,
        "3.6": 4.0,
        "4.1": None,
        "4.2": 3.75,
        "4.2b": None,
        "4.3": 0.42,
        "4.4": None,
        "4.5a": None,
        "4.5b": None,
        "5.1": None,
        "5.2": None,
        "5.3": None,
        "5.4": None,
    }
    assert by_code(b)["2.2"]["rate"] == 4.07
    assert (b["total"], b["max_available"], b["max_possible"]) == (34.71, 54, 100)
    assert [(g["group"], g["score"], g["max_available"], g["points"]) for g in b["groups"]] == [
        ("CKMB", 2.0, 6, 18),
        ("TDGQ", 14.29, 20, 20),
        ("CLGQ", 7.0, 12, 12),
        ("TTTT", 7.25, 10, 10),
        ("MDSH", 4.17, 6, 22),
        ("MDHL", 0.0, 0, 18),
    ]
    assert b["indicator_set"] == "766-v1"
    assert b["run_id"] is None


def test_portal_sync_is_the_periodic_reports_figure(march: None) -> None:
    from motcua.reports.periodic import periodic_report

    unit = Unit.objects.get(code=COMMUNE)
    report = periodic_report(unit=unit, date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))
    x = by_code(board(store=False))
    assert (x["1.4"]["numerator"], x["1.4"]["denominator"]) == (
        report["portal_sync"]["numerator"],
        report["portal_sync"]["denominator"],
    )
    assert (x["3.6"]["numerator"], x["3.6"]["denominator"]) == (
        report["online_payment"]["numerator"],
        report["online_payment"]["denominator"],
    )
    assert x["1.4"]["rate"] == report["portal_sync"]["rate"]


def test_e_results_count_procedures_that_require_one(desk: Desk, staff: Staff) -> None:
    catalogue_import(
        data={
            "procedures": [
                {
                    "code": "1.000001",
                    "name": "Thủ tục có kết quả điện tử",
                    "sector": "HT",
                    "requires_e_result": True,
                    "time_limit": {"value": 3, "unit": "working_days"},
                    "online": "partial",
                }
            ]
        }
    )
    with_copy = desk.accepted("2026-03-09 09:00", procedure="1.000001")
    without = desk.accepted("2026-03-09 09:00", procedure="1.000001")
    desk.resolve(with_copy, "2026-03-10 09:00", e_copy=True)
    desk.resolve(without, "2026-03-10 09:00", e_copy=False)
    got = fractions(board(store=False))
    assert got["4.1"] == (1, 2)
    assert got["4.2"] == (0, 2)  # no components submitted: not digitized
    assert got["3.1"] == (3, 6)


def test_without_data_an_indicator_is_listed_as_no_data_with_the_reason(staff: Staff) -> None:
    # when: a period with no dossiers
    b = board(store=False)
    x = by_code(b)
    # then
    assert x["1.4"]["status"] == "no_data"
    assert (x["1.4"]["numerator"], x["1.4"]["denominator"], x["1.4"]["rate"]) == (0, 0, None)
    assert x["1.4"]["note"] == "no data in the period: no dossiers accepted in the period"
    assert x["1.1"]["status"] == "no_data"
    assert x["1.1"]["denominator"] is None
    assert "announcement decisions" in x["1.1"]["note"]
    assert "feedback feature" in x["5.2"]["note"]
    assert [c for c, v in x.items() if v["status"] == "computed"] == ["3.1", "3.2", "3.5"]
    assert (b["total"], b["max_available"]) == (3.0 + 1.25, 8)


def test_a_province_sums_its_communes(desk: Desk) -> None:
    here = desk.accepted("2026-03-09 09:00", channel="online")
    s.dossier_mark_synced(dossier_id=here.pk, at=vn("2026-03-09 10:00"))
    desk.accepted("2026-03-09 09:00", unit=OTHER_COMMUNE)
    there = desk.accepted("2026-03-09 09:00", unit=OTHER_COMMUNE, channel="online")
    s.dossier_mark_synced(dossier_id=there.pk, at=vn("2026-03-09 10:00"))
    assert fractions(board(COMMUNE, store=False))["1.4"] == (1, 1)
    assert fractions(board(OTHER_COMMUNE, store=False))["1.4"] == (1, 2)
    province = fractions(board(PROVINCE, store=False))
    assert province["1.4"] == (2, 3)
    assert province["3.3"] == (2, 3)
    assert province["3.1"] == (2, 5)  # the commune-level catalogue


def v2(points_1_4: int = 4, threshold_3_6: int = 90) -> dict[str, Any]:
    data = copy.deepcopy(bundled())
    data["version"] = "766-v2"
    for x in data["indicators"]:
        if x["code"] == "1.4":
            x["points"] = points_1_4
        if x["code"] == "1.2":
            x["points"] = 10 - points_1_4  # CKMB still adds up to 18
        if x["code"] == "3.6":
            x["threshold"] = threshold_3_6
    return data


def test_a_stored_run_never_changes_when_the_definitions_change(march: None, staff: Staff) -> None:
    # given a stored run under v1
    first = scoreboard_compute(
        unit=Unit.objects.get(code=COMMUNE),
        date_from=date(2026, 3, 1),
        date_to=date(2026, 3, 31),
        actor=staff.approver,
    )
    shown = scoreboard_get(run=first)
    stored_scores = list(
        IndicatorScore.objects.filter(run=first).values_list("definition_id", "score", "status")
    )
    # when v2 is loaded (other points for 1.4 and 1.2, another threshold for 3.6)
    indicator_set, created = indicator_set_load(data=v2())
    # then the stored run reads exactly as before, with the v1 definitions
    assert created
    again = scoreboard_get(run=score_run_get(run_id=first.pk, user=staff.inspector))
    assert again == shown
    assert again["run_id"] == first.pk
    assert again["computed_by"] == "approver"
    assert by_code(again)["1.4"]["points"] == 6
    assert (
        list(IndicatorScore.objects.filter(run=first).values_list("definition_id", "score", "status"))
        == stored_scores
    )
    # and a new run uses v2
    second = board()
    assert second["indicator_set"] == "766-v2"
    assert second["run_id"] != first.pk
    assert (by_code(second)["1.4"]["points"], by_code(second)["1.4"]["score"]) == (4, 1.33)
    assert by_code(second)["3.6"]["score"] == 1.33  # 6 × 20 / 90
    assert ScoreRun.objects.count() == 2
    # and v1 can still be asked for by name
    assert board(version="766-v1", store=False)["indicator_set"] == "766-v1"
    assert indicator_set.definitions.count() == 24


def test_loading_definitions_is_idempotent_and_a_changed_content_needs_a_new_version(staff: Staff) -> None:
    first, created = indicator_set_load(data=bundled())
    assert created
    same, created_again = indicator_set_load(data=bundled())
    assert (same.pk, created_again) == (first.pk, False)
    renamed = bundled() | {"version": "766-v1-copy"}
    assert indicator_set_load(data=renamed) == (first, False)  # the same content under another name
    with pytest.raises(Conflict, match="already exists with different content"):
        indicator_set_load(data=v2() | {"version": "766-v1"})
    assert IndicatorSet.objects.count() == 1


def test_stored_sets_and_runs_are_write_once(march: None) -> None:
    run = scoreboard_compute(
        unit=Unit.objects.get(code=COMMUNE), date_from=date(2026, 3, 1), date_to=date(2026, 3, 31)
    )
    definition = IndicatorDefinition.objects.get(indicator_set=run.indicator_set, code="1.4")
    definition.points = Decimal(5)
    with pytest.raises(ValueError, match="immutable"):
        definition.save()
    with pytest.raises(ValueError, match="immutable"):
        run.save()
    with pytest.raises(ValueError, match="immutable"):
        run.indicator_set.save()
    with pytest.raises(ProtectedError):
        run.indicator_set.delete()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["indicators"][0].update(points=7), "group CKMB: its indicators add up to 19, not 18"),
        (lambda d: d["indicators"][0].update(formula="made_up"), "indicators[0].formula: is not a formula"),
        (lambda d: d["indicators"][0].update(thresold=80), "indicators[0].thresold: is not a known key"),
        (lambda d: d["indicators"][3].update(threshold=0), "1.4: threshold must be a percent in (0, 100]"),
        (lambda d: d.update(effective_from="soon"), "effective_from: must be a date"),
    ],
)
def test_a_bad_definition_file_names_the_problem(staff: Staff, change: Any, message: str) -> None:
    data = v2()
    change(data)
    with pytest.raises((FieldError, DefinitionsInvalid)) as error:
        indicator_set_load(data=data)
    assert message in error.value.message
    assert not IndicatorSet.objects.filter(version="766-v2").exists()


def test_a_period_before_any_set_is_refused(staff: Staff) -> None:
    with pytest.raises(FieldError, match="no Decision 766 indicator set is in force"):
        board(period=("2022-01-01", "2022-03-31"))
    with pytest.raises(NotFound):
        board(version="766-v9")


# --- CLI ---------------------------------------------------------------------------------------------------


def run_cli(*args: str) -> str:
    out = io.StringIO()
    call_command("scoreboard", *args, stdout=out)
    return out.getvalue()


def test_cli_show_json_table_and_no_store(march: None) -> None:
    shown = json.loads(run_cli("show", "--unit", COMMUNE, "--from", MARCH[0], "--to", MARCH[1], "--no-store"))
    assert (shown["total"], shown["run_id"]) == (34.71, None)
    assert ScoreRun.objects.count() == 0
    table = run_cli("show", "--unit", COMMUNE, "--period", "2026-03", "--format", "table")
    assert "1.4   CKMB" in table
    assert "2/6" in table
    assert "total 34.71 of 100 (54 with data)" in table
    run = ScoreRun.objects.get()
    assert json.loads(run_cli("run", str(run.pk)))["total"] == 34.71


def test_cli_load_definitions(staff: Staff, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "v2.json"
    path.write_text(json.dumps(v2(), ensure_ascii=False), encoding="utf-8")
    assert run_cli("load-definitions").startswith("created indicator set 766-v1: 24 indicators")
    assert run_cli("load-definitions", str(path)).startswith("created indicator set 766-v2")
    assert run_cli("load-definitions", str(path)).startswith("unchanged:")
    assert "766-v2\teffective from 2022-08-01" in run_cli("sets")
    bad = v2(points_1_4=5) | {"version": "766-v3"}
    bad["indicators"][0]["points"] = 1  # 1.1
    path.write_text(json.dumps(bad), encoding="utf-8")
    with pytest.raises(SystemExit) as exit_:
        run_cli("load-definitions", str(path))
    assert exit_.value.code == 1
    assert capsys.readouterr().err.strip().splitlines() == [
        f"error: {path}: group CKMB: its indicators add up to 13, not 18"
    ]


# --- API ---------------------------------------------------------------------------------------------------


def client(user: Any) -> Client:
    token, _ = token_create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def test_api_scoreboard_stores_a_run_and_serves_it_unchanged(march: None, staff: Staff) -> None:
    response = client(staff.desk).get(
        "/api/v1/reports/scoreboard", {"unit": COMMUNE, "from": MARCH[0], "to": MARCH[1]}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["total"], body["computed_by"]) == (34.71, "desk")
    assert (by_code(body)["1.4"]["numerator"], by_code(body)["1.4"]["denominator"]) == (2, 6)
    stored = client(staff.inspector).get(f"/api/v1/reports/scoreboard/runs/{body['run_id']}")
    assert stored.status_code == 200
    assert stored.json() == body


def test_api_scoreboard_is_for_the_unit_and_its_province(march: None, staff: Staff) -> None:
    for user, unit in ((staff.inspector, COMMUNE), (staff.inspector, PROVINCE), (staff.approver, COMMUNE)):
        ok = client(user).get("/api/v1/reports/scoreboard", {"unit": unit, "period": "2026-03"})
        assert ok.status_code == 200, (user, unit, ok.content)
        assert ok.json()["unit"] == unit
    denied = client(staff.other_desk).get(
        "/api/v1/reports/scoreboard", {"unit": COMMUNE, "period": "2026-03"}
    )
    assert denied.status_code == 404
    assert denied["Content-Type"] == "application/problem+json"
    run = ScoreRun.objects.filter(unit__code=COMMUNE).first()
    assert run is not None
    assert client(staff.other_desk).get(f"/api/v1/reports/scoreboard/runs/{run.pk}").status_code == 404
    assert (
        Client().get("/api/v1/reports/scoreboard", {"unit": COMMUNE, "period": "2026-03"}).status_code == 401
    )
    bad = client(staff.desk).get(
        "/api/v1/reports/scoreboard", {"unit": COMMUNE, "from": MARCH[1], "to": MARCH[0]}
    )
    assert (bad.status_code, bad.json()["field"]) == (422, "from")
