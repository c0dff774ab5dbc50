"""Reads from the catalogue, turned into the pure core's objects (calendar, procedure rules)."""

from __future__ import annotations

import time as time_module
from datetime import date
from functools import lru_cache

from django.db.models import Q

from motcua.catalogue.models import CalendarOverride, Procedure, ProcedureVersion, Unit
from motcua.domain.calendar import Override, OverrideKind, WorkingCalendar
from motcua.domain.deadlines import TimeLimit, TimeUnit
from motcua.domain.lifecycle import ProcedureRules
from motcua.domain.vn_holidays import vietnam_public_holidays

__all__ = ["procedure_in_force", "procedure_rules", "unit_calendar", "unit_overrides"]

# The holidays package computes lunar dates; one span of years covers every dossier we handle.
HOLIDAY_YEARS = range(2015, 2046)


@lru_cache(maxsize=1)
def _public_holidays() -> tuple[tuple[date, str], ...]:
    return tuple(sorted(vietnam_public_holidays(HOLIDAY_YEARS).items()))


def unit_overrides(unit: Unit) -> tuple[Override, ...]:
    """The overrides that apply to ``unit``: global ones, with the unit's own winning on the same date."""
    rows = CalendarOverride.objects.filter(Q(unit__isnull=True) | Q(unit=unit)).values_list(
        "date", "kind", "note", "unit_id"
    )
    by_date: dict[date, Override] = {}
    for day, kind, note, _unit_id in sorted(rows, key=lambda r: r[3] is not None):
        by_date[day] = Override(date=day, kind=OverrideKind(kind), note=note)
    return tuple(by_date[d] for d in sorted(by_date))


@lru_cache(maxsize=256)
def _calendar(
    tz: str, sessions: tuple[tuple[str, str], ...], overrides: tuple[Override, ...]
) -> WorkingCalendar:
    from datetime import time

    return WorkingCalendar(
        tz=tz,
        sessions=tuple((time.fromisoformat(a), time.fromisoformat(b)) for a, b in sessions),
        holidays=dict(_public_holidays()),
        overrides=overrides,
    )


# Overrides read from the database are reused for a few seconds: a busy desk computes many due dates a
# minute. Changes made through this process's services clear the cache at once; an admin's edit made in
# another process is seen within OVERRIDES_TTL seconds.
OVERRIDES_TTL = 10.0
_overrides_cache: dict[int, tuple[float, tuple[Override, ...]]] = {}


def overrides_cache_clear() -> None:
    _overrides_cache.clear()


def unit_calendar(unit: Unit) -> WorkingCalendar:
    """The working calendar of ``unit`` (rules §2): its sessions, VN public holidays, then overrides.

    Identical inputs share one cached calendar object.
    """
    now = time_module.monotonic()
    cached = _overrides_cache.get(unit.pk)
    if cached is None or now - cached[0] > OVERRIDES_TTL:
        cached = (now, unit_overrides(unit))
        _overrides_cache[unit.pk] = cached
    sessions = tuple((str(a), str(b)) for a, b in unit.office_hours)
    return _calendar(unit.timezone, sessions, cached[1])


def procedure_in_force(code: str | None) -> Procedure | None:
    """The active procedure with this code and a current version (what the desk may receive), else None."""
    if not code:
        return None
    return (
        Procedure.objects.select_related("current_version", "sector")
        .filter(code=code, active=True, current_version__isnull=False)
        .first()
    )


def procedure_rules(version: ProcedureVersion) -> ProcedureRules:
    online = None
    if version.online_time_limit_value is not None and version.online_time_limit_unit:
        online = TimeLimit(
            value=version.online_time_limit_value, unit=TimeUnit(version.online_time_limit_unit)
        )
    return ProcedureRules(
        time_limit=TimeLimit(value=version.time_limit_value, unit=TimeUnit(version.time_limit_unit)),
        online_time_limit=online,
        same_day_cutoff=version.same_day_cutoff,
        pause_for_payment=version.pause_for_payment,
    )


def catalogue_export() -> dict[str, object]:
    """The catalogue in the import format (interfaces §3.1): importing it again changes nothing."""
    from motcua.catalogue.models import Procedure, Sector

    units = []
    for unit in Unit.objects.select_related("parent").order_by("kind", "code"):
        item: dict[str, object] = {
            "code": unit.code,
            "name": unit.name,
            "kind": unit.kind,
            "admin_code": unit.admin_code,
            "timezone": unit.timezone,
            "office_hours": unit.office_hours,
        }
        if unit.parent:
            item["parent"] = unit.parent.code
        if unit.dossier_code_pattern:
            item["dossier_code_pattern"] = unit.dossier_code_pattern
        units.append({k: v for k, v in item.items() if v is not None})
    units.sort(key=lambda u: (u["kind"] != "province", str(u["code"])))
    return {
        "units": units,
        "sectors": [{"code": s.code, "name": s.name} for s in Sector.objects.all()],
        "procedures": [
            {**p.current_version.as_catalogue_dict(), **p.current_version.notes}
            for p in Procedure.objects.select_related("current_version", "sector").exclude(
                current_version=None
            )
        ],
    }
