"""Online dossiers the portal delivers (issue 6 §3): they arrive ``submitted``, with their files.

:func:`portal_inbound_submit` lodges one through :func:`motcua.dossiers.services.dossier_submit` with channel
``online`` and ``external_ref`` = the portal's dossier code (``MaHoSo``). The same code delivered again is a
duplicate: the existing dossier is returned, nothing is written. The transport (signature or token) is checked
by the API endpoint (``motcua/api/portal.py``).

Files come as base64 (``NoiDung``) or as a link (``DuongDanTaiTepTin``). A PDF, JPEG, PNG or TIFF within the
upload limit is stored by the documents module and linked to its component (source ``online``), so the desk
sees and opens it on the dossier page like any uploaded file; other bytes (a .docx, a larger scan) are kept in
Django's default storage under ``portal-inbound/<dossier id>/`` with their SHA-256; a link is recorded, not
fetched. Every file is listed in :class:`InboundAttachment`. A component that came with a file is digitized.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from motcua.accounts.models import User
from motcua.catalogue.models import Unit
from motcua.core.errors import Conflict, FieldError
from motcua.documents.files import file_check
from motcua.documents.models import Source
from motcua.documents.services import component_link, document_store
from motcua.dossiers.models import Dossier, DossierComponent
from motcua.dossiers.services import Applicant, ComponentIn, dossier_submit
from motcua.portal.models import InboundAttachment

__all__ = ["MAX_FILE_BYTES", "InboundResult", "portal_inbound_submit"]

MAX_FILE_BYTES = 20 * 1024 * 1024
_CODE = re.compile(r"^[A-Za-z0-9.\-_:/]{3,120}$")


@dataclass(frozen=True)
class InboundResult:
    dossier: Dossier
    created: bool


@dataclass(frozen=True)
class _File:
    component: str
    name: str
    content_type: str
    content: bytes | None
    url: str


def _text(
    data: Mapping[str, Any], key: str, where: str = "", *, required: bool = True, max_length: int = 200
) -> str:
    value = data.get(key)
    name = f"{where}{key}"
    if value is None or value == "":
        if required:
            raise FieldError(name, value, "is required")
        return ""
    if not isinstance(value, str):
        raise FieldError(name, value, "must be a string")
    if len(value) > max_length:
        raise FieldError(name, value[:40] + "…", f"is longer than {max_length} characters")
    return value.strip()


def _instant(value: Any, field: str, tz: ZoneInfo) -> datetime:
    """ISO 8601 with an offset, or the portal's ``yyyyMMddHHmmss`` in the unit's local time."""
    if not isinstance(value, str):
        raise FieldError(field, value, "must be an instant (ISO 8601 with offset, or yyyyMMddHHmmss)")
    if re.fullmatch(r"[0-9]{14}", value):
        try:
            return datetime.strptime(value, "%Y%m%d%H%M%S").replace(tzinfo=tz)
        except ValueError as exc:
            raise FieldError(field, value, "is not a valid yyyyMMddHHmmss instant") from exc
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise FieldError(
            field, value, "must be an instant (ISO 8601 with offset, or yyyyMMddHHmmss)"
        ) from exc
    if parsed.tzinfo is None:
        raise FieldError(field, value, "must include a time zone offset")
    return parsed


def _flag(data: Mapping[str, Any], key: str, where: str) -> bool:
    value = data.get(key, 0)
    if value in (0, 1, True, False):
        return bool(value)
    raise FieldError(f"{where}{key}", value, "must be 0 or 1")


def _files(value: Any) -> tuple[list[ComponentIn], list[_File]]:
    if value is None:
        return [], []
    if not isinstance(value, list):
        raise FieldError("TaiLieuNop", value, "must be a list")
    components: dict[str, ComponentIn] = {}
    files: list[_File] = []
    for i, item in enumerate(value):
        where = f"TaiLieuNop[{i}]."
        if not isinstance(item, Mapping):
            raise FieldError(f"TaiLieuNop[{i}]", item, "must be an object")
        code = _text(item, "MaThanhPhanHoSo", where, max_length=40)
        name = _text(item, "TenTepDinhKem", where, required=False, max_length=255)
        raw = item.get("NoiDung")
        url = _text(item, "DuongDanTaiTepTin", where, required=False, max_length=1000)
        content = None
        if raw is not None:
            if not isinstance(raw, str):
                raise FieldError(f"{where}NoiDung", "…", "must be base64 text")
            try:
                content = base64.b64decode(raw, validate=True)
            except (binascii.Error, ValueError) as exc:
                raise FieldError(f"{where}NoiDung", raw[:20] + "…", "is not valid base64") from exc
            if len(content) > MAX_FILE_BYTES:
                raise FieldError(
                    f"{where}NoiDung", f"{len(content)} bytes", f"is larger than {MAX_FILE_BYTES} bytes"
                )
        if url and not url.startswith(("https://", "http://")):
            raise FieldError(f"{where}DuongDanTaiTepTin", url, "must be an http(s) URL")
        has_file = content is not None or bool(url)
        reused = _flag(item, "DuocTaiSuDung", where) or _flag(item, "DuocLayTuKhoDMQG", where)
        previous = components.get(code)
        components[code] = ComponentIn(
            code=code,
            digitized=has_file or (previous.digitized if previous else False),
            reused=reused or (previous.reused if previous else False),
        )
        if has_file:
            files.append(
                _File(
                    component=code,
                    name=name or f"{code}.bin",
                    content_type=_text(item, "LoaiTep", where, required=False, max_length=100),
                    content=content,
                    url=url,
                )
            )
    return list(components.values()), files


def _existing(code: str) -> Dossier | None:
    return Dossier.objects.filter(external_ref=code).first()


def portal_inbound_submit(*, data: Any, actor: User | None) -> InboundResult:
    """Lodge an online dossier delivered by the portal, or return the one already lodged under its code."""
    if not isinstance(data, Mapping):
        raise FieldError("body", type(data).__name__, "must be a JSON object")
    code = _text(data, "MaHoSo", max_length=120)
    if not _CODE.match(code):
        raise FieldError("MaHoSo", code, "must be 3–120 letters, digits or . - _ : /")
    found = _existing(code)
    if found is not None:
        return InboundResult(found, created=False)
    unit_code = _text(data, "MaDonViTiepNhan", max_length=40)
    unit = Unit.objects.filter(code=unit_code, active=True).first()
    if unit is None:
        raise FieldError("MaDonViTiepNhan", unit_code, "is not a known unit code")
    submitted_at = _instant(data.get("NgayNopHoSo"), "NgayNopHoSo", ZoneInfo(unit.timezone))
    person = data.get("ChuHoSo")
    if not isinstance(person, Mapping):
        raise FieldError(
            "ChuHoSo", person, "must be an object {HoTen, SoDinhDanh, SoDienThoai, Email, DiaChi}"
        )
    applicant = Applicant(
        name=_text(person, "HoTen", "ChuHoSo."),
        id_number=_text(person, "SoDinhDanh", "ChuHoSo.", required=False, max_length=20),
        phone=_text(person, "SoDienThoai", "ChuHoSo.", required=False, max_length=20),
        email=_text(person, "Email", "ChuHoSo.", required=False, max_length=254),
        address=_text(person, "DiaChi", "ChuHoSo.", required=False, max_length=300),
    )
    components, files = _files(data.get("TaiLieuNop"))
    try:
        with transaction.atomic():
            dossier = dossier_submit(
                procedure_code=_text(data, "MaTTHC", max_length=30),
                receiving_unit_code=unit.code,
                competent_unit_code=_text(data, "MaDonViXuLy", required=False, max_length=40) or None,
                channel="online",
                applicant=applicant,
                actor=actor,
                components=components,
                fees_exempt=_flag(data, "MienPhiLePhi", ""),
                at=submitted_at,
                external_ref=code,
            )
            for file in files:
                _keep(dossier, file)
    except Conflict:
        found = _existing(code)  # delivered twice at the same moment: the other request created it
        if found is None:
            raise
        return InboundResult(found, created=False)
    return InboundResult(dossier, created=True)


def _keep(dossier: Dossier, file: _File) -> InboundAttachment:
    digest = hashlib.sha256(file.content).hexdigest() if file.content is not None else ""
    stored = ""
    document = None
    if file.content is not None:
        try:
            checked = file_check(field="TaiLieuNop", name=file.name, stream=BytesIO(file.content))
        except FieldError:
            checked = None  # not a type or size the documents module keeps: kept as it came, below
        if checked is not None:
            document = document_store(
                checked=checked,
                uploaded_by=None,
                owner_id_number=dossier.applicant_id_number,
                at=dossier.submitted_at,
            )
            component = DossierComponent.objects.get(dossier=dossier, code=file.component)
            component_link(component, document, source=Source.ONLINE, actor=None, at=dossier.submitted_at)
    if file.content is not None and document is None:
        safe = re.sub(r"[^A-Za-z0-9._-]", "_", file.name)[-80:]
        stored = default_storage.save(
            f"portal-inbound/{dossier.pk}/{digest[:16]}-{safe}", ContentFile(file.content)
        )
    return InboundAttachment.objects.create(
        dossier=dossier,
        component_code=file.component,
        name=file.name,
        content_type=file.content_type,
        size=len(file.content) if file.content is not None else None,
        sha256=digest,
        url=file.url,
        stored_path=stored,
        document=document,
    )
