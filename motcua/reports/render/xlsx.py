"""The report as an Excel workbook laid out like the official form (XlsxWriter).

Sheet "Biểu 06": the national header, the reporting unit, the title and code of Biểu số 06/VPCP/KSTT
(Circular 01/2020/TT-VPCP), the period, "Đơn vị tính: Số hồ sơ TTHC", the table with its merged three-level
header and numbered columns (1)…(13), one row per sector and the row "Tổng cộng", and the signature block.
Sheet "Chỉ tiêu kiểm tra": the inspection figures of rules §4 and the not-accepted figures per sector.

Cells are Times New Roman; numbers are numbers (integers ``#,##0``, rates ``0.00``); both sheets print on A4
landscape, one page wide.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from motcua.reports.render._common import (
    FORM_CODE,
    FORM_COLUMN_NAMES,
    FORM_SOURCE,
    FORM_TITLE,
    INSPECTION_SHEET,
    INSPECTION_TITLE,
    MOTTO,
    NATION,
    TOTAL_LABEL,
    UNIT_OF_MEASURE,
    agency_lines,
    date_line,
    footer_line,
    form_rows,
    inspection_rows,
    not_accepted_rows,
    period_line,
    reason_labels,
    unit_line,
)

__all__ = ["render_xlsx"]

FONT = "Times New Roman"
FORM_SHEET = "Biểu 06"
NOT_ACCEPTED_SHEET = "Không tiếp nhận theo lĩnh vực"
NOT_ACCEPTED_TITLE = "HỒ SƠ KHÔNG ĐƯỢC TIẾP NHẬN, HỒ SƠ HỦY THEO LĨNH VỰC"
LINE_HEIGHT = 15.0  # points per line of 11–12 pt text


class _Formats:
    """The cell formats of the workbook, all in Times New Roman."""

    def __init__(self, book: Workbook) -> None:
        def fmt(**props: Any) -> Format:
            return book.add_format({"font_name": FONT, "font_size": 12, "valign": "vcenter", **props})

        cell = {"border": 1, "font_size": 11}
        self.agency = fmt(align="center")
        self.agency_bold = fmt(align="center", bold=True)
        self.rule = fmt(align="center", font_size=8)
        self.nation = fmt(align="center", bold=True)
        self.title = fmt(align="center", bold=True, font_size=13, text_wrap=True)
        self.code = fmt(align="center", bold=True)
        self.source = fmt(align="center", italic=True, font_size=11)
        self.centre = fmt(align="center")
        self.centre_bold = fmt(align="center", bold=True)
        self.measure = fmt(align="right", italic=True, font_size=11)
        self.head = fmt(align="center", bold=True, text_wrap=True, **cell)
        self.number_head = fmt(align="center", italic=True, **cell)
        self.text = fmt(align="left", text_wrap=True, indent=1, **cell)
        self.text_centre = fmt(align="center", **cell)
        self.text_sub = fmt(align="left", text_wrap=True, indent=3, **cell)
        self.text_bold = fmt(align="left", bold=True, text_wrap=True, indent=1, **cell)
        self.total_label = fmt(align="center", bold=True, **cell)
        self.int = fmt(align="right", num_format="#,##0", indent=1, **cell)
        self.int_bold = fmt(align="right", bold=True, num_format="#,##0", indent=1, **cell)
        self.rate = fmt(align="right", num_format="0.00", indent=1, **cell)
        self.empty = fmt(**cell)
        self.note = fmt(align="left", text_wrap=True, italic=True, font_size=10, indent=1, border=1)
        self.sign_title = fmt(align="center", bold=True)
        self.sign_note = fmt(align="center", italic=True, font_size=11)
        self.date = fmt(align="center", italic=True)


def _lines(text: str, width: float, per_unit: float = 1.1) -> int:
    """How many lines ``text`` takes in a wrapped cell ``width`` column units wide (a safe estimate).

    A column unit is the width of a digit of the default font (Calibri 11 pt, or its metric twin Carlito);
    Times New Roman 11 pt fits about 1.15 characters of Vietnamese text in one, 10 pt italic about 1.35.
    Spreadsheets do not fit row heights to wrapped text when they open a file, so the rows get these
    heights; erring high leaves some air, erring low would hide text."""
    usable = max(1.0, (width - 1) * per_unit)
    count = 0
    for paragraph in text.split("\n"):
        words, line = paragraph.split(), 0
        count += 1
        for word in words:
            if line and line + 1 + len(word) > usable:
                count += 1
                line = len(word)
            else:
                line += (1 if line else 0) + len(word)
    return max(1, count)


def _height(lines: int) -> float:
    """Row height in points for ``lines`` lines of 11 pt text, with some air."""
    return LINE_HEIGHT * lines + 4


def _page_setup(sheet: Worksheet, report: Mapping[str, Any], header_rows: tuple[int, int] | None) -> None:
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.set_margins(left=0.6, right=0.4, top=0.5, bottom=0.6)
    sheet.center_horizontally()
    sheet.fit_to_pages(1, 0)
    if header_rows:
        sheet.repeat_rows(*header_rows)
    font = f'&"{FONT},Regular"&9'
    sheet.set_footer(f"&L{font}{footer_line(report).replace('&', '&&')}&R{font}Trang &P/&N")
    sheet.hide_gridlines(2)


def _national_header(sheet: Worksheet, f: _Formats, report: Mapping[str, Any], left: tuple[int, int],
                     right: tuple[int, int]) -> int:
    """The agency (top left) and the national motto (top right); returns the next free row."""
    agencies = agency_lines(report)
    for row, text in enumerate(agencies):
        sheet.merge_range(row, left[0], row, left[1], text,
                          f.agency_bold if row == len(agencies) - 1 else f.agency)
    sheet.merge_range(len(agencies), left[0], len(agencies), left[1], "—————", f.rule)
    sheet.merge_range(0, right[0], 0, right[1], NATION, f.nation)
    sheet.merge_range(1, right[0], 1, right[1], MOTTO, f.nation)
    sheet.merge_range(2, right[0], 2, right[1], "—————————", f.rule)
    return max(len(agencies), 2) + 2


def _form_sheet(book: Workbook, f: _Formats, report: Mapping[str, Any]) -> None:
    sheet = book.add_worksheet(FORM_SHEET)
    last = 12  # column M
    widths = [6, 34] + [10.5] * 11
    for column, width in enumerate(widths):
        sheet.set_column(column, column, width)

    row = title_row = _national_header(sheet, f, report, (0, 4), (7, last))
    sheet.merge_range(row, 0, row, last, FORM_TITLE, f.title)
    sheet.set_row(row, 36)
    sheet.merge_range(row + 1, 0, row + 1, last, FORM_CODE, f.code)
    sheet.merge_range(row + 2, 0, row + 2, last, f"({FORM_SOURCE})", f.source)
    sheet.merge_range(row + 3, 0, row + 3, last, period_line(report), f.centre_bold)
    sheet.merge_range(row + 4, 0, row + 4, last, unit_line(report), f.centre)
    sheet.merge_range(row + 5, 9, row + 5, last, UNIT_OF_MEASURE, f.measure)

    top = row + 6  # the three header rows, then the column numbers
    names = FORM_COLUMN_NAMES
    sheet.merge_range(top, 0, top + 2, 0, names[1], f.head)
    sheet.merge_range(top, 1, top + 2, 1, names[2], f.head)
    sheet.merge_range(top, 2, top, 5, "Số hồ sơ nhận giải quyết", f.head)
    sheet.merge_range(top, 6, top, last, "Kết quả giải quyết", f.head)
    sheet.merge_range(top + 1, 2, top + 2, 2, names[3], f.head)
    sheet.merge_range(top + 1, 3, top + 1, 4, "Trong kỳ", f.head)
    sheet.merge_range(top + 1, 5, top + 2, 5, names[6], f.head)
    sheet.merge_range(top + 1, 6, top + 1, 9, "Số hồ sơ đã giải quyết", f.head)
    sheet.merge_range(top + 1, 10, top + 1, last, "Số hồ sơ đang giải quyết", f.head)
    for number in (4, 5, 7, 8, 9, 10, 11, 12, 13):
        sheet.write(top + 2, number - 1, names[number], f.head)
    sheet.set_row(top, 20)
    sheet.set_row(top + 1, 34)
    sheet.set_row(top + 2, 50)
    for number in range(1, 14):
        sheet.write(top + 3, number - 1, f"({number})", f.number_head)

    row = top + 4
    heights: dict[int, float] = {title_row: 36}
    for form_row in form_rows(report):
        if form_row.total:
            sheet.merge_range(row, 0, row, 1, TOTAL_LABEL, f.total_label)
        else:
            sheet.write_number(row, 0, int(form_row.stt), f.text_centre)
            sheet.write_string(row, 1, form_row.label, f.text)
        for column, value in enumerate(form_row.values, start=2):
            sheet.write_number(row, column, value, f.int_bold if form_row.total else f.int)
        sheet.set_row(row, _height(_lines(form_row.label, widths[1] - 2)))
        heights[row] = _height(_lines(form_row.label, widths[1] - 2))
        row += 1

    heights.update({top: 20, top + 1: 34, top + 2: 50})
    if not _signatures_fit(widths, heights, first_row=row + 1, repeated=(top, top + 3)):
        sheet.set_h_pagebreaks([row + 1])  # keep the signature block on one page
    _signatures(sheet, f, report, row + 1, left=(0, 4), right=(7, last))
    _page_setup(sheet, report, (top, top + 3))


# A4 landscape in points, less the margins of _page_setup.
PAGE_WIDTH = 842 - (0.6 + 0.4) * 72
PAGE_HEIGHT = 595 - (0.5 + 0.6) * 72
DEFAULT_ROW = 17.0  # a row of 12 pt text without a set height
SIGNATURE_HEIGHT = 3 * DEFAULT_ROW + 2 * 18 + 10


def _signatures_fit(widths: list[float], heights: Mapping[int, float], first_row: int,
                    repeated: tuple[int, int]) -> bool:
    """Whether the signature block starting at ``first_row`` fits on the page where the table ends, as the
    sheet prints one page wide (scaled down when wider than the page) with the header rows repeated."""
    sheet_width = sum((int(w * 7 + 0.5) + 5) * 0.75 for w in widths)
    page = PAGE_HEIGHT / min(1.0, PAGE_WIDTH / sheet_width)
    repeat = sum(heights.get(r, DEFAULT_ROW) for r in range(repeated[0], repeated[1] + 1))
    used = 0.0
    for row in range(first_row):
        height = heights.get(row, DEFAULT_ROW)
        if used + height > page:
            used = repeat if row > repeated[1] else 0.0
        used += height
    return used + SIGNATURE_HEIGHT <= page


def _signatures(sheet: Worksheet, f: _Formats, report: Mapping[str, Any], row: int, left: tuple[int, int],
                right: tuple[int, int]) -> None:
    sheet.merge_range(row, right[0], row, right[1], date_line(report), f.date)
    sheet.merge_range(row + 1, left[0], row + 1, left[1], "NGƯỜI LẬP BIỂU", f.sign_title)
    sheet.merge_range(row + 1, right[0], row + 1, right[1], "THỦ TRƯỞNG ĐƠN VỊ", f.sign_title)
    sheet.merge_range(row + 2, left[0], row + 2, left[1], "(Ký, ghi rõ họ tên)", f.sign_note)
    sheet.merge_range(row + 2, right[0], row + 2, right[1], "(Ký tên, đóng dấu)", f.sign_note)
    for blank in range(row + 3, row + 7):
        sheet.set_row(blank, 18)


def _inspection_sheet(book: Workbook, f: _Formats, report: Mapping[str, Any]) -> None:
    sheet = book.add_worksheet(INSPECTION_SHEET)
    last = 5  # column F
    widths = [6, 50, 13, 12, 12, 60]
    for column, width in enumerate(widths):
        sheet.set_column(column, column, width)
    row = _annex_heading(sheet, f, report, INSPECTION_TITLE, last)
    heads = ["STT", "Chỉ tiêu", "Số hồ sơ (tử số)", "Mẫu số", "Tỷ lệ (%)", "Cách tính"]
    for column, text in enumerate(heads):
        sheet.write(row, column, text, f.head)
    sheet.set_row(row, 34)
    header = row
    row += 1
    for item in inspection_rows(report):
        if item.heading:
            sheet.write(row, 0, item.number, f.total_label)
            sheet.merge_range(row, 1, row, last, item.label, f.text_bold)
            row += 1
            continue
        sheet.write_string(row, 0, item.number, f.text_centre)
        label = ("- " if item.indent else "") + item.label
        sheet.write_string(row, 1, label, f.text_sub if item.indent else f.text)
        sheet.write_number(row, 2, item.value or 0, f.int)
        if item.denominator is None:
            sheet.write_blank(row, 3, None, f.empty)
            sheet.write_blank(row, 4, None, f.empty)
        else:
            sheet.write_number(row, 3, item.denominator, f.int)
            sheet.write_number(row, 4, item.rate or 0.0, f.rate)
        sheet.write_string(row, 5, item.definition, f.note)
        lines = max(_lines(label, widths[1] - 2 - 2 * item.indent),
                    _lines(item.definition, widths[5] - 2, per_unit=1.25))
        sheet.set_row(row, _height(lines))
        row += 1
    _page_setup(sheet, report, (header, header))


def _annex_heading(sheet: Worksheet, f: _Formats, report: Mapping[str, Any], title: str, last: int) -> int:
    """Title, form reference, period, unit and unit of measure of an annex sheet; returns the next row."""
    sheet.merge_range(0, 0, 0, last, title, f.title)
    sheet.set_row(0, 22)
    sheet.merge_range(1, 0, 1, last, f"(Số liệu kiểm tra kèm theo {FORM_CODE})", f.source)
    sheet.merge_range(2, 0, 2, last, period_line(report), f.centre_bold)
    sheet.merge_range(3, 0, 3, last, unit_line(report), f.centre)
    sheet.merge_range(4, max(0, last - 2), 4, last, UNIT_OF_MEASURE, f.measure)
    return 5


def _not_accepted_sheet(book: Workbook, f: _Formats, report: Mapping[str, Any]) -> None:
    sheet = book.add_worksheet(NOT_ACCEPTED_SHEET)
    reasons = reason_labels(report)
    end_reasons = 3 + len(reasons)
    last = end_reasons + 1
    widths = [6, 36] + [14] * (last - 1)
    for column, width in enumerate(widths):
        sheet.set_column(column, column, width)
    top = _annex_heading(sheet, f, report, NOT_ACCEPTED_TITLE, last)
    sheet.merge_range(top, 0, top + 1, 0, "STT", f.head)
    sheet.merge_range(top, 1, top + 1, 1, "Lĩnh vực", f.head)
    sheet.merge_range(top, 2, top + 1, 2, "Từ chối tiếp nhận", f.head)
    sheet.merge_range(top, 3, top, end_reasons, "Trả lại, không tiếp nhận", f.head)
    sheet.write(top + 1, 3, "Tổng số", f.head)
    for offset, text in enumerate(reasons, start=4):
        sheet.write(top + 1, offset, text, f.head)
    sheet.merge_range(top, last, top + 1, last, "Hồ sơ hủy", f.head)
    sheet.set_row(top, 20)
    sheet.set_row(top + 1, _height(max(_lines(t, widths[4] - 1) for t in reasons)) + 2)
    row = top + 2
    for number, na in enumerate(not_accepted_rows(report), start=1):
        if na.total:
            sheet.merge_range(row, 0, row, 1, TOTAL_LABEL, f.total_label)
        else:
            sheet.write_number(row, 0, number, f.text_centre)
            sheet.write_string(row, 1, na.label, f.text)
        sheet.set_row(row, _height(_lines(na.label, widths[1] - 2)))
        values = (na.refused, na.returned, *na.by_reason, na.cancelled)
        for column, value in enumerate(values, start=2):
            sheet.write_number(row, column, value, f.int_bold if na.total else f.int)
        row += 1
    _page_setup(sheet, report, (top, top + 1))


def render_xlsx(report: Mapping[str, Any]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.set_properties({"title": FORM_TITLE.capitalize(), "subject": FORM_CODE, "author": "motcua",
                         "comments": footer_line(report)})
    formats = _Formats(book)
    _form_sheet(book, formats, report)
    _inspection_sheet(book, formats, report)
    _not_accepted_sheet(book, formats, report)
    book.close()
    return buffer.getvalue()
