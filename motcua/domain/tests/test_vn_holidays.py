"""Vietnam's public holidays and the official overrides shipped as defaults (rules.md §2)."""

from __future__ import annotations

from datetime import date

from motcua.domain.calendar import Override, OverrideKind
from motcua.domain.vn_holidays import default_overrides, vietnam_calendar, vietnam_public_holidays

from .support import VN


def test_public_holidays_come_from_the_package_with_observed_days() -> None:
    found = vietnam_public_holidays([2026])

    assert date(2026, 2, 17) in found  # Tết
    assert date(2026, 4, 27) in found  # Hùng Kings, observed
    assert date(2026, 8, 31) in found  # substituted day off
    assert date(2026, 11, 24) in found  # Culture Day
    assert all(day.year == 2026 for day in found)
    assert list(found) == sorted(found)
    assert vietnam_public_holidays([]) == {}


def test_holiday_names_may_be_translated() -> None:
    assert vietnam_public_holidays([2026], language="en_US")[date(2026, 1, 1)] == "New Year's Day"


def test_the_official_overrides_ship_as_data_with_their_citations() -> None:
    overrides = default_overrides()

    assert [(o.date, o.kind) for o in overrides] == [
        (date(2025, 4, 26), OverrideKind.WORKING_DAY),
        (date(2026, 1, 2), OverrideKind.DAY_OFF),
        (date(2026, 1, 10), OverrideKind.WORKING_DAY),
        (date(2026, 8, 22), OverrideKind.WORKING_DAY),
    ]
    assert all(o.note and o.source for o in overrides)
    assert "6150/TB-LĐTBXH" in overrides[0].source
    assert "12729/VPCP-KGVX" in overrides[1].source
    assert "9441/TB-BNV" in overrides[3].source
    assert VN.overrides == overrides


def test_a_units_own_overrides_win_over_the_defaults() -> None:
    own = Override(date=date(2026, 1, 10), kind=OverrideKind.DAY_OFF, note="UBND xã: không làm bù")
    extra = Override(date=date(2026, 3, 9), kind=OverrideKind.DAY_OFF, note="ngày nghỉ địa phương")

    calendar = vietnam_calendar(years=[2026], extra_overrides=[own, extra])

    assert not calendar.is_working_day(date(2026, 1, 10))
    assert not calendar.is_working_day(date(2026, 3, 9))
    assert not calendar.is_working_day(date(2026, 1, 2))  # the other defaults stay
    assert calendar.version != vietnam_calendar(years=[2026]).version


def test_the_calendar_is_reproducible() -> None:
    assert vietnam_calendar(years=[2026, 2025]) == vietnam_calendar(years=(2025, 2026))
    assert vietnam_calendar(years=[2026]).version == vietnam_calendar(years={2026}).version
    assert vietnam_calendar(years=[2026]).version != vietnam_calendar(years=[2026, 2027]).version
