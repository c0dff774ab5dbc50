"""The report as plain text for a terminal: fixed-width columns, at most 110 characters a line, no colours.

Headings are Vietnamese with a short English gloss in brackets. Sections: A received, B resolved, C in process
(the three groups of Biểu 06), D not accepted, E inspection figures, F Biểu 06 by sector, G not accepted by
sector.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import Any

from motcua.reports.render._common import (
    FORM_CODE,
    FORM_COLUMN_NAMES,
    FORM_COLUMNS,
    GROUP_ORDER,
    LABELS,
    RATIOS,
    figure,
    form_rows,
    nfc,
    not_accepted_rows,
    period_line,
    return_reasons,
    unit_line,
)

WIDTH = 110
LABEL_WIDTH = 80
VALUE_WIDTH = 12
NAME_WIDTH = 18


def _fit(text: str, width: int) -> str:
    text = nfc(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def _line(label: str, value: str, indent: int = 3, note: str = "") -> str:
    text = f"{' ' * indent}{_fit(label, LABEL_WIDTH - indent):<{LABEL_WIDTH - indent}}{value:>{VALUE_WIDTH}}"
    return (text + ("  " + note if note else "")).rstrip()


def _label(path: str) -> str:
    vi, en = LABELS.get(path, (path, path))
    return f"{vi} [{en}]"


def _heading(letter: str, path: str) -> list[str]:
    vi, en = LABELS[path]
    return ["", f"{letter}. {nfc(vi).upper()} [{en.upper()}]"]


def _group(report: Mapping[str, Any], letter: str, group: str) -> list[str]:
    lines = _heading(letter, group)
    for key in GROUP_ORDER[group]:
        if key == "returned_by_reason":
            for reason in return_reasons(report):
                path = f"{group}.{key}.{reason}"
                lines.append(_line("– " + _label(path), str(figure(report, path)), indent=6))
            continue
        path = f"{group}.{key}"
        lines.append(_line(_label(path), str(figure(report, path))))
    if group == "received":
        lines.append(_line("(trực tiếp + bưu chính = cột 5 của Biểu 06) [direct + postal]",
                           str(figure(report, "received.direct+postal")), indent=6))
    return lines


def _inspection(report: Mapping[str, Any]) -> list[str]:
    lines = ["", "E. CHỈ TIÊU KIỂM TRA [INSPECTION FIGURES]", f"   {_label('digitization')}:"]
    for key in GROUP_ORDER["digitization"]:
        path = f"digitization.{key}"
        lines.append(_line("– " + _label(path), str(figure(report, path)), indent=6))
    lines.append(_line(_label("postal"), str(figure(report, "postal"))))
    for name in RATIOS:
        data = report.get(name) or {}
        fraction = f"{int(data.get('numerator') or 0)} / {int(data.get('denominator') or 0)}"
        lines.append(_line(_label(name), fraction, note=f"= {float(data.get('rate') or 0.0):.2f} %"))
    lines.append(_line(_label("results_missing"), str(figure(report, "results_missing"))))
    return lines


def _by_sector(report: Mapping[str, Any]) -> list[str]:
    spans = (("Nhận giải quyết [received]", 4), ("Đã giải quyết [resolved]", 4),
             ("Đang giải quyết [open]", 3))
    pad = " " * (4 + NAME_WIDTH)
    top = pad + "".join(" " + text.center(8 * n - 1) for text, n in spans)
    underline = pad + "".join(" " + "-" * (8 * n - 1) for _, n in spans)
    names = f"{'STT':<3} {'Lĩnh vực [sector]':<{NAME_WIDTH}}" + "".join(
        f" {short:>7}" for _, _, short in FORM_COLUMNS)
    numbers = f"{'(1)':<3} {'(2)':<{NAME_WIDTH}}" + "".join(f" {f'({n})':>7}" for n, _, _ in FORM_COLUMNS)
    rule = "-" * WIDTH
    lines = ["", f"F. {FORM_CODE.upper()} THEO LĨNH VỰC [BY SECTOR]", top, underline, names, numbers, rule]
    for row in form_rows(report):
        if row.total:
            lines.append(rule)
        label = _fit(row.label + (" [total]" if row.total else ""), NAME_WIDTH)
        lines.append(f"{row.stt:<3} {label:<{NAME_WIDTH}}" + "".join(f" {v:>7}" for v in row.values))
    lines.append(rule)

    def names_of(numbers: range) -> str:
        return "; ".join(f"({n}) {FORM_COLUMN_NAMES[n].lower()}" for n in numbers)

    lines += textwrap.wrap(
        f"Cột [columns]: số hồ sơ nhận giải quyết [received] {names_of(range(3, 7))}; số hồ sơ đã giải quyết"
        f" [resolved] {names_of(range(7, 11))}; số hồ sơ đang giải quyết [in process]"
        f" {names_of(range(11, 14))}."
        " (3) = (4) + (5) + (6) = (7) + (11).", WIDTH)
    return lines


def _not_accepted_by_sector(report: Mapping[str, Any]) -> list[str]:
    reasons = return_reasons(report)
    letters = [chr(ord("a") + i) for i in range(len(reasons))]
    heads = ["Từ chối", "Trả lại", *(f"({x})" for x in letters), "Hủy"]
    glosses = ["[refused]", "[returned]", *("" for _ in letters), "[cancel]"]
    lines = ["", "G. HỒ SƠ KHÔNG ĐƯỢC TIẾP NHẬN, HỒ SƠ HỦY THEO LĨNH VỰC [NOT ACCEPTED BY SECTOR]",
             f"{'STT':<3} {'Lĩnh vực [sector]':<{NAME_WIDTH}}" + "".join(f" {h:>10}" for h in heads),
             " " * (4 + NAME_WIDTH) + "".join(f" {g:>10}" for g in glosses)]
    rule = "-" * (4 + NAME_WIDTH + 11 * len(heads))
    lines.append(rule)
    for number, row in enumerate(not_accepted_rows(report), start=1):
        if row.total:
            lines.append(rule)
        stt = "" if row.total else str(number)
        label = _fit(row.label + (" [total]" if row.total else ""), NAME_WIDTH)
        values = (row.refused, row.returned, *row.by_reason, row.cancelled)
        lines.append(f"{stt:<3} {label:<{NAME_WIDTH}}" + "".join(f" {v:>10}" for v in values))
    lines.append(rule)
    legend = "; ".join(f"({x}) {nfc(LABELS.get(f'not_accepted.returned_by_reason.{r}', (r, r))[0]).lower()}"
                       f" [{LABELS.get(f'not_accepted.returned_by_reason.{r}', (r, r))[1]}]"
                       for x, r in zip(letters, reasons, strict=True))
    lines += textwrap.wrap("Trả lại theo lý do [returned by reason]: " + legend + ".", WIDTH)
    return lines


def render_table(report: Mapping[str, Any]) -> bytes:
    lines = [
        f"BÁO CÁO ĐỊNH KỲ [PERIODIC REPORT] · {FORM_CODE} (Thông tư 01/2020/TT-VPCP)",
        "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH [ADMINISTRATIVE PROCEDURES: DOSSIERS AND RESULTS]",
        unit_line(report).replace("Đơn vị báo cáo:", "Đơn vị báo cáo [unit]:"),
        period_line(report).replace("Kỳ báo cáo:", "Kỳ báo cáo [period]:")
        + f" ({report.get('from')}..{report.get('to')})",
        "Đơn vị tính: số hồ sơ TTHC [unit of measure: dossiers]",
        f"Lập lúc [generated]: {report.get('generated_at') or '—'} · phiên bản công thức [formula version]:"
        f" {report.get('formula_version') or '—'}",
        "=" * WIDTH,
    ]
    lines += _group(report, "A", "received")
    lines += _group(report, "B", "resolved")
    lines += _group(report, "C", "in_process")
    lines += _group(report, "D", "not_accepted")
    lines += _inspection(report)
    lines += _by_sector(report)
    lines += _not_accepted_by_sector(report)
    return ("\n".join(nfc(line).rstrip() for line in lines) + "\n").encode("utf-8")
