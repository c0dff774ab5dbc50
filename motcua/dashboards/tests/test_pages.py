"""The dashboard pages: scope, the figures shown against the reports module, downloads, the 766 scoreboard
and the reform plan."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from conftest import COMMUNE, OTHER_COMMUNE, PROVINCE, Staff, vn
from motcua.accounts.models import User
from motcua.catalogue.models import Unit
from motcua.dashboards import formatting
from motcua.dashboards.notes import DENOMINATORS, NO_DATA
from motcua.dossiers import services as s
from motcua.reform.models import ReformPlan
from motcua.reform.services import evidence_add, plan_load_demo
from motcua.reports.indicators import FORMULAS, scoreboard_compute, scoreboard_get
from motcua.reports.models import ScoreRun
from motcua.reports.periodic import periodic_report
from motcua.reports.render import MEDIA_TYPES
from motcua.reports.tests.test_periodic import Desk

pytestmark = pytest.mark.django_db

PERIOD = {"period": "custom", "from": "2026-03-01", "to": "2026-03-31"}
PAGES = [
    "/can-bo/bao-cao/",
    "/can-bo/bao-cao/chi-so-766/",
    "/can-bo/bao-cao/cai-cach/",
    "/can-bo/bao-cao/tai-ve/csv/",
]


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def dossiers(staff: Staff) -> None:
    """March 2026 in Đông Khê: online, direct and postal intake; before due, on time, overdue; one open, one
    returned, one cancelled; and one dossier in the other commune."""
    desk = Desk(staff)
    desk.resolve(desk.accepted("2026-03-09 09:00", channel="online"), "2026-03-11 16:00")  # before due
    desk.resolve(desk.accepted("2026-03-09 09:00"), "2026-03-12 16:30")  # on time
    desk.resolve(desk.accepted("2026-03-09 09:00", channel="postal"), "2026-03-13 08:00")  # overdue
    desk.accepted("2026-03-30 09:00", procedure="1.012784")  # land, still open on 31 March
    returned = desk.submit("2026-03-10 08:00")
    s.dossier_return_unaccepted(
        dossier_id=returned.pk, actor=staff.desk, reason_code="cannot_submit", at=vn("2026-03-10 08:30")
    )
    cancelled = desk.accepted("2026-03-16 09:00")
    s.dossier_cancel(
        dossier_id=cancelled.pk, actor=staff.admin, reason="nhập trùng", at=vn("2026-03-17 09:00")
    )
    desk.resolve(desk.accepted("2026-03-09 09:00", unit=OTHER_COMMUNE), "2026-03-10 09:00")


def figures_on(page: str) -> dict[str, str]:
    return {
        m.group(1): html.unescape(m.group(2)).strip()
        for m in re.finditer(r'data-figure="([\w.]+)"[^>]*>([^<]*)<', page)
    }


def report_for(code: str, date_from: str = "2026-03-01", date_to: str = "2026-03-31") -> dict[str, Any]:
    return periodic_report(
        unit=Unit.objects.get(code=code),
        date_from=date.fromisoformat(date_from),
        date_to=date.fromisoformat(date_to),
    )


# --- scope --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_users_are_sent_to_sign_in(page: str, catalogue: dict[str, object]) -> None:
    response = client_for(None).get(page, {"unit": COMMUNE})
    assert response.status_code == 302
    assert response["Location"].startswith("/can-bo/dang-nhap/?next=")


@pytest.mark.parametrize("page", PAGES)
def test_another_communes_user_gets_404_and_the_province_inspector_200(page: str, staff: Staff) -> None:
    assert client_for(staff.other_desk).get(page, {"unit": COMMUNE, **PERIOD}).status_code == 404
    assert client_for(staff.desk).get(page, {"unit": PROVINCE, **PERIOD}).status_code == 404
    assert client_for(staff.desk).get(page, {"unit": "no-such-unit", **PERIOD}).status_code == 404
    assert client_for(staff.inspector).get(page, {"unit": COMMUNE, **PERIOD}).status_code == 200
    assert client_for(staff.inspector).get(page, {"unit": PROVINCE, **PERIOD}).status_code == 200
    assert client_for(staff.desk).get(page, {"unit": COMMUNE, **PERIOD}).status_code == 200


def test_a_user_without_units_is_told_so(catalogue: dict[str, object]) -> None:
    from motcua.accounts.services import user_create

    loner = user_create(username="loner", password="correct-horse-battery", full_name="loner")
    response = client_for(loner).get("/can-bo/bao-cao/")
    assert response.status_code == 200
    assert "chưa được phân công" in response.content.decode()


def test_the_unit_picker_offers_the_users_units(staff: Staff) -> None:
    page = client_for(staff.inspector).get("/can-bo/bao-cao/").content.decode()
    assert f'<option value="{PROVINCE}" selected>' in page  # an inspector opens on the province
    assert f'<option value="{COMMUNE}">Xã Đông Khê</option>' in page
    assert f'<option value="{OTHER_COMMUNE}">Xã Thạch An</option>' in page
    page = client_for(staff.desk).get("/can-bo/bao-cao/").content.decode()
    assert f'<option value="{COMMUNE}" selected>' in page
    assert OTHER_COMMUNE not in page
    assert f'value="{PROVINCE}"' not in page


# --- the periodic report ------------------------------------------------------------------------------------


def test_the_page_shows_the_figures_of_the_periodic_report(staff: Staff, dossiers: None) -> None:
    page = client_for(staff.desk).get("/can-bo/bao-cao/", {"unit": COMMUNE, **PERIOD}).content.decode()
    report = report_for(COMMUNE)
    shown = figures_on(page)
    with translation.override("vi"):
        for path in (
            "received.total",
            "received.online",
            "received.direct",
            "received.postal",
            "received.carried_over",
            "resolved.total",
            "resolved.before_due",
            "resolved.on_time",
            "resolved.overdue",
            "in_process.total",
            "in_process.within_due",
            "in_process.overdue",
            "not_accepted.returned",
            "not_accepted.refused",
            "not_accepted.cancelled",
            "results_missing",
        ):
            group, _, key = path.partition(".")
            value = report[group][key] if key else report[group]
            assert shown[path] == formatting.number(value), path
        for key in ("online_payment", "boundary_independent", "portal_sync"):
            assert shown[f"{key}.numerator"] == formatting.number(report[key]["numerator"])
            assert shown[f"{key}.denominator"] == formatting.number(report[key]["denominator"])
            assert shown[f"{key}.rate"] == formatting.percent(report[key]["rate"])
    # hand-checked against the fixture, so the comparison above is not empty-handed
    assert (
        shown["received.total"],
        shown["resolved.before_due"],
        shown["resolved.on_time"],
        shown["resolved.overdue"],
        shown["in_process.total"],
    ) == ("4", "1", "1", "1", "1")
    assert (shown["not_accepted.returned"], shown["not_accepted.cancelled"]) == ("1", "1")
    # Biểu 06: the total row, columns (3)..(13)
    totals = re.findall(r'data-form06="(\d+)">([^<]*)<', page)
    assert [int(v) for _, v in totals] == [4, 1, 3, 0, 3, 1, 1, 1, 1, 1, 0]
    # the charts are inline SVG with titles, in Vietnamese
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg"') == 3
    assert '<title id="chart-channel-title">Hồ sơ tiếp nhận theo kênh</title>' in page
    assert "T3/2026: tổng 3: Trước hạn 1, Đúng hạn 1, Quá hạn 1" in page  # the monthly chart's description
    # and the download links carry the same unit and period
    query = "unit=000.31.00.H11&amp;period=custom&amp;from=2026-03-01&amp;to=2026-03-31"
    assert f"/can-bo/bao-cao/tai-ve/xlsx/?{query}" in page


def test_a_province_shows_its_total_and_a_row_per_commune(staff: Staff, dossiers: None) -> None:
    page = client_for(staff.inspector).get("/can-bo/bao-cao/", {"unit": PROVINCE, **PERIOD}).content.decode()
    province = report_for(PROVINCE)
    assert figures_on(page)["received.total"] == str(province["received"]["total"]) == "5"
    rows = re.findall(r'<th scope="row"><a href="[^"]*unit=([\d.H]+)">([^<]+)</a></th>', page)
    assert rows == [(COMMUNE, "Xã Đông Khê"), (OTHER_COMMUNE, "Xã Thạch An")]


def test_a_wrong_period_is_explained_and_shows_no_figures(staff: Staff) -> None:
    response = client_for(staff.desk).get(
        "/can-bo/bao-cao/", {"unit": COMMUNE, "period": "custom", "from": "2026-04-01", "to": "2026-03-01"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Từ ngày phải trước hoặc bằng đến ngày." in page
    assert "data-figure" not in page


def test_the_by_dates_button_wins_over_the_preset(staff: Staff, dossiers: None) -> None:
    client = client_for(staff.desk)
    response = client.get(
        "/can-bo/bao-cao/?unit=000.31.00.H11&period=2026-Q4&from=2026-03-01&to=2026-03-31&period=custom"
    )
    assert "01/03/2026 – 31/03/2026" in response.content.decode()


@pytest.mark.parametrize("fmt", ["xlsx", "pdf", "csv"])
def test_downloads_are_the_report_rendered_by_render(
    fmt: str, staff: Staff, dossiers: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from motcua.dashboards import views
    from motcua.reports.render import render

    calls: list[tuple[dict[str, Any], str, bytes]] = []

    def spy(report: dict[str, Any], fmt: str) -> bytes:
        data = render(report, fmt)
        calls.append((report, fmt, data))
        return data

    monkeypatch.setattr(views, "render_report", spy)
    response = client_for(staff.inspector).get(f"/can-bo/bao-cao/tai-ve/{fmt}/", {"unit": COMMUNE, **PERIOD})

    assert response.status_code == 200
    assert response["Content-Type"] == MEDIA_TYPES[fmt]
    assert response["Content-Disposition"] == (
        f'attachment; filename="bao-cao-{COMMUNE}-2026-03-01-2026-03-31.{fmt}"'
    )
    [(report, called_fmt, data)] = calls
    assert called_fmt == fmt
    assert response.content == data
    expected = report_for(COMMUNE)
    assert {k: v for k, v in report.items() if k != "generated_at"} == {
        k: v for k, v in expected.items() if k != "generated_at"
    }
    if fmt == "pdf":
        assert data.startswith(b"%PDF")
    elif fmt == "xlsx":
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(data))
        values = [c for row in book.worksheets[0].iter_rows(values_only=True) for c in row]
        assert 4 in values  # the total received
    else:
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert rows[[r[:2] for r in rows].index(["received", "total"])][:4] == ["received", "total", "", "4"]


def test_an_unknown_download_format_is_404(staff: Staff) -> None:
    assert client_for(staff.desk).get("/can-bo/bao-cao/tai-ve/docx/", {"unit": COMMUNE}).status_code == 404


# --- the 766 scoreboard -------------------------------------------------------------------------------------


def test_the_scoreboard_page_shows_the_scores_without_storing_them(staff: Staff, dossiers: None) -> None:
    client = client_for(staff.desk)
    page = client.get("/can-bo/bao-cao/chi-so-766/", {"unit": COMMUNE, **PERIOD}).content.decode()
    assert ScoreRun.objects.count() == 0  # viewing does not store
    board = scoreboard_get(
        run=scoreboard_compute(
            unit=Unit.objects.get(code=COMMUNE),
            date_from=date(2026, 3, 1),
            date_to=date(2026, 3, 31),
            store=False,
        )
    )
    with translation.override("vi"):
        assert figures_on(page)["total"] == formatting.number(board["total"], 2)
        for group in board["groups"]:
            assert (
                f'data-group-score="{group["group"]}"><b>{formatting.number(group["score"], 2)}</b>' in page
            )
    assert "Xem trước — chưa lưu" in page
    no_data = [x for x in board["indicators"] if x["status"] == "no_data"]
    assert no_data
    for x in no_data:
        assert f'data-indicator="{x["code"]}" class="dash-status-no_data"' in page
    assert "Chưa có dữ liệu: phản ánh, kiến nghị" in page  # the note, in Vietnamese
    assert page.count('<span class="badge warn">Chưa có dữ liệu</span>') == len(no_data)


def test_save_stores_one_run_and_shows_it(staff: Staff, dossiers: None) -> None:
    client = client_for(staff.desk)
    response = client.post("/can-bo/bao-cao/chi-so-766/", {"unit": COMMUNE, **PERIOD})
    run = ScoreRun.objects.get()
    assert (run.unit.code, run.date_from, run.date_to, run.computed_by) == (
        COMMUNE,
        date(2026, 3, 1),
        date(2026, 3, 31),
        staff.desk,
    )
    assert response.status_code == 302
    assert response["Location"] == f"/can-bo/bao-cao/chi-so-766/?run={run.pk}"
    page = client.get(response["Location"]).content.decode()
    assert f"Đã lưu — lần số {run.pk}" in page
    assert "Lưu kết quả</button>" not in page
    assert f'?run={run.pk}">#{run.pk}</a>' in page  # in the list of stored runs
    # another commune's user cannot read it, the province inspector can
    assert client_for(staff.other_desk).get(response["Location"]).status_code == 404
    assert client_for(staff.inspector).get(response["Location"]).status_code == 200
    assert (
        client_for(staff.other_desk)
        .post("/can-bo/bao-cao/chi-so-766/", {"unit": COMMUNE, **PERIOD})
        .status_code
        == 404
    )
    assert ScoreRun.objects.count() == 1


def test_every_formula_has_a_vietnamese_note() -> None:
    assert set(FORMULAS) == set(NO_DATA) | set(DENOMINATORS)


# --- the reform plan ----------------------------------------------------------------------------------------


@pytest.fixture
def plan(staff: Staff) -> ReformPlan:
    plan_load_demo(Unit.objects.get(code=COMMUNE))
    return ReformPlan.objects.get(unit__code=COMMUNE, year=2025)


def test_the_reform_page_shows_the_completion_and_every_task(staff: Staff, plan: ReformPlan) -> None:
    page = (
        client_for(staff.desk)
        .get("/can-bo/bao-cao/cai-cach/", {"unit": COMMUNE, "year": "2025", "as_of": "2025-11-30"})
        .content.decode()
    )
    shown = figures_on(page)
    assert (shown["rate"], shown["done"], shown["counted"]) == ("75,61 %", "31", "41")
    assert len(re.findall(r'data-task="', page)) == 41
    assert "38/KH-UBND" in page
    assert "Cải cách TTHC" in page  # an area
    assert 'class="badge ok">Hoàn thành đúng hạn</span>' in page
    assert 'class="badge warn">Hoàn thành chậm</span>' in page


def test_overdue_is_computed_and_the_filters_keep_matching_tasks(staff: Staff, plan: ReformPlan) -> None:
    client = client_for(staff.desk)
    # on 15 January 2026 the ten tasks not done by their 31 December deadline are overdue
    page = client.get(
        "/can-bo/bao-cao/cai-cach/",
        {"unit": COMMUNE, "year": "2025", "as_of": "2026-01-15", "status": "overdue"},
    ).content.decode()
    standings = re.findall(r'data-standing="(\w+)"', page)
    assert standings == ["overdue"] * 10
    assert 'class="badge bad">Quá hạn</span>' in page
    page = client.get(
        "/can-bo/bao-cao/cai-cach/",
        {"unit": COMMUNE, "year": "2025", "as_of": "2025-11-30", "status": "done", "area": "procedures"},
    ).content.decode()
    tasks = re.findall(r'data-task="([\d.]+)" data-standing="(\w+)"', page)
    assert tasks
    assert all(n.startswith("2.") and st in ("done_on_time", "done_late") for n, st in tasks)


def test_evidence_is_linked_only_when_it_is_a_web_address(staff: Staff, plan: ReformPlan) -> None:
    task = plan.tasks.get(number="1.4")
    evidence_add(
        task_id=task.pk,
        title="Báo cáo theo dõi thi hành pháp luật",
        document_number="150/BC-UBND",
        reference="https://dongkhe.caobang.gov.vn/bao-cao-150.pdf",
        actor=staff.admin,
    )
    evidence_add(task_id=task.pk, title="Tệp lưu trữ", reference="javascript:alert(1)", actor=staff.admin)
    page = (
        client_for(staff.desk)
        .get("/can-bo/bao-cao/cai-cach/", {"unit": COMMUNE, "year": "2025"})
        .content.decode()
    )
    assert (
        '<a href="https://dongkhe.caobang.gov.vn/bao-cao-150.pdf" rel="noopener noreferrer" '
        'target="_blank">Báo cáo theo dõi thi hành pháp luật</a>'
    ) in page
    assert 'href="javascript' not in page
    assert "Tệp lưu trữ" in page


def test_the_province_lists_its_communes_plans(staff: Staff, plan: ReformPlan) -> None:
    page = (
        client_for(staff.inspector)
        .get("/can-bo/bao-cao/cai-cach/", {"unit": PROVINCE, "year": "2025", "as_of": "2025-11-30"})
        .content.decode()
    )
    assert "Xã Đông Khê</a>" in page
    assert "<b>75,61 %</b>" in page


def test_a_unit_without_a_plan_says_so(staff: Staff) -> None:
    page = client_for(staff.desk).get("/can-bo/bao-cao/cai-cach/", {"unit": COMMUNE}).content.decode()
    assert "chưa có kế hoạch cải cách hành chính năm" in page
