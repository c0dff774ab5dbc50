"""The report as a PDF laid out like the official form: WeasyPrint renders the Django template
``reports/periodic.html`` (A4 landscape, Times New Roman or its metric twin Liberation Serif).

The page shows, in order: the agency (top left) and the national motto (top right), the title and code of
Biểu số 06/VPCP/KSTT, the period, the unit, "Đơn vị tính", the Biểu 06 table, the inspection figures, the
not-accepted figures per sector and the signature block. Numbers are written the Vietnamese way
(1.008; 83,13).

When Django is not set up (a script, a worker without settings), the same template file is rendered with a
standalone template engine, so the output does not depend on the caller.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from motcua.reports.render._common import (
    FORM_CODE,
    FORM_COLUMN_NAMES,
    FORM_COLUMNS,
    FORM_SOURCE,
    FORM_TITLE,
    INSPECTION_TITLE,
    MOTTO,
    NATION,
    UNIT_OF_MEASURE,
    agency_lines,
    date_line,
    footer_line,
    form_rows,
    inspection_rows,
    not_accepted_rows,
    period_line,
    reason_labels,
    unit_line,
    unit_name,
    vn_number,
)

TEMPLATE = "reports/periodic.html"
TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"
NOT_ACCEPTED_TITLE = "HỒ SƠ KHÔNG ĐƯỢC TIẾP NHẬN, HỒ SƠ HỦY THEO LĨNH VỰC"


def _title_lines(title: str) -> list[str]:
    """The title on two balanced lines, broken after "ĐƠN VỊ" as on the printed form."""
    head, sep, tail = title.partition("ĐƠN VỊ ")
    return [head + sep.strip(), tail] if sep and tail else [title]


def context(report: Mapping[str, Any]) -> dict[str, Any]:
    """Everything the template shows, as strings (so it renders the same with or without Django settings)."""
    inspection = []
    for row in inspection_rows(report):
        inspection.append({
            "number": row.number, "label": row.label, "heading": row.heading, "indent": row.indent,
            "value": "" if row.value is None else vn_number(row.value),
            "denominator": "" if row.denominator is None else vn_number(row.denominator),
            "rate": "" if row.rate is None else vn_number(row.rate, 2),
            "definition": row.definition,
        })
    not_accepted = []
    for number, na in enumerate(not_accepted_rows(report), start=1):
        values = (na.refused, na.returned, *na.by_reason, na.cancelled)
        not_accepted.append({"stt": str(number), "label": na.label, "total": na.total,
                             "values": [vn_number(v) for v in values]})
    reasons = reason_labels(report)
    return {
        "agency_lines": agency_lines(report),
        "nation": NATION, "motto": MOTTO,
        "title": FORM_TITLE, "title_lines": _title_lines(FORM_TITLE),
        "form_code": FORM_CODE, "form_source": FORM_SOURCE,
        "period": period_line(report), "unit_line": unit_line(report), "unit_name": unit_name(report),
        "unit_of_measure": UNIT_OF_MEASURE,
        "names": {str(k): v for k, v in FORM_COLUMN_NAMES.items()},
        "form_numbers": [str(n) for n, _, _ in FORM_COLUMNS],
        "form_rows": [
            {"stt": r.stt, "label": r.label, "total": r.total, "values": [vn_number(v) for v in r.values]}
            for r in form_rows(report)
        ],
        "inspection_title": INSPECTION_TITLE, "inspection_rows": inspection,
        "not_accepted_title": NOT_ACCEPTED_TITLE, "not_accepted_rows": not_accepted,
        "reason_labels": reasons, "returned_span": str(len(reasons) + 1),
        "not_accepted_columns": [""] * (len(reasons) + 3),
        "date_line": date_line(report), "footer": footer_line(report),
    }


def render_html(report: Mapping[str, Any]) -> str:
    """The HTML of the PDF: through Django's template loader when Django is set up, else standalone."""
    from django.apps import apps

    data = context(report)
    if apps.ready:
        from django.template.loader import render_to_string

        return str(render_to_string(TEMPLATE, data))
    from django.template import Context, Engine

    engine = Engine(dirs=[str(TEMPLATE_DIR)], autoescape=True)
    return str(engine.get_template(TEMPLATE).render(Context(data, autoescape=True)))


def render_pdf(report: Mapping[str, Any]) -> bytes:
    from weasyprint import HTML

    pdf = HTML(string=render_html(report), base_url=str(TEMPLATE_DIR)).write_pdf()
    assert pdf is not None  # write_pdf returns bytes when no target is given
    return bytes(pdf)
