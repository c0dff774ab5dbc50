"""Writes to the catalogue: the catalogue import (interfaces §3.1), calendar overrides (§3.2), official units.

Every function here is atomic: it validates the whole input first and writes nothing when any part is bad.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction

from motcua.catalogue.models import (
    CalendarOverride,
    Department,
    Procedure,
    ProcedureVersion,
    Sector,
    TimeUnit,
    Unit,
    default_office_hours,
)
from motcua.catalogue.selectors import overrides_cache_clear
from motcua.core.errors import FieldError

__all__ = [
    "CatalogueChanges",
    "calendar_import",
    "catalogue_import",
    "department_create",
    "units_load_official",
]

UNIT_KEYS = {
    "code",
    "name",
    "kind",
    "parent",
    "admin_code",
    "timezone",
    "office_hours",
    "dossier_code_pattern",
}
PROCEDURE_KEYS = {
    "code",
    "name",
    "sector",
    "level",
    "time_limit",
    "online_time_limit",
    "fees",
    "components",
    "boundary_independent",
    "online",
    "requires_e_result",
    "same_day_cutoff",
    "pause_for_payment",
}


@dataclass
class CatalogueChanges:
    """What an import changed, for the CLI to print and the API to return."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0

    def lines(self) -> list[str]:
        out = [f"created {item}" for item in self.created] + [f"updated {item}" for item in self.updated]
        out.append(f"created {len(self.created)}, updated {len(self.updated)}, unchanged {self.unchanged}")
        return out


# ---------------------------------------------------------------------------------------------------------------
# validation helpers


def _require(item: Mapping[str, Any], key: str, where: str) -> Any:
    value = item.get(key)
    if value is None or value == "":
        raise FieldError(f"{where}.{key}", value, "is required")
    return value


def _str(
    item: Mapping[str, Any], key: str, where: str, *, required: bool = True, max_length: int = 500
) -> str:
    value = item.get(key)
    if value is None or value == "":
        if required:
            raise FieldError(f"{where}.{key}", value, "is required")
        return ""
    if not isinstance(value, str):
        raise FieldError(f"{where}.{key}", value, "must be a string")
    if len(value) > max_length:
        raise FieldError(f"{where}.{key}", value[:40] + "…", f"is longer than {max_length} characters")
    return value.strip()


def _bool(item: Mapping[str, Any], key: str, where: str, default: bool) -> bool:
    value = item.get(key, default)
    if not isinstance(value, bool):
        raise FieldError(f"{where}.{key}", value, "must be true or false")
    return value


def parse_office_hours(value: Any, where: str) -> list[list[str]]:
    """Validate a list of ``["HH:MM", "HH:MM"]`` sessions: ordered, non-overlapping, start before end."""
    if not isinstance(value, list) or not value:
        raise FieldError(where, value, "must be a non-empty list of [start, end] sessions")
    sessions: list[list[str]] = []
    previous_end: time | None = None
    for i, session in enumerate(value):
        if not (isinstance(session, list | tuple) and len(session) == 2):
            raise FieldError(f"{where}[{i}]", session, "must be [start, end]")
        try:
            start, end = (time.fromisoformat(str(s)) for s in session)
        except ValueError as exc:
            raise FieldError(f"{where}[{i}]", session, "times must be HH:MM") from exc
        if start >= end:
            raise FieldError(f"{where}[{i}]", session, "start must be before end")
        if previous_end is not None and start < previous_end:
            raise FieldError(f"{where}[{i}]", session, "sessions must be in order and must not overlap")
        previous_end = end
        sessions.append([start.strftime("%H:%M"), end.strftime("%H:%M")])
    return sessions


def _time_limit(value: Any, where: str) -> tuple[Decimal, str]:
    if not isinstance(value, Mapping):
        raise FieldError(where, value, "must be an object {value, unit}")
    unit = value.get("unit")
    if unit not in TimeUnit.values:
        raise FieldError(f"{where}.unit", unit, f"must be one of {', '.join(TimeUnit.values)}")
    raw = value.get("value")
    if isinstance(raw, bool) or raw is None:
        raise FieldError(f"{where}.value", raw, "must be a number")
    try:
        amount = Decimal(str(raw))
    except InvalidOperation as exc:
        raise FieldError(f"{where}.value", raw, "must be a number") from exc
    if not amount.is_finite() or amount < 0 or amount > 10000:
        raise FieldError(f"{where}.value", raw, "must be between 0 and 10000")
    if amount != amount.quantize(Decimal("0.01")):
        raise FieldError(f"{where}.value", raw, "must have at most 2 decimals")
    return amount, str(unit)


def _fees(value: Any, where: str) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise FieldError(where, value, "must be a list")
    fees = []
    for i, line in enumerate(value):
        w = f"{where}[{i}]"
        if not isinstance(line, Mapping):
            raise FieldError(w, line, "must be an object {kind, name, amount}")
        kind = line.get("kind")
        if kind not in ("fee", "charge"):
            raise FieldError(f"{w}.kind", kind, "must be fee or charge")
        amount = line.get("amount")
        if amount is not None and (
            isinstance(amount, bool) or not isinstance(amount, int | float) or amount < 0
        ):
            raise FieldError(f"{w}.amount", amount, "must be a non-negative number of VND, or null")
        fee = {"kind": kind, "name": _str(line, "name", w), "amount": amount}
        channel = line.get("channel")
        if channel is not None and channel not in ("direct", "online"):
            raise FieldError(f"{w}.channel", channel, "must be direct or online (or absent: every channel)")
        if not isinstance(line.get("optional", False), bool):
            raise FieldError(f"{w}.optional", line.get("optional"), "must be true or false")
        fee.update({k: v for k, v in line.items() if k not in fee})
        fees.append(fee)
    return fees


def _components(value: Any, where: str) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise FieldError(where, value, "must be a list")
    components, seen = [], set()
    for i, comp in enumerate(value):
        w = f"{where}[{i}]"
        if not isinstance(comp, Mapping):
            raise FieldError(w, comp, "must be an object {code, name, required}")
        code = _str(comp, "code", w, max_length=40)
        if code in seen:
            raise FieldError(f"{w}.code", code, "is repeated")
        seen.add(code)
        components.append(
            {
                "code": code,
                "name": _str(comp, "name", w, required=False, max_length=2000),
                "required": _bool(comp, "required", w, True),
            }
        )
    return components


# ---------------------------------------------------------------------------------------------------------------
# catalogue import


@dataclass(frozen=True)
class _UnitIn:
    code: str
    name: str
    kind: str
    parent: str | None
    admin_code: str | None
    timezone: str | None
    office_hours: list[list[str]] | None
    pattern: str | None
    notes: dict[str, Any]


@dataclass(frozen=True)
class _ProcedureIn:
    code: str
    name: str
    sector: str
    level: str
    content: dict[str, Any]
    notes: dict[str, Any]


def _parse_unit(item: Any, i: int) -> _UnitIn:
    where = f"units[{i}]"
    if not isinstance(item, Mapping):
        raise FieldError(where, item, "must be an object")
    kind = _require(item, "kind", where)
    if kind not in Unit.Kind.values:
        raise FieldError(f"{where}.kind", kind, "must be province or commune")
    parent = item.get("parent")
    if kind == "province" and parent:
        raise FieldError(f"{where}.parent", parent, "a province has no parent")
    if kind == "commune" and not parent:
        raise FieldError(f"{where}.parent", parent, "a commune needs its province's code")
    tz = item.get("timezone")
    if tz is not None:
        try:
            ZoneInfo(str(tz))
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise FieldError(f"{where}.timezone", tz, "is not a known time zone") from exc
    hours = (
        parse_office_hours(item["office_hours"], f"{where}.office_hours") if "office_hours" in item else None
    )
    admin_code = item.get("admin_code")
    if admin_code is not None and (not isinstance(admin_code, str) or not admin_code.isdigit()):
        raise FieldError(f"{where}.admin_code", admin_code, "must be a string of digits")
    pattern = item.get("dossier_code_pattern")
    if pattern is not None:
        from motcua.domain.codes import format_dossier_code

        try:
            format_dossier_code(unit_code="X", local_date=date(2025, 1, 1), seq=1, pattern=str(pattern))
        except (KeyError, ValueError, IndexError) as exc:
            raise FieldError(
                f"{where}.dossier_code_pattern", pattern, f"is not a valid pattern: {exc}"
            ) from exc
    return _UnitIn(
        code=_str(item, "code", where, max_length=40),
        name=_str(item, "name", where, max_length=200),
        kind=str(kind),
        parent=str(parent) if parent else None,
        admin_code=admin_code,
        timezone=str(tz) if tz else None,
        office_hours=hours,
        pattern=pattern,
        notes={k: v for k, v in item.items() if k not in UNIT_KEYS},
    )


def _parse_procedure(item: Any, i: int, sector_codes: set[str]) -> _ProcedureIn:
    where = f"procedures[{i}]"
    if not isinstance(item, Mapping):
        raise FieldError(where, item, "must be an object")
    code = _str(item, "code", where, max_length=30)
    sector = _str(item, "sector", where, max_length=20)
    if sector not in sector_codes:
        raise FieldError(f"{where}.sector", sector, "is not a known sector (add it to `sectors`)")
    level = item.get("level", "commune")
    if level not in Procedure.Level.values:
        raise FieldError(f"{where}.level", level, f"must be one of {', '.join(Procedure.Level.values)}")
    limit_value, limit_unit = _time_limit(_require(item, "time_limit", where), f"{where}.time_limit")
    online_limit = item.get("online_time_limit")
    content: dict[str, Any] = {
        "name": _str(item, "name", where),
        "time_limit_value": limit_value,
        "time_limit_unit": limit_unit,
        "online_time_limit_value": None,
        "online_time_limit_unit": "",
        "fees": _fees(item.get("fees"), f"{where}.fees"),
        "components": _components(item.get("components"), f"{where}.components"),
        "boundary_independent": _bool(item, "boundary_independent", where, False),
        "online": item.get("online", "none"),
        "requires_e_result": _bool(item, "requires_e_result", where, False),
        "pause_for_payment": _bool(item, "pause_for_payment", where, False),
        "same_day_cutoff": time(15, 0),
    }
    if content["online"] not in ProcedureVersion.Online.values:
        raise FieldError(f"{where}.online", content["online"], "must be none, partial or full")
    if online_limit is not None:
        value, unit = _time_limit(online_limit, f"{where}.online_time_limit")
        content["online_time_limit_value"], content["online_time_limit_unit"] = value, unit
    if "same_day_cutoff" in item:
        try:
            content["same_day_cutoff"] = time.fromisoformat(str(item["same_day_cutoff"]))
        except ValueError as exc:
            raise FieldError(f"{where}.same_day_cutoff", item["same_day_cutoff"], "must be HH:MM") from exc
    notes = {k: v for k, v in item.items() if k not in PROCEDURE_KEYS}
    return _ProcedureIn(
        code=code, name=content["name"], sector=sector, level=str(level), content=content, notes=notes
    )


def _content_hash(content: Mapping[str, Any]) -> str:
    return hashlib.sha256(
        json.dumps(content, sort_keys=True, default=str, ensure_ascii=False).encode()
    ).hexdigest()


@transaction.atomic
def catalogue_import(*, data: Any) -> CatalogueChanges:
    """Create or update units, sectors and procedures from a catalogue document (interfaces §3.1).

    Units are matched by ``code``, then by ``admin_code`` (so a unit loaded from the official list gets its
    agency code). A procedure whose content changed gets a new version; dossiers keep their old version.
    Unknown keys are kept as notes. Nothing is written if any entry is invalid.
    """
    if not isinstance(data, Mapping):
        raise FieldError(
            "catalogue", type(data).__name__, "must be a JSON object with units, sectors, procedures"
        )
    for key in ("units", "sectors", "procedures"):
        if key in data and not isinstance(data[key], list):
            raise FieldError(key, data[key], "must be a list")
    units = [_parse_unit(item, i) for i, item in enumerate(data.get("units", []))]
    sectors: list[tuple[str, str]] = []
    for i, item in enumerate(data.get("sectors", [])):
        if not isinstance(item, Mapping):
            raise FieldError(f"sectors[{i}]", item, "must be an object {code, name}")
        sectors.append(
            (
                _str(item, "code", f"sectors[{i}]", max_length=20),
                _str(item, "name", f"sectors[{i}]", max_length=200),
            )
        )
    known_sectors = set(Sector.objects.values_list("code", flat=True)) | {code for code, _ in sectors}
    procedures = [
        _parse_procedure(item, i, known_sectors) for i, item in enumerate(data.get("procedures", []))
    ]
    for label, codes in (
        ("units", [u.code for u in units]),
        ("sectors", [c for c, _ in sectors]),
        ("procedures", [p.code for p in procedures]),
    ):
        seen: set[str] = set()
        for i, code in enumerate(codes):
            if code in seen:
                raise FieldError(f"{label}[{i}].code", code, "appears twice in the file")
            seen.add(code)

    changes = CatalogueChanges()
    _import_units(units, changes)
    for code, name in sectors:
        sector, created = Sector.objects.get_or_create(code=code, defaults={"name": name})
        if created:
            changes.created.append(f"sector {code}")
        elif sector.name != name:
            sector.name = name
            sector.save(update_fields=["name"])
            changes.updated.append(f"sector {code}")
        else:
            changes.unchanged += 1
    for proc in procedures:
        _import_procedure(proc, changes)
    return changes


def _import_units(units: Sequence[_UnitIn], changes: CatalogueChanges) -> None:
    # Provinces first so communes can point at them, whatever the file's order.
    for i, u in sorted(enumerate(units), key=lambda pair: pair[1].kind != "province"):
        parent = None
        if u.parent:
            parent = Unit.objects.filter(code=u.parent).first()
            if parent is None:
                raise FieldError(f"units[{i}].parent", u.parent, "is not a known unit code")
            if parent.kind != Unit.Kind.PROVINCE:
                raise FieldError(f"units[{i}].parent", u.parent, "is not a province")
        unit = Unit.objects.filter(code=u.code).first()
        if unit is None and u.admin_code:
            unit = Unit.objects.filter(admin_code=u.admin_code).first()
        if (
            u.admin_code
            and Unit.objects.filter(admin_code=u.admin_code).exclude(pk=unit.pk if unit else None).exists()
        ):
            raise FieldError(f"units[{i}].admin_code", u.admin_code, "belongs to another unit")
        values: dict[str, Any] = {"code": u.code, "name": u.name, "kind": u.kind, "parent": parent}
        if u.admin_code:
            values["admin_code"] = u.admin_code
        if u.timezone:
            values["timezone"] = u.timezone
        if u.office_hours is not None:
            values["office_hours"] = u.office_hours
        if u.pattern is not None:
            values["dossier_code_pattern"] = u.pattern
        if u.notes:
            values["notes"] = u.notes
        if unit is None:
            Unit.objects.create(**values)
            changes.created.append(f"unit {u.code}")
            continue
        changed = [k for k, v in values.items() if getattr(unit, k) != v]
        if changed:
            for k in changed:
                setattr(unit, k, values[k])
            unit.save()
            changes.updated.append(f"unit {u.code} ({', '.join(changed)})")
        else:
            changes.unchanged += 1


def _import_procedure(proc: _ProcedureIn, changes: CatalogueChanges) -> None:
    sector = Sector.objects.get(code=proc.sector)
    content_hash = _content_hash(proc.content)
    procedure = Procedure.objects.select_for_update().filter(code=proc.code).first()
    if procedure is None:
        procedure = Procedure.objects.create(code=proc.code, name=proc.name, sector=sector, level=proc.level)
        changes.created.append(f"procedure {proc.code}")
        header_changed = False
    else:
        header_changed = (procedure.name, procedure.sector_id, procedure.level) != (
            proc.name,
            sector.pk,
            proc.level,
        )
        procedure.name, procedure.sector, procedure.level = proc.name, sector, proc.level
    current = procedure.current_version
    if current is not None and current.content_hash == content_hash:
        if current.notes != proc.notes:
            current.notes = proc.notes
            current.save(update_fields=["notes"])
        if header_changed:
            procedure.save()
            changes.updated.append(f"procedure {proc.code}")
        else:
            changes.unchanged += 1
        return
    number = (current.number + 1) if current else 1
    version = ProcedureVersion.objects.create(
        procedure=procedure, number=number, content_hash=content_hash, notes=proc.notes, **proc.content
    )
    procedure.current_version = version
    procedure.save()
    if current is not None:
        changes.updated.append(f"procedure {proc.code} (version {number})")


# ---------------------------------------------------------------------------------------------------------------
# calendar overrides


@transaction.atomic
def calendar_import(*, data: Any) -> CatalogueChanges:
    """Add or replace calendar overrides (interfaces §3.2). ``unit`` limits them to one unit.

    An override for a date that already has one (for the same scope) replaces it.
    """
    if not isinstance(data, Mapping) or not isinstance(data.get("overrides"), list):
        raise FieldError(
            "overrides",
            None if not isinstance(data, Mapping) else data.get("overrides"),
            "the file must be an object with a list `overrides`",
        )
    unit = None
    if data.get("unit") is not None:
        unit = Unit.objects.filter(code=data["unit"]).first()
        if unit is None:
            raise FieldError("unit", data["unit"], "is not a known unit code")
    parsed: list[tuple[date, str, str, str]] = []
    seen: set[date] = set()
    for i, item in enumerate(data["overrides"]):
        where = f"overrides[{i}]"
        if not isinstance(item, Mapping):
            raise FieldError(where, item, "must be an object {date, kind, note}")
        raw_date = item.get("date")
        try:
            day = date.fromisoformat(str(raw_date))
        except ValueError as exc:
            raise FieldError(f"{where}.date", raw_date, "must be a date YYYY-MM-DD") from exc
        if day in seen:
            raise FieldError(f"{where}.date", raw_date, "appears twice in the file")
        seen.add(day)
        kind = item.get("kind")
        if kind not in CalendarOverride.Kind.values:
            raise FieldError(f"{where}.kind", kind, "must be day_off or working_day")
        parsed.append((day, str(kind), str(item.get("note") or ""), str(item.get("source") or "")))
    changes = CatalogueChanges()
    transaction.on_commit(overrides_cache_clear)
    overrides_cache_clear()
    for day, kind, note, source in parsed:
        existing = CalendarOverride.objects.filter(date=day, unit=unit).first()
        label = f"override {day.isoformat()} {kind}" + (f" ({unit.code})" if unit else "")
        if existing is None:
            CalendarOverride.objects.create(date=day, kind=kind, note=note, source=source, unit=unit)
            changes.created.append(label)
        elif (existing.kind, existing.note, existing.source) != (kind, note, source):
            existing.kind, existing.note, existing.source = kind, note, source
            existing.save()
            changes.updated.append(label)
        else:
            changes.unchanged += 1
    return changes


@transaction.atomic
def calendar_install_defaults() -> CatalogueChanges:
    """Install the official notices that differ from the ``holidays`` package (rules §2) as global overrides."""
    from motcua.domain.vn_holidays import default_overrides

    return calendar_import(
        data={
            "overrides": [
                {
                    "date": o.date.isoformat(),
                    "kind": o.kind.value,
                    "note": o.note,
                    "source": getattr(o, "source", ""),
                }
                for o in default_overrides()
            ]
        }
    )


# ---------------------------------------------------------------------------------------------------------------
# departments and the official list of units


@transaction.atomic
def department_create(*, unit: Unit, code: str, name: str, sector_codes: Iterable[str] = ()) -> Department:
    department, _created = Department.objects.get_or_create(unit=unit, code=code, defaults={"name": name})
    if department.name != name:
        department.name = name
        department.save(update_fields=["name"])
    sectors = list(Sector.objects.filter(code__in=list(sector_codes)))
    missing = set(sector_codes) - {s.code for s in sectors}
    if missing:
        raise FieldError("sectors", sorted(missing), "are not known sector codes")
    department.sectors.set(sectors)
    return department


@transaction.atomic
def units_load_official() -> CatalogueChanges:
    """Load the 34 provinces and 3,321 communes of the 2025 reorganization with their statistical codes.

    A unit already known by its ``admin_code`` keeps its agency code and settings (only the name is
    refreshed). New units get ``code`` = ``DVHC-<admin_code>`` until the deployment imports their real agency
    code with ``motcua catalogue import`` (matched by ``admin_code``).
    """
    from motcua.catalogue.admin_units import load_admin_units

    official = load_admin_units()
    existing = {u.admin_code: u for u in Unit.objects.exclude(admin_code=None)}
    changes = CatalogueChanges()
    new_units: list[Unit] = []
    for p in official.provinces:
        unit = existing.get(p.admin_code)
        if unit is None:
            new_units.append(
                Unit(
                    code=f"DVHC-{p.admin_code}",
                    admin_code=p.admin_code,
                    name=p.name,
                    kind=Unit.Kind.PROVINCE,
                    office_hours=default_office_hours(),
                )
            )
        elif unit.name != p.name:
            unit.name = p.name
            unit.save(update_fields=["name"])
            changes.updated.append(f"unit {unit.code}")
        else:
            changes.unchanged += 1
    Unit.objects.bulk_create(new_units)
    changes.created.extend(f"unit {u.code}" for u in new_units)
    provinces = {
        u.admin_code: u for u in Unit.objects.filter(kind=Unit.Kind.PROVINCE).exclude(admin_code=None)
    }
    new_units = []
    for c in official.communes:
        unit = existing.get(c.admin_code)
        if unit is None:
            new_units.append(
                Unit(
                    code=f"DVHC-{c.admin_code}",
                    admin_code=c.admin_code,
                    name=c.name,
                    kind=Unit.Kind.COMMUNE,
                    parent=provinces[c.province],
                    office_hours=default_office_hours(),
                )
            )
        elif unit.name != c.name:
            unit.name = c.name
            unit.save(update_fields=["name"])
            changes.updated.append(f"unit {unit.code}")
        else:
            changes.unchanged += 1
    Unit.objects.bulk_create(new_units, batch_size=500)
    changes.created.extend(f"unit {u.code}" for u in new_units)
    return changes
