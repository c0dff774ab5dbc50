"""``/reports/periodic``: the periodic report of rules §4 (interfaces §4), and closing a period."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from motcua.accounts.selectors import units_visible_to
from motcua.api.auth import request_user
from motcua.api.errors import ProblemOut
from motcua.catalogue.models import Unit
from motcua.core.errors import FieldError, NotFound
from motcua.reports.periodic import period_preset, periodic_report

__all__ = ["router"]

router = Router(tags=["reports"])

CONTENT_TYPES = {
    "json": "application/json; charset=utf-8",
    "table": "text/plain; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


class PeriodQuery(Schema):
    unit: str = Field(description="unit code: a commune, or a province (the sum over its communes)")
    date_from: date | None = Field(None, alias="from", description="first day (local date)")
    date_to: date | None = Field(None, alias="to", description="last day (local date)")
    period: str | None = Field(None, description="instead of from/to: 2025, 2025-09, 2025-Q3, 2025-Q3-15")


class ReportQuery(PeriodQuery):
    format: Literal["json", "table", "csv", "xlsx", "pdf"] = "json"


def visible_unit(request: HttpRequest, code: str) -> Unit:
    """The unit, if the user holds a role in it or in its province (inspectors see every commune)."""
    unit = units_visible_to(request_user(request)).filter(code=code).first()
    if unit is None:
        raise NotFound(f"unit {code!r} does not exist or is not yours", field="unit", value=code)
    return unit


def resolve_period(query: PeriodQuery) -> tuple[date, date]:
    if query.period:
        if query.date_from or query.date_to:
            raise FieldError("period", query.period, "give either period or from/to, not both")
        return period_preset(query.period)
    if query.date_from is None:
        raise FieldError("from", None, "is required (or period)")
    if query.date_to is None:
        raise FieldError("to", None, "is required (or period)")
    return query.date_from, query.date_to


@router.get("/reports/periodic", response={200: dict[str, Any], 401: ProblemOut, 404: ProblemOut,
                                           422: ProblemOut},
            summary="The periodic report (Biểu 06 and the inspection figures)")
def report_periodic(request: HttpRequest, query: Query[ReportQuery]) -> Any:
    """The figures of rules §4 for a unit and period, in the JSON shape of interfaces §4; with ``format`` =
    ``xlsx``, ``pdf``, ``csv`` or ``table`` the same report as a file (the official Biểu 06 layout)."""
    unit = visible_unit(request, query.unit)
    date_from, date_to = resolve_period(query)
    report = periodic_report(unit=unit, date_from=date_from, date_to=date_to)
    if query.format == "json":
        return report
    from motcua.reports.render import render

    response = HttpResponse(render(report, query.format), content_type=CONTENT_TYPES[query.format])
    if query.format in ("xlsx", "pdf", "csv"):
        name = f"bao-cao-{unit.code}-{date_from.isoformat()}-{date_to.isoformat()}.{query.format}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class CloseIn(Schema):
    unit: str
    date_from: date = Field(alias="from")
    date_to: date = Field(alias="to")
    note: str = Field("", max_length=2000)


class ClosedOut(Schema):
    unit: str
    date_from: date = Field(serialization_alias="from")
    date_to: date = Field(serialization_alias="to")
    closed_at: str
    closed_by: str | None
    formula_version: str
    figures: dict[str, Any]


@router.post("/reports/periodic/close", response={201: ClosedOut, 401: ProblemOut, 403: ProblemOut,
                                                 404: ProblemOut, 409: ProblemOut, 422: ProblemOut},
             summary="Close a period: store an immutable snapshot of its report")
def report_close(request: HttpRequest, body: CloseIn) -> Any:
    from motcua.reports.services import period_close

    unit = visible_unit(request, body.unit)
    closed = period_close(unit=unit, date_from=body.date_from, date_to=body.date_to,
                          actor=request_user(request), note=body.note)
    return Status(201, {"unit": unit.code, "date_from": closed.date_from, "date_to": closed.date_to,
                 "closed_at": closed.closed_at.isoformat(), "formula_version": closed.formula_version,
                 "closed_by": closed.closed_by.username if closed.closed_by else None, "figures": closed.figures})
