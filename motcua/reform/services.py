"""Writes of the reform plan (rules §6): plans, tasks, evidence, the plan file import, and the demo plan.

Every service is atomic and keyword-only, takes the acting user (``None`` = the system: the CLI, the demo
loader) and the instant ``at`` (default: now; the only clock read), and raises the errors of
:mod:`motcua.core.errors`. Every change of a task's fields writes one :class:`TaskAdjustment` row per field
(old → new, reason, actor, instant): the task's history is never rewritten.

Who may write (rules are silent; domain-research §9 gives leadership the approval role):

- plans, new tasks, the plan file import, and changes of a task's content (area, content, product, offices):
  ``admin`` or ``approver`` of the unit (or of its province);
- a task's status, completion date, deadline, note, removal, evidence: also the unit's ``clerk``.

A user with no role in the task's unit gets :class:`NotFound` (the task is outside their units); a user with
another role gets :class:`Forbidden`.

The status is decided from the dates (:func:`motcua.reform.completion.decide_status`): ask for ``done`` (or
either ``done_*``) with ``completed_on``, and the task becomes ``done_on_time`` when ``completed_on ≤
deadline``, else ``done_late``. ``overdue`` is never stored (it is computed at the date figures are taken);
removing a task, or bringing a removed task back, needs a reason.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from motcua.accounts.models import User
from motcua.accounts.selectors import roles_in_unit
from motcua.catalogue.models import Unit
from motcua.core.errors import Conflict, FieldError, Forbidden, NotFound
from motcua.domain.lifecycle import Role
from motcua.reform import completion
from motcua.reform.models import (
    AREA_NAMES,
    NUMBER_PATTERN,
    STATUS_NAMES,
    Area,
    ReformPlan,
    ReformTask,
    TaskAdjustment,
    TaskEvidence,
    TaskStatus,
    number_sort_key,
)

__all__ = [
    "DEMO_PLAN",
    "PLAN_ROLES",
    "TASK_ROLES",
    "UNSET",
    "PlanImportResult",
    "evidence_add",
    "plan_create",
    "plan_import",
    "plan_import_xlsx",
    "plan_load_demo",
    "plan_update",
    "task_create",
    "task_remove",
    "task_update",
]

PLAN_ROLES: Final = frozenset({Role.ADMIN, Role.APPROVER, Role.SYSTEM})
"""May create and import plans, add tasks and change a task's content."""
TASK_ROLES: Final = frozenset({Role.ADMIN, Role.APPROVER, Role.CLERK, Role.SYSTEM})
"""May change a task's status, dates and note, remove it, and add evidence."""

CONTENT_FIELDS: Final = ("area", "content", "expected_product", "lead", "cooperating")
TRACKED_FIELDS: Final = (*CONTENT_FIELDS, "deadline", "status", "completed_on", "note")
"""The task fields whose every change writes an adjustment row, in this order."""

DEMO_PLAN: Final = Path(__file__).parent / "data" / "dong_khe_2025.json"

PLAN_KEYS: Final = frozenset({"unit", "year", "decision_number", "decision_date", "title", "tasks"})
TASK_KEYS: Final = frozenset({*TRACKED_FIELDS, "number", "evidence", "removal_reason"})
EVIDENCE_KEYS: Final = frozenset({"title", "document_number", "document_date", "reference"})
IMPORT_REASON: Final = "nhập kế hoạch từ tệp"


class _Unset(Enum):
    unset = "UNSET"


UNSET: Final = _Unset.unset
"""An argument left out: the field keeps its value (``None`` is a value: it clears a date)."""


# -- helpers ----------------------------------------------------------------------------------------------


def _authorize(actor: User | None, unit: Unit, allowed: frozenset[Role], action: str, *,
               hidden: str | None = None) -> None:
    roles = roles_in_unit(actor, unit)
    if not roles and hidden is not None:
        raise NotFound(f"{hidden} does not exist or is outside your units")
    if not roles & allowed:
        needed = ", ".join(sorted(r.value for r in allowed if r is not Role.SYSTEM))
        raise Forbidden(f"{action} in {unit.name} needs the role {needed}")


def _today(unit: Unit, at: datetime) -> date:
    return at.astimezone(ZoneInfo(unit.timezone)).date()


def _shown(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _unit(code: str, where: str = "unit") -> Unit:
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise FieldError(where, code, "is not a known unit code")
    return unit


def _as_date(value: Any, where: str, *, required: bool) -> date | None:
    if value is None or value == "":
        if required:
            raise FieldError(where, value, "is required")
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise FieldError(where, value, "must be a date YYYY-MM-DD")


def _required_date(value: Any, where: str) -> date:
    result = _as_date(value, where, required=True)
    assert result is not None
    return result


def _as_text(value: Any, where: str, *, required: bool, max_length: int) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise FieldError(where, value, "must be a string")
    value = value.strip()
    if required and not value:
        raise FieldError(where, value, "is required")
    if len(value) > max_length:
        raise FieldError(where, value[:40] + "…", f"is longer than {max_length} characters")
    return value


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


_AREA_NAMES: Final = {**{_norm(label): value for value, label in AREA_NAMES.items()},
                      **{value: value for value in Area.values}}
_STATUS_NAMES: Final = {**{_norm(label): value for value, label in STATUS_NAMES.items()},
                        **{value: value for value in TaskStatus.values},
                        "done": "done", "hoàn thành": "done"}


def _as_area(value: Any, where: str) -> str:
    area = _AREA_NAMES.get(_norm(value)) if isinstance(value, str) else None
    if area is None:
        raise FieldError(where, value, f"must be one of {', '.join(Area.values)} (or their Vietnamese names)")
    return area


def _as_status(value: Any, where: str) -> str:
    status = _STATUS_NAMES.get(_norm(value)) if isinstance(value, str) else None
    if status is None:
        raise FieldError(where, value, "must be one of not_started, in_progress, done, done_on_time, done_late, "
                                       "removed (or their Vietnamese names)")
    return status


def _as_number(value: Any, where: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise FieldError(where, value, "must be a task number such as 1 or 2.3 (as text)")
    number = value.strip().rstrip(".")
    if not NUMBER_PATTERN.match(number):
        raise FieldError(where, value, "must be a task number such as 1 or 2.3")
    return ".".join(str(int(part)) for part in number.split("."))


def _as_year(value: Any, where: str = "year") -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or isinstance(value, bool) or not 2000 <= value <= 2100:
        raise FieldError(where, value, "must be a year between 2000 and 2100")
    return value


def _reason(value: str, where: str = "reason") -> str:
    return _as_text(value, where, required=False, max_length=2000)


# -- plans ------------------------------------------------------------------------------------------------


@transaction.atomic
def plan_create(*, unit_code: str, year: int, decision_number: str, decision_date: date, title: str,
                actor: User | None = None) -> ReformPlan:
    """A unit's reform plan for ``year``; :class:`Conflict` if the unit already has one for that year."""
    unit = _unit(unit_code)
    _authorize(actor, unit, PLAN_ROLES, "creating a reform plan")
    year = _as_year(year)
    if ReformPlan.objects.filter(unit=unit, year=year).exists():
        raise Conflict(f"{unit.name} already has a reform plan for {year}", field="year", value=year)
    return ReformPlan.objects.create(
        unit=unit, year=year,
        decision_number=_as_text(decision_number, "decision_number", required=True, max_length=100),
        decision_date=_required_date(decision_date, "decision_date"),
        title=_as_text(title, "title", required=True, max_length=500),
    )


@transaction.atomic
def plan_update(*, plan_id: int, actor: User | None = None, decision_number: str | _Unset = UNSET,
                decision_date: date | _Unset = UNSET, title: str | _Unset = UNSET) -> ReformPlan:
    """Change a plan's decision number, date or title (the year and unit are its identity)."""
    plan = ReformPlan.objects.select_for_update().select_related("unit").filter(pk=plan_id).first()
    if plan is None:
        raise NotFound(f"reform plan {plan_id} does not exist", field="plan", value=plan_id)
    _authorize(actor, plan.unit, PLAN_ROLES, "changing a reform plan", hidden=f"reform plan {plan_id}")
    if not isinstance(decision_number, _Unset):
        plan.decision_number = _as_text(decision_number, "decision_number", required=True, max_length=100)
    if not isinstance(decision_date, _Unset):
        plan.decision_date = _required_date(decision_date, "decision_date")
    if not isinstance(title, _Unset):
        plan.title = _as_text(title, "title", required=True, max_length=500)
    plan.save()
    return plan


# -- tasks ------------------------------------------------------------------------------------------------


def _record(task: ReformTask, *, fields: Mapping[str, tuple[object, object]], reason: str, actor: User | None,
            at: datetime) -> None:
    TaskAdjustment.objects.bulk_create(
        TaskAdjustment(task=task, at=at, field=name, old_value=_shown(old), new_value=_shown(new),
                       reason=reason, actor=actor)
        for name, (old, new) in fields.items()
    )


def _change(task: ReformTask, changes: Mapping[str, Any], *, today: date, reason: str, actor: User | None,
            at: datetime, where: str = "") -> dict[str, tuple[object, object]]:
    """Apply validated ``changes`` to ``task``, deciding its status from the dates; save and record them.

    Returns the changed fields as ``{field: (old, new)}``. ``where`` prefixes field names in errors
    (``tasks[3].``).
    """
    old = {name: getattr(task, name) for name in TRACKED_FIELDS}
    new = {**old, **changes}
    if "completed_on" in changes and new["completed_on"] is not None and new["completed_on"] > today:
        raise FieldError(f"{where}completed_on", new["completed_on"], f"is after today ({today.isoformat()})")
    if "status" in changes:
        requested = changes["status"]
        if requested in completion.OPEN and "completed_on" not in changes:
            new["completed_on"] = None  # reopening a done task clears its completion date
    else:
        requested = "done" if old["status"] in completion.DONE else old["status"]
    try:
        new["status"] = completion.decide_status(requested, deadline=new["deadline"],
                                                 completed_on=new["completed_on"])
    except completion.StatusRuleError as exc:
        value = changes.get("status") if exc.field == "status" else new["completed_on"]
        hint = (" (send status done with it)" if exc.field == "completed_on" and "status" not in changes
                and old["status"] in completion.OPEN else "")
        raise FieldError(f"{where}{exc.field}", value, exc.message + hint) from exc
    removing = new["status"] == TaskStatus.REMOVED and old["status"] != TaskStatus.REMOVED
    restoring = old["status"] == TaskStatus.REMOVED and new["status"] != TaskStatus.REMOVED
    if (removing or restoring) and not reason:
        verb = "removing a task" if removing else "bringing back a removed task"
        raise FieldError(f"{where}reason", reason, f"is required when {verb}")
    changed = {name: (old[name], new[name]) for name in TRACKED_FIELDS if old[name] != new[name]}
    if changed:
        for name, (_old, value) in changed.items():
            setattr(task, name, value)
        task.save(update_fields=[*changed, "updated_at"])
        _record(task, fields=changed, reason=reason, actor=actor, at=at)
    return changed


def _load_task(task_id: int) -> ReformTask:
    task = ReformTask.objects.select_for_update().select_related("plan__unit").filter(pk=task_id).first()
    if task is None:
        raise NotFound(f"reform task {task_id} does not exist", field="task", value=task_id)
    return task


@transaction.atomic
def task_create(*, plan_id: int, number: str, area: str, content: str, deadline: date,
                expected_product: str = "", lead: str = "", cooperating: str = "",
                status: str = TaskStatus.NOT_STARTED, completed_on: date | None = None, note: str = "",
                reason: str = "", actor: User | None = None, at: datetime | None = None) -> ReformTask:
    """A new numbered task of a plan; its first status is recorded as an adjustment from nothing."""
    at = at or timezone.now()
    plan = ReformPlan.objects.select_for_update().select_related("unit").filter(pk=plan_id).first()
    if plan is None:
        raise NotFound(f"reform plan {plan_id} does not exist", field="plan", value=plan_id)
    _authorize(actor, plan.unit, PLAN_ROLES, "adding a reform task", hidden=f"reform plan {plan_id}")
    fields = _task_fields({"number": number, "area": area, "content": content, "deadline": deadline,
                           "expected_product": expected_product, "lead": lead, "cooperating": cooperating,
                           "status": status, "completed_on": completed_on, "note": note}, where="")
    return _create(plan, fields, today=_today(plan.unit, at), reason=_reason(reason), actor=actor, at=at)


def _create(plan: ReformPlan, fields: Mapping[str, Any], *, today: date, reason: str, actor: User | None,
            at: datetime, where: str = "") -> ReformTask:
    number = fields["number"]
    if ReformTask.objects.filter(plan=plan, number=number).exists():
        raise Conflict(f"task {number} already exists in this plan", field=f"{where}number", value=number)
    completed_on = fields.get("completed_on")
    if completed_on is not None and completed_on > today:
        raise FieldError(f"{where}completed_on", completed_on, f"is after today ({today.isoformat()})")
    requested = fields.get("status", TaskStatus.NOT_STARTED)
    try:
        status = completion.decide_status(requested, deadline=fields["deadline"], completed_on=completed_on)
    except completion.StatusRuleError as exc:
        raise FieldError(f"{where}{exc.field}", requested if exc.field == "status" else completed_on,
                         exc.message) from exc
    if status == TaskStatus.REMOVED and not reason:
        raise FieldError(f"{where}reason", reason, "is required when removing a task")
    task = ReformTask.objects.create(
        plan=plan, number=number, sort_key=number_sort_key(number), area=fields["area"],
        content=fields["content"], expected_product=fields.get("expected_product", ""),
        lead=fields.get("lead", ""), cooperating=fields.get("cooperating", ""), deadline=fields["deadline"],
        status=status, completed_on=completed_on, note=fields.get("note", ""),
    )
    _record(task, fields={"status": (None, status)}, reason=reason or "tạo nhiệm vụ", actor=actor, at=at)
    return task


@transaction.atomic
def task_update(*, task_id: int, actor: User | None = None, reason: str = "", at: datetime | None = None,
                status: str | _Unset = UNSET, deadline: date | _Unset = UNSET,
                completed_on: date | _Unset | None = UNSET, note: str | _Unset = UNSET,
                area: str | _Unset = UNSET, content: str | _Unset = UNSET,
                expected_product: str | _Unset = UNSET, lead: str | _Unset = UNSET,
                cooperating: str | _Unset = UNSET) -> ReformTask:
    """Change a task; each changed field writes an adjustment row with ``reason``.

    ``status`` may be ``done`` (or ``done_on_time``/``done_late``: the dates decide which), ``not_started``,
    ``in_progress`` or ``removed`` (with a reason). A change of ``deadline`` or ``completed_on`` of a done task
    decides again between on time and late. Setting a done task back to not started / in progress clears its
    completion date.
    """
    at = at or timezone.now()
    task = _load_task(task_id)
    unit = task.plan.unit
    given = {name: value for name, value in {
        "status": status, "deadline": deadline, "completed_on": completed_on, "note": note, "area": area,
        "content": content, "expected_product": expected_product, "lead": lead, "cooperating": cooperating,
    }.items() if not isinstance(value, _Unset)}
    allowed = PLAN_ROLES if any(name in CONTENT_FIELDS for name in given) else TASK_ROLES
    _authorize(actor, unit, allowed, "changing a reform task" if allowed is TASK_ROLES
               else "changing a reform task's content", hidden=f"reform task {task_id}")
    changes = _task_fields(given, where="")
    _change(task, changes, today=_today(unit, at), reason=_reason(reason), actor=actor, at=at)
    return task


@transaction.atomic
def task_remove(*, task_id: int, reason: str, actor: User | None = None,
                at: datetime | None = None) -> ReformTask:
    """Take a task out of the plan (status ``removed``): it no longer counts in the rates (rules §6)."""
    if not _reason(reason):
        raise FieldError("reason", reason, "is required when removing a task")
    return task_update(task_id=task_id, status=TaskStatus.REMOVED, reason=reason, actor=actor, at=at)


@transaction.atomic
def evidence_add(*, task_id: int, title: str, document_number: str = "", document_date: date | None = None,
                 reference: str = "", actor: User | None = None, at: datetime | None = None) -> TaskEvidence:
    """Attach an evidence document (tài liệu kiểm chứng) to a task."""
    at = at or timezone.now()
    task = _load_task(task_id)
    _authorize(actor, task.plan.unit, TASK_ROLES, "adding evidence", hidden=f"reform task {task_id}")
    item = _evidence_fields({"title": title, "document_number": document_number,
                             "document_date": document_date, "reference": reference}, where="")
    return TaskEvidence.objects.create(task=task, added_at=at, added_by=actor, **item)


# -- the plan file ----------------------------------------------------------------------------------------


def _task_fields(item: Mapping[str, Any], *, where: str) -> dict[str, Any]:
    """The task fields present in ``item``, validated and normalized."""
    out: dict[str, Any] = {}
    if "number" in item:
        out["number"] = _as_number(item["number"], f"{where}number")
    if "area" in item:
        out["area"] = _as_area(item["area"], f"{where}area")
    if "content" in item:
        out["content"] = _as_text(item["content"], f"{where}content", required=True, max_length=5000)
    for name, limit in (("expected_product", 2000), ("lead", 300), ("cooperating", 2000), ("note", 5000)):
        if name in item:
            out[name] = _as_text(item[name], f"{where}{name}", required=False, max_length=limit)
    if "deadline" in item:
        out["deadline"] = _as_date(item["deadline"], f"{where}deadline", required=True)
    if "completed_on" in item:
        out["completed_on"] = _as_date(item["completed_on"], f"{where}completed_on", required=False)
    if "status" in item:
        out["status"] = _as_status(item["status"], f"{where}status")
    return out


def _evidence_fields(item: Mapping[str, Any], *, where: str) -> dict[str, Any]:
    return {
        "title": _as_text(item.get("title"), f"{where}title", required=True, max_length=500),
        "document_number": _as_text(item.get("document_number"), f"{where}document_number", required=False,
                                    max_length=100),
        "document_date": _as_date(item.get("document_date"), f"{where}document_date", required=False),
        "reference": _as_text(item.get("reference"), f"{where}reference", required=False, max_length=1000),
    }


def _evidence_key(item: Mapping[str, Any]) -> tuple[str, str, date | None, str]:
    return (item["title"], item["document_number"], item["document_date"], item["reference"])


def _stored_key(evidence: TaskEvidence) -> tuple[str, str, date | None, str]:
    return (evidence.title, evidence.document_number, evidence.document_date, evidence.reference)


@dataclass(frozen=True)
class _Row:
    where: str
    fields: dict[str, Any]
    evidence: list[dict[str, Any]] | None
    removal_reason: str


def _unknown(item: Mapping[str, Any], known: frozenset[str], where: str) -> None:
    for key, value in item.items():
        if key not in known:
            if isinstance(value, list):
                value = f"a list of {len(value)}"
            elif isinstance(value, Mapping):
                value = "an object"
            elif isinstance(value, str) and len(value) > 60:
                value = value[:60] + "…"
            raise FieldError(f"{where}{key}", value, f"is not a known key ({', '.join(sorted(known))})")


def _parse_rows(tasks: Any) -> list[_Row]:
    if not isinstance(tasks, list):
        raise FieldError("tasks", tasks, "must be a list of tasks")
    rows: list[_Row] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(tasks):
        where = f"tasks[{i}]."
        if not isinstance(item, Mapping):
            raise FieldError(f"tasks[{i}]", item, "must be an object")
        _unknown(item, TASK_KEYS, where)
        for key in ("number", "area", "content", "deadline"):
            if item.get(key) in (None, ""):
                raise FieldError(f"{where}{key}", item.get(key), "is required")
        fields = _task_fields({k: v for k, v in item.items() if not (k == "status" and v in (None, ""))},
                              where=where)
        number = fields["number"]
        if number in seen:
            raise FieldError(f"{where}number", number, f"is repeated (also tasks[{seen[number]}])")
        seen[number] = i
        evidence = None
        if item.get("evidence") is not None:
            if not isinstance(item["evidence"], list):
                raise FieldError(f"{where}evidence", item["evidence"], "must be a list")
            evidence = []
            for j, entry in enumerate(item["evidence"]):
                w = f"{where}evidence[{j}]."
                if not isinstance(entry, Mapping):
                    raise FieldError(w.rstrip("."), entry, "must be an object")
                _unknown(entry, EVIDENCE_KEYS, w)
                evidence.append(_evidence_fields(entry, where=w))
        removal_reason = _reason(item.get("removal_reason") or "", f"{where}removal_reason")
        rows.append(_Row(where=where, fields=fields, evidence=evidence, removal_reason=removal_reason))
    return rows


@dataclass
class PlanImportResult:
    """What an import did: task numbers created, updated, unchanged, and those of the plan not in the file."""

    plan: ReformPlan
    plan_created: bool = False
    plan_updated: bool = False
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"plan": self.plan.pk, "unit": self.plan.unit.code, "year": self.plan.year,
                "plan_created": self.plan_created, "plan_updated": self.plan_updated,
                "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "absent": self.absent}

    def lines(self) -> list[str]:
        plan = "created" if self.plan_created else "updated" if self.plan_updated else "unchanged"
        out = [f"plan {self.plan.unit.code} {self.plan.year} ({self.plan.decision_number}): {plan}"]
        out += [f"created task {n}" for n in self.created] + [f"updated task {n}" for n in self.updated]
        out += [f"task {n} is in the plan but not in the file: kept" for n in self.absent]
        out.append(f"tasks created {len(self.created)}, updated {len(self.updated)}, "
                   f"unchanged {len(self.unchanged)}")
        return out


@transaction.atomic
def plan_import(data: Any, *, unit_code: str, actor: User | None = None, at: datetime | None = None,
                reason: str = IMPORT_REASON) -> PlanImportResult:
    """Create or update a unit's plan and its tasks from a plan document (docs/reform-plan.md).

    - The plan is matched by (unit, ``year``); tasks by ``number``. Importing the same file again changes
      nothing (everything ``unchanged``); tasks of the plan missing from the file are kept (``absent``).
    - ``number``, ``area``, ``content``, ``deadline`` are required in every task. Other keys left out keep the
      task's value (a new task: empty, ``not_started``); ``null`` or ``""`` clears.
    - Evidence entries not yet on the task are added; evidence is never deleted by an import.
    - All or nothing: the first bad value raises :class:`FieldError` naming it (``tasks[3].deadline``) and
      nothing is written. Changes are recorded as adjustments with ``reason``.
    """
    at = at or timezone.now()
    if not isinstance(data, Mapping):
        raise FieldError("plan", type(data).__name__, "must be an object {year, decision_number, ..., tasks}")
    unit = Unit.objects.filter(code=unit_code).first()
    if unit is None:
        raise FieldError("unit", unit_code, "is not a known unit code")
    _unknown(data, PLAN_KEYS, "")
    if data.get("unit") not in (None, "", unit.code):
        raise FieldError("unit", data["unit"], f"the file is for another unit than {unit.code}")
    _authorize(actor, unit, PLAN_ROLES, "importing a reform plan")
    year = _as_year(data.get("year"))
    header: dict[str, Any] = {}
    if "decision_number" in data:
        header["decision_number"] = _as_text(data["decision_number"], "decision_number", required=True,
                                             max_length=100)
    if "decision_date" in data:
        header["decision_date"] = _as_date(data["decision_date"], "decision_date", required=True)
    if "title" in data:
        header["title"] = _as_text(data["title"], "title", required=True, max_length=500)
    rows = _parse_rows(data.get("tasks"))
    today = _today(unit, at)
    reason = _reason(reason)

    plan = ReformPlan.objects.select_for_update().filter(unit=unit, year=year).first()
    plan_created = plan_updated = False
    if plan is None:
        for key in ("decision_number", "decision_date", "title"):
            if key not in header:
                raise FieldError(key, None, "is required for a new plan")
        plan = ReformPlan.objects.create(unit=unit, year=year, **header)
        plan_created = True
    else:
        changed = {k: v for k, v in header.items() if getattr(plan, k) != v}
        for key, value in changed.items():
            setattr(plan, key, value)
        if changed:
            plan.save()
            plan_updated = True
    result = PlanImportResult(plan=plan, plan_created=plan_created, plan_updated=plan_updated)

    existing = {t.number: t for t in ReformTask.objects.select_for_update().filter(plan=plan)}
    in_file = set()
    for row in rows:
        number = row.fields["number"]
        in_file.add(number)
        task = existing.get(number)
        removing = row.fields.get("status") == TaskStatus.REMOVED
        row_reason = (row.removal_reason or reason) if removing else reason
        if task is None:
            if removing and not row.removal_reason:
                raise FieldError(f"{row.where}removal_reason", "", "is required for a removed task")
            task = _create(plan, {"status": TaskStatus.NOT_STARTED, **row.fields}, today=today,
                           reason=row_reason, actor=actor, at=at, where=row.where)
            result.created.append(number)
            touched = True
        else:
            if removing and task.status != TaskStatus.REMOVED and not row.removal_reason:
                raise FieldError(f"{row.where}removal_reason", "", "is required when removing a task")
            changes = {k: v for k, v in row.fields.items() if k != "number"}
            touched = bool(_change(task, changes, today=today, reason=row_reason, actor=actor, at=at,
                                   where=row.where))
        if row.evidence:
            have = {_stored_key(e) for e in task.evidence.all()}
            for item in row.evidence:
                if _evidence_key(item) not in have:
                    TaskEvidence.objects.create(task=task, added_at=at, added_by=actor, **item)
                    have.add(_evidence_key(item))
                    touched = True
        if number not in result.created:
            (result.updated if touched else result.unchanged).append(number)
    result.absent = sorted((n for n in existing if n not in in_file), key=number_sort_key)
    return result


def plan_import_xlsx(content: bytes, *, unit_code: str, actor: User | None = None, at: datetime | None = None,
                     reason: str = IMPORT_REASON) -> PlanImportResult:
    """:func:`plan_import` of a workbook in the layout :func:`~motcua.reform.xlsx.write_plan` writes.

    Errors name the same field (``tasks[3].deadline``) and add the sheet and cell (``Nhiệm vụ!G8``).
    """
    from motcua.reform import xlsx

    data, cells = xlsx.read_plan(content)
    try:
        return plan_import(data, unit_code=unit_code, actor=actor, at=at, reason=reason)
    except FieldError as exc:
        cell = cells.get(exc.field or "")
        if cell is None:
            raise
        detail = exc.message.removeprefix(f"{exc.field}: ")
        raise FieldError(exc.field or "", exc.value, f"{detail} [{cell}]") from exc


def plan_load_demo(unit: Unit, *, at: datetime | None = None) -> PlanImportResult:
    """Import the sample 2025 plan of Đông Khê (``data/dong_khe_2025.json``) into ``unit``; idempotent.

    The sample is built so that at 2025-11-30 it gives the inspection's figures: 41 tasks, 31 done, 75.61%.
    """
    data = json.loads(DEMO_PLAN.read_text(encoding="utf-8"))
    return plan_import(data, unit_code=unit.code, actor=None, at=at, reason="dữ liệu mẫu (demo)")
