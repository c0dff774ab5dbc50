"""The plan file as an XLSX workbook: the same content as the JSON document, with Vietnamese headings.

Three sheets (docs/reform-plan.md):

- ``Nhiệm vụ``: a title block, then one row per task under the headings of :data:`TASK_COLUMNS` (the heading
  row is the one whose first cell is ``STT``; columns are found by heading, in any order);
- ``Minh chứng``: one row per evidence document, tied to its task by ``STT nhiệm vụ``;
- ``Kế hoạch``: the plan's unit, year, decision number and date, and title, one per row.

The ``Minh chứng`` column of the task sheet is a summary for readers; an import reads the evidence sheet.
Nothing here decides: the reader turns cells into the JSON document, and the services validate it.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

from motcua.core.errors import FieldError
from motcua.reform.models import AREA_NAMES, STATUS_NAMES

__all__ = ["EVIDENCE_COLUMNS", "PLAN_ROWS", "TASK_COLUMNS", "read_plan", "write_plan"]

TASKS_SHEET = "Nhiệm vụ"
EVIDENCE_SHEET = "Minh chứng"
PLAN_SHEET = "Kế hoạch"

TASK_COLUMNS: tuple[tuple[str, str | None, int], ...] = (
    ("STT", "number", 7),
    ("Lĩnh vực", "area", 22),
    ("Nội dung nhiệm vụ", "content", 60),
    ("Sản phẩm", "expected_product", 30),
    ("Cơ quan chủ trì", "lead", 24),
    ("Cơ quan phối hợp", "cooperating", 24),
    ("Thời hạn", "deadline", 12),
    ("Trạng thái", "status", 18),
    ("Ngày hoàn thành", "completed_on", 12),
    ("Minh chứng", None, 40),
    ("Ghi chú", "note", 24),
    ("Lý do đưa ra khỏi kế hoạch", "removal_reason", 24),
)
"""(heading, key of the JSON task, width). ``Minh chứng`` (key ``None``) is written, never read."""

EVIDENCE_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("STT nhiệm vụ", "number", 12),
    ("Tên tài liệu", "title", 60),
    ("Số, ký hiệu", "document_number", 18),
    ("Ngày ban hành", "document_date", 14),
    ("Đường dẫn/tệp", "reference", 50),
)

PLAN_ROWS: tuple[tuple[str, str], ...] = (
    ("Đơn vị (mã định danh)", "unit"),
    ("Năm", "year"),
    ("Số kế hoạch", "decision_number"),
    ("Ngày ban hành", "decision_date"),
    ("Tên kế hoạch", "title"),
)

REQUIRED_HEADINGS = ("STT", "Lĩnh vực", "Nội dung nhiệm vụ", "Thời hạn")
DATE_KEYS = frozenset({"deadline", "completed_on", "document_date", "decision_date"})
DATE_FORMAT = "DD/MM/YYYY"
_VN_DATE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")


def _vn(day: str | None) -> str:
    return date.fromisoformat(day).strftime("%d/%m/%Y") if day else ""


def _cell_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


# -- writing ----------------------------------------------------------------------------------------------


def _evidence_summary(evidence: Iterable[Mapping[str, Any]]) -> str:
    lines = []
    for e in evidence:
        head = " ".join(p for p in (e.get("document_number") or "",
                                    f"ngày {_vn(e['document_date'])}" if e.get("document_date") else "") if p)
        lines.append(f"{head}: {e['title']}" if head else e["title"])
    return "\n".join(lines)


def _heading_row(sheet: Worksheet, row: int, headings: Iterable[tuple[str, Any, int]]) -> None:
    for col, (heading, _key, width) in enumerate(headings, start=1):
        cell = sheet.cell(row=row, column=col, value=heading)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(col)].width = width


def write_plan(data: Mapping[str, Any], *, unit_name: str = "") -> bytes:
    """The plan document ``data`` (as :func:`~motcua.reform.selectors.plan_export` makes it) as XLSX bytes."""
    book = Workbook()
    tasks = book.active
    assert tasks is not None
    tasks.title = TASKS_SHEET
    last = get_column_letter(len(TASK_COLUMNS))
    year = data["year"]
    tasks["A1"] = f"KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM {year}" + (f" — {unit_name.upper()}" if unit_name else "")
    tasks["A1"].font = Font(bold=True, size=13)
    tasks["A2"] = f"(Kèm theo Kế hoạch số {data['decision_number']} ngày {_vn(data['decision_date'])})"
    tasks["A3"] = data["title"]
    for row in (1, 2, 3):
        tasks.merge_cells(f"A{row}:{last}{row}")
        tasks[f"A{row}"].alignment = Alignment(horizontal="center")
    _heading_row(tasks, 4, TASK_COLUMNS)
    tasks.freeze_panes = "A5"
    wrap = Alignment(vertical="top", wrap_text=True)
    for r, task in enumerate(data["tasks"], start=5):
        for c, (_heading, key, _width) in enumerate(TASK_COLUMNS, start=1):
            if key is None:
                value: Any = _evidence_summary(task.get("evidence") or [])
            elif key == "area":
                value = AREA_NAMES.get(task["area"], task["area"])
            elif key == "status":
                value = STATUS_NAMES.get(task["status"], task["status"])
            elif key in DATE_KEYS:
                value = _cell_date(task.get(key))
            else:
                value = task.get(key) or ""
            cell = tasks.cell(row=r, column=c, value=value)
            cell.alignment = wrap
            if key in DATE_KEYS:
                cell.number_format = DATE_FORMAT
            elif key == "number":
                cell.number_format = "@"

    evidence = book.create_sheet(EVIDENCE_SHEET)
    _heading_row(evidence, 1, EVIDENCE_COLUMNS)
    evidence.freeze_panes = "A2"
    r = 2
    for task in data["tasks"]:
        for item in task.get("evidence") or []:
            for c, (_heading, key, _width) in enumerate(EVIDENCE_COLUMNS, start=1):
                value = task["number"] if key == "number" else item.get(key) or ""
                if key in DATE_KEYS:
                    value = _cell_date(item.get(key))
                cell = evidence.cell(row=r, column=c, value=value)
                cell.alignment = wrap
                if key in DATE_KEYS:
                    cell.number_format = DATE_FORMAT
                elif key == "number":
                    cell.number_format = "@"
            r += 1

    plan = book.create_sheet(PLAN_SHEET)
    plan.column_dimensions["A"].width = 24
    plan.column_dimensions["B"].width = 70
    for r, (label, key) in enumerate(PLAN_ROWS, start=1):
        plan.cell(row=r, column=1, value=label).font = Font(bold=True)
        value = _cell_date(data.get(key)) if key in DATE_KEYS else data.get(key)
        cell = plan.cell(row=r, column=2, value=value)
        if key in DATE_KEYS:
            cell.number_format = DATE_FORMAT
        elif key == "unit":
            cell.number_format = "@"
    if unit_name:
        plan.cell(row=len(PLAN_ROWS) + 1, column=1, value="Tên đơn vị").font = Font(bold=True)
        plan.cell(row=len(PLAN_ROWS) + 1, column=2, value=unit_name)

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# -- reading ----------------------------------------------------------------------------------------------


def _value(value: Any, key: str) -> Any:
    """A cell as the JSON document has it: dates as ISO text, integral numbers as text for numbers."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        value = value.strip()
        match = _VN_DATE.match(value) if key in DATE_KEYS else None
        if match:
            day, month, year = (int(g) for g in match.groups())
            try:
                return date(year, month, day).isoformat()
            except ValueError:
                return value
        return value
    if key in ("number", "year") and isinstance(value, float) and value.is_integer():
        value = int(value)
    if key == "number" and isinstance(value, int):
        return str(value)
    return value


def _norm_heading(text: Any) -> str:
    return re.sub(r"\s+", " ", str(text or "")).strip().casefold()


_CODES: dict[str, dict[str, str]] = {
    "area": {_norm_heading(name): code for code, name in AREA_NAMES.items()},
    "status": {_norm_heading(name): code for code, name in STATUS_NAMES.items()},
}
"""The Vietnamese names the workbook shows, back to the codes of the JSON document (others are left for the
services to accept or refuse)."""


def _empty(row: Iterable[Any]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in row)


def _sheet(book: Any, name: str) -> Worksheet | None:
    for sheet in book.worksheets:
        if _norm_heading(sheet.title) == _norm_heading(name):
            return sheet  # type: ignore[no-any-return]
    return None


def read_plan(content: bytes) -> tuple[dict[str, Any], dict[str, str]]:
    """The plan document in a workbook, and where each field came from (``tasks[3].deadline`` →
    ``Nhiệm vụ!G8``) so that errors can point at the cell."""
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise FieldError("file", f"{len(content)} bytes", "is not an XLSX workbook") from exc
    cells: dict[str, str] = {}
    data: dict[str, Any] = {}

    plan = _sheet(book, PLAN_SHEET)
    if plan is None:
        raise FieldError("file", PLAN_SHEET, "the workbook has no sheet named this (the plan's year, number…)")
    labels = {_norm_heading(label): key for label, key in PLAN_ROWS}
    for r, row in enumerate(plan.iter_rows(min_col=1, max_col=2, values_only=True), start=1):
        key = labels.get(_norm_heading(row[0])) if row else None
        if key is not None:
            data[key] = _value(row[1] if len(row) > 1 else None, key)
            cells[key] = f"{PLAN_SHEET}!B{r}"

    sheet = _sheet(book, TASKS_SHEET)
    if sheet is None:
        raise FieldError("file", TASKS_SHEET, "the workbook has no sheet named this (the tasks)")
    rows = list(sheet.iter_rows(values_only=True))
    header_at = next((i for i, row in enumerate(rows[:20]) if row and _norm_heading(row[0]) == "stt"), None)
    if header_at is None:
        raise FieldError("file", TASKS_SHEET, "no heading row (first cell STT) in the first 20 rows")
    known = {_norm_heading(h): (key, h) for h, key, _w in TASK_COLUMNS}
    columns: dict[str, int] = {}
    for c, heading in enumerate(rows[header_at]):
        entry = known.get(_norm_heading(heading))
        if entry is not None and entry[0] is not None:
            columns[entry[0]] = c
    for heading in REQUIRED_HEADINGS:
        key = known[_norm_heading(heading)][0]
        if key not in columns:
            raise FieldError("file", heading, f"sheet {TASKS_SHEET} has no column with this heading")
    tasks: list[dict[str, Any]] = []
    by_number: dict[str, dict[str, Any]] = {}
    task_index: dict[str, int] = {}
    for r, row in enumerate(rows[header_at + 1:], start=header_at + 2):
        if _empty(row):
            continue
        i = len(tasks)
        task: dict[str, Any] = {}
        for key, c in columns.items():
            raw = row[c] if c < len(row) else None
            cells[f"tasks[{i}].{key}"] = f"{TASKS_SHEET}!{get_column_letter(c + 1)}{r}"
            value = _value(raw, key)
            if key in _CODES and isinstance(value, str):
                value = _CODES[key].get(_norm_heading(value), value)
            if value is None or value == "":
                if key in ("status", "removal_reason"):
                    continue  # an empty status keeps the task's status
                value = None if key in DATE_KEYS else ""
            task[key] = value
        cells[f"tasks[{i}]"] = f"{TASKS_SHEET}!A{r}"
        tasks.append(task)
        number = str(task.get("number") or "").strip().rstrip(".")
        if number:
            by_number.setdefault(number, task)
            task_index.setdefault(number, i)
    data["tasks"] = tasks

    evidence = _sheet(book, EVIDENCE_SHEET)
    if evidence is not None:
        for task in tasks:
            task["evidence"] = []
        ev_rows = list(evidence.iter_rows(values_only=True))
        ev_columns = {key: c for c, heading in enumerate(ev_rows[0] if ev_rows else ())
                      for h, key, _w in EVIDENCE_COLUMNS if _norm_heading(heading) == _norm_heading(h)}
        if ev_rows and "number" not in ev_columns:
            raise FieldError("file", EVIDENCE_COLUMNS[0][0], f"sheet {EVIDENCE_SHEET} has no column with this "
                                                             "heading")
        for r, row in enumerate(ev_rows[1:], start=2):
            if _empty(row):
                continue
            number = str(_value(row[ev_columns["number"]], "number") or "").strip().rstrip(".")
            if number not in by_number:
                raise FieldError("evidence", number, f"{EVIDENCE_SHEET}!A{r}: no task with this number in sheet "
                                                     f"{TASKS_SHEET}")
            owner = by_number[number]
            j = len(owner["evidence"])
            item: dict[str, Any] = {}
            for key, c in ev_columns.items():
                if key == "number":
                    continue
                value = _value(row[c] if c < len(row) else None, key)
                if value is None or value == "":
                    value = None if key in DATE_KEYS else ""
                item[key] = value
                cells[f"tasks[{task_index[number]}].evidence[{j}].{key}"] = (
                    f"{EVIDENCE_SHEET}!{get_column_letter(c + 1)}{r}")
            owner["evidence"].append(item)
    book.close()
    return data, cells
