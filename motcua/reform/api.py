"""``/reform``: the administrative-reform plan (rules §6), mounted at ``/api/v1/reform``.

Reading needs a role in the plan's unit or its province (an inspector of the province reads every commune's
plan); a plan or task outside the caller's units is 404. Writing is decided by the services
(:mod:`motcua.reform.services`): importing needs ``admin`` or ``approver`` of the unit, changing a task or
adding evidence also ``clerk``; another role → 403. Bad values → 422 naming the field (``tasks[3].deadline``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict, Field

from motcua.api.auth import request_user
from motcua.api.common import PageOut, PageQuery, local, page
from motcua.api.errors import ProblemOut
from motcua.reform import completion
from motcua.reform.models import AREA_NAMES, ReformPlan, ReformTask, TaskEvidence
from motcua.reform.selectors import (
    plan_completion,
    plan_get,
    plan_list,
    plan_tasks,
    task_adjustments,
    task_get,
)
from motcua.reform.services import evidence_add, plan_import, task_update

__all__ = ["router"]

router = Router(tags=["reform"])

READ_ERRORS = {401: ProblemOut, 404: ProblemOut, 422: ProblemOut}
WRITE_ERRORS = {401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 409: ProblemOut, 422: ProblemOut}

AreaLiteral = Literal["institutional", "procedures", "apparatus", "civil_service", "public_finance",
                      "digital_government", "direction"]
StatusLiteral = Literal["not_started", "in_progress", "done_on_time", "done_late", "overdue", "removed"]


def _today(plan: ReformPlan) -> date:
    return timezone.now().astimezone(ZoneInfo(plan.unit.timezone)).date()


# -- output -----------------------------------------------------------------------------------------------


class ReformPlanSummaryOut(Schema):
    id: int
    unit: str = Field(description="unit code")
    unit_name: str
    year: int
    decision_number: str = Field(description="e.g. 38/KH-UBND")
    decision_date: date
    title: str
    task_count: int = Field(description="number of tasks, removed ones included")
    removed_count: int


class ReformEvidenceOut(Schema):
    id: int
    title: str
    document_number: str
    document_date: date | None
    reference: str = Field(description="a URL or a file reference")
    added_at: datetime


class ReformTaskOut(Schema):
    id: int
    number: str = Field(description="e.g. 2.3; tasks are listed in number order")
    area: AreaLiteral
    area_name: str
    content: str
    expected_product: str
    lead: str
    cooperating: str
    deadline: date
    status: StatusLiteral = Field(description="as stored (never `overdue`)")
    standing: StatusLiteral = Field(description="the status today: `overdue` when not done and the deadline "
                                                "has passed")
    completed_on: date | None
    note: str
    evidence: list[ReformEvidenceOut]


class ReformPlanOut(ReformPlanSummaryOut):
    tasks: list[ReformTaskOut]


class ReformPlanPage(PageOut):
    items: list[ReformPlanSummaryOut]


class ReformCountsOut(Schema):
    total: int
    removed: int
    counted: int = Field(description="total − removed")
    done: int = Field(description="done_on_time + done_late, completed on or before as_of")
    done_on_time: int
    done_late: int
    in_progress: int
    not_started: int
    overdue: int = Field(description="not done by as_of and the deadline is before as_of")
    rate: float | None = Field(description="done ÷ counted, percent rounded half-up to 2 decimals; "
                                           "null when nothing counts")


class ReformRatioOut(Schema):
    as_of: date
    numerator: int
    denominator: int
    rate: float | None


class ReformAreaCountsOut(ReformCountsOut):
    area: AreaLiteral
    name: str


class ReformCompletionPlanOut(Schema):
    id: int
    unit: str
    unit_name: str
    year: int
    decision_number: str
    decision_date: date
    title: str


class ReformCompletionOut(ReformCountsOut):
    plan: ReformCompletionPlanOut
    as_of: date
    by_deadline: ReformRatioOut = Field(description="tasks due by as_of (deadline ≤ as_of) done on time / due")
    by_year_end: ReformRatioOut = Field(description="done / counted at 31 December of the plan year")
    by_area: list[ReformAreaCountsOut]


class ReformAdjustmentOut(Schema):
    at: datetime
    field: str
    old_value: str
    new_value: str
    reason: str
    actor: str | None = Field(description="username; null = the system (import, CLI)")


class ReformImportOut(Schema):
    plan: int = Field(description="the plan's id")
    unit: str
    year: int
    plan_created: bool
    plan_updated: bool
    created: list[str] = Field(description="task numbers")
    updated: list[str]
    unchanged: list[str]
    absent: list[str] = Field(description="tasks of the plan not in the document (kept)")


def _summary(plan: ReformPlan) -> dict[str, Any]:
    tasks = getattr(plan, "task_count", None)
    removed = getattr(plan, "removed_count", None)
    if tasks is None or removed is None:
        tasks = plan.tasks.count()
        removed = plan.tasks.filter(status="removed").count()
    return {"id": plan.pk, "unit": plan.unit.code, "unit_name": plan.unit.name, "year": plan.year,
            "decision_number": plan.decision_number, "decision_date": plan.decision_date, "title": plan.title,
            "task_count": tasks, "removed_count": removed}


def _evidence(e: TaskEvidence, tz: str) -> dict[str, Any]:
    return {"id": e.pk, "title": e.title, "document_number": e.document_number,
            "document_date": e.document_date, "reference": e.reference, "added_at": local(e.added_at, tz)}


def _task(task: ReformTask, *, today: date, tz: str) -> dict[str, Any]:
    return {"id": task.pk, "number": task.number, "area": task.area, "area_name": AREA_NAMES[task.area],
            "content": task.content, "expected_product": task.expected_product, "lead": task.lead,
            "cooperating": task.cooperating, "deadline": task.deadline, "status": task.status,
            "standing": completion.standing(task.facts(), as_of=today), "completed_on": task.completed_on,
            "note": task.note, "evidence": [_evidence(e, tz) for e in task.evidence.all()]}


# -- reading ----------------------------------------------------------------------------------------------


class ReformPlanQuery(PageQuery):
    unit: str | None = Field(None, description="a unit's code, or a province's code: its communes' plans")
    year: int | None = Field(None, ge=2000, le=2100)


@router.get("/plans", response={200: ReformPlanPage, **READ_ERRORS}, operation_id="reform_plan_list",
            summary="List reform plans (kế hoạch CCHC) of your units")
def reform_plan_list(request: HttpRequest, query: Query[ReformPlanQuery]) -> dict[str, Any]:
    count, plans = page(plan_list(user=request_user(request), unit=query.unit, year=query.year), query)
    return {"count": count, "limit": query.limit, "offset": query.offset, "items": [_summary(p) for p in plans]}


@router.get("/plans/{int:plan_id}", response={200: ReformPlanOut, **READ_ERRORS}, operation_id="reform_plan_get",
            summary="One reform plan with its tasks (in number order) and their evidence")
def reform_plan_get(request: HttpRequest, plan_id: int) -> dict[str, Any]:
    plan = plan_get(user=request_user(request), plan_id=plan_id)
    today, tz = _today(plan), plan.unit.timezone
    return {**_summary(plan), "tasks": [_task(t, today=today, tz=tz) for t in plan_tasks(plan)]}


class ReformCompletionQuery(Schema):
    as_of: date | None = Field(None, description="the figures at the end of this local date (default: today)")


@router.get("/plans/{int:plan_id}/completion", response={200: ReformCompletionOut, **READ_ERRORS},
            operation_id="reform_plan_completion", summary="Completion rates of a plan (rules §6)",
            description="done ÷ (total − removed) at `as_of`, by deadline, by year end, and per area. "
                        "A task not done whose deadline is before `as_of` counts as overdue.")
def reform_plan_completion(request: HttpRequest, plan_id: int, query: Query[ReformCompletionQuery]) -> dict[str, Any]:
    plan = plan_get(user=request_user(request), plan_id=plan_id)
    return plan_completion(plan, as_of=query.as_of or _today(plan))


@router.get("/tasks/{int:task_id}/adjustments", response={200: list[ReformAdjustmentOut], **READ_ERRORS},
            operation_id="reform_task_adjustments", summary="A task's history: every change, oldest first")
def reform_task_adjustments(request: HttpRequest, task_id: int) -> list[dict[str, Any]]:
    task = task_get(user=request_user(request), task_id=task_id)
    tz = task.plan.unit.timezone
    return [{"at": local(a.at, tz), "field": a.field, "old_value": a.old_value, "new_value": a.new_value,
             "reason": a.reason, "actor": a.actor.username if a.actor else None} for a in task_adjustments(task)]


# -- writing ----------------------------------------------------------------------------------------------


class _Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class ReformEvidenceFileIn(_Strict):
    title: str
    document_number: str | None = None
    document_date: str | None = Field(None, description="YYYY-MM-DD")
    reference: str | None = None


class ReformTaskFileIn(_Strict):
    number: str | int = Field(description="e.g. 2.3")
    area: str = Field(description="an area code, or its Vietnamese name")
    content: str
    expected_product: str | None = None
    lead: str | None = None
    cooperating: str | None = None
    deadline: str = Field(description="YYYY-MM-DD")
    status: str | None = Field(None, description="not_started | in_progress | done | done_on_time | done_late | "
                                                 "removed; left out: unchanged (new task: not_started)")
    completed_on: str | None = Field(None, description="YYYY-MM-DD; required for a done task")
    note: str | None = None
    evidence: list[ReformEvidenceFileIn] | None = Field(None, description="added when not yet on the task")
    removal_reason: str | None = Field(None, description="required when the task becomes removed")


class ReformPlanFileIn(_Strict):
    unit: str = Field(description="unit code")
    year: int
    decision_number: str | None = Field(None, description="required for a new plan")
    decision_date: str | None = Field(None, description="YYYY-MM-DD; required for a new plan")
    title: str | None = Field(None, description="required for a new plan")
    tasks: list[ReformTaskFileIn]


@router.post("/plans/import", response={200: ReformImportOut, **WRITE_ERRORS}, operation_id="reform_plan_import",
             summary="Create or update a plan and its tasks from a plan document",
             description="The document of `GET /plans/{id}`'s export format (docs/reform-plan.md). Tasks are "
                         "matched by number; importing the same document again changes nothing. All or "
                         "nothing: a bad value is a 422 naming it (`tasks[3].deadline`). Roles: admin or "
                         "approver of the unit.")
def reform_plan_import(request: HttpRequest, payload: ReformPlanFileIn) -> dict[str, Any]:
    data = payload.model_dump(exclude_unset=True)
    return plan_import(data, unit_code=payload.unit, actor=request_user(request)).as_dict()


class ReformTaskPatchIn(_Strict):
    status: Literal["not_started", "in_progress", "done", "done_on_time", "done_late", "removed"] | None = Field(
        None, description="`done` (or either done_*) needs completed_on; the dates decide on time or late")
    deadline: date | None = None
    completed_on: date | None = Field(None, description="null clears it")
    note: str | None = None
    reason: str = Field("", max_length=2000, description="why (recorded with each change); required to remove "
                                                         "a task or bring a removed one back")


@router.patch("/tasks/{int:task_id}", response={200: ReformTaskOut, **WRITE_ERRORS}, operation_id="reform_task_update",
              summary="Change a task's status, deadline, completion date or note",
              description="Each changed field is recorded as an adjustment (`GET /tasks/{id}/adjustments`). "
                          "Roles: approver, admin or clerk of the unit.")
def reform_task_update(request: HttpRequest, task_id: int, payload: ReformTaskPatchIn) -> dict[str, Any]:
    changes = payload.model_dump(exclude_unset=True)
    reason = changes.pop("reason", "")
    task = task_update(task_id=task_id, actor=request_user(request), reason=reason, **changes)
    fresh = plan_tasks(task.plan).get(pk=task.pk)
    return _task(fresh, today=_today(task.plan), tz=task.plan.unit.timezone)


class ReformEvidenceIn(_Strict):
    title: str = Field(min_length=1, max_length=500)
    document_number: str = Field("", max_length=100, description="e.g. 112/BC-UBND")
    document_date: date | None = None
    reference: str = Field("", max_length=1000, description="a URL or a file reference")


@router.post("/tasks/{int:task_id}/evidence", response={201: ReformEvidenceOut, **WRITE_ERRORS},
             operation_id="reform_evidence_add", summary="Attach an evidence document (tài liệu kiểm chứng)",
             description="Roles: approver, admin or clerk of the unit.")
def reform_evidence_add(request: HttpRequest, task_id: int, payload: ReformEvidenceIn) -> Status:
    evidence = evidence_add(task_id=task_id, actor=request_user(request), **payload.model_dump())
    return Status(201, _evidence(evidence, evidence.task.plan.unit.timezone))
