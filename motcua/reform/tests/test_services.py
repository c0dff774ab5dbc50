"""Services: statuses decided from dates, adjustments recorded, removal, permissions (rules §6)."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import Staff
from motcua.core.errors import Conflict, FieldError, Forbidden, NotFound
from motcua.reform.models import ReformPlan, ReformTask, TaskAdjustment
from motcua.reform.selectors import plan_completion
from motcua.reform.services import evidence_add, plan_create, task_create, task_remove, task_update
from motcua.reform.tests.conftest import AT

D = date.fromisoformat


def _task(plan: ReformPlan, number: str) -> ReformTask:
    return plan.tasks.get(number=number)


def _history(task: ReformTask) -> list[tuple[str, str, str]]:
    return list(task.adjustments.order_by("at", "id").values_list("field", "old_value", "new_value"))


def test_done_is_decided_on_time_or_late_from_the_dates(plan: ReformPlan, staff: Staff) -> None:
    # given: task 3 is due 2025-10-31
    task = _task(plan, "3")
    # when: the clerk says it was done on time, but it was completed after the deadline
    updated = task_update(task_id=task.pk, status="done_on_time", completed_on=D("2025-11-10"),
                          actor=staff.clerk, reason="báo cáo số 140/BC-UBND", at=AT)
    # then
    assert (updated.status, updated.completed_on) == ("done_late", D("2025-11-10"))
    rows = TaskAdjustment.objects.filter(task=task, actor=staff.clerk)
    assert {(r.field, r.old_value, r.new_value) for r in rows} == {
        ("status", "in_progress", "done_late"), ("completed_on", "", "2025-11-10")}
    assert {(r.actor, r.reason) for r in rows} == {(staff.clerk, "báo cáo số 140/BC-UBND")}


def test_moving_the_deadline_of_a_done_task_decides_again(plan: ReformPlan, staff: Staff) -> None:
    # given: 2.1 was completed 2025-09-05, after its deadline 2025-08-31
    task = _task(plan, "2.1")
    assert task.status == "done_late"
    # when: the plan is adjusted and the deadline moved to 30 September
    updated = task_update(task_id=task.pk, deadline=D("2025-09-30"), actor=staff.approver,
                          reason="Kế hoạch điều chỉnh số 60/KH-UBND", at=AT)
    # then
    assert updated.status == "done_on_time"
    assert _history(updated)[-2:] == [("deadline", "2025-08-31", "2025-09-30"),
                                      ("status", "done_late", "done_on_time")]


def test_reopening_a_done_task_clears_its_completion_date(plan: ReformPlan, staff: Staff) -> None:
    # when
    updated = task_update(task_id=_task(plan, "1").pk, status="in_progress", actor=staff.approver,
                          reason="sản phẩm chưa đạt", at=AT)
    # then
    assert (updated.status, updated.completed_on) == ("in_progress", None)


@pytest.mark.parametrize(("changes", "field", "value"), [
    ({"status": "done"}, "completed_on", None),                                   # done needs a date
    ({"completed_on": D("2025-11-01")}, "completed_on", D("2025-11-01")),         # a date needs done
    ({"status": "done", "completed_on": D("2025-12-01")}, "completed_on", D("2025-12-01")),  # in the future
    ({"status": "overdue"}, "status", "overdue"),                                 # computed, never stored
    ({"status": "removed"}, "reason", ""),                                        # removal needs a reason
])
def test_inconsistent_changes_name_the_field_and_change_nothing(plan: ReformPlan, staff: Staff,
                                                                changes: dict[str, object], field: str,
                                                                value: object) -> None:
    # given
    task = _task(plan, "3")
    before = task.adjustments.count()
    # when
    with pytest.raises(FieldError) as error:
        task_update(task_id=task.pk, actor=staff.approver, at=AT, **changes)  # type: ignore[arg-type]
    # then
    assert (error.value.field, error.value.value) == (field, value)
    task.refresh_from_db()
    assert (task.status, task.completed_on, task.adjustments.count()) == ("in_progress", None, before)


def test_a_removed_task_leaves_the_rate_and_keeps_its_reason(plan: ReformPlan, staff: Staff) -> None:
    # given: 2 of 5 done = 40.00
    assert plan_completion(plan, as_of=D("2025-11-30"))["rate"] == 40.0
    # when
    task_remove(task_id=_task(plan, "3").pk, reason="không thuộc thẩm quyền của xã", actor=staff.approver, at=AT)
    # then: 2 of 4
    figures = plan_completion(plan, as_of=D("2025-11-30"))
    assert (figures["total"], figures["removed"], figures["done"], figures["rate"]) == (5, 1, 2, 50.0)
    row = _task(plan, "3").adjustments.get(field="status", new_value="removed")
    assert (row.old_value, row.reason, row.actor) == ("in_progress", "không thuộc thẩm quyền của xã", staff.approver)


def test_each_change_is_a_history_row_and_nothing_else_is(plan: ReformPlan, staff: Staff) -> None:
    # given
    task = _task(plan, "2.9")
    assert _history(task) == [("status", "", "not_started")]
    # when: a change, then the same values again
    task_update(task_id=task.pk, status="in_progress", note="đã xây dựng phiếu", actor=staff.clerk, at=AT)
    task_update(task_id=task.pk, status="in_progress", note="đã xây dựng phiếu", actor=staff.clerk, at=AT)
    # then
    assert _history(task) == [("status", "", "not_started"), ("status", "not_started", "in_progress"),
                              ("note", "", "đã xây dựng phiếu")]


def test_completion_counts_a_late_open_task_as_overdue(plan: ReformPlan) -> None:
    # when
    figures = plan_completion(plan, as_of=D("2025-11-30"))
    # then
    assert {k: figures[k] for k in ("total", "done", "done_on_time", "done_late", "in_progress", "not_started",
                                    "overdue")} == {"total": 5, "done": 2, "done_on_time": 1, "done_late": 1,
                                                    "in_progress": 1, "not_started": 1, "overdue": 1}
    assert figures["by_deadline"] == {"as_of": "2025-11-30", "numerator": 1, "denominator": 3, "rate": 33.33}
    assert figures["by_year_end"] == {"as_of": "2025-12-31", "numerator": 2, "denominator": 5, "rate": 40.0}
    assert [(a["area"], a["done"], a["counted"], a["rate"]) for a in figures["by_area"]] == [
        ("institutional", 1, 1, 100.0), ("procedures", 1, 3, 33.33), ("digital_government", 0, 1, 0.0)]
    assert _task(plan, "3").status == "in_progress"  # overdue is computed, never stored


def test_roles_decide_who_may_change_what(plan: ReformPlan, staff: Staff) -> None:
    # given
    task = _task(plan, "3")
    # then: a clerk may record progress, not change the content
    task_update(task_id=task.pk, note="đang thực hiện", actor=staff.clerk, at=AT)
    with pytest.raises(Forbidden):
        task_update(task_id=task.pk, content="Nội dung khác", actor=staff.clerk, at=AT)
    # a desk officer and the province's inspector read, but may not write
    with pytest.raises(Forbidden):
        task_update(task_id=task.pk, note="x", actor=staff.desk, at=AT)
    with pytest.raises(Forbidden):
        evidence_add(task_id=task.pk, title="Báo cáo", actor=staff.inspector, at=AT)
    # another commune does not see the task at all
    with pytest.raises(NotFound):
        task_update(task_id=task.pk, note="x", actor=staff.other_approver, at=AT)
    # only leadership or an admin adds tasks and plans
    with pytest.raises(Forbidden):
        task_create(plan_id=plan.pk, number="4", area="apparatus", content="Kiện toàn", deadline=D("2025-12-31"),
                    actor=staff.clerk, at=AT)
    with pytest.raises(Forbidden):
        plan_create(unit_code=plan.unit.code, year=2026, decision_number="1/KH-UBND",
                    decision_date=D("2026-01-05"), title="Kế hoạch 2026", actor=staff.desk)


def test_task_numbers_are_unique_in_a_plan_and_sort_as_numbers(plan: ReformPlan, staff: Staff) -> None:
    # when
    with pytest.raises(Conflict):
        task_create(plan_id=plan.pk, number="2.1", area="procedures", content="Trùng", deadline=D("2025-12-31"),
                    actor=staff.approver, at=AT)
    task_create(plan_id=plan.pk, number="2.2", area="procedures", content="Mới", deadline=D("2025-12-31"),
                status="done", completed_on=D("2025-11-30"), actor=staff.approver, at=AT)
    # then
    assert list(plan.tasks.order_by("sort_key").values_list("number", "status")) == [
        ("1", "done_on_time"), ("2.1", "done_late"), ("2.2", "done_on_time"), ("2.9", "not_started"),
        ("2.10", "in_progress"), ("3", "in_progress")]


def test_one_plan_per_unit_and_year(plan: ReformPlan, staff: Staff) -> None:
    # when / then
    with pytest.raises(Conflict):
        plan_create(unit_code=plan.unit.code, year=2025, decision_number="2/KH-UBND",
                    decision_date=D("2025-08-01"), title="Bản khác", actor=staff.admin)


def test_evidence_is_added_with_who_and_when(plan: ReformPlan, staff: Staff) -> None:
    # when
    evidence = evidence_add(task_id=_task(plan, "3").pk, title="Ảnh chụp giao diện Cổng", reference="https://x.vn/a",
                            document_date=D("2025-11-20"), actor=staff.clerk, at=AT)
    # then
    assert (evidence.added_by, evidence.added_at, evidence.task.number) == (staff.clerk, AT, "3")
