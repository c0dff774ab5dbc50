"""What every renderer shares: the key order of interfaces §4, the Biểu 06 columns and rows, the inspection
figures with their Vietnamese (and short English) labels, and Vietnamese number and date formatting.

Everything here is a pure function of the report dict; nothing touches the database.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

FORM_CODE = "Biểu số 06/VPCP/KSTT"
FORM_SOURCE = "Ban hành kèm theo Thông tư số 01/2020/TT-VPCP ngày 21/10/2020 của Văn phòng Chính phủ"
FORM_TITLE = ("TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH TẠI CƠ QUAN, ĐƠN VỊ "
              "TRỰC TIẾP GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH")
UNIT_OF_MEASURE = "Đơn vị tính: Số hồ sơ TTHC"
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
INSPECTION_TITLE = "CHỈ TIÊU KIỂM TRA"
INSPECTION_SHEET = "Chỉ tiêu kiểm tra"
TOTAL_LABEL = "Tổng cộng"

# Key order of interfaces §4; keys a report adds later keep their own order after these.
TOP_ORDER = ("unit", "from", "to", "received", "resolved", "in_process", "not_accepted", "digitization",
             "postal", "online_payment", "boundary_independent", "portal_sync", "results_missing",
             "by_sector")
GROUP_ORDER: dict[str, tuple[str, ...]] = {
    "received": ("online", "direct", "postal", "carried_over", "total"),
    "resolved": ("before_due", "on_time", "overdue", "with_result", "without_result", "total"),
    "in_process": ("within_due", "overdue", "total"),
    "not_accepted": ("refused", "returned", "returned_by_reason", "cancelled"),
    "digitization": ("components", "results", "both"),
    "online_payment": ("numerator", "denominator", "rate"),
    "boundary_independent": ("numerator", "denominator", "rate"),
    "portal_sync": ("numerator", "denominator", "rate"),
}
SECTOR_ORDER = ("sector", "name", "received", "resolved", "in_process", "not_accepted")
SECTOR_GROUPS = ("received", "resolved", "in_process", "not_accepted")
RATIOS = ("online_payment", "boundary_independent", "portal_sync")
RETURN_REASONS = ("supplement_not_provided", "cannot_submit", "other_procedure_required")

# (Vietnamese, short English) for every figure; keys are dotted paths into the report.
LABELS: dict[str, tuple[str, str]] = {
    "received": ("Số hồ sơ nhận giải quyết", "received"),
    "received.online": ("Tiếp nhận trực tuyến trong kỳ", "online"),
    "received.direct": ("Tiếp nhận trực tiếp trong kỳ", "direct"),
    "received.postal": ("Tiếp nhận qua dịch vụ bưu chính trong kỳ", "postal"),
    "received.carried_over": ("Từ kỳ trước chuyển sang", "carried over"),
    "received.total": ("Tổng số hồ sơ nhận giải quyết", "total"),
    "resolved": ("Số hồ sơ đã giải quyết", "resolved"),
    "resolved.before_due": ("Giải quyết trước hạn", "before due"),
    "resolved.on_time": ("Giải quyết đúng hạn", "on time"),
    "resolved.overdue": ("Giải quyết quá hạn", "overdue"),
    "resolved.with_result": ("Có kết quả giải quyết", "with result"),
    "resolved.without_result": ("Dừng giải quyết, không có kết quả", "without result"),
    "resolved.total": ("Tổng số hồ sơ đã giải quyết", "total"),
    "in_process": ("Số hồ sơ đang giải quyết", "in process"),
    "in_process.within_due": ("Đang giải quyết trong hạn", "within due"),
    "in_process.overdue": ("Đang giải quyết quá hạn", "overdue"),
    "in_process.total": ("Tổng số hồ sơ đang giải quyết", "total"),
    "not_accepted": ("Hồ sơ không được tiếp nhận, hồ sơ hủy", "not accepted"),
    "not_accepted.refused": ("Từ chối tiếp nhận", "refused"),
    "not_accepted.returned": ("Trả lại, không tiếp nhận", "returned"),
    "not_accepted.returned_by_reason.supplement_not_provided": (
        "Không bổ sung được hồ sơ theo yêu cầu", "supplement not provided"),
    "not_accepted.returned_by_reason.cannot_submit": (
        "Không cung cấp được giấy tờ theo quy định", "cannot submit"),
    "not_accepted.returned_by_reason.other_procedure_required": (
        "Phải thực hiện thủ tục hành chính khác trước", "other procedure first"),
    "not_accepted.cancelled": ("Hồ sơ hủy", "cancelled"),
    "digitization": ("Số hóa hồ sơ, kết quả giải quyết", "digitization"),
    "digitization.components": ("Hồ sơ được số hóa đủ thành phần khi tiếp nhận", "components"),
    "digitization.results": ("Hồ sơ có kết quả được số hóa (bản điện tử)", "results"),
    "digitization.both": ("Số hóa cả thành phần hồ sơ và kết quả", "both"),
    "postal": ("Tiếp nhận, trả kết quả qua dịch vụ bưu chính công ích", "postal"),
    "online_payment": ("Thanh toán trực tuyến phí, lệ phí", "online payment"),
    "boundary_independent": ("Hồ sơ TTHC không phụ thuộc địa giới hành chính", "boundary-independent"),
    "portal_sync": ("Hồ sơ đồng bộ lên Cổng Dịch vụ công quốc gia", "portal sync"),
    "results_missing": ("Hồ sơ đã giải quyết chưa có kết quả trên hệ thống", "results missing"),
}

# What each inspection figure counts (rules §4), shown beside it in the XLSX and the PDF.
DEFINITIONS: dict[str, str] = {
    "received.direct": "Cột (5) của Biểu 06 gồm trực tiếp và bưu chính; đây là phần trực tiếp",
    "received.postal": "Phần nộp qua dịch vụ bưu chính của cột (5)",
    "resolved.with_result": "Hồ sơ đã giải quyết (cột 7) kết thúc bằng kết quả giải quyết",
    "resolved.without_result": "Hồ sơ đã giải quyết (cột 7) kết thúc bằng dừng giải quyết",
    "not_accepted.refused": "Từ chối tiếp nhận trong kỳ (Mẫu 03); không tính vào cột (3)",
    "not_accepted.returned": "Trả lại, không tiếp nhận trong kỳ; không tính vào cột (3)",
    "not_accepted.cancelled": "Bản ghi bị hủy trong kỳ; không tính vào bất kỳ số liệu nào khác",
    "digitization.components": "Hồ sơ tiếp nhận trong kỳ có mọi thành phần được số hóa",
    "digitization.results": "Hồ sơ có kết quả trong kỳ và có bản điện tử của kết quả",
    "digitization.both": "Hồ sơ có kết quả trong kỳ, số hóa đủ thành phần và kết quả",
    "postal": "Hồ sơ tiếp nhận trong kỳ nộp hoặc trả kết quả qua bưu chính",
    "online_payment": "Thanh toán qua cổng trực tuyến / hồ sơ tiếp nhận trong kỳ phải nộp phí, lệ phí",
    "boundary_independent": "Hồ sơ thuộc TTHC không phụ thuộc địa giới / hồ sơ tiếp nhận trong kỳ",
    "portal_sync": "Hồ sơ đã đồng bộ lên Cổng DVCQG / hồ sơ tiếp nhận trong kỳ",
    "results_missing": "Hồ sơ giải quyết có kết quả nhưng chưa có bản ghi kết quả (phải bằng 0)",
}

# Biểu 06 columns (3)..(13): (number, report path, short Vietnamese label for narrow layouts).
FORM_COLUMNS: tuple[tuple[int, str, str], ...] = (
    (3, "received.total", "Tổng"),
    (4, "received.online", "T.tuyến"),
    (5, "received.direct+postal", "TT,BC"),
    (6, "received.carried_over", "K.trước"),
    (7, "resolved.total", "Tổng"),
    (8, "resolved.before_due", "Tr.hạn"),
    (9, "resolved.on_time", "Đ.hạn"),
    (10, "resolved.overdue", "Q.hạn"),
    (11, "in_process.total", "Tổng"),
    (12, "in_process.within_due", "T.hạn"),
    (13, "in_process.overdue", "Q.hạn"),
)
# Full Vietnamese names of the columns, as on the form.
FORM_COLUMN_NAMES: dict[int, str] = {
    1: "STT", 2: "Lĩnh vực, công việc giải quyết theo cấp",
    3: "Tổng số", 4: "Trực tuyến", 5: "Trực tiếp, dịch vụ bưu chính", 6: "Từ kỳ trước",
    7: "Tổng số", 8: "Trước hạn", 9: "Đúng hạn", 10: "Quá hạn",
    11: "Tổng số", 12: "Trong hạn", 13: "Quá hạn",
}
FORM_GROUPS = ("Số hồ sơ nhận giải quyết", "Kết quả giải quyết", "Số hồ sơ đã giải quyết",
               "Số hồ sơ đang giải quyết", "Trong kỳ")


def nfc(text: str) -> str:
    """Vietnamese text in composed form (one code point per letter), so widths and fonts behave."""
    return unicodedata.normalize("NFC", text)


def figure(data: Mapping[str, Any], path: str) -> int:
    """The integer at a dotted ``path`` (``a+b`` adds two siblings); a missing figure counts as 0."""
    head, _, tail = path.partition(".")
    if "+" in tail:
        return sum(figure(data, f"{head}.{part}") for part in tail.split("+"))
    value: Any = data
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value or value[part] is None:
            return 0
        value = value[part]
    return int(value)


@dataclass(frozen=True)
class FormRow:
    """One row of the Biểu 06 table: ``stt`` (empty on the total row), the sector, columns (3)..(13)."""

    stt: str
    label: str
    values: tuple[int, ...]
    total: bool = False


def form_rows(report: Mapping[str, Any]) -> list[FormRow]:
    """The sector rows of Biểu 06, then the total row "Tổng cộng" (from the report's own totals)."""
    rows = []
    for number, item in enumerate(report.get("by_sector") or [], start=1):
        rows.append(FormRow(str(number), nfc(str(item.get("name") or item.get("sector") or "")),
                            tuple(figure(item, path) for _, path, _ in FORM_COLUMNS)))
    totals = tuple(figure(report, path) for _, path, _ in FORM_COLUMNS)
    rows.append(FormRow("", TOTAL_LABEL, totals, total=True))
    return rows


@dataclass(frozen=True)
class InspectionRow:
    """One line of the inspection-figures table. A heading has no figures; a ratio has all three."""

    number: str
    path: str
    label: str
    english: str
    value: int | None = None
    denominator: int | None = None
    rate: float | None = None
    definition: str = ""
    heading: bool = False
    indent: int = 0


def _reason_label(reason: str) -> tuple[str, str]:
    return LABELS.get(f"not_accepted.returned_by_reason.{reason}", (reason, reason))


def return_reasons(report: Mapping[str, Any]) -> list[str]:
    """The known return reasons in rules order, then any other reason the report carries."""
    found: list[str] = list(RETURN_REASONS)
    for source in [report, *(report.get("by_sector") or [])]:
        for reason in ((source.get("not_accepted") or {}).get("returned_by_reason") or {}):
            if reason not in found:
                found.append(reason)
    return found


def inspection_rows(report: Mapping[str, Any]) -> list[InspectionRow]:
    """The figures an inspector asks for (rules §4), grouped I–VI, numbered 1…n."""
    rows: list[InspectionRow] = []
    counter = 0

    def heading(roman: str, text: str, english: str) -> None:
        rows.append(InspectionRow(roman, "", text, english, heading=True))

    def item(path: str, *, indent: int = 0, sub: str = "") -> None:
        nonlocal counter
        if not sub:
            counter += 1
        vi, en = LABELS.get(path, (path, path))
        if path.startswith("not_accepted.returned_by_reason."):
            vi, en = _reason_label(path.rsplit(".", 1)[1])
        rows.append(InspectionRow(sub or str(counter), path, vi, en, value=figure(report, path),
                                  definition=DEFINITIONS.get(path, ""), indent=indent))

    def ratio(path: str) -> None:
        nonlocal counter
        counter += 1
        vi, en = LABELS[path]
        data = report.get(path) or {}
        rows.append(InspectionRow(str(counter), path, vi, en, value=int(data.get("numerator") or 0),
                                  denominator=int(data.get("denominator") or 0),
                                  rate=float(data.get("rate") or 0.0), definition=DEFINITIONS.get(path, "")))

    heading("I", "Chi tiết bổ sung cho Biểu 06", "Biểu 06 detail")
    for path in ("received.direct", "received.postal", "resolved.with_result", "resolved.without_result"):
        item(path)
    heading("II", "Hồ sơ không được tiếp nhận, hồ sơ hủy", "not accepted")
    item("not_accepted.refused")
    item("not_accepted.returned")
    returned_number = str(counter)
    for index, reason in enumerate(return_reasons(report), start=1):
        item(f"not_accepted.returned_by_reason.{reason}", indent=1, sub=f"{returned_number}.{index}")
    item("not_accepted.cancelled")
    heading("III", "Số hóa hồ sơ, kết quả giải quyết TTHC", "digitization")
    for path in ("digitization.components", "digitization.results", "digitization.both"):
        item(path)
    heading("IV", "Dịch vụ bưu chính công ích", "postal service")
    item("postal")
    heading("V", "Các tỷ lệ", "ratios")
    for path in RATIOS:
        ratio(path)
    heading("VI", "Kiểm tra dữ liệu", "data check")
    item("results_missing")
    return rows


@dataclass(frozen=True)
class NotAcceptedRow:
    label: str
    refused: int
    returned: int
    by_reason: tuple[int, ...]
    cancelled: int
    total: bool = False


def not_accepted_rows(report: Mapping[str, Any]) -> list[NotAcceptedRow]:
    """Per sector, then in total: refused, returned (and by reason), cancelled."""
    reasons = return_reasons(report)

    def row(data: Mapping[str, Any], label: str, total: bool = False) -> NotAcceptedRow:
        return NotAcceptedRow(
            label, figure(data, "not_accepted.refused"), figure(data, "not_accepted.returned"),
            tuple(figure(data, f"not_accepted.returned_by_reason.{r}") for r in reasons),
            figure(data, "not_accepted.cancelled"), total)

    rows = [row(item, nfc(str(item.get("name") or item.get("sector") or "")))
            for item in report.get("by_sector") or []]
    rows.append(row(report, TOTAL_LABEL, total=True))
    return rows


def reason_labels(report: Mapping[str, Any]) -> list[str]:
    return [_reason_label(reason)[0] for reason in return_reasons(report)]


# ----------------------------------------------------------------------------------------------- formatting


def vn_number(value: int | float, decimals: int = 0) -> str:
    """Vietnamese number style: ``.`` between thousands, ``,`` before decimals (1.008; 83,13)."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def vn_date(iso: str | None) -> str:
    """``2025-07-01`` → ``01/07/2025``; anything unparsable is shown as given."""
    if not iso:
        return "…"
    try:
        return date.fromisoformat(str(iso)[:10]).strftime("%d/%m/%Y")
    except ValueError:
        return str(iso)


def period_line(report: Mapping[str, Any]) -> str:
    return f"Kỳ báo cáo: từ ngày {vn_date(report.get('from'))} đến ngày {vn_date(report.get('to'))}"


def unit_name(report: Mapping[str, Any]) -> str:
    return nfc(str(report.get("unit_name") or report.get("unit") or ""))


def province_name(report: Mapping[str, Any]) -> str:
    return nfc(str(report.get("province_name") or ""))


def unit_line(report: Mapping[str, Any]) -> str:
    """``Đơn vị báo cáo: Xã Đông Khê, Tỉnh Cao Bằng (mã 000.31.00.H11)``."""
    parts = [unit_name(report)]
    if province_name(report):
        parts.append(province_name(report))
    code = report.get("unit")
    suffix = f" (mã {code})" if code and code != report.get("unit_name") else ""
    return "Đơn vị báo cáo: " + ", ".join(p for p in parts if p) + suffix


def agency_lines(report: Mapping[str, Any]) -> list[str]:
    """The issuing-authority block of an administrative document (Decree 30/2020 layout), top left:
    the superior authority, then the reporting one: ``UBND TỈNH CAO BẰNG`` / ``UBND XÃ ĐÔNG KHÊ``."""
    lines = []
    if province_name(report):
        lines.append(f"UBND {province_name(report).upper()}")
    lines.append(f"UBND {unit_name(report).upper()}")
    return lines


_PLACE_PREFIXES = ("Xã ", "Phường ", "Đặc khu ", "Thị trấn ", "Tỉnh ", "Thành phố ", "TP. ")


def place_name(report: Mapping[str, Any]) -> str:
    """The place in the date line: the unit's name without its kind (``Xã Đông Khê`` → ``Đông Khê``)."""
    name = unit_name(report)
    for prefix in _PLACE_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix):]
    return name or "…"


def generated_date(report: Mapping[str, Any]) -> date | None:
    raw = report.get("generated_at")
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(str(raw))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(LOCAL_TZ)
    return moment.date()


def date_line(report: Mapping[str, Any]) -> str:
    """``Đông Khê, ngày 01 tháng 12 năm 2025`` (the date the report was generated), or dots to fill in."""
    day = generated_date(report)
    if day is None:
        return f"{place_name(report)}, ngày … tháng … năm …"
    return f"{place_name(report)}, ngày {day:%d} tháng {day:%m} năm {day:%Y}"


def footer_line(report: Mapping[str, Any]) -> str:
    generated = report.get("generated_at") or ""
    version = report.get("formula_version") or ""
    return f"Lập bởi motcua lúc {generated}; phiên bản công thức {version}".strip()
