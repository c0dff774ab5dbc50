"""``/api/v1/reform``: reading scoped to the unit and its province, writing by role, problem+json errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.test import Client

from conftest import COMMUNE, PROVINCE, Staff
from motcua.accounts.models import User
from motcua.reform.models import ReformPlan
from motcua.reform.tests.conftest import small_plan

Clients = Callable[[User], Client]


def _patch(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.patch(path, data=json.dumps(body), content_type="application/json")


def _post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, data=json.dumps(body), content_type="application/json")


def test_staff_of_the_commune_and_the_province_inspector_read_the_plan(plan: ReformPlan, staff: Staff,
                                                                       client_of: Clients) -> None:
    for user in (staff.desk, staff.approver, staff.inspector):
        # when
        listed = client_of(user).get("/api/v1/reform/plans", {"unit": PROVINCE, "year": 2025})
        one = client_of(user).get(f"/api/v1/reform/plans/{plan.pk}")
        # then
        assert (listed.status_code, one.status_code) == (200, 200), user
        assert [(p["unit"], p["task_count"]) for p in listed.json()["items"]] == [(COMMUNE, 5)]
        tasks = one.json()["tasks"]
        assert [t["number"] for t in tasks] == ["1", "2.1", "2.9", "2.10", "3"]
        assert tasks[0]["evidence"][0]["document_number"] == "112/BC-UBND"
        assert tasks[4]["status"] == "in_progress"


def test_completion_as_of_a_date(plan: ReformPlan, staff: Staff, client_of: Clients) -> None:
    # when
    response = client_of(staff.inspector).get(f"/api/v1/reform/plans/{plan.pk}/completion",
                                              {"as_of": "2025-11-30"})
    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["total"], body["done"], body["overdue"], body["rate"]) == (5, 2, 1, 40.0)
    assert body["by_deadline"] == {"as_of": "2025-11-30", "numerator": 1, "denominator": 3, "rate": 33.33}


def test_another_commune_does_not_see_the_plan(plan: ReformPlan, staff: Staff, client_of: Clients) -> None:
    # given
    task = plan.tasks.get(number="3")
    client = client_of(staff.other_desk)
    # when
    responses = [
        client.get(f"/api/v1/reform/plans/{plan.pk}"),
        client.get(f"/api/v1/reform/plans/{plan.pk}/completion"),
        _patch(client, f"/api/v1/reform/tasks/{task.pk}", {"note": "x"}),
        _post(client, f"/api/v1/reform/tasks/{task.pk}/evidence", {"title": "x"}),
    ]
    listed = client.get("/api/v1/reform/plans")
    # then
    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    assert responses[0]["Content-Type"] == "application/problem+json"
    assert listed.json()["count"] == 0


def test_clerk_records_progress_and_the_adjustments_are_listed(plan: ReformPlan, staff: Staff,
                                                               client_of: Clients) -> None:
    # given
    task = plan.tasks.get(number="3")
    # when
    response = _patch(client_of(staff.clerk), f"/api/v1/reform/tasks/{task.pk}",
                      {"status": "done", "completed_on": "2025-11-28", "reason": "Báo cáo 150/BC-UBND"})
    evidence = _post(client_of(staff.clerk), f"/api/v1/reform/tasks/{task.pk}/evidence",
                     {"title": "Báo cáo hoàn thiện chuyên mục", "document_number": "150/BC-UBND",
                      "document_date": "2025-11-28"})
    history = client_of(staff.inspector).get(f"/api/v1/reform/tasks/{task.pk}/adjustments")
    # then
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["standing"]) == ("done_late", "done_late")
    assert evidence.status_code == 201
    assert evidence.json()["document_number"] == "150/BC-UBND"
    assert [(a["field"], a["new_value"], a["actor"]) for a in history.json()][-2:] == [
        ("status", "done_late", "clerk"), ("completed_on", "2025-11-28", "clerk")]


def test_roles_that_may_not_write_get_403(plan: ReformPlan, staff: Staff, client_of: Clients) -> None:
    # given
    task = plan.tasks.get(number="3")
    # when
    desk = _patch(client_of(staff.desk), f"/api/v1/reform/tasks/{task.pk}", {"note": "x"})
    inspector = _patch(client_of(staff.inspector), f"/api/v1/reform/tasks/{task.pk}", {"note": "x"})
    clerk_import = _post(client_of(staff.clerk), "/api/v1/reform/plans/import", {**small_plan(), "unit": COMMUNE})
    other_import = _post(client_of(staff.other_approver), "/api/v1/reform/plans/import",
                         {**small_plan(), "unit": COMMUNE})
    # then
    assert [r.status_code for r in (desk, inspector, clerk_import, other_import)] == [403, 403, 403, 403]
    assert desk.json()["type"] == "https://motcua.vn/problems/forbidden"


def test_approver_imports_a_plan(catalogue: object, staff: Staff, client_of: Clients) -> None:
    # when
    first = _post(client_of(staff.approver), "/api/v1/reform/plans/import", {**small_plan(), "unit": COMMUNE})
    again = _post(client_of(staff.approver), "/api/v1/reform/plans/import", {**small_plan(), "unit": COMMUNE})
    # then
    assert (first.status_code, first.json()["plan_created"], len(first.json()["created"])) == (200, True, 5)
    assert (again.json()["created"], again.json()["updated"], len(again.json()["unchanged"])) == ([], [], 5)


def test_a_bad_value_is_a_422_problem_naming_it(plan: ReformPlan, staff: Staff, client_of: Clients) -> None:
    # given
    data = {**small_plan(), "unit": COMMUNE}
    data["tasks"][3]["deadline"] = "2025-13-01"
    task = plan.tasks.get(number="3")
    # when
    imported = _post(client_of(staff.approver), "/api/v1/reform/plans/import", data)
    patched = _patch(client_of(staff.approver), f"/api/v1/reform/tasks/{task.pk}", {"status": "done"})
    # then
    assert imported.status_code == 422
    assert imported["Content-Type"] == "application/problem+json"
    assert (imported.json()["field"], imported.json()["value"]) == ("tasks[3].deadline", "2025-13-01")
    assert (patched.status_code, patched.json()["field"]) == (422, "completed_on")
