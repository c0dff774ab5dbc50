"""Reads of the reform plan: what a user may see, one plan with its tasks, the completion figures (rules §6),
and the plan file (JSON and XLSX) an export writes. Writes are in :mod:`motcua.reform.services`.

Reading is open to every user with a role in the plan's unit or in its province (an inspector of the
province reads every commune's plan, domain-research §9).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet

from motcua.accounts.models import User
from motcua.accounts.selectors import units_visible_to
from motcua.catalogue.models import Unit
from motcua.core.errors import NotFound
from motcua.reform import completion
from motcua.reform.models import AREA_NAMES, Area, ReformPlan, ReformTask, TaskAdjustment, TaskStatus

__all__ = [
    "plan_completion",
    "plan_export",
    "plan_export_xlsx",
    "plan_for_unit",
    "plan_get",
    "plan_list",
    "plan_tasks",
    "plans_visible_to",
    "task_adjustments",
    "task_get",
    "task_removal_reasons",
]


def plans_visible_to(user: User) -> QuerySet[ReformPlan]:
    """The plans of the units where ``user`` holds a role, and of the communes of such a province."""
    return ReformPlan.objects.filter(unit__in=units_visible_to(user))


def plan_list(*, user: User, unit: str | None = None, year: int | None = None) -> QuerySet[ReformPlan]:
    """The visible plans, newest year first; ``unit`` = a unit's code or its province's code."""
    qs = plans_visible_to(user).select_related("unit").annotate(
        task_count=Count("tasks"), removed_count=Count("tasks", filter=Q(tasks__status=TaskStatus.REMOVED)))
    if unit:
        qs = qs.filter(Q(unit__code=unit) | Q(unit__parent__code=unit))
    if year is not None:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "unit__code")


def plan_get(*, user: User, plan_id: int) -> ReformPlan:
    """One plan visible to ``user``; :class:`NotFound` when it does not exist or is outside their units."""
    plan = plans_visible_to(user).select_related("unit").filter(pk=plan_id).first()
    if plan is None:
        raise NotFound(f"reform plan {plan_id} does not exist or is outside your units")
    return plan


def plan_for_unit(*, unit_code: str, year: int) -> ReformPlan:
    """The plan of a unit for a year (the CLI: no user scope)."""
    unit = Unit.objects.filter(code=unit_code).first()
    if unit is None:
        raise NotFound(f"unit {unit_code!r} does not exist", field="unit", value=unit_code)
    plan = ReformPlan.objects.select_related("unit").filter(unit=unit, year=year).first()
    if plan is None:
        raise NotFound(f"{unit.name} has no reform plan for {year}", field="year", value=year)
    return plan


def plan_tasks(plan: ReformPlan) -> QuerySet[ReformTask]:
    """The plan's tasks in number order (2.9 before 2.10), with their evidence."""
    return plan.tasks.order_by("sort_key").prefetch_related("evidence")


def task_get(*, user: User, task_id: int) -> ReformTask:
    task = (ReformTask.objects.select_related("plan__unit")
            .filter(pk=task_id, plan__in=plans_visible_to(user)).first())
    if task is None:
        raise NotFound(f"reform task {task_id} does not exist or is outside your units")
    return task


def task_adjustments(task: ReformTask) -> QuerySet[TaskAdjustment]:
    return task.adjustments.select_related("actor").order_by("at", "id")


def task_removal_reasons(plan: ReformPlan) -> dict[int, str]:
    """For each removed task of the plan, the reason of the adjustment that removed it (the latest)."""
    reasons: dict[int, str] = {}
    for task_id, reason in (TaskAdjustment.objects
                            .filter(task__plan=plan, task__status=TaskStatus.REMOVED, field="status",
                                    new_value=TaskStatus.REMOVED)
                            .order_by("at", "id").values_list("task_id", "reason")):
        reasons[task_id] = reason
    return reasons


def plan_completion(plan: ReformPlan, *, as_of: date) -> dict[str, Any]:
    """The completion figures of rules §6 at the end of ``as_of``.

    - ``total``, ``removed``, ``counted`` (= total − removed);
    - ``done`` = ``done_on_time`` + ``done_late``: tasks completed on or before ``as_of``;
    - ``in_progress``, ``not_started``, ``overdue``: tasks not done by ``as_of``; ``overdue`` when their
      deadline is before ``as_of`` (computed, never stored);
    - ``rate`` = done ÷ counted, a percent rounded half-up to 2 decimals (31/41 → 75.61); ``null`` if 0/0;
    - ``by_deadline``: tasks due by ``as_of`` (deadline ≤ as_of, not removed), and of those the ones done on
      time;
    - ``by_year_end``: done ÷ counted taken at 31 December of the plan year;
    - ``by_area``: the same counts per area.
    """
    year_end = date(plan.year, 12, 31)
    result = completion.evaluate((t.facts() for t in plan.tasks.all()), as_of=as_of, year_end=year_end,
                                 area_order=Area.values)

    def ratio(r: completion.Ratio) -> dict[str, Any]:
        value = r.rate
        return {"numerator": r.numerator, "denominator": r.denominator,
                "rate": float(value) if value is not None else None}

    return {
        "plan": {"id": plan.pk, "unit": plan.unit.code, "unit_name": plan.unit.name, "year": plan.year,
                 "decision_number": plan.decision_number, "decision_date": plan.decision_date.isoformat(),
                 "title": plan.title},
        "as_of": as_of.isoformat(),
        **completion.counts_dict(result.counts),
        "by_deadline": {"as_of": as_of.isoformat(), **ratio(result.by_deadline)},
        "by_year_end": {"as_of": year_end.isoformat(), **ratio(result.by_year_end)},
        "by_area": [{"area": area, "name": AREA_NAMES[area], **completion.counts_dict(counts)}
                    for area, counts in result.by_area.items()],
    }


def plan_export(plan: ReformPlan) -> dict[str, Any]:
    """The plan as a plan document (docs/reform-plan.md): importing it back changes nothing."""
    reasons = task_removal_reasons(plan)
    tasks = []
    for task in plan_tasks(plan):
        item: dict[str, Any] = {
            "number": task.number, "area": task.area, "content": task.content,
            "expected_product": task.expected_product, "lead": task.lead, "cooperating": task.cooperating,
            "deadline": task.deadline.isoformat(), "status": task.status,
            "completed_on": task.completed_on.isoformat() if task.completed_on else None, "note": task.note,
            "evidence": [{"title": e.title, "document_number": e.document_number,
                          "document_date": e.document_date.isoformat() if e.document_date else None,
                          "reference": e.reference} for e in task.evidence.all()],
        }
        if task.status == TaskStatus.REMOVED:
            item["removal_reason"] = reasons.get(task.pk, "")
        tasks.append(item)
    return {"unit": plan.unit.code, "year": plan.year, "decision_number": plan.decision_number,
            "decision_date": plan.decision_date.isoformat(), "title": plan.title, "tasks": tasks}


def plan_export_xlsx(plan: ReformPlan) -> bytes:
    """The plan as a workbook with Vietnamese headings (:func:`motcua.reform.xlsx.write_plan`)."""
    from motcua.reform import xlsx

    return xlsx.write_plan(plan_export(plan), unit_name=plan.unit.name)
