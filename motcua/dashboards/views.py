"""The dashboards of the staff app (``/can-bo/bao-cao/``): the periodic report with its charts and downloads,
the Decision 766 scoreboard, and the reform plan.

Every page reads the unit from ``?unit=`` (default: the user's first unit) and answers 404 for a unit the
user may not see (:func:`~motcua.accounts.selectors.units_visible_to`: a role in it or in its province).
The figures come from the reports and reform modules; these views only pick, call and lay out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from motcua.accounts.models import User
from motcua.catalogue.models import Unit
from motcua.core.errors import NotFound
from motcua.dashboards import charts, selectors
from motcua.dashboards.notes import indicator_note
from motcua.dashboards.period import CUSTOM, Period, period_choices, period_from_query
from motcua.reform.models import AREA_NAMES, STATUS_NAMES, Area
from motcua.reform.selectors import plan_completion
from motcua.reports.indicators import score_run_get, scoreboard_compute, scoreboard_get
from motcua.reports.models import IndicatorScore
from motcua.reports.periodic import periodic_report
from motcua.reports.render import EXTENSIONS, MEDIA_TYPES
from motcua.reports.render import render as render_report

__all__ = ["DOWNLOADS", "download", "index", "reform", "scoreboard"]

DOWNLOADS = ("xlsx", "pdf", "csv")
"""The report files offered for download (the same report the page shows)."""


@dataclass
class Picked:
    """What a page shows: the user, the unit (visible to them), the period, and what the pickers offer."""

    user: User
    unit: Unit
    period: Period
    today: date
    groups: list[selectors.UnitGroup]
    choices: list[tuple[str, str]]

    @property
    def is_province(self) -> bool:
        return self.unit.kind == Unit.Kind.PROVINCE

    def context(self) -> dict[str, Any]:
        period = self.period
        custom = period.key == CUSTOM or period.key not in {key for key, _label in self.choices}
        return {
            "unit": self.unit,
            "unit_name": self.unit.name,
            "period": period,
            "groups": self.groups,
            "period_choices": self.choices,
            "is_province": self.is_province,
            "today": self.today,
            "custom": custom,
            "period_query": period.query(unit=self.unit.code),
        }


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required ran first
    return user


def _today(unit: Unit | None) -> date:
    return timezone.localdate(timezone=ZoneInfo(unit.timezone)) if unit else timezone.localdate()


def _params(source: Any) -> dict[str, str]:
    """The picker's parameters. The picker's "by dates" button sends ``period=custom`` after the preset
    select's own ``period``: any ``custom`` among the values wins."""
    params = {key: str(source.get(key) or "") for key in ("unit", "period", "from", "to")}
    if hasattr(source, "getlist") and CUSTOM in source.getlist("period"):
        params["period"] = CUSTOM
    return params


def _pick(request: HttpRequest, params: Any = None) -> Picked | None:
    """The unit and period of the request; ``None`` when the user has no unit at all; 404 for a unit code
    the user may not see (whether it exists or not)."""
    params = _params(request.GET if params is None else params)
    user = _user(request)
    code = (params.get("unit") or "").strip()
    unit = selectors.visible_unit(user, code) if code else selectors.default_unit(user)
    if unit is None:
        if code:
            raise Http404(_("Không có đơn vị này, hoặc bạn không được xem số liệu của đơn vị này."))
        return None
    today = _today(unit)
    return Picked(
        user,
        unit,
        period_from_query(params, today),
        today,
        selectors.unit_groups(user),
        period_choices(today),
    )


def _no_unit(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboards/no_unit.html", {"tab": ""})


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The periodic report of the unit for the period: stat cards, Biểu 06 per sector, inspection figures,
    charts, downloads; for a province, its total and a table of its communes."""
    picked = _pick(request)
    if picked is None:
        return _no_unit(request)
    context = picked.context() | {"tab": "report", "downloads": DOWNLOADS}
    period = picked.period
    if not period.errors:
        report = periodic_report(unit=picked.unit, date_from=period.date_from, date_to=period.date_to)
        months = selectors.timeliness_by_month(
            unit=picked.unit, date_from=period.date_from, date_to=period.date_to
        )
        context |= {
            "report": report,
            "form06": selectors.form06_rows(report),
            "inspection": selectors.inspection_figures(report),
            "months": months,
            "channel_chart": charts.channel_chart(report),
            "timeliness_chart": charts.timeliness_chart(months),
            "sector_chart": charts.sector_chart(report),
        }
        if picked.is_province:
            context["communes"] = selectors.commune_overview(
                province=picked.unit, date_from=period.date_from, date_to=period.date_to
            )
    return render(request, "dashboards/index.html", context)


@login_required
@require_GET
def download(request: HttpRequest, fmt: str) -> HttpResponse:
    """The same periodic report as a file, rendered by :func:`motcua.reports.render.render`."""
    if fmt not in DOWNLOADS:
        raise Http404(fmt)
    picked = _pick(request)
    if picked is None:
        raise Http404(_("Bạn chưa được phân công đơn vị nào."))
    period = picked.period
    if period.errors:
        raise Http404(" ".join(period.errors))
    report = periodic_report(unit=picked.unit, date_from=period.date_from, date_to=period.date_to)
    response = HttpResponse(render_report(report, fmt), content_type=MEDIA_TYPES[fmt])
    name = f"bao-cao-{picked.unit.code}-{period.date_from.isoformat()}-{period.date_to.isoformat()}"
    response["Content-Disposition"] = f'attachment; filename="{name}.{EXTENSIONS[fmt]}"'
    return response


def _board_groups(board: dict[str, Any]) -> list[dict[str, Any]]:
    """The scoreboard's groups, each with its indicators (the order of the definition set)."""
    return [
        g
        | {
            "indicators": [
                x | {"note_shown": indicator_note(x)} for x in board["indicators"] if x["group"] == g["group"]
            ]
        }
        for g in board["groups"]
    ]


@login_required
@require_http_methods(["GET", "POST"])
def scoreboard(request: HttpRequest) -> HttpResponse:
    """The Decision 766 scoreboard of the unit for the period.

    Viewing computes it without storing (``store=False``); "Lưu kết quả" (POST) computes it again and stores
    the run (``store=True``), then shows the stored run (``?run=<id>``), which never changes afterwards.
    """
    user = _user(request)
    run_id = request.GET.get("run", "")
    if request.method == "GET" and run_id:
        if not run_id.isdigit():
            raise Http404(run_id)
        try:
            run = score_run_get(run_id=int(run_id), user=user)
        except NotFound as exc:
            raise Http404(str(exc)) from exc
        picked = _pick(
            request,
            {
                "unit": run.unit.code,
                "period": CUSTOM,
                "from": run.date_from.isoformat(),
                "to": run.date_to.isoformat(),
            },
        )
    else:
        picked = _pick(request, request.POST if request.method == "POST" else None)
        run = None
    if picked is None:
        return _no_unit(request)
    period = picked.period
    context = picked.context() | {"tab": "scoreboard", "status_names": dict(IndicatorScore.Status.choices)}
    if period.errors:
        return render(request, "dashboards/scoreboard.html", context)
    if run is None:
        store = request.method == "POST"
        run = scoreboard_compute(
            unit=picked.unit, date_from=period.date_from, date_to=period.date_to, actor=user, store=store
        )
        if store:
            messages.success(request, _("Đã lưu kết quả chấm điểm (lần số %(id)s).") % {"id": run.pk})
            return HttpResponseRedirect(f"{reverse('dashboards:scoreboard')}?run={run.pk}")
    board = scoreboard_get(run=run)
    context |= {
        "board": board,
        "board_groups": _board_groups(board),
        "stored": run.pk is not None,
        "computed_at": run.computed_at,
        "score_chart": charts.score_meter(board),
        "runs": selectors.score_runs(unit=picked.unit),
    }
    return render(request, "dashboards/scoreboard.html", context)


STATUS_FILTERS = ("done", *STATUS_NAMES)


def _as_of(value: str, year: int, today: date) -> tuple[date, str]:
    """The date the plan's figures are taken at: ``value`` if it is a date, else today, but not after the end
    of the plan year (a past year's plan is read as it stood on 31 December)."""
    default = min(today, date(year, 12, 31))
    if not value:
        return default, ""
    try:
        return date.fromisoformat(value), ""
    except ValueError:
        return default, _("Ngày tính không hợp lệ: %(value)s.") % {"value": value[:20]}


@login_required
@require_GET
def reform(request: HttpRequest) -> HttpResponse:
    """The unit's reform plan for a year: completion (rate, by deadline, by year end, by area) and the task
    list with each task's standing and evidence; for a province, its communes' plans."""
    picked = _pick(request)
    if picked is None:
        return _no_unit(request)
    unit, today = picked.unit, picked.today
    years = selectors.plan_years(unit)
    year_text = request.GET.get("year", "")
    year = (
        int(year_text)
        if year_text.isdigit() and 2000 <= int(year_text) <= 2100
        else (next((y for y in years if y <= today.year), years[-1] if years else today.year))
    )
    as_of, as_of_error = _as_of(request.GET.get("as_of", ""), year, today)
    status = request.GET.get("status", "")
    status = status if status in STATUS_FILTERS else ""
    area = request.GET.get("area", "")
    area = area if area in Area.values else ""
    plan = selectors.plan_for(user=picked.user, unit=unit, year=year)
    context = picked.context() | {
        "tab": "reform",
        "year": year,
        "years": sorted({*years, year}, reverse=True),
        "as_of": as_of,
        "as_of_error": as_of_error,
        "plan": plan,
        "status": status,
        "area": area,
        "status_choices": [("done", _("Đã hoàn thành"))] + [(k, v) for k, v in STATUS_NAMES.items()],
        "area_choices": list(AREA_NAMES.items()),
    }
    if plan is not None:
        figures = plan_completion(plan, as_of=as_of)
        context |= {
            "completion": figures,
            "plan_chart": charts.plan_meter(figures),
            "tasks": selectors.plan_task_rows(plan, as_of=as_of, status=status, area=area),
        }
    if picked.is_province:
        rows = selectors.province_plans(user=picked.user, province=unit, year=year, as_of=as_of)
        for index, row in enumerate(rows):
            row["chart"] = charts.plan_meter(
                row["completion"], chart_id=f"chart-plan-{index}", width=260, legend=False
            )
        context["commune_plans"] = rows
    return render(request, "dashboards/reform.html", context)
