"""``digitization`` figures for the command line (JSON or CSV), shared by ``motcua documents digitization``."""

from __future__ import annotations

import csv
import io
import json

from motcua.documents.selectors import DigitizationFigures

__all__ = ["CSV_COLUMNS", "render_figures"]

CSV_COLUMNS = (
    "group",
    "key",
    "name",
    "dossiers",
    "dossiers_digitized",
    "dossier_rate",
    "components",
    "components_digitized",
    "components_reused",
    "component_rate",
)


def render_figures(figures: DigitizationFigures, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(figures.as_dict(), ensure_ascii=False, indent=2) + "\n"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    groups = [
        ("total", [figures.total]),
        ("procedure", figures.by_procedure),
        ("officer", figures.by_officer),
    ]
    for group, rows in groups:
        for row in rows:
            data = row.as_dict()
            writer.writerow([group, *(data[c] if data[c] is not None else "" for c in CSV_COLUMNS[1:])])
    return out.getvalue()
