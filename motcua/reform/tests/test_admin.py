"""Admin screens: they open, and a change made there goes through the services (adjustment recorded)."""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.accounts.services import user_create
from motcua.reform.models import ReformPlan


@pytest.fixture
def admin_client_(db: None) -> Client:
    user = user_create(username="root", password="correct-horse-battery")
    user.is_staff = user.is_superuser = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


def test_the_screens_open(plan: ReformPlan, admin_client_: Client) -> None:
    # given
    task = plan.tasks.get(number="1")
    # when
    pages = [admin_client_.get(f"/admin/reform/{path}") for path in (
        "reformplan/", f"reformplan/{plan.pk}/change/", "reformtask/", f"reformtask/{task.pk}/change/",
        "reformtask/add/", "taskevidence/", "taskadjustment/")]
    # then
    assert [p.status_code for p in pages] == [200] * 7


def test_a_change_in_the_admin_is_decided_and_recorded_by_the_services(plan: ReformPlan,
                                                                       admin_client_: Client) -> None:
    # given: task 3 (due 2025-10-31, in progress)
    task = plan.tasks.get(number="3")
    form = {"area": task.area, "content": task.content, "expected_product": "", "lead": "", "cooperating": "",
            "deadline": "2025-10-31", "status": "done_on_time", "completed_on": "2025-11-05",
            "note": task.note, "reason": "báo cáo 141/BC-UBND",
            **{f"{prefix}-{k}": v for prefix in ("evidence", "adjustments")
               for k, v in {"TOTAL_FORMS": "0", "INITIAL_FORMS": "0"}.items()}}
    # when
    response = admin_client_.post(f"/admin/reform/reformtask/{task.pk}/change/", form)
    # then
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == "done_late"
    assert task.adjustments.filter(field="status", new_value="done_late", reason="báo cáo 141/BC-UBND").exists()
