"""Import procedures from the national procedure database export (CSDL quốc gia về TTHC), issue 6 §4.

The export is the portal's procedure record (the ``LayThuTuc`` answer), a JSON object ``{"result": [...]}``
(a bare list is accepted too) whose records use the portal's upper-case keys::

    {"MATTHC": "1.001193", "TENTTHC": "Thủ tục đăng ký khai sinh", "CAPTHUCHIEN": "Cấp Xã",
     "LINHVUCTHUCHIEN": [{"MALINHVUC": "HT", "TENLINHVUC": "Hộ tịch"}],
     "CACHTHUCTHUCHIEN": [{"KENH": 1, "THOIGIAN": [{"THOIGIANGIAIQUYET": 1, "DONVITINH": "Trong ngày",
                            "PHILEPHI": [{"MAPHILEPHI": "LP", "SOTIEN": 0, "MOTA": "Lệ phí (miễn)"}]}]},
                          {"KENH": 2, "THOIGIAN": [...]}],
     "THANHPHANHOSO": [{"TRUONGHOP": "...", "GIAYTO": [{"MAGIAYTO": "TK", "TENGIAYTO": "Tờ khai", "BATBUOC": 1}]}],
     "DVCTRUCTUYEN": "Toàn trình", "TRANGTHAI": 1}

Mapping (documented with examples in docs/integration.md):

- code, name, level (``Cấp Xã`` → commune, ``Cấp Tỉnh`` → province, ``Cấp Bộ``/``Trung ương`` → central);
- sector: the first ``LINHVUCTHUCHIEN``; matched to a known sector by code, then by name, else created;
- time limit: the direct channel's (``KENH`` 1, else the first) first ``THOIGIAN``; the online channel's
  (``KENH`` 2) becomes ``online_time_limit`` when it differs. ``DONVITINH``: ``Ngày làm việc`` →
  working_days, ``Ngày`` → calendar_days, ``Giờ``/``Giờ làm việc`` → working_hours, ``Trong ngày`` → same_day;
- fees: that ``THOIGIAN``'s ``PHILEPHI`` (``MAPHILEPHI`` ``LP`` or a description starting "Lệ phí" → charge,
  else fee; an empty ``SOTIEN`` is "set by the province", and keeps the amount a deployment already set for the
  fee line of the same name);
- components: every ``GIAYTO`` of every case, once per ``MAGIAYTO`` (``BATBUOC`` 0 → optional);
- online: ``DVCTRUCTUYEN`` ``Toàn trình`` → full, ``Một phần`` → partial, else partial when there is an online
  channel, none otherwise;
- what the export does not carry (boundary-independent, e-result required, pause for payment, same-day
  cut-off) keeps the current version's value.

Records with ``TRANGTHAI`` other than 1 (not in force) are skipped and listed. The result goes through
:func:`motcua.catalogue.services.catalogue_import` (its validation, versioning and atomicity): a changed
procedure gets a new version, dossiers keep theirs.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from motcua.catalogue.models import Procedure, Sector
from motcua.catalogue.services import catalogue_import
from motcua.core.errors import FieldError

__all__ = ["NationalImportReport", "national_catalogue_import", "national_to_catalogue"]

COMPARED = ("name", "sector", "level", "time_limit", "online_time_limit", "fees", "components", "online")


def _fold(text: str) -> str:
    """Lower case without diacritics (``Ngày làm việc`` → ``ngay lam viec``), for matching labels."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return (
        "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
        .lower()
        .strip()
    )


TIME_UNITS = {
    "ngay lam viec": "working_days",
    "ngay": "calendar_days",
    "ngay ke tu ngay nhan du ho so": "calendar_days",
    "gio": "working_hours",
    "gio lam viec": "working_hours",
    "trong ngay": "same_day",
}
LEVELS = {"cap xa": "commune", "cap tinh": "province", "cap bo": "central", "trung uong": "central"}


@dataclass
class NationalImportReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    dry_run: bool = False

    def lines(self) -> list[str]:
        out = [f"added {c}" for c in self.added] + [f"changed {c}" for c in self.changed]
        out += [f"skipped {c}" for c in self.skipped]
        out.append(
            f"added {len(self.added)}, changed {len(self.changed)}, unchanged {len(self.unchanged)}, "
            f"skipped {len(self.skipped)}" + (" (dry run: nothing written)" if self.dry_run else "")
        )
        return out


def _list(record: Mapping[str, Any], key: str, where: str) -> list[Any]:
    value = record.get(key) or []
    if not isinstance(value, list):
        raise FieldError(f"{where}.{key}", value, "must be a list")
    return value


def _time(entry: Any, where: str) -> dict[str, Any]:
    if not isinstance(entry, Mapping):
        raise FieldError(where, entry, "must be an object {THOIGIANGIAIQUYET, DONVITINH}")
    label = str(entry.get("DONVITINH") or "")
    unit = TIME_UNITS.get(_fold(label))
    if unit is None:
        raise FieldError(
            f"{where}.DONVITINH", label, f"is not a known time unit ({', '.join(sorted(TIME_UNITS))})"
        )
    raw = entry.get("THOIGIANGIAIQUYET")
    if unit == "same_day":
        return {"value": 1, "unit": unit}
    if isinstance(raw, str):
        raw = raw.strip().replace(",", ".")
        try:
            raw = float(raw)
        except ValueError as exc:
            raise FieldError(
                f"{where}.THOIGIANGIAIQUYET", entry.get("THOIGIANGIAIQUYET"), "must be a number"
            ) from exc
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise FieldError(f"{where}.THOIGIANGIAIQUYET", raw, "must be a number")
    return {"value": int(raw) if float(raw).is_integer() else raw, "unit": unit}


def _fee(entry: Any, where: str) -> dict[str, Any]:
    if not isinstance(entry, Mapping):
        raise FieldError(where, entry, "must be an object {MAPHILEPHI, SOTIEN, MOTA}")
    code = str(entry.get("MAPHILEPHI") or "")
    text = str(entry.get("MOTA") or entry.get("TENPHILEPHI") or "")
    charge = code.upper() in ("LP", "LEPHI") or _fold(text).startswith("le phi")
    amount = entry.get("SOTIEN")
    if amount in ("", None):
        amount = None
    elif isinstance(amount, str):
        digits = re.sub(r"[ .,]", "", amount)
        if not digits.isdigit():
            raise FieldError(f"{where}.SOTIEN", amount, "must be a number of VND")
        amount = int(digits)
    elif isinstance(amount, float) and amount.is_integer():
        amount = int(amount)
    return {
        "kind": "charge" if charge else "fee",
        "name": text or ("Lệ phí" if charge else "Phí"),
        "amount": amount,
    }


def _channel(record: Mapping[str, Any], where: str, kenh: int) -> tuple[dict[str, Any], list[Any]] | None:
    for i, channel in enumerate(_list(record, "CACHTHUCTHUCHIEN", where)):
        if isinstance(channel, Mapping) and str(channel.get("KENH")) == str(kenh):
            times = channel.get("THOIGIAN") or []
            if not isinstance(times, list) or not times:
                raise FieldError(f"{where}.CACHTHUCTHUCHIEN[{i}].THOIGIAN", times, "must be a non-empty list")
            first = times[0]
            w = f"{where}.CACHTHUCTHUCHIEN[{i}].THOIGIAN[0]"
            fees = first.get("PHILEPHI") or [] if isinstance(first, Mapping) else []
            return _time(first, w), [_fee(f, f"{w}.PHILEPHI[{j}]") for j, f in enumerate(fees)]
    return None


def _record(record: Any, i: int, sectors: dict[str, tuple[str, str]]) -> dict[str, Any]:
    where = f"result[{i}]"
    if not isinstance(record, Mapping):
        raise FieldError(where, record, "must be an object")
    code = str(record.get("MATTHC") or record.get("MaTTHC") or "").strip()
    if not code:
        raise FieldError(f"{where}.MATTHC", record.get("MATTHC"), "is required")
    fields = _list(record, "LINHVUCTHUCHIEN", where)
    if not fields or not isinstance(fields[0], Mapping):
        raise FieldError(f"{where}.LINHVUCTHUCHIEN", fields, "must name the procedure's sector")
    sector_code = _sector(
        str(fields[0].get("MALINHVUC") or ""), str(fields[0].get("TENLINHVUC") or ""), sectors
    )
    level_label = record.get("CAPTHUCHIEN") or "Cấp Xã"
    if isinstance(level_label, list):
        level_label = level_label[0] if level_label else "Cấp Xã"
    level = LEVELS.get(_fold(str(level_label)))
    if level is None:
        raise FieldError(f"{where}.CAPTHUCHIEN", level_label, f"is not a known level ({', '.join(LEVELS)})")
    direct = _channel(record, where, 1) or _channel(record, where, 3)
    online = _channel(record, where, 2)
    chosen = direct or online
    if chosen is None:
        raise FieldError(
            f"{where}.CACHTHUCTHUCHIEN", record.get("CACHTHUCTHUCHIEN"), "has no channel with a time limit"
        )
    components: dict[str, dict[str, Any]] = {}
    for c, case in enumerate(_list(record, "THANHPHANHOSO", where)):
        papers = case.get("GIAYTO") or [] if isinstance(case, Mapping) else []
        for p, paper in enumerate(papers):
            w = f"{where}.THANHPHANHOSO[{c}].GIAYTO[{p}]"
            if not isinstance(paper, Mapping):
                raise FieldError(w, paper, "must be an object {MAGIAYTO, TENGIAYTO}")
            name = str(paper.get("TENGIAYTO") or "").strip()
            paper_code = str(paper.get("MAGIAYTO") or "").strip() or f"GT{len(components) + 1}"
            if paper_code not in components:
                components[paper_code] = {
                    "code": paper_code[:40],
                    "name": name,
                    "required": paper.get("BATBUOC", 1) not in (0, "0", False),
                }
    mode = _fold(str(record.get("DVCTRUCTUYEN") or ""))
    online_mode = "full" if mode == "toan trinh" else "partial" if (mode == "mot phan" or online) else "none"
    doc: dict[str, Any] = {
        "code": code,
        "name": str(record.get("TENTTHC") or "").strip(),
        "sector": sector_code,
        "level": level,
        "time_limit": chosen[0],
        "fees": chosen[1],
        "components": list(components.values()),
        "online": online_mode,
    }
    if direct and online and online[0] != direct[0]:
        doc["online_time_limit"] = online[0]
    return doc


def _sector(code: str, name: str, sectors: dict[str, tuple[str, str]]) -> str:
    """Our sector code for the export's (code, name): a known code, else a known name, else a new sector."""
    if code and Sector.objects.filter(code=code).exists():
        return code
    if name:
        known = next((s for s in Sector.objects.all() if _fold(s.name) == _fold(name)), None)
        if known is not None:
            return known.code
    if not code:
        raise FieldError("LINHVUCTHUCHIEN.MALINHVUC", code, "is required for a sector motcua does not know")
    sectors[code] = (code, name or code)
    return code


def _merge(doc: dict[str, Any], procedure: Procedure | None) -> tuple[dict[str, Any], list[str]]:
    """The national document completed with what the export does not carry; and what differs from now."""
    if procedure is None or procedure.current_version is None:
        return doc, []
    current = procedure.current_version.as_catalogue_dict()
    local_amounts = {f.get("name"): f.get("amount") for f in current.get("fees", [])}
    for fee in doc["fees"]:
        if fee["amount"] is None and local_amounts.get(fee["name"]) is not None:
            fee["amount"] = local_amounts[fee["name"]]
    merged = {**current, **doc}
    if "online_time_limit" not in doc:
        merged.pop("online_time_limit", None)
    merged.update({k: v for k, v in procedure.current_version.notes.items() if k not in merged})
    changed = [key for key in COMPARED if _norm(merged.get(key)) != _norm(current.get(key))]
    return merged, changed


def _norm(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _norm(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_norm(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def national_to_catalogue(data: Any) -> tuple[dict[str, Any], NationalImportReport]:
    """The catalogue document (interfaces §3.1) for an export, and the report of what it would change."""
    records = data.get("result") if isinstance(data, Mapping) else data
    if not isinstance(records, list):
        raise FieldError("result", type(records).__name__, "must be the list of procedure records")
    report = NationalImportReport()
    new_sectors: dict[str, tuple[str, str]] = {}
    procedures = []
    for i, record in enumerate(records):
        if isinstance(record, Mapping) and str(record.get("TRANGTHAI", 1)) not in ("1", "True", "true"):
            report.skipped.append(
                f"{record.get('MATTHC')} (TRANGTHAI {record.get('TRANGTHAI')}: not in force)"
            )
            continue
        doc = _record(record, i, new_sectors)
        procedure = (
            Procedure.objects.select_related("current_version", "sector").filter(code=doc["code"]).first()
        )
        merged, changed = _merge(doc, procedure)
        if procedure is None:
            report.added.append(f"procedure {doc['code']}")
        elif changed:
            report.changed.append(f"procedure {doc['code']} ({', '.join(changed)})")
        else:
            report.unchanged.append(doc["code"])
        procedures.append(merged)
    catalogue = {
        "sectors": [{"code": c, "name": n} for c, n in new_sectors.values()],
        "procedures": procedures,
    }
    report.added[:0] = [f"sector {c}" for c in new_sectors]
    return catalogue, report


def national_catalogue_import(*, data: Any, dry_run: bool = False) -> NationalImportReport:
    """Map the export and import it through ``catalogue_import`` (all or nothing); with ``dry_run``, only report."""
    with transaction.atomic():
        catalogue, report = national_to_catalogue(data)
        catalogue_import(data=catalogue)
        if dry_run:
            report.dry_run = True
            transaction.set_rollback(True)
    return report
