"""Reads of the dashboards: the units a user may pick, the monthly timeliness series, a province's communes
with their report figures, stored score runs, and the reform plan's task list at a date.

Every figure comes from the reports and reform modules (:func:`~motcua.reports.periodic.periodic_report`,
:func:`~motcua.reform.selectors.plan_completion`, :func:`~motcua.reform.completion.standing`); the one
aggregate this module adds, :func:`timeliness_by_month`, counts the same facts with the same filters as the
report's ``resolved`` group, so its months add up to the report's figures.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from motcua.accounts.models import RoleAssignment, User
from motcua.accounts.selectors import units_visible_to
from motcua.catalogue.models import Unit
from motcua.reform import completion
from motcua.reform.models import AREA_NAMES, STATUS_NAMES, ReformPlan
from motcua.reform.selectors import plan_completion, plan_tasks, plans_visible_to
from motcua.reports.models import DossierFact, ScoreRun
from motcua.reports.periodic import fact_scope, periodic_report, rate

__all__ = [
    "CommuneOverview",
    "MonthTimeliness",
    "TaskRow",
    "UnitGroup",
    "commune_overview",
    "default_unit",
    "form06_rows",
    "inspection_figures",
    "plan_for",
    "plan_task_rows",
    "plan_years",
    "province_plans",
    "score_runs",
    "timeliness_by_month",
    "unit_groups",
    "visible_unit",
]


def _name_key(unit: Unit) -> str:
    """Sort Vietnamese names by their letters (Đông after Dương, not after Z)."""
    text = unicodedata.normalize("NFD", unit.name.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


# --- units --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitGroup:
    """One group of the unit picker: a province (``None`` for communes seen without their province) and the
    communes under it the user may see."""

    province: Unit | None
    communes: list[Unit]


def unit_groups(user: User) -> list[UnitGroup]:
    """The units the user may pick, grouped by province: the province first (if the user holds a role in it,
    it covers every commune), then its communes by name. A superuser gets the units where they hold a role
    and the units that have dossiers, not all 3,000 communes of the country."""
    visible = units_visible_to(user).select_related("parent")
    if user.is_superuser:
        assigned = RoleAssignment.objects.filter(user=user).values("unit_id")
        with_facts = DossierFact.objects.values("report_unit_id")
        visible = visible.filter(
            Q(pk__in=assigned)
            | Q(parent_id__in=assigned)
            | Q(pk__in=with_facts)
            | Q(kind=Unit.Kind.PROVINCE, children__pk__in=with_facts)
        ).distinct()
    units = list(visible)
    provinces = {u.pk: u for u in units if u.kind == Unit.Kind.PROVINCE}
    groups: dict[int | None, list[Unit]] = {pk: [] for pk in provinces}
    for unit in units:
        if unit.kind == Unit.Kind.PROVINCE:
            continue
        key = unit.parent_id if unit.parent_id in provinces else None
        groups.setdefault(key, []).append(unit)
    result = [
        UnitGroup(provinces[pk], sorted(groups[pk], key=_name_key))
        for pk in sorted(provinces, key=lambda pk: _name_key(provinces[pk]))
    ]
    if groups.get(None):
        result.append(UnitGroup(None, sorted(groups[None], key=_name_key)))
    return result


def default_unit(user: User) -> Unit | None:
    """The unit a dashboard opens on: the first unit where the user holds a role (an inspector's province)."""
    assignment = (
        RoleAssignment.objects.filter(user=user, unit__in=units_visible_to(user))
        .select_related("unit")
        .order_by("id")
        .first()
    )
    if assignment is not None:
        return assignment.unit
    groups = unit_groups(user)
    if not groups:
        return None
    return groups[0].province or groups[0].communes[0]


def visible_unit(user: User, code: str) -> Unit | None:
    """The unit with ``code`` if the user may see it (a role in it or in its province), else ``None``."""
    return units_visible_to(user).select_related("parent").filter(code=code).first()


# --- the periodic report ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthTimeliness:
    """Dossiers that ended in one month of the period, by timeliness (rules §2.3, §4 ``resolved``)."""

    month: date
    before_due: int
    on_time: int
    overdue: int

    @property
    def total(self) -> int:
        return self.before_due + self.on_time + self.overdue


def timeliness_by_month(*, unit: Unit, date_from: date, date_to: date) -> list[MonthTimeliness]:
    """For each calendar month that meets [``date_from``, ``date_to``] (every month, even an empty one), the
    dossiers of ``unit`` that ended inside the period in that month, by timeliness.

    One aggregate query over :class:`DossierFact`, grouped by the month of ``ended_on``, with the report's
    own scope (a province = its communes) and filters (a cancelled record counts nowhere): the months add up
    to the report's ``resolved.before_due``, ``on_time`` and ``overdue``.
    """
    rows = (
        DossierFact.objects.filter(
            fact_scope(unit), cancelled_on__isnull=True, ended_on__gte=date_from, ended_on__lte=date_to
        )
        .annotate(month=TruncMonth("ended_on"))
        .values("month")
        .annotate(
            n_before=Count("pk", filter=Q(timeliness="before_due")),
            n_on_time=Count("pk", filter=Q(timeliness="on_time")),
            n_overdue=Count("pk", filter=Q(timeliness="overdue")),
        )
        .order_by("month")
    )
    found = {row["month"]: row for row in rows}
    months: list[MonthTimeliness] = []
    month = date_from.replace(day=1)
    while month <= date_to:
        row = found.get(month, {})
        months.append(
            MonthTimeliness(month, row.get("n_before", 0), row.get("n_on_time", 0), row.get("n_overdue", 0))
        )
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


@dataclass(frozen=True)
class CommuneOverview:
    """A province's communes for a period: those with dossiers, each with its periodic report (sorted by
    name), and the names of those with none at all."""

    rows: list[tuple[Unit, dict[str, Any]]] = field(default_factory=list)
    without_dossiers: list[Unit] = field(default_factory=list)


def commune_overview(*, province: Unit, date_from: date, date_to: date) -> CommuneOverview:
    """The periodic report of each commune of ``province`` that has dossiers (one report per commune; a
    commune without a single dossier fact is listed without running its queries)."""
    communes = sorted(
        Unit.objects.filter(parent=province, kind=Unit.Kind.COMMUNE).select_related("parent"), key=_name_key
    )
    with_facts = set(
        DossierFact.objects.filter(province=province).values_list("report_unit_id", flat=True).distinct()
    )
    overview = CommuneOverview()
    for commune in communes:
        if commune.pk in with_facts:
            overview.rows.append(
                (commune, periodic_report(unit=commune, date_from=date_from, date_to=date_to))
            )
        else:
            overview.without_dossiers.append(commune)
    return overview


def form06_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of Biểu 06 (columns (3)…(13)): one per sector of the report, then the total (``total`` True).
    Column (5) is the direct and postal dossiers together, as the form has it."""

    def row(data: dict[str, Any], label: str, code: str, total: bool) -> dict[str, Any]:
        received, resolved, in_process = data["received"], data["resolved"], data["in_process"]
        return {
            "label": label,
            "code": code,
            "total": total,
            "values": [
                received["total"],
                received["online"],
                received["direct"] + received["postal"],
                received["carried_over"],
                resolved["total"],
                resolved["before_due"],
                resolved["on_time"],
                resolved["overdue"],
                in_process["total"],
                in_process["within_due"],
                in_process["overdue"],
            ],
        }

    rows = [row(s, s["name"], s["sector"], False) for s in report["by_sector"]]
    rows.append(row(report, "", "", True))
    return rows


def inspection_figures(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The inspection figures of rules §4 as numerator, denominator and rate. The report's own ratios are
    taken as they are; for the counts (digitization, postal) the denominator is the report's figure they
    are part of, and the rate is computed with the report's rounding (:func:`~motcua.reports.periodic.rate`).
    """
    accepted = report["received"]["online"] + report["received"]["direct"] + report["received"]["postal"]
    with_result = report["resolved"]["with_result"]
    digitization = report["digitization"]

    def share(numerator: int, denominator: int) -> dict[str, Any]:
        return {"numerator": numerator, "denominator": denominator, "rate": rate(numerator, denominator)}

    return {
        "components": share(digitization["components"], accepted),
        "results": share(digitization["results"], with_result),
        "both": share(digitization["both"], with_result),
        "postal": share(report["postal"], accepted),
        "online_payment": dict(report["online_payment"]),
        "boundary_independent": dict(report["boundary_independent"]),
        "portal_sync": dict(report["portal_sync"]),
    }


# --- the 766 scoreboard -------------------------------------------------------------------------------------


def score_runs(*, unit: Unit, limit: int = 10) -> list[ScoreRun]:
    """The latest stored score runs of ``unit``, newest first."""
    return list(
        ScoreRun.objects.filter(unit=unit)
        .select_related("computed_by", "indicator_set")
        .order_by("-computed_at", "-id")[:limit]
    )


# --- the reform plan ----------------------------------------------------------------------------------------


def plan_years(unit: Unit) -> list[int]:
    """The years for which ``unit`` (or, for a province, one of its communes) has a plan, newest first."""
    return list(
        ReformPlan.objects.filter(Q(unit=unit) | Q(unit__parent=unit))
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


def plan_for(*, user: User, unit: Unit, year: int) -> ReformPlan | None:
    return plans_visible_to(user).select_related("unit").filter(unit=unit, year=year).first()


@dataclass(frozen=True)
class TaskRow:
    """A task of the plan as it stands at a date: its standing (``overdue`` computed from the deadline)."""

    task: Any
    standing: str
    standing_name: str
    area_name: str
    evidence: list[Any]


def plan_task_rows(plan: ReformPlan, *, as_of: date, status: str = "", area: str = "") -> list[TaskRow]:
    """The plan's tasks in number order with their standing at the end of ``as_of`` (rules §6); ``status``
    keeps the tasks of that standing (``done`` = on time or late), ``area`` those of that area."""
    rows = []
    for task in plan_tasks(plan):
        standing = completion.standing(task.facts(), as_of=as_of)
        if status == "done" and standing not in completion.DONE:
            continue
        if status and status != "done" and standing != status:
            continue
        if area and task.area != area:
            continue
        rows.append(
            TaskRow(
                task,
                standing,
                STATUS_NAMES[standing],
                AREA_NAMES.get(task.area, task.area),
                list(task.evidence.all()),
            )
        )
    return rows


def province_plans(*, user: User, province: Unit, year: int, as_of: date) -> list[dict[str, Any]]:
    """The plans of the province's communes for ``year`` that the user may see, each with its completion
    at ``as_of`` (:func:`~motcua.reform.selectors.plan_completion`), by commune name."""
    plans = plans_visible_to(user).select_related("unit").filter(unit__parent=province, year=year)
    return [
        {"plan": plan, "completion": plan_completion(plan, as_of=as_of)}
        for plan in sorted(plans, key=lambda p: _name_key(p.unit))
    ]
