"""The period picker: presets relative to today, custom periods, mistakes."""

from __future__ import annotations

from datetime import date

import pytest

from motcua.dashboards.period import CUSTOM, Period, period_choices, period_from_query

TODAY = date(2026, 11, 26)


def test_presets_are_this_and_last_quarter_their_reporting_periods_the_years_and_custom() -> None:
    choices = period_choices(TODAY)
    assert [key for key, _label in choices] == [
        "2026-Q4",
        "2026-Q3",
        "2026-Q4-15",
        "2026-Q3-15",
        "2026",
        "2025",
        CUSTOM,
    ]
    labels = dict(choices)
    assert labels["2026-Q4-15"].endswith("15/09/2026 – 14/12/2026")
    assert labels["2026-Q3"].endswith("01/07/2026 – 30/09/2026")


def test_in_the_first_quarter_the_previous_quarter_is_last_years_fourth() -> None:
    keys = [key for key, _label in period_choices(date(2026, 2, 3))]
    assert keys[:4] == ["2026-Q1", "2025-Q4", "2026-Q1-15", "2025-Q4-15"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, Period("2026-Q4", date(2026, 10, 1), date(2026, 12, 31))),
        ({"period": "2025-Q3"}, Period("2025-Q3", date(2025, 7, 1), date(2025, 9, 30))),
        ({"period": "2025-Q3-15"}, Period("2025-Q3-15", date(2025, 6, 15), date(2025, 9, 14))),
        (
            {"period": "custom", "from": "2025-07-01", "to": "2025-11-30"},
            Period(CUSTOM, date(2025, 7, 1), date(2025, 11, 30)),
        ),
        ({"from": "2025-07-01", "to": "2025-11-30"}, Period(CUSTOM, date(2025, 7, 1), date(2025, 11, 30))),
        (
            {"period": "2025", "from": "2025-07-01", "to": "2025-11-30"},
            Period("2025", date(2025, 1, 1), date(2025, 12, 31)),
        ),
    ],
)
def test_the_query_string_picks_the_period(params: dict[str, str], expected: Period) -> None:
    assert period_from_query(params, TODAY) == expected


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"period": "2025-Q7"}, "Kỳ báo cáo không hợp lệ"),
        ({"period": "custom", "from": "2025-12-01", "to": "2025-11-30"}, "Từ ngày phải trước"),
        ({"period": "custom", "from": "01/07/2025", "to": "2025-11-30"}, "không hợp lệ: 01/07/2025"),
        ({"period": "custom", "to": "2025-11-30"}, "Chưa nhập Từ ngày"),
    ],
)
def test_a_mistake_is_named_and_falls_back_to_this_quarter(params: dict[str, str], message: str) -> None:
    period = period_from_query(params, TODAY)
    assert (period.date_from, period.date_to) == (date(2026, 10, 1), date(2026, 12, 31))
    assert any(message in e for e in period.errors), period.errors


def test_a_period_writes_the_query_that_selects_it_again() -> None:
    custom = Period(CUSTOM, date(2025, 7, 1), date(2025, 11, 30))
    assert (
        custom.query(unit="000.31.00.H11") == "unit=000.31.00.H11&period=custom&from=2025-07-01&to=2025-11-30"
    )
    assert Period("2025-Q3", date(2025, 7, 1), date(2025, 9, 30)).query() == "period=2025-Q3"
    assert custom.label == "01/07/2025 – 30/11/2025"
