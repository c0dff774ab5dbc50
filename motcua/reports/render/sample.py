"""A realistic periodic report for Đông Khê, 2025-07-01..2025-11-30 (``seed-figures.md``), for tests and
for looking at the rendered forms.

The per-sector figures are invented but add up to the inspection report's totals: 944 received (none carried
over), 940 resolved = 797 before due + 143 on time, 4 in process (3 civil status, 1 land), 12 cancelled, 52
returned, digitization 940/940/940, postal 11, online payment 276/332, boundary-independent 460/944.

``python -m motcua.reports.render.sample --format pdf --output x.pdf`` writes the sample in any format.
"""

from __future__ import annotations

import argparse
import sys
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

__all__ = ["sample_report"]

# sector: (name, online, direct, postal, before_due, on_time, in_process, returned by reason (3), cancelled)
_SECTORS: tuple[tuple[str, str, int, int, int, int, int, int, tuple[int, int, int], int], ...] = (
    ("HT", "Hộ tịch", 190, 120, 2, 268, 41, 3, (12, 5, 3), 4),
    ("CT", "Chứng thực", 150, 205, 1, 330, 26, 0, (6, 4, 0), 3),
    ("CTR", "Cư trú", 120, 28, 0, 120, 28, 0, (6, 2, 2), 2),
    ("DD", "Đất đai", 20, 70, 2, 55, 36, 1, (4, 2, 2), 2),
    ("XD", "Xây dựng", 18, 18, 0, 24, 12, 0, (2, 1, 1), 1),
)
_REASONS = ("supplement_not_provided", "cannot_submit", "other_procedure_required")


def _ratio(numerator: int, denominator: int) -> dict[str, Any]:
    rate = 0.0
    if denominator:
        exact = Decimal(numerator) * 100 / Decimal(denominator)
        rate = float(exact.quantize(Decimal("0.01"), ROUND_HALF_UP))
    return {"numerator": numerator, "denominator": denominator, "rate": rate}


def _groups(online: int, direct: int, postal: int, before: int, on_time: int, within: int,
            returned: tuple[int, int, int], cancelled: int) -> dict[str, Any]:
    received = online + direct + postal
    resolved = before + on_time
    return {
        "received": {"online": online, "direct": direct, "postal": postal, "carried_over": 0,
                     "total": received},
        "resolved": {"before_due": before, "on_time": on_time, "overdue": 0, "with_result": resolved,
                     "without_result": 0, "total": resolved},
        "in_process": {"within_due": within, "overdue": 0, "total": received - resolved},
        "not_accepted": {"refused": 0, "returned": sum(returned),
                         "returned_by_reason": dict(zip(_REASONS, returned, strict=True)),
                         "cancelled": cancelled},
    }


def _add(total: dict[str, Any], part: dict[str, Any]) -> None:
    for key, value in part.items():
        if isinstance(value, dict):
            _add(total.setdefault(key, {}), value)
        else:
            total[key] = total.get(key, 0) + value


def sample_report() -> dict[str, Any]:
    """The Đông Khê report for 2025-07-01..2025-11-30: interfaces §4 plus the renderers' keys."""
    by_sector = []
    totals: dict[str, Any] = {}
    for code, name, online, direct, postal, before, on_time, within, returned, cancelled in _SECTORS:
        groups = _groups(online, direct, postal, before, on_time, within, returned, cancelled)
        by_sector.append({"sector": code, "name": name, **groups})
        _add(totals, groups)
    received = totals["received"]["total"]
    report: dict[str, Any] = {
        "unit": "000.31.00.H11", "from": "2025-07-01", "to": "2025-11-30",
        "received": totals["received"],
        "resolved": totals["resolved"],
        "in_process": totals["in_process"],
        "not_accepted": totals["not_accepted"],
        "digitization": {"components": 940, "results": 940, "both": 940},
        "postal": 11,
        "online_payment": _ratio(276, 332),
        "boundary_independent": _ratio(460, received),
        "portal_sync": _ratio(580, received),
        "results_missing": 0,
        "by_sector": by_sector,
        "unit_name": "Xã Đông Khê",
        "unit_admin_code": "01786",
        "province_name": "Tỉnh Cao Bằng",
        "generated_at": "2025-12-01T09:00:00+07:00",
        "formula_version": "2026.1",
    }
    return report


def main(argv: list[str] | None = None) -> int:
    from motcua.reports.render import FORMATS, render

    parser = argparse.ArgumentParser(prog="python -m motcua.reports.render.sample",
                                     description="Render the Đông Khê sample periodic report.")
    parser.add_argument("--format", choices=FORMATS, default="table")
    parser.add_argument("--output", help="file to write (default: standard output)")
    args = parser.parse_args(argv)
    data = render(sample_report(), args.format)
    if args.output:
        with open(args.output, "wb") as handle:
            handle.write(data)
    else:
        sys.stdout.buffer.write(data)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
