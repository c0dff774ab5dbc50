"""``/units``, ``/sectors``, ``/procedures``: the catalogue (rules §1), readable by every signed-in user."""

from __future__ import annotations

from typing import Literal

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from motcua.api.common import PageOut, PageQuery, RefOut, number, page
from motcua.api.errors import ProblemOut
from motcua.catalogue.models import Procedure, ProcedureVersion, Sector, Unit
from motcua.core.errors import NotFound

__all__ = ["router"]

router = Router(tags=["catalogue"])

READ_ERRORS = {401: ProblemOut, 422: ProblemOut}
ONE_ERRORS = {401: ProblemOut, 404: ProblemOut}


# -- units ------------------------------------------------------------------------------------------------


class UnitOut(Schema):
    code: str = Field(description="agency identifier (mã định danh), the prefix of dossier codes")
    admin_code: str | None = Field(description="national statistical code of the administrative unit")
    name: str
    kind: Literal["province", "commune"]
    parent: str | None = Field(description="a commune's province (code)")
    timezone: str
    office_hours: list[list[str]] = Field(description='sessions, e.g. [["07:30","11:30"],["13:30","17:00"]]')
    active: bool


class DepartmentOut(Schema):
    code: str
    name: str
    sectors: list[str] = Field(description="codes of the sectors routed to this department")


class UnitDetailOut(UnitOut):
    departments: list[DepartmentOut]


class UnitPage(PageOut):
    items: list[UnitOut]


class UnitQuery(PageQuery):
    kind: Literal["province", "commune"] | None = None
    parent: str | None = Field(None, description="province code: its communes")
    q: str | None = Field(None, max_length=200, description="part of the code or name")


def _unit(unit: Unit) -> dict[str, object]:
    return {"code": unit.code, "admin_code": unit.admin_code, "name": unit.name, "kind": unit.kind,
            "parent": unit.parent.code if unit.parent else None, "timezone": unit.timezone,
            "office_hours": unit.office_hours, "active": unit.active}


def _units(query: UnitQuery) -> QuerySet[Unit]:
    qs = Unit.objects.select_related("parent").order_by("code")
    if query.kind:
        qs = qs.filter(kind=query.kind)
    if query.parent:
        qs = qs.filter(parent__code=query.parent)
    if query.q:
        qs = qs.filter(Q(code__icontains=query.q) | Q(name__icontains=query.q))
    return qs


@router.get("/units", response={200: UnitPage, **READ_ERRORS}, operation_id="unit_list",
            summary="List administrative units")
def unit_list(request: HttpRequest, query: Query[UnitQuery]) -> dict[str, object]:
    count, units = page(_units(query), query)
    return {"count": count, "limit": query.limit, "offset": query.offset, "items": [_unit(u) for u in units]}


@router.get("/units/{code}", response={200: UnitDetailOut, **ONE_ERRORS}, operation_id="unit_get",
            summary="One unit, with its departments")
def unit_get(request: HttpRequest, code: str) -> dict[str, object]:
    unit = Unit.objects.select_related("parent").filter(code=code).first()
    if unit is None:
        raise NotFound(f"unit {code!r} does not exist")
    departments = [{"code": d.code, "name": d.name, "sectors": [s.code for s in d.sectors.all()]}
                   for d in unit.departments.prefetch_related("sectors").order_by("code")]
    return {**_unit(unit), "departments": departments}


# -- sectors ----------------------------------------------------------------------------------------------


@router.get("/sectors", response={200: list[RefOut], 401: ProblemOut}, operation_id="sector_list",
            summary="List sectors (lĩnh vực)")
def sector_list(request: HttpRequest) -> list[dict[str, str]]:
    return [{"code": s.code, "name": s.name} for s in Sector.objects.order_by("code")]


# -- procedures -------------------------------------------------------------------------------------------


class TimeLimitOut(Schema):
    value: int | float
    unit: Literal["working_days", "working_hours", "calendar_days", "same_day"]


class FeeOut(Schema):
    kind: str = Field(description="fee | charge")
    name: str
    amount: int | None = Field(description="VND; null = set by the province, not charged yet")


class ProcedureComponentOut(Schema):
    code: str
    name: str
    required: bool


class ProcedureSummaryOut(Schema):
    code: str = Field(description="national procedure code, e.g. 1.001193")
    name: str
    sector: str
    level: str
    active: bool
    version: int = Field(description="the current version's number")
    time_limit: TimeLimitOut
    online: Literal["none", "partial", "full"]
    boundary_independent: bool


class ProcedureOut(ProcedureSummaryOut):
    sector_name: str
    versions: list[int] = Field(description="every version's number, newest first")
    online_time_limit: TimeLimitOut | None
    same_day_cutoff: str = Field(description="HH:MM")
    pause_for_payment: bool
    requires_e_result: bool
    fees: list[FeeOut]
    fee_total: int = Field(description="the sum of the set amounts, VND")
    components: list[ProcedureComponentOut]


class ProcedurePage(PageOut):
    items: list[ProcedureSummaryOut]


class ProcedureQuery(PageQuery):
    sector: str | None = Field(None, description="sector code")
    q: str | None = Field(None, max_length=200, description="part of the code or name")


def _summary(procedure: Procedure, version: ProcedureVersion) -> dict[str, object]:
    return {"code": procedure.code, "name": version.name, "sector": procedure.sector.code,
            "level": procedure.level, "active": procedure.active, "version": version.number,
            "time_limit": {"value": number(version.time_limit_value), "unit": version.time_limit_unit},
            "online": version.online, "boundary_independent": version.boundary_independent}


@router.get("/procedures", response={200: ProcedurePage, **READ_ERRORS}, operation_id="procedure_list",
            summary="List procedures (thủ tục hành chính)")
def procedure_list(request: HttpRequest, query: Query[ProcedureQuery]) -> dict[str, object]:
    qs = (Procedure.objects.select_related("sector", "current_version").exclude(current_version=None)
          .order_by("code"))
    if query.sector:
        qs = qs.filter(sector__code=query.sector)
    if query.q:
        qs = qs.filter(Q(code__icontains=query.q) | Q(name__icontains=query.q))
    count, procedures = page(qs, query)
    items = []
    for p in procedures:
        assert p.current_version is not None
        items.append(_summary(p, p.current_version))
    return {"count": count, "limit": query.limit, "offset": query.offset, "items": items}


@router.get("/procedures/{code}", response={200: ProcedureOut, **ONE_ERRORS}, operation_id="procedure_get",
            summary="One procedure: its current version's content")
def procedure_get(request: HttpRequest, code: str) -> dict[str, object]:
    procedure = Procedure.objects.select_related("sector", "current_version").filter(code=code).first()
    if procedure is None or procedure.current_version is None:
        raise NotFound(f"procedure {code!r} does not exist")
    version = procedure.current_version
    online_limit = None
    if version.online_time_limit_value is not None and version.online_time_limit_unit:
        online_limit = {"value": number(version.online_time_limit_value), "unit": version.online_time_limit_unit}
    return {
        **_summary(procedure, version),
        "sector_name": procedure.sector.name,
        "versions": list(procedure.versions.order_by("-number").values_list("number", flat=True)),
        "online_time_limit": online_limit,
        "same_day_cutoff": version.same_day_cutoff.strftime("%H:%M"),
        "pause_for_payment": version.pause_for_payment,
        "requires_e_result": version.requires_e_result,
        "fees": [{"kind": f.get("kind", "fee"), "name": f.get("name", ""), "amount": f.get("amount")}
                 for f in version.fees],
        "fee_total": int(version.fee_total()),
        "components": [{"code": c["code"], "name": c.get("name", ""), "required": bool(c.get("required"))}
                       for c in version.components],
    }
