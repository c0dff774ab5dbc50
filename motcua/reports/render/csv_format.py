"""The report as CSV, one row per figure (long format), UTF-8 with a byte-order mark for Excel.

Columns: ``section,key,sector,value,label``.

- ``section`` is a top-level key of the report (``received``, ``not_accepted``, ``online_payment``, …) or
  ``meta`` for the descriptive strings (unit, period, names, generation time, formula version);
- ``key`` is the path inside the section, dotted (``returned_by_reason.cannot_submit``); empty for a scalar
  section such as ``postal``;
- ``sector`` is empty for the unit's totals and the sector code for the ``by_sector`` rows;
- ``value`` is an integer, a rate with 2 decimals (``83.13``) or, for ``meta``, text;
- ``label`` is the Vietnamese name of the figure.

Totals come first in the §4 order, then each sector's groups. Keys a report adds later are written too.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from typing import Any

from motcua.reports.render._common import LABELS, RATIOS, nfc
from motcua.reports.render.json_format import ordered_report

HEADER = ("section", "key", "sector", "value", "label")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, (list, tuple)):
        return json.dumps(value, ensure_ascii=False)
    return nfc(str(value))


def _leaves(data: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in data.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping):
            yield from _leaves(value, path)
        else:
            yield path, value


_RATIO_PARTS = {"numerator": "tử số", "denominator": "mẫu số", "rate": "tỷ lệ (%)"}


def _label(section: str, key: str) -> str:
    if f"{section}.{key}" in LABELS:
        return LABELS[f"{section}.{key}"][0]
    base = LABELS.get(section, ("", ""))[0]
    if key in _RATIO_PARTS and section in RATIOS:
        return f"{base}: {_RATIO_PARTS[key]}"
    return base


def _rows(section: str, value: Any, sector: str) -> Iterator[tuple[str, str, str, str, str]]:
    if isinstance(value, Mapping):
        for key, leaf in _leaves(value):
            yield section, key, sector, _cell(leaf), _label(section, key)
    else:
        yield section, "", sector, _cell(value), _label(section, "")


def _is_figure(value: Any) -> bool:
    return isinstance(value, Mapping) or (isinstance(value, int | float) and not isinstance(value, bool))


def rows(report: Mapping[str, Any]) -> Iterator[tuple[str, str, str, str, str]]:
    """Every row of the CSV after the header: ``meta`` rows, the totals, then each sector's rows."""
    ordered = ordered_report(report)
    for key, value in ordered.items():
        if key != "by_sector" and not _is_figure(value):
            yield "meta", key, "", _cell(value), ""
    for key, value in ordered.items():
        if key != "by_sector" and _is_figure(value):
            yield from _rows(key, value, "")
    for item in ordered.get("by_sector") or []:
        code = str(item.get("sector") or "")
        yield "meta", "name", code, _cell(item.get("name")), "Lĩnh vực"
        for key, value in item.items():
            if key not in ("sector", "name"):
                yield from _rows(key, value, code)


def render_csv(report: Mapping[str, Any]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows(report))
    return buffer.getvalue().encode("utf-8-sig")
