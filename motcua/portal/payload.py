"""The portal's view of a dossier: the record the National Public Service Portal (DVCQG) receives.

Field names are the portal's (domain-research §6, from the vendors' DVCQG sync interface); instants are
``yyyyMMddHHmmss`` in the receiving unit's local time, as the portal reads them; status codes are rules §3's
portal column (:func:`motcua.domain.lifecycle.portal_status`). ``docs/portal-schema.json`` is the contract and
``docs/integration.md`` explains each field.

Each message carries the whole record as it stood after the event it reports (a snapshot, history included),
so a portal that kept only the last message it received still has the dossier right.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from motcua.domain.lifecycle import State, portal_status
from motcua.dossiers.models import Dossier, DossierComponent, DossierEvent, DossierResult, Payment

__all__ = [
    "CHANNEL_CODES",
    "PAYMENT_METHOD_CODES",
    "dossier_key",
    "dossier_record",
    "dossier_records",
    "dossier_records_many",
    "portal_instant",
]

CHANNEL_CODES = {"direct": 1, "online": 2, "postal": 3}
"""KenhThucHien: 1 at the desk, 2 online, 3 public postal service (domain-research §4)."""

DELIVERY_CODES = {"desk": 0, "postal": 1, "online": 2}
"""HinhThuc (how the result is returned): 0 at the desk, 1 by post, 2 online."""

PAYMENT_METHOD_CODES = {"cash": 1, "transfer": 2, "online": 3}
"""HinhThucThu: 1 cash, 2 bank transfer, 3 online payment."""

FEE_KIND_CODES = {"fee": 1, "charge": 2}
"""LoaiPhiLePhi: 1 phí (fee), 2 lệ phí (charge)."""


def portal_instant(value: datetime | None, tz: ZoneInfo) -> str | None:
    """``yyyyMMddHHmmss`` in the unit's local time, or None."""
    if value is None:
        return None
    return value.astimezone(tz).strftime("%Y%m%d%H%M%S")


def dossier_key(dossier: Dossier) -> str:
    """The dossier's identity in motcua, stable before it has a code: ``<receiving unit code>:<dossier id>``."""
    return f"{dossier.receiving_unit.code}:{dossier.pk}"


def _flag(value: bool) -> int:
    return 1 if value else 0


def _amount(value: Any) -> int | None:
    if value is None:
        return None
    return int(Decimal(str(value)))


def dossier_record(dossier: Dossier, *, upto_seq: int) -> dict[str, Any]:
    """The portal record of ``dossier`` as it stands after its event ``upto_seq`` (inside that transaction)."""
    return dossier_records(dossier, upto_seqs=[upto_seq])[0]


def dossier_records(dossier: Dossier, *, upto_seqs: Sequence[int]) -> list[dict[str, Any]]:
    """:func:`dossier_record` for several events of one dossier, reading the database once (4–5 queries)."""
    return dossier_records_many([(dossier, upto_seqs)])[0]


def dossier_records_many(wanted: Sequence[tuple[Dossier, Sequence[int]]]) -> list[list[dict[str, Any]]]:
    """:func:`dossier_records` for several dossiers, one query a table for all of them (4–5 queries)."""
    upto: dict[int, int] = {}
    for dossier, seqs in wanted:
        upto[dossier.pk] = max(upto.get(dossier.pk, 0), *seqs)
    events: dict[int, list[DossierEvent]] = {pk: [] for pk in upto}
    for event in DossierEvent.objects.filter(dossier_id__in=upto).select_related("actor").order_by("seq"):
        if event.seq <= upto[event.dossier_id]:
            events[event.dossier_id].append(event)
    components: dict[int, list[DossierComponent]] = {pk: [] for pk in upto}
    for component in DossierComponent.objects.filter(dossier_id__in=upto).order_by("id"):
        components[component.dossier_id].append(component)
    payments: dict[int, list[Payment]] = {pk: [] for pk in upto}
    for payment in Payment.objects.filter(dossier_id__in=upto).order_by("paid_at", "id"):
        payments[payment.dossier_id].append(payment)
    results: dict[int, DossierResult] = {}
    for result in DossierResult.objects.filter(dossier_id__in=upto).order_by("pk"):
        results.setdefault(result.dossier_id, result)
    urls = _result_file_urls(list(results.values()))
    out = []
    for dossier, seqs in wanted:
        result = results.get(dossier.pk)
        url = urls.get(result.pk) if result is not None else None
        mine, rows, paid = events[dossier.pk], components[dossier.pk], payments[dossier.pk]
        out.append(
            [_record(dossier, [e for e in mine if e.seq <= seq], rows, paid, result, url) for seq in seqs]
        )
    return out


def _record(
    dossier: Dossier,
    events: Sequence[DossierEvent],
    components: Sequence[DossierComponent],
    payments: Sequence[Payment],
    result: DossierResult | None,
    result_url: str | None,
) -> dict[str, Any]:
    tz = ZoneInfo(dossier.receiving_unit.timezone)
    version = dossier.procedure_version
    status = portal_status(State(dossier.state), dossier.stop_reason or None)

    history = []
    for event in events:
        code = portal_status(State(event.to_state), event.payload.get("reason_code"))
        history.append(
            {
                "ThuTu": event.seq,
                "NguoiXuLy": (event.actor.full_name or event.actor.username) if event.actor else "Hệ thống",
                "ChucDanh": event.actor_role,
                "ThoiDiemXuLy": portal_instant(event.at, tz),
                "PhongBanXuLy": str(event.payload.get("department", "")),
                "NoiDungXuLy": event.action,
                "TrangThai": code,
                "NgayKetThucTheoQuyDinh": _local_text(event.payload.get("due_at"), tz),
            }
        )

    supplements = []
    for event in events:
        if event.action == "request_supplement":
            supplements.append(
                {
                    "NgayBoSung": portal_instant(event.at, tz),
                    "NoiDungBoSung": str(event.payload.get("reason", "")),
                    "NgayTiepNhanBoSung": None,
                    "NgayHenTraTruoc": _local_text(event.payload.get("previous_due_at"), tz)
                    or portal_instant(dossier.due_at, tz),
                    "NgayHenTraMoi": None,
                }
            )
        elif event.action == "supply_supplement" and supplements:
            supplements[-1]["NgayTiepNhanBoSung"] = portal_instant(event.at, tz)
            supplements[-1]["NgayHenTraTruoc"] = (
                _local_text(event.payload.get("previous_due_at"), tz) or supplements[-1]["NgayHenTraTruoc"]
            )
            supplements[-1]["NgayHenTraMoi"] = _local_text(event.payload.get("due_at"), tz)

    results = []
    if result is not None:
        results.append(
            {
                "MaGiayToKetQua": result.result_code,
                "TenGiayTo": version.name,
                "CoBanDienTu": _flag(result.e_copy),
                "DuongDanTepTinKetQua": result_url,
                "NgayBanHanh": portal_instant(result.issued_at, tz),
            }
        )

    return {
        "MaHoSo": dossier.code or dossier.external_ref or None,
        "MaHoSoHeThong": dossier_key(dossier),
        "MaTTHC": dossier.procedure.code,
        "TenTTHC": version.name,
        "MaLinhVuc": dossier.sector.code,
        "TenLinhVuc": dossier.sector.name,
        "MaDonViTiepNhan": dossier.receiving_unit.code,
        "DonViXuLy": dossier.competent_unit.name,
        "MaDonViXuLy": dossier.competent_unit.code,
        "KenhThucHien": CHANNEL_CODES[dossier.channel],
        "LoaiDoiTuong": 1,
        "ChuHoSo": dossier.applicant_name,
        "SoDinhDanh": dossier.applicant_id_number or None,
        "SoDienThoai": dossier.applicant_phone or None,
        "Email": dossier.applicant_email or None,
        "NgayNopHoSo": portal_instant(dossier.submitted_at, tz),
        "NgayTiepNhan": portal_instant(dossier.received_at, tz),
        "NgayHenTra": portal_instant(dossier.appointment_at or dossier.due_at, tz),
        "NgayHenTraTheoQuyDinh": portal_instant(dossier.due_at, tz),
        "NgayKetThucXuLy": portal_instant(dossier.ended_at, tz),
        "NgayTra": portal_instant(dossier.delivered_at, tz),
        "HinhThuc": DELIVERY_CODES.get(dossier.delivery_method) if dossier.delivery_method else None,
        "TrangThaiHoSo": status,
        "QuaTrinhXuLyHoSo": history,
        "TaiLieuNop": [
            {
                "MaThanhPhanHoSo": c.code,
                "TenTepDinhKem": c.name,
                "DuocSoHoa": _flag(c.digitized),
                "DuocTaiSuDung": _flag(c.reused),
                "DuocLayTuKhoDMQG": 0,
            }
            for c in components
            if c.submitted
        ],
        "HoSoCoThanhPhanSoHoa": _flag(any(c.digitized for c in components if c.submitted)),
        "DanhSachLePhi": [
            {
                "TenPhiLePhi": str(line.get("name", "")),
                "LoaiPhiLePhi": FEE_KIND_CODES.get(str(line.get("kind")), 2),
                "Gia": _amount(line.get("amount")),
            }
            for line in version.fees
        ],
        "TongPhiLePhi": _amount(dossier.fee_total),
        "MienPhiLePhi": _flag(dossier.fees_exempt),
        "DanhSachThanhToan": [
            {
                "SoBienLai": p.receipt_number,
                "HinhThucThu": PAYMENT_METHOD_CODES[p.method],
                "SoTien": _amount(p.amount),
                "NgayThanhToan": portal_instant(p.paid_at, tz),
            }
            for p in payments
        ],
        "DuocThanhToanTrucTuyen": 2 if any(p.method == "online" for p in payments) else 0,
        "DanhSachHoSoBoSung": supplements,
        "DanhSachGiayToKetQua": results,
    }


def _local_text(value: Any, tz: ZoneInfo) -> str | None:
    """An ISO instant from an event payload, as ``yyyyMMddHHmmss``."""
    if not value:
        return None
    try:
        return portal_instant(datetime.fromisoformat(str(value)), tz)
    except ValueError:
        return None


def _result_file_urls(results: Sequence[DossierResult]) -> dict[int, str]:
    """The signed address of each result's first e-copy (motcua.documents.links), absolute, by result id; a
    result without one is left out. One query for all (none without results)."""
    from motcua.documents.links import result_file_path
    from motcua.documents.models import ResultDocument
    from motcua.forms.qr import public_base_url

    if not results:
        return {}
    first: dict[int, ResultDocument] = {}
    for link in ResultDocument.objects.filter(result__in=results).order_by("id"):
        first.setdefault(link.result_id, link)
    base = public_base_url().rstrip("/")
    return {result_id: base + result_file_path(link) for result_id, link in first.items()}
