"""Shared fixtures: a small catalogue (Cao Bằng, Đông Khê, procedures of each time unit) and staff users."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PROVINCE = "000.00.00.H11"
COMMUNE = "000.31.00.H11"
OTHER_COMMUNE = "000.32.00.H11"


def vn(text: str) -> datetime:
    """``vn("2026-03-09 09:00")`` → an aware datetime in Vietnam time."""
    return datetime.fromisoformat(text).replace(tzinfo=VN)


CATALOGUE = {
    "units": [
        {"code": PROVINCE, "name": "Tỉnh Cao Bằng", "kind": "province", "admin_code": "04"},
        {
            "code": COMMUNE,
            "name": "Xã Đông Khê",
            "kind": "commune",
            "parent": PROVINCE,
            "admin_code": "01786",
        },
        {"code": OTHER_COMMUNE, "name": "Xã Thạch An", "kind": "commune", "parent": PROVINCE},
    ],
    "sectors": [
        {"code": "HT", "name": "Hộ tịch"},
        {"code": "DD", "name": "Đất đai"},
        {"code": "CT", "name": "Chứng thực"},
    ],
    "procedures": [
        {
            "code": "1.001022",
            "name": "Thủ tục đăng ký nhận cha, mẹ, con",
            "sector": "HT",
            "time_limit": {"value": 3, "unit": "working_days"},
            "fees": [{"kind": "charge", "name": "Lệ phí", "amount": 15000}],
            "components": [
                {"code": "TK", "name": "Tờ khai", "required": True},
                {"code": "CC", "name": "Chứng cứ", "required": True},
            ],
            "boundary_independent": True,
            "online": "full",
        },
        {
            "code": "1.001193",
            "name": "Thủ tục đăng ký khai sinh",
            "sector": "HT",
            "time_limit": {"value": 1, "unit": "same_day"},
            "fees": [{"kind": "charge", "name": "Lệ phí (miễn)", "amount": 0}],
            "components": [{"code": "TK", "name": "Tờ khai", "required": True}],
            "online": "full",
        },
        {
            "code": "1.012784",
            "name": "Tách thửa hoặc hợp thửa đất",
            "sector": "DD",
            "time_limit": {"value": 12, "unit": "working_days"},
            "pause_for_payment": True,
            "fees": [{"kind": "charge", "name": "Lệ phí", "amount": None}],
            "components": [{"code": "DON", "name": "Đơn", "required": True}],
        },
        {
            "code": "1.013949",
            "name": "Giao đất, cho thuê đất",
            "sector": "DD",
            "time_limit": {"value": 15, "unit": "calendar_days"},
            "components": [],
        },
        {
            "code": "2.000815",
            "name": "Chứng thực bản sao từ bản chính",
            "sector": "CT",
            "time_limit": {"value": 4, "unit": "working_hours"},
            "online_time_limit": {"value": 1, "unit": "working_days"},
            "fees": [{"kind": "fee", "name": "Phí", "amount": 2000}],
            "components": [{"code": "BC", "name": "Bản chính", "required": True}],
        },
    ],
}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: object) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _fresh_calendar_cache() -> Iterator[None]:
    """Each test has its own database state: forget overrides cached by an earlier test."""
    from motcua.catalogue.selectors import overrides_cache_clear

    overrides_cache_clear()
    yield
    overrides_cache_clear()


@pytest.fixture
def catalogue(db: None) -> dict[str, object]:
    from motcua.catalogue.models import Unit
    from motcua.catalogue.services import calendar_install_defaults, catalogue_import, department_create

    catalogue_import(data=CATALOGUE)
    calendar_install_defaults()
    commune = Unit.objects.get(code=COMMUNE)
    department_create(unit=commune, code="TP-HT", name="Tư pháp – Hộ tịch", sector_codes=["HT", "CT"])
    department_create(unit=commune, code="DC", name="Địa chính", sector_codes=["DD"])
    return CATALOGUE


class Staff:
    """One user per role in Đông Khê, plus a desk officer of another commune and a provincial inspector."""

    def __init__(self) -> None:
        from motcua.accounts.services import role_grant, user_create

        def make(username: str, role: str, unit: str = COMMUNE, department: str | None = None):  # type: ignore[no-untyped-def]
            user = user_create(username=username, password="correct-horse-battery", full_name=username)
            role_grant(user=user, role=role, unit_code=unit, department_code=department)
            return user

        self.desk = make("desk", "desk_officer")
        self.specialist = make("specialist", "specialist", department="TP-HT")
        self.land_specialist = make("land", "specialist", department="DC")
        self.head = make("head", "department_head", department="TP-HT")
        self.approver = make("approver", "approver")
        self.clerk = make("clerk", "clerk")
        self.admin = make("admin", "admin")
        self.inspector = make("inspector", "inspector", unit=PROVINCE)
        self.other_desk = make("other_desk", "desk_officer", unit=OTHER_COMMUNE)
        self.other_approver = make("other_approver", "approver", unit=OTHER_COMMUNE)


@pytest.fixture
def staff(catalogue: dict[str, object]) -> Staff:
    return Staff()


@pytest.fixture
def clear_caches() -> Iterator[None]:
    from motcua.catalogue import selectors

    selectors._calendar.cache_clear()
    yield
    selectors._calendar.cache_clear()
