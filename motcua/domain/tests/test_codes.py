"""Dossier codes (rules.md §3.1)."""

from __future__ import annotations

from datetime import date

import pytest

from motcua.domain.codes import DEFAULT_PATTERN, format_dossier_code, parse_dossier_code


@pytest.mark.parametrize(
    ("unit", "day", "seq", "pattern", "code"),
    [
        ("000.00.12.H11", date(2026, 3, 9), 1, DEFAULT_PATTERN, "000.00.12.H11-260309-0001"),
        ("000.00.12.H11", date(2026, 3, 9), 12345, DEFAULT_PATTERN, "000.00.12.H11-260309-12345"),
        ("H11.01", date(2025, 1, 27), 7, "{unit}/{yyyy}/{mm}/{dd}/{seq:05d}", "H11.01/2025/01/27/00007"),
        ("X", date(2026, 12, 31), 3, "{yymmdd}{seq}", "2612313"),
    ],
)
def test_format_dossier_code(unit: str, day: date, seq: int, pattern: str, code: str) -> None:
    assert format_dossier_code(unit_code=unit, local_date=day, seq=seq, pattern=pattern) == code


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"seq": 0}, "seq must be an integer >= 1"),
        ({"seq": -3}, "seq must be an integer >= 1"),
        ({"seq": True}, "seq must be an integer >= 1"),
        ({"unit_code": " "}, "unit_code"),
        ({"local_date": "2026-03-09"}, "local_date"),
        ({"pattern": "{unit}-{year}-{seq}"}, "unknown placeholder"),
        ({"pattern": "{unit}-{}-{seq}"}, "unknown placeholder"),
        ({"pattern": "{unit}-{yymmdd}"}, "must contain {seq}"),
        ({"pattern": "{unit}-{seq:%Y}"}, "invalid dossier code pattern"),
        ({"pattern": "{unit-{seq}"}, "invalid dossier code pattern"),
    ],
)
def test_format_refuses_bad_input(kwargs: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {"unit_code": "H11", "local_date": date(2026, 3, 9), "seq": 1, **kwargs}

    with pytest.raises(ValueError, match=message):
        format_dossier_code(**arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("code", "parsed"),
    [
        ("000.00.12.H11-260309-0001", ("000.00.12.H11", date(2026, 3, 9), 1)),
        ("000.00.12.H11-260309-12345", ("000.00.12.H11", date(2026, 3, 9), 12345)),
        ("UB-XA-1-251231-0042", ("UB-XA-1", date(2025, 12, 31), 42)),
    ],
)
def test_parse_dossier_code(code: str, parsed: tuple[str, date, int]) -> None:
    assert parse_dossier_code(code) == parsed
    unit, day, seq = parsed
    assert format_dossier_code(unit_code=unit, local_date=day, seq=seq) == code


@pytest.mark.parametrize(
    "code",
    [
        "",
        "H11-260309-001",
        "H11-2603-0001",
        "-260309-0001",
        "H11-261309-0001",
        "H11-260309-0000",
        "H11_260309_0001",
    ],
)
def test_parse_refuses_a_non_code_naming_it(code: str) -> None:
    with pytest.raises(ValueError, match=repr(code)[1:-1] if code else "dossier code"):
        parse_dossier_code(code)


def test_parse_refuses_non_text() -> None:
    with pytest.raises(ValueError, match="None"):
        parse_dossier_code(None)  # type: ignore[arg-type]
