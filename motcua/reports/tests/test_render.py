"""Renderers of the periodic report (rules §4, Biểu 06 of Circular 01/2020/TT-VPCP) on the Đông Khê sample."""

from __future__ import annotations

import copy
import csv
import io
import json
import unicodedata
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from motcua.reports.render import FORMATS, render
from motcua.reports.render._common import GROUP_ORDER, SECTOR_ORDER, TOP_ORDER
from motcua.reports.render.sample import main as sample_main
from motcua.reports.render.sample import sample_report

FORM_TITLE = ("TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH TẠI CƠ QUAN, ĐƠN VỊ TRỰC TIẾP GIẢI QUYẾT "
              "THỦ TỤC HÀNH CHÍNH")
# Biểu 06 columns (3)..(13) of the total row for the sample.
TOTAL_ROW = [944, 498, 446, 0, 940, 797, 143, 0, 4, 4, 0]


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    return sample_report()


def leaves(data: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in data.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, Mapping):
            yield from leaves(value, path)
        else:
            yield path, value


# ------------------------------------------------------------------------------------------------- sample


def test_sample_holds_the_seed_figures(report: dict[str, Any]) -> None:
    assert report["received"] == {"online": 498, "direct": 441, "postal": 5, "carried_over": 0, "total": 944}
    resolved = report["resolved"]
    assert (resolved["before_due"], resolved["on_time"], resolved["overdue"]) == (797, 143, 0)
    assert report["resolved"]["total"] == report["resolved"]["with_result"] == 940
    assert report["in_process"] == {"within_due": 4, "overdue": 0, "total": 4}
    assert report["not_accepted"]["returned"] == 52
    assert report["not_accepted"]["returned_by_reason"] == {
        "supplement_not_provided": 30, "cannot_submit": 14, "other_procedure_required": 8}
    assert report["not_accepted"]["cancelled"] == 12
    assert report["digitization"] == {"components": 940, "results": 940, "both": 940}
    assert report["postal"] == 11
    assert report["online_payment"] == {"numerator": 276, "denominator": 332, "rate": 83.13}
    assert report["boundary_independent"] == {"numerator": 460, "denominator": 944, "rate": 48.73}
    assert report["results_missing"] == 0
    open_by_sector = {s["sector"]: s["in_process"]["total"] for s in report["by_sector"]}
    assert open_by_sector == {"HT": 3, "CT": 0, "CTR": 0, "DD": 1, "XD": 0}


def test_sample_sectors_add_up_to_the_totals(report: dict[str, Any]) -> None:
    for group in ("received", "resolved", "in_process", "not_accepted"):
        for path, value in leaves(report[group]):
            parts = path.split(".")
            total = 0
            for sector in report["by_sector"]:
                node: Any = sector[group]
                for part in parts:
                    node = node[part]
                total += node
            assert total == value, f"{group}.{path}"
    assert report["received"]["total"] == report["resolved"]["total"] + report["in_process"]["total"]


def test_sample_command_writes_a_file(tmp_path: Any) -> None:
    target = tmp_path / "sample.txt"
    assert sample_main(["--format", "table", "--output", str(target)]) == 0
    assert "Xã Đông Khê" in target.read_text(encoding="utf-8")


# -------------------------------------------------------------------------------------------------- json


def test_json_round_trips(report: dict[str, Any]) -> None:
    data = render(report, "json")
    assert json.loads(data.decode("utf-8")) == report
    assert "Xã Đông Khê".encode() in data  # not \u-escaped
    assert data.startswith(b'{\n  "unit": "000.31.00.H11",')


def test_json_keys_follow_the_interface_order(report: dict[str, Any]) -> None:
    shuffled = {k: report[k] for k in reversed(list(report))}
    shuffled["received"] = {k: report["received"][k] for k in reversed(list(report["received"]))}
    shuffled["by_sector"] = [{k: s[k] for k in reversed(list(s))} for s in report["by_sector"]]
    out = json.loads(render(shuffled, "json"))
    keys = list(out)
    assert keys[: len(TOP_ORDER)] == list(TOP_ORDER)
    assert keys[len(TOP_ORDER):] == [k for k in reversed(list(report)) if k not in TOP_ORDER]
    for group, order in GROUP_ORDER.items():
        assert list(out[group]) == list(order), group
    for sector in out["by_sector"]:
        assert list(sector)[: len(SECTOR_ORDER)] == list(SECTOR_ORDER)
        assert list(sector["received"]) == list(GROUP_ORDER["received"])


def test_json_keeps_added_keys_after_the_known_ones(report: dict[str, Any]) -> None:
    extended = copy.deepcopy(report)
    extended["received"] = {"carried_over_detail": {"from_closed_period": 0}, **extended["received"]}
    extended = {"adjustments": {"received.online": 1}, **extended}
    out = json.loads(render(extended, "json"))
    assert list(out["received"])[-1] == "carried_over_detail"
    assert list(out).index("adjustments") > list(out).index("by_sector")


# ------------------------------------------------------------------------------------------------- table


def test_table_has_headings_and_figures(report: dict[str, Any]) -> None:
    text = render(report, "table").decode("utf-8")
    for needle in ("Biểu số 06/VPCP/KSTT", "Xã Đông Khê", "SỐ HỒ SƠ NHẬN GIẢI QUYẾT [RECEIVED]",
                   "SỐ HỒ SƠ ĐÃ GIẢI QUYẾT [RESOLVED]", "SỐ HỒ SƠ ĐANG GIẢI QUYẾT [IN PROCESS]",
                   "[NOT ACCEPTED]", "[BY SECTOR]", "Tổng cộng", "Hộ tịch", "Đất đai",
                   "944", "797", "143", "83.13", "48.73", "276 / 332", "460 / 944",
                   "từ ngày 01/07/2025 đến ngày 30/11/2025"):
        assert needle in text, needle
    total_line = next(line for line in text.splitlines() if line.lstrip().startswith("Tổng cộng [total]")
                      and "944" in line)
    assert [int(v) for v in total_line.split()[3:]] == TOTAL_ROW


def test_table_is_plain_and_at_most_110_columns(report: dict[str, Any]) -> None:
    text = render(report, "table").decode("utf-8")
    assert "\x1b" not in text
    assert max(len(line) for line in text.splitlines()) <= 110


# --------------------------------------------------------------------------------------------------- csv


def test_csv_parses_back_with_every_figure(report: dict[str, Any]) -> None:
    data = render(report, "csv")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert list(rows[0]) == ["section", "key", "sector", "value", "label"]
    cells = {(r["section"], r["key"], r["sector"]): r["value"] for r in rows}
    expected: dict[tuple[str, str, str], Any] = {}
    for key in TOP_ORDER:
        value = report[key]
        if isinstance(value, Mapping):
            for path, leaf in leaves(value):
                expected[(key, path, "")] = leaf
        elif key not in ("unit", "from", "to", "by_sector"):
            expected[(key, "", "")] = value
    for sector in report["by_sector"]:
        for group in ("received", "resolved", "in_process", "not_accepted"):
            for path, leaf in leaves(sector[group]):
                expected[(group, path, sector["sector"])] = leaf
    for cell, value in expected.items():
        assert cell in cells, cell
        assert float(cells[cell]) == pytest.approx(value), cell
    assert cells[("online_payment", "rate", "")] == "83.13"
    assert cells[("meta", "unit_name", "")] == "Xã Đông Khê"
    assert cells[("meta", "name", "HT")] == "Hộ tịch"


# -------------------------------------------------------------------------------------------------- xlsx


@pytest.fixture(scope="module")
def workbook(report: dict[str, Any]) -> Any:
    openpyxl = pytest.importorskip("openpyxl")
    return openpyxl.load_workbook(io.BytesIO(render(report, "xlsx")))


def _find(sheet: Any, text: str) -> Any:
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and text in cell.value:
                return cell
    raise AssertionError(f"{text!r} not found in sheet {sheet.title}")


def test_xlsx_is_laid_out_like_bieu_06(workbook: Any) -> None:
    assert workbook.sheetnames[:2] == ["Biểu 06", "Chỉ tiêu kiểm tra"]
    sheet = workbook["Biểu 06"]
    assert _find(sheet, FORM_TITLE).value == FORM_TITLE
    assert _find(sheet, "Biểu số 06/VPCP/KSTT").value == "Biểu số 06/VPCP/KSTT"
    assert _find(sheet, "Kỳ báo cáo").value == "Kỳ báo cáo: từ ngày 01/07/2025 đến ngày 30/11/2025"
    assert "Xã Đông Khê" in _find(sheet, "Đơn vị báo cáo").value
    _find(sheet, "Đơn vị tính: Số hồ sơ TTHC")
    _find(sheet, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    _find(sheet, "NGƯỜI LẬP BIỂU")
    _find(sheet, "THỦ TRƯỞNG ĐƠN VỊ")
    assert _find(sheet, "Đông Khê, ngày").value == "Đông Khê, ngày 01 tháng 12 năm 2025"
    # the merged three-level header
    merged = {str(r) for r in sheet.merged_cells.ranges}
    received = _find(sheet, "Số hồ sơ nhận giải quyết")
    row = received.row
    for expected in (f"A{row}:A{row + 2}", f"B{row}:B{row + 2}", f"C{row}:F{row}", f"G{row}:M{row}",
                     f"C{row + 1}:C{row + 2}", f"D{row + 1}:E{row + 1}", f"F{row + 1}:F{row + 2}",
                     f"G{row + 1}:J{row + 1}", f"K{row + 1}:M{row + 1}"):
        assert expected in merged, expected
    assert sheet[f"D{row + 1}"].value == "Trong kỳ"
    assert sheet[f"E{row + 2}"].value == "Trực tiếp, dịch vụ bưu chính"
    assert [sheet.cell(row + 3, c).value for c in range(1, 14)] == [f"({n})" for n in range(1, 14)]
    assert sheet.cell(row + 4, 2).value == "Hộ tịch"


def test_xlsx_cells_hold_numbers(workbook: Any) -> None:
    sheet = workbook["Biểu 06"]
    total = _find(sheet, "Tổng cộng")
    values = [sheet.cell(total.row, c).value for c in range(3, 14)]
    assert values == TOTAL_ROW
    assert all(type(v) is int for v in values)
    civil_status = _find(sheet, "Hộ tịch")
    civil_status_row = [sheet.cell(civil_status.row, c).value for c in range(3, 14)]
    assert civil_status_row == [312, 190, 122, 0, 309, 268, 41, 0, 3, 3, 0]
    assert sheet.cell(total.row, 3).font.name == "Times New Roman"
    assert total.font.name == "Times New Roman"
    assert sheet.page_setup.orientation == "landscape"
    assert str(sheet.page_setup.paperSize) == "9"

    checks = workbook["Chỉ tiêu kiểm tra"]
    payment = _find(checks, "Thanh toán trực tuyến")
    assert [checks.cell(payment.row, c).value for c in (3, 4, 5)] == [276, 332, 83.13]
    boundary = _find(checks, "không phụ thuộc địa giới")
    assert [checks.cell(boundary.row, c).value for c in (3, 4, 5)] == [460, 944, 48.73]
    expected = (("Từ chối tiếp nhận", 0), ("Trả lại, không tiếp nhận", 52), ("Hồ sơ hủy", 12),
                ("Không bổ sung được", 30), ("Không cung cấp được", 14), ("thủ tục hành chính khác", 8),
                ("đủ thành phần khi tiếp nhận", 940), ("Tiếp nhận, trả kết quả qua dịch vụ bưu chính", 11),
                ("chưa có kết quả", 0))
    for label, value in expected:
        assert checks.cell(_find(checks, label).row, 3).value == value, label
    assert checks.page_setup.orientation == "landscape"


# --------------------------------------------------------------------------------------------------- pdf


@pytest.fixture(scope="module")
def pdf_bytes(report: dict[str, Any]) -> bytes:
    return render(report, "pdf")


def test_pdf_text_is_vietnamese_and_holds_the_figures(pdf_bytes: bytes) -> None:
    pypdf = pytest.importorskip("pypdf")
    assert pdf_bytes.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes))
    page = reader.pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)  # landscape
    assert round(float(page.mediabox.width)) == 842  # A4: 297 mm
    text = " ".join(nfc("\n".join(p.extract_text() for p in reader.pages)).split())  # wrapped cells join up
    for needle in ("Biểu số 06/VPCP/KSTT", "Xã Đông Khê", "944", "797", "143", "Tổng cộng",
                   "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "UBND XÃ ĐÔNG KHÊ",
                   "Kỳ báo cáo: từ ngày 01/07/2025 đến ngày 30/11/2025", "Đơn vị tính: Số hồ sơ TTHC",
                   "CHỈ TIÊU KIỂM TRA", "83,13", "48,73", "NGƯỜI LẬP BIỂU", "THỦ TRƯỞNG ĐƠN VỊ",
                   "Đông Khê, ngày 01 tháng 12 năm 2025", "Trực tiếp, dịch vụ bưu chính"):
        assert needle in text, needle


def test_pdf_template_renders_the_same_without_django(report: dict[str, Any],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from django.apps import apps

    from motcua.reports.render.pdf import render_html

    with_django = render_html(report)
    monkeypatch.setattr(apps, "ready", False)
    assert render_html(report) == with_django
    assert "Xã Đông Khê" in with_django


# ----------------------------------------------------------------------------------------- other reports


def _minimal_report() -> dict[str, Any]:
    """The bare interfaces §4 shape: zeros, a sector with empty groups, no names, an unexpected reason."""
    ratio = {"numerator": 0, "denominator": 0, "rate": 0.0}
    return {
        "unit": "000.00.00.H11", "from": "2025-07-01", "to": "2025-09-30",
        "received": {"online": 0, "direct": 0, "postal": 0, "carried_over": 0, "total": 0},
        "resolved": {"before_due": 0, "on_time": 0, "overdue": 0, "with_result": 0, "without_result": 0,
                     "total": 0},
        "in_process": {"within_due": 0, "overdue": 0, "total": 0},
        "not_accepted": {"refused": 0, "returned": 1, "returned_by_reason": {"duplicate_request": 1},
                         "cancelled": 0},
        "digitization": {"components": 0, "results": 0, "both": 0},
        "postal": 0, "online_payment": ratio, "boundary_independent": ratio, "portal_sync": ratio,
        "results_missing": 0,
        "by_sector": [{"sector": "HT", "name": "Hộ tịch", "received": {}, "resolved": {}, "in_process": {}}],
        "unit_name": "Tỉnh Cao Bằng", "province_name": None,
    }


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "pdf"])
def test_a_bare_province_report_renders(fmt: str) -> None:
    data = render(_minimal_report(), fmt)
    assert data
    if fmt == "table":
        text = data.decode("utf-8")
        assert "duplicate_request" in text
        assert max(len(line) for line in text.splitlines()) <= 110


def test_a_bare_province_report_has_one_agency_line_and_a_date_to_fill() -> None:
    from motcua.reports.render.pdf import context

    ctx = context(_minimal_report())
    assert ctx["agency_lines"] == ["UBND TỈNH CAO BẰNG"]
    assert ctx["date_line"] == "Cao Bằng, ngày … tháng … năm …"
    assert ctx["form_rows"][-1]["values"] == ["0"] * 11


def test_unknown_format_is_refused(report: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"'docx'.*json, table, csv, xlsx, pdf"):
        render(report, "docx")
