"""Shared helpers for the domain tests: instants from ISO strings and a Vietnam calendar for 2024-2029."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from motcua.domain.vn_holidays import vietnam_calendar

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
VN = vietnam_calendar(years=range(2024, 2030))
"""The product's default calendar: package holidays + the official overrides."""


def dt(text: str) -> datetime:
    """An aware instant from ISO text; without an offset it is read in Asia/Ho_Chi_Minh."""
    value = datetime.fromisoformat(text)
    return value if value.tzinfo is not None else value.replace(tzinfo=VN_TZ)


def d(text: str) -> date:
    return date.fromisoformat(text)
