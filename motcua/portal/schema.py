"""The JSON Schema of a portal sync message (published as ``docs/portal-schema.json``) and a small validator.

The validator implements the part of JSON Schema 2020-12 the schema uses: ``type`` (one or a list),
``enum``, ``const``, ``pattern``, ``minLength``/``maxLength``, ``minimum``/``maximum``, ``properties``,
``required``, ``additionalProperties: false``, ``items``, ``minItems`` and local ``$ref`` to ``#/$defs/…``.
It names where a value is wrong, never the value itself (messages carry personal data).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["SCHEMA", "schema_text", "validate"]

_INSTANT = {"$ref": "#/$defs/instant"}
_OPT_INSTANT = {"$ref": "#/$defs/optional_instant"}
_OPT_TEXT = {"type": ["string", "null"], "maxLength": 500}
_FLAG = {"type": "integer", "enum": [0, 1]}
_STATUS = {"type": "integer", "minimum": 1, "maximum": 10}


def _object(properties: Mapping[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": dict(properties),
        "required": sorted(properties) if required is None else required,
        "additionalProperties": False,
    }


HISTORY_ROW = _object(
    {
        "ThuTu": {"type": "integer", "minimum": 1},
        "NguoiXuLy": {"type": "string", "maxLength": 200},
        "ChucDanh": {"type": "string", "maxLength": 40},
        "ThoiDiemXuLy": _INSTANT,
        "PhongBanXuLy": {"type": "string", "maxLength": 40},
        "NoiDungXuLy": {"type": "string", "maxLength": 40},
        "TrangThai": {"type": ["integer", "null"], "minimum": 1, "maximum": 10},
        "NgayKetThucTheoQuyDinh": _OPT_INSTANT,
    }
)

RECORD = _object(
    {
        "MaHoSo": {"type": ["string", "null"], "maxLength": 120},
        "MaHoSoHeThong": {"type": "string", "minLength": 3, "maxLength": 120},
        "MaTTHC": {"type": "string", "minLength": 1, "maxLength": 30},
        "TenTTHC": {"type": "string", "minLength": 1, "maxLength": 500},
        "MaLinhVuc": {"type": "string", "minLength": 1, "maxLength": 20},
        "TenLinhVuc": {"type": "string", "maxLength": 200},
        "MaDonViTiepNhan": {"type": "string", "minLength": 1, "maxLength": 40},
        "DonViXuLy": {"type": "string", "maxLength": 200},
        "MaDonViXuLy": {"type": "string", "minLength": 1, "maxLength": 40},
        "KenhThucHien": {"type": "integer", "enum": [1, 2, 3]},
        "LoaiDoiTuong": {"type": "integer", "enum": [1, 2]},
        "ChuHoSo": {"type": "string", "minLength": 1, "maxLength": 200},
        "SoDinhDanh": {"type": ["string", "null"], "pattern": "^([0-9]{9}|[0-9]{12})$"},
        "SoDienThoai": {"type": ["string", "null"], "maxLength": 20},
        "Email": {"type": ["string", "null"], "maxLength": 254},
        "NgayNopHoSo": _INSTANT,
        "NgayTiepNhan": _OPT_INSTANT,
        "NgayHenTra": _OPT_INSTANT,
        "NgayHenTraTheoQuyDinh": _OPT_INSTANT,
        "NgayKetThucXuLy": _OPT_INSTANT,
        "NgayTra": _OPT_INSTANT,
        "HinhThuc": {"type": ["integer", "null"], "enum": [0, 1, 2, None]},
        "TrangThaiHoSo": _STATUS,
        "QuaTrinhXuLyHoSo": {"type": "array", "minItems": 1, "items": HISTORY_ROW},
        "TaiLieuNop": {
            "type": "array",
            "items": _object(
                {
                    "MaThanhPhanHoSo": {"type": "string", "minLength": 1, "maxLength": 40},
                    "TenTepDinhKem": {"type": "string", "maxLength": 2000},
                    "DuocSoHoa": _FLAG,
                    "DuocTaiSuDung": _FLAG,
                    "DuocLayTuKhoDMQG": _FLAG,
                }
            ),
        },
        "HoSoCoThanhPhanSoHoa": _FLAG,
        "DanhSachLePhi": {
            "type": "array",
            "items": _object(
                {
                    "TenPhiLePhi": {"type": "string", "maxLength": 500},
                    "LoaiPhiLePhi": {"type": "integer", "enum": [1, 2]},
                    "Gia": {"type": ["integer", "null"], "minimum": 0},
                }
            ),
        },
        "TongPhiLePhi": {"type": "integer", "minimum": 0},
        "MienPhiLePhi": _FLAG,
        "DanhSachThanhToan": {
            "type": "array",
            "items": _object(
                {
                    "SoBienLai": {"type": "string", "minLength": 1, "maxLength": 100},
                    "HinhThucThu": {"type": "integer", "enum": [1, 2, 3]},
                    "SoTien": {"type": "integer", "minimum": 0},
                    "NgayThanhToan": _INSTANT,
                }
            ),
        },
        "DuocThanhToanTrucTuyen": {"type": "integer", "enum": [0, 1, 2]},
        "DanhSachHoSoBoSung": {
            "type": "array",
            "items": _object(
                {
                    "NgayBoSung": _INSTANT,
                    "NoiDungBoSung": {"type": "string", "maxLength": 2000},
                    "NgayTiepNhanBoSung": _OPT_INSTANT,
                    "NgayHenTraTruoc": _OPT_INSTANT,
                    "NgayHenTraMoi": _OPT_INSTANT,
                }
            ),
        },
        "DanhSachGiayToKetQua": {
            "type": "array",
            "items": _object(
                {
                    "MaGiayToKetQua": {"type": "string", "minLength": 1, "maxLength": 80},
                    "TenGiayTo": {"type": "string", "maxLength": 500},
                    "CoBanDienTu": _FLAG,
                    "DuongDanTepTinKetQua": {"type": ["string", "null"], "maxLength": 1000},
                    "NgayBanHanh": _INSTANT,
                }
            ),
        },
    }
)

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://motcua.vn/schemas/portal-sync-message.json",
    "title": "motcua → National Public Service Portal: one dossier sync message (DongBoHoSoMC)",
    "description": (
        "One message per dossier change. Sent as the body of POST <portal URL> with the headers "
        "Idempotency-Key (= key), X-Motcua-Timestamp and X-Motcua-Signature; see docs/integration.md."
    ),
    **_object(
        {
            "service": {"const": "DongBoHoSoMC"},
            "isUpdating": {"type": "boolean"},
            "key": {"type": "string", "pattern": "^[^:]+:[0-9]+:[0-9]+$", "maxLength": 200},
            "dossier": {"type": "string", "pattern": "^[^:]+:[0-9]+$", "maxLength": 120},
            "seq": {"type": "integer", "minimum": 1},
            "data": {"type": "array", "minItems": 1, "maxItems": 1, "items": RECORD},
        }
    ),
    "$defs": {
        "instant": {"type": "string", "pattern": "^[0-9]{14}$", "description": "yyyyMMddHHmmss, local time"},
        "optional_instant": {"type": ["string", "null"], "pattern": "^[0-9]{14}$"},
    },
}


def schema_text() -> str:
    """The schema as committed in ``docs/portal-schema.json``."""
    return json.dumps(SCHEMA, indent=2, ensure_ascii=False) + "\n"


_TYPES: dict[str, Any] = {
    "string": str,
    "object": Mapping,
    "array": list,
    "boolean": bool,
    "null": type(None),
}


def _is(value: Any, kind: str) -> bool:
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, _TYPES[kind])


def validate(instance: Any, schema: Mapping[str, Any] | None = None) -> list[str]:
    """The problems of ``instance`` against ``schema`` (the sync message schema by default), as ``path: what``."""
    root = SCHEMA if schema is None else schema
    errors: list[str] = []
    _check(instance, root, root, "$", errors)
    return errors


def _check(
    value: Any, schema: Mapping[str, Any], root: Mapping[str, Any], path: str, errors: list[str]
) -> None:
    if "$ref" in schema:
        ref = str(schema["$ref"])
        if not ref.startswith("#/$defs/"):
            raise ValueError(f"unsupported $ref {ref}")
        _check(value, root["$defs"][ref.removeprefix("#/$defs/")], root, path, errors)
        return
    kinds = schema.get("type")
    if kinds is not None:
        allowed = [kinds] if isinstance(kinds, str) else list(kinds)
        if not any(_is(value, k) for k in allowed):
            errors.append(f"{path}: must be of type {' or '.join(allowed)}")
            return
    if "const" in schema and value != schema["const"]:
        errors.append(f"{path}: must be {json.dumps(schema['const'])}")
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: must be one of {json.dumps(schema['enum'])}")
    if value is None:
        return
    if isinstance(value, str):
        if "minLength" in schema and len(value) < schema["minLength"]:
            errors.append(f"{path}: must have at least {schema['minLength']} characters")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            errors.append(f"{path}: must have at most {schema['maxLength']} characters")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errors.append(f"{path}: must match {schema['pattern']}")
    if _is(value, "number"):
        if "minimum" in schema and value < schema["minimum"]:
            errors.append(f"{path}: must be ≥ {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            errors.append(f"{path}: must be ≤ {schema['maximum']}")
    if isinstance(value, Mapping):
        properties = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                errors.append(f"{path}.{name}: is required")
        for name, item in value.items():
            if name in properties:
                _check(item, properties[name], root, f"{path}.{name}", errors)
            elif schema.get("additionalProperties") is False:
                errors.append(f"{path}.{name}: is not a known field")
    if isinstance(value, list):
        if "minItems" in schema and len(value) < schema["minItems"]:
            errors.append(f"{path}: must have at least {schema['minItems']} items")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            errors.append(f"{path}: must have at most {schema['maxItems']} items")
        if "items" in schema:
            for i, item in enumerate(value):
                _check(item, schema["items"], root, f"{path}[{i}]", errors)
