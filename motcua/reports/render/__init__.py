"""Renderers of the periodic report (rules §4; Biểu số 06/VPCP/KSTT of Circular 01/2020/TT-VPCP).

``render(report, fmt)`` turns a report dict in the shape of interfaces §4 (plus ``unit_name``,
``province_name``, ``generated_at``, ``formula_version`` and per-sector groups) into bytes:

- ``json``: UTF-8, keys in the §4 order, indent 2;
- ``table``: plain text for a terminal, at most 110 columns;
- ``csv``: UTF-8 with BOM, one row per figure: ``section,key,sector,value,label``;
- ``xlsx``: the Biểu 06 form (sheet 1) and the inspection figures (sheet 2), A4 landscape;
- ``pdf``: the same form through WeasyPrint, A4 landscape.

The renderers are pure functions of the dict: they never read the database. See ``docs/report-forms.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["FORMATS", "render"]

FORMATS: tuple[str, ...] = ("json", "table", "csv", "xlsx", "pdf")

# Media type and file extension of each format (for HTTP responses and default file names).
MEDIA_TYPES: dict[str, str] = {
    "json": "application/json",
    "table": "text/plain; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
EXTENSIONS: dict[str, str] = {"json": "json", "table": "txt", "csv": "csv", "xlsx": "xlsx", "pdf": "pdf"}


def _renderer(fmt: str) -> Callable[[Mapping[str, Any]], bytes]:
    # Imported on demand: xlsx and pdf pull in XlsxWriter and WeasyPrint, which the other formats don't need.
    if fmt == "json":
        from motcua.reports.render.json_format import render_json

        return render_json
    if fmt == "table":
        from motcua.reports.render.table import render_table

        return render_table
    if fmt == "csv":
        from motcua.reports.render.csv_format import render_csv

        return render_csv
    if fmt == "xlsx":
        from motcua.reports.render.xlsx import render_xlsx

        return render_xlsx
    if fmt == "pdf":
        from motcua.reports.render.pdf import render_pdf

        return render_pdf
    raise ValueError(f"unknown report format {fmt!r}: expected one of {', '.join(FORMATS)}")


def render(report: Mapping[str, Any], fmt: str) -> bytes:
    """The periodic report ``report`` rendered as ``fmt`` (one of :data:`FORMATS`).

    Raises ``ValueError`` naming the unknown format and the allowed ones.
    """
    return _renderer(fmt)(report)
