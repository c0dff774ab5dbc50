"""The plan file: JSON and XLSX import, export, round trips, and all-or-nothing errors."""

from __future__ import annotations

import copy
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from conftest import COMMUNE, OTHER_COMMUNE, Staff
from motcua.core.errors import FieldError, Forbidden
from motcua.reform import xlsx
from motcua.reform.models import ReformPlan, ReformTask, TaskAdjustment, TaskEvidence
from motcua.reform.selectors import plan_export, plan_export_xlsx
from motcua.reform.services import plan_import, plan_import_xlsx, task_remove
from motcua.reform.tests.conftest import AT, small_plan


def _rows() -> tuple[int, int, int, int]:
    return (ReformPlan.objects.count(), ReformTask.objects.count(), TaskEvidence.objects.count(),
            TaskAdjustment.objects.count())


def test_import_creates_the_plan_and_a_second_import_changes_nothing(catalogue: object) -> None:
    # when
    first = plan_import(small_plan(), unit_code=COMMUNE, at=AT)
    rows = _rows()
    again = plan_import(small_plan(), unit_code=COMMUNE, at=AT)
    # then
    assert (first.plan_created, first.created) == (True, ["1", "2.1", "2.10", "2.9", "3"])
    assert rows == (1, 5, 1, 5)
    assert (again.plan_created, again.plan_updated, again.created, again.updated) == (False, False, [], [])
    assert again.unchanged == ["1", "2.1", "2.10", "2.9", "3"]
    assert _rows() == rows
    assert again.lines()[-1] == "tasks created 0, updated 0, unchanged 5"


def test_export_then_import_changes_nothing(plan: ReformPlan, staff: Staff) -> None:
    # given: a removed task too, whose reason travels in the file
    task_remove(task_id=plan.tasks.get(number="2.9").pk, reason="không thuộc thẩm quyền", actor=staff.approver,
                at=AT)
    exported = plan_export(plan)
    rows = _rows()
    # when
    result = plan_import(copy.deepcopy(exported), unit_code=COMMUNE, at=AT)
    # then
    assert (result.created, result.updated, len(result.unchanged), result.plan_updated) == ([], [], 5, False)
    assert _rows() == rows
    assert plan_export(plan) == exported
    removed = next(t for t in exported["tasks"] if t["number"] == "2.9")
    assert (removed["status"], removed["removal_reason"]) == ("removed", "không thuộc thẩm quyền")
    assert [t["number"] for t in exported["tasks"]] == ["1", "2.1", "2.9", "2.10", "3"]


def test_the_xlsx_file_has_the_same_content_as_the_json_file(plan: ReformPlan) -> None:
    # given
    exported = plan_export(plan)
    # when
    content = plan_export_xlsx(plan)
    data, _cells = xlsx.read_plan(content)
    # then
    assert data == exported
    sheet = load_workbook(io.BytesIO(content))["Nhiệm vụ"]
    assert [cell.value for cell in sheet[4]][:10] == [
        "STT", "Lĩnh vực", "Nội dung nhiệm vụ", "Sản phẩm", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời hạn",
        "Trạng thái", "Ngày hoàn thành", "Minh chứng"]
    assert [cell.value for cell in sheet[5]][:2] == ["1", "Cải cách thể chế"]
    assert sheet["H6"].value == "Hoàn thành chậm"
    assert sheet["J5"].value == "112/BC-UBND ngày 20/09/2025: Báo cáo rà soát"


def test_xlsx_export_then_import_changes_nothing_and_an_edited_cell_updates_one_task(plan: ReformPlan) -> None:
    # given
    content = plan_export_xlsx(plan)
    rows = _rows()
    # when
    same = plan_import_xlsx(content, unit_code=COMMUNE, at=AT)
    book = load_workbook(io.BytesIO(content))
    book["Nhiệm vụ"]["H9"] = "Hoàn thành"         # task 3, completed 2025-11-28, after its deadline
    book["Nhiệm vụ"]["I9"] = "28/11/2025"
    edited = io.BytesIO()
    book.save(edited)
    changed = plan_import_xlsx(edited.getvalue(), unit_code=COMMUNE, at=AT)
    # then
    assert (same.created, same.updated, len(same.unchanged)) == ([], [], 5)
    assert (changed.updated, len(changed.unchanged)) == (["3"], 4)
    task = plan.tasks.get(number="3")
    assert (task.status, str(task.completed_on)) == ("done_late", "2025-11-28")
    assert TaskAdjustment.objects.count() == rows[3] + 2


def _bad(data: dict[str, Any], index: int, key: str, value: object) -> dict[str, Any]:
    data = copy.deepcopy(data)
    data["tasks"][index][key] = value
    return data


@pytest.mark.parametrize(("key", "value", "field", "shown"), [
    ("deadline", "2025-13-01", "tasks[3].deadline", "2025-13-01"),
    ("deadline", "", "tasks[3].deadline", ""),
    ("area", "Cải cách kinh tế", "tasks[3].area", "Cải cách kinh tế"),
    ("status", "overdue", "tasks[3].status", "overdue"),
    ("status", "done", "tasks[3].completed_on", None),
    ("number", "2.1", "tasks[3].number", "2.1"),                  # repeated
    ("number", "II.1", "tasks[3].number", "II.1"),
    ("completed_on", "2025-12-01", "tasks[3].completed_on", "2025-12-01"),  # not done: must be empty
    ("dealine", "2025-12-31", "tasks[3].dealine", "2025-12-31"),  # a misspelt key is not ignored
])
def test_a_bad_row_names_the_field_and_value_and_writes_nothing(catalogue: object, key: str, value: object,
                                                                field: str, shown: object) -> None:
    # given: the last row is bad; the first three are fine
    data = _bad(small_plan(), 3, key, value)
    # when
    with pytest.raises(FieldError) as error:
        plan_import(data, unit_code=COMMUNE, at=AT)
    # then
    assert error.value.field == field
    assert error.value.value == shown or str(error.value.value) == str(shown)
    assert _rows() == (0, 0, 0, 0)


def test_a_bad_row_in_an_update_leaves_the_plan_as_it_was(plan: ReformPlan) -> None:
    # given: a good change to task 1 and a bad date in task 3 (index 4)
    data = small_plan()
    data["tasks"][0]["note"] = "đã hoàn thành"
    data = _bad(data, 4, "completed_on", "30/11/2025")
    exported, rows = plan_export(plan), _rows()
    # when
    with pytest.raises(FieldError) as error:
        plan_import(data, unit_code=COMMUNE, at=AT)
    # then
    assert (error.value.field, error.value.value) == ("tasks[4].completed_on", "30/11/2025")
    assert (plan_export(plan), _rows()) == (exported, rows)


def test_a_bad_xlsx_cell_is_named_by_field_and_cell(plan: ReformPlan) -> None:
    # given
    book = load_workbook(io.BytesIO(plan_export_xlsx(plan)))
    book["Nhiệm vụ"]["G8"] = "31/12/2O25"     # a letter O instead of a zero, task 2.10's deadline
    content = io.BytesIO()
    book.save(content)
    # when
    with pytest.raises(FieldError) as error:
        plan_import_xlsx(content.getvalue(), unit_code=COMMUNE, at=AT)
    # then
    assert (error.value.field, error.value.value) == ("tasks[3].deadline", "31/12/2O25")
    assert error.value.message == ("tasks[3].deadline: must be a date YYYY-MM-DD (got '31/12/2O25') "
                                   "[Nhiệm vụ!G8]")


def test_not_a_workbook(catalogue: object) -> None:
    # when
    with pytest.raises(FieldError) as error:
        plan_import_xlsx("STT,Lĩnh vực\n".encode(), unit_code=COMMUNE)
    # then
    assert error.value.field == "file"


def test_the_file_must_be_for_the_unit_and_the_actor_must_be_leadership(catalogue: object, staff: Staff) -> None:
    # when / then
    with pytest.raises(FieldError) as error:
        plan_import(small_plan(unit=OTHER_COMMUNE), unit_code=COMMUNE, at=AT)
    assert error.value.field == "unit"
    with pytest.raises(Forbidden):
        plan_import(small_plan(), unit_code=COMMUNE, actor=staff.clerk, at=AT)
    assert plan_import(small_plan(), unit_code=COMMUNE, actor=staff.approver, at=AT).plan_created


def test_keys_left_out_keep_the_task_and_evidence_is_only_added(plan: ReformPlan) -> None:
    # given: task 3 without status or note, task 1 with a second evidence document
    data = small_plan()
    del data["tasks"][4]["status"], data["tasks"][4]["note"]
    data["tasks"][0]["evidence"] = [{"title": "Danh mục văn bản hết hiệu lực", "document_number": "113/BC-UBND"}]
    # when
    result = plan_import(data, unit_code=COMMUNE, at=AT)
    # then
    assert (result.updated, result.absent) == (["1"], [])
    task3 = plan.tasks.get(number="3")
    assert (task3.status, task3.note) == ("in_progress", "chậm do thiếu kinh phí")
    assert plan.tasks.get(number="1").evidence.count() == 2


def test_tasks_missing_from_the_file_are_kept_and_reported(plan: ReformPlan) -> None:
    # given
    data = small_plan()
    data["tasks"] = data["tasks"][:2]
    # when
    result = plan_import(data, unit_code=COMMUNE, at=AT)
    # then
    assert result.absent == ["2.9", "2.10", "3"]
    assert plan.tasks.count() == 5
