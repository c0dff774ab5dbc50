"""Reform test helpers: a small plan document, the demo plan, and a bearer-token client per user."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from django.test import Client

from conftest import COMMUNE, vn
from motcua.accounts.models import User
from motcua.accounts.services import token_create
from motcua.catalogue.models import Unit
from motcua.reform.models import ReformPlan
from motcua.reform.services import plan_import, plan_load_demo

AT: datetime = vn("2025-11-30 16:00")
"""The instant the tests act at (the inspection's date): completion dates must not be after it."""


def small_plan(**overrides: Any) -> dict[str, Any]:
    """A plan document of 5 tasks: 2 done (one late), 1 in progress, 1 not started, 1 overdue by 2025-11-30."""
    data: dict[str, Any] = {
        "year": 2025, "decision_number": "38/KH-UBND", "decision_date": "2025-07-14",
        "title": "Kế hoạch cải cách hành chính năm 2025",
        "tasks": [
            {"number": "1", "area": "institutional", "content": "Rà soát văn bản", "deadline": "2025-09-30",
             "status": "done", "completed_on": "2025-09-20", "lead": "Văn phòng HĐND và UBND xã",
             "evidence": [{"title": "Báo cáo rà soát", "document_number": "112/BC-UBND",
                           "document_date": "2025-09-20"}]},
            {"number": "2.1", "area": "procedures", "content": "Công khai TTHC", "deadline": "2025-08-31",
             "status": "done", "completed_on": "2025-09-05"},
            {"number": "2.10", "area": "Cải cách TTHC", "content": "Số hóa hồ sơ", "deadline": "2025-12-31",
             "status": "in_progress"},
            {"number": "2.9", "area": "procedures", "content": "Khảo sát hài lòng", "deadline": "2025-12-31"},
            {"number": "3", "area": "digital_government", "content": "Cổng thông tin", "deadline": "2025-10-31",
             "status": "in_progress", "note": "chậm do thiếu kinh phí"},
        ],
    }
    data.update(overrides)
    return data


@pytest.fixture
def plan(catalogue: object) -> ReformPlan:
    return plan_import(small_plan(), unit_code=COMMUNE, at=AT).plan


@pytest.fixture
def demo_plan(catalogue: object) -> ReformPlan:
    return plan_load_demo(Unit.objects.get(code=COMMUNE), at=AT).plan


@pytest.fixture
def client_of(db: None) -> Callable[[User], Client]:
    """``client_of(user)``: a test client sending ``Authorization: Bearer <a new token of user>``."""
    clients: dict[int, Client] = {}

    def make(user: User) -> Client:
        if user.pk not in clients:
            token, _record = token_create(user=user, name="tests")
            clients[user.pk] = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        return clients[user.pk]

    return make
