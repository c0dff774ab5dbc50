"""Dossier codes (rules.md §3.1).

``<receiving unit code>-<YYMMDD of acceptance>-<NNNN>``, where NNNN is the 1-based sequence of dossiers
accepted by that unit on that local date. A unit may override the pattern. Allocating the sequence without
gaps under concurrent acceptance is the service's job; this module only formats and parses.

Usage::

    format_dossier_code(unit_code="000.00.12.H11", local_date=date(2026, 3, 9), seq=7)
    # '000.00.12.H11-260309-0007'
    parse_dossier_code("000.00.12.H11-260309-0007")   # ('000.00.12.H11', date(2026, 3, 9), 7)
"""

from __future__ import annotations

import re
import string
from datetime import date
from typing import Final

__all__ = ["DEFAULT_PATTERN", "PATTERN_FIELDS", "format_dossier_code", "parse_dossier_code"]

DEFAULT_PATTERN: Final = "{unit}-{yymmdd}-{seq:04d}"
"""The default dossier code pattern (rules.md §3.1)."""

PATTERN_FIELDS: Final = frozenset({"unit", "yymmdd", "yyyy", "mm", "dd", "seq"})
"""The placeholders a unit's pattern may use."""

_DEFAULT_CODE: Final = re.compile(r"(?P<unit>.+)-(?P<yymmdd>\d{6})-(?P<seq>\d{4,})")
_CENTURY: Final = 2000


def _check_pattern(pattern: str) -> None:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None}
    except ValueError as error:
        raise ValueError(f"invalid dossier code pattern {pattern!r}: {error}") from None
    unknown = {name.split(".")[0].split("[")[0] for name in names} - PATTERN_FIELDS
    if unknown or "" in names:
        raise ValueError(
            f"invalid dossier code pattern {pattern!r}: unknown placeholder(s) "
            f"{', '.join(sorted(unknown or {'{}'}))}; allowed: {', '.join(sorted(PATTERN_FIELDS))}"
        )
    if "seq" not in names:
        raise ValueError(f"invalid dossier code pattern {pattern!r}: it must contain {{seq}}")


def format_dossier_code(*, unit_code: str, local_date: date, seq: int, pattern: str = DEFAULT_PATTERN) -> str:
    """The code of the ``seq``-th dossier accepted by the unit on ``local_date`` (rules.md §3.1).

    ``pattern`` may use ``{unit}``, ``{yymmdd}``, ``{yyyy}``, ``{mm}``, ``{dd}`` and ``{seq}`` (with a
    format spec such as ``{seq:05d}``). ``seq`` starts at 1.
    """
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
        raise ValueError(f"seq must be an integer >= 1, got {seq!r}")
    if not isinstance(unit_code, str) or not unit_code.strip():
        raise ValueError(f"unit_code must be non-empty, got {unit_code!r}")
    if not isinstance(local_date, date):
        raise ValueError(f"local_date must be a date, got {local_date!r}")
    _check_pattern(pattern)
    try:
        return pattern.format(
            unit=unit_code,
            yymmdd=f"{local_date:%y%m%d}",
            yyyy=f"{local_date.year:04d}",
            mm=f"{local_date.month:02d}",
            dd=f"{local_date.day:02d}",
            seq=seq,
        )
    except (ValueError, KeyError, IndexError, AttributeError) as error:
        raise ValueError(f"invalid dossier code pattern {pattern!r}: {error}") from None


def parse_dossier_code(code: str) -> tuple[str, date, int]:
    """Split a code of the default pattern into ``(unit_code, local_date, seq)`` (rules.md §3.1).

    The two-digit year is read as 20YY. Raises ``ValueError`` naming the value when it does not match.
    """
    match = _DEFAULT_CODE.fullmatch(code.strip()) if isinstance(code, str) else None
    if match is None:
        raise ValueError(f"not a dossier code of the form <unit>-<YYMMDD>-<NNNN>: {code!r}")
    digits = match["yymmdd"]
    try:
        day = date(_CENTURY + int(digits[:2]), int(digits[2:4]), int(digits[4:]))
    except ValueError:
        raise ValueError(f"dossier code {code!r} has an invalid date {digits!r}") from None
    seq = int(match["seq"])
    if seq < 1:
        raise ValueError(f"dossier code {code!r} has sequence 0; sequences start at 1")
    return match["unit"], day, seq
