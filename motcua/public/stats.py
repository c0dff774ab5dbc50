"""The public statistics of a unit for a period: the periodic report's counts (rules §4, never recomputed
here), the on-time rate, average lead times per sector in working time, ratings and petitions, and the
geometry of the small SVG bar charts the template draws.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import RoleAssignment
from motcua.catalogue.models import Unit
from motcua.catalogue.selectors import unit_calendar
from motcua.domain.calendar import WorkingCalendar
from motcua.dossiers.models import Dossier
from motcua.feedback.models import RatingLevel
from motcua.feedback.selectors import petition_figures, rating_figures
from motcua.public.text import duration_parts, duration_words, percent
from motcua.reports.models import DossierFact
from motcua.reports.periodic import periodic_report, rate

__all__ = ["PRESETS", "Period", "bar_chart", "period_for", "portal_units", "public_statistics", "stat_units"]


@dataclass(frozen=True)
class Period:
    key: str
    label: str | Promise
    date_from: date
    date_to: date


PRESETS: tuple[tuple[str, str | Promise], ...] = (
    ("nam-nay", _("Năm nay")),
    ("quy-nay", _("Quý này")),
    ("quy-truoc", _("Quý trước")),
    ("nam-truoc", _("Năm trước")),
)


def _quarter(year: int, q: int) -> tuple[date, date]:
    first = date(year, 3 * q - 2, 1)
    last = date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)
    return first, last - timedelta(days=1)


def period_for(key: str, today: date) -> Period:
    """A preset period ending no later than ``today`` (unknown keys give this year)."""
    labels = dict(PRESETS)
    q = (today.month - 1) // 3 + 1
    if key == "quy-nay":
        return Period(key, labels[key], _quarter(today.year, q)[0], today)
    if key == "quy-truoc":
        start, end = _quarter(today.year, q - 1) if q > 1 else _quarter(today.year - 1, 4)
        return Period(key, labels[key], start, end)
    if key == "nam-truoc":
        return Period(key, labels[key], date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))
    return Period("nam-nay", labels["nam-nay"], date(today.year, 1, 1), today)


def portal_units() -> list[Unit]:
    """The communes this installation serves: those with staff or with dossiers (not every unit of the
    national list the catalogue may hold), by name."""
    with_staff = RoleAssignment.objects.values("unit_id")
    with_dossiers = DossierFact.objects.values("report_unit_id")
    return list(
        Unit.objects.filter(kind=Unit.Kind.COMMUNE, active=True)
        .filter(Q(pk__in=with_staff) | Q(pk__in=with_dossiers))
        .order_by("name")
    )


def stat_units() -> list[Unit]:
    """Units with statistics: the communes that count dossiers, then their provinces."""
    communes = list(Unit.objects.filter(pk__in=DossierFact.objects.values("report_unit_id")).order_by("name"))
    provinces = list(
        Unit.objects.filter(pk__in=[u.parent_id for u in communes if u.parent_id]).order_by("name")
    )
    return provinces + communes


# -- chart geometry ------------------------------------------------------------------------------------------

_LABEL_H, _BAR_H, _GAP = 18, 16, 12
_BAR_SPAN = 82.0
"""The longest bar takes this percent of the chart's width; the rest is left for its value."""


def bar_chart(rows: list[dict[str, Any]], *, max_value: float | None = None) -> dict[str, Any]:
    """Horizontal bars, one per row ``{label, value, text, colour}``, each label above its bar (readable on a
    phone). The SVG has no viewBox: x and widths are percents of its width, y in pixels, so its text keeps its
    size at any width. Returns the rows with ``y``, ``bar_y``, ``width`` and ``text_x`` (as strings, never
    localised) and the chart's ``height``."""
    top = max_value if max_value is not None else max((float(r["value"]) for r in rows), default=0.0)
    y = 0
    out = []
    for row in rows:
        width = 0.0 if not top else round(float(row["value"]) / top * _BAR_SPAN, 2)
        out.append(
            {
                **row,
                "y": y + 13,
                "bar_y": y + _LABEL_H,
                "width": f"{width}%",
                "drawn": width > 0,
                "text_x": f"{round(width + 1, 2)}%",
                "text_y": y + _LABEL_H + 12,
            }
        )
        y += _LABEL_H + _BAR_H + _GAP
    return {"rows": out, "span": f"{_BAR_SPAN}%", "height": max(y - _GAP + 2, 10)}


# -- figures -------------------------------------------------------------------------------------------------


def _lead_times(unit: Unit, date_from: date, date_to: date) -> dict[str, tuple[timedelta, int]]:
    """Per sector code: (total working time from acceptance to end, dossiers) of the dossiers counted by
    ``unit`` that ended in the period, measured on the receiving unit's working calendar."""
    scope = Q(province=unit) if unit.kind == Unit.Kind.PROVINCE else Q(report_unit=unit)
    ids = DossierFact.objects.filter(
        scope,
        cancelled_on__isnull=True,
        ended_on__gte=date_from,
        ended_on__lte=date_to,
        resolution_seconds__isnull=False,
    ).values("dossier_id")
    calendars: dict[int, WorkingCalendar] = {}
    totals: dict[str, tuple[timedelta, int]] = {}
    rows = (
        Dossier.objects.filter(pk__in=ids)
        .select_related("receiving_unit", "sector")
        .only("received_at", "ended_at", "receiving_unit", "sector__code")
    )
    for dossier in rows:
        if dossier.received_at is None or dossier.ended_at is None:
            continue
        calendar = calendars.get(dossier.receiving_unit_id)
        if calendar is None:
            calendar = calendars[dossier.receiving_unit_id] = unit_calendar(dossier.receiving_unit)
        spent = calendar.working_time_between(dossier.received_at, dossier.ended_at)
        total, n = totals.get(dossier.sector.code, (timedelta(0), 0))
        totals[dossier.sector.code] = (total + spent, n + 1)
    return totals


SECTOR_COLOURS = ("#a61b1b", "#1d4ed8")


def public_statistics(unit: Unit, date_from: date, date_to: date) -> dict[str, Any]:
    """Everything the statistics page shows for ``unit`` over [``date_from``, ``date_to``]."""
    report = periodic_report(unit=unit, date_from=date_from, date_to=date_to)
    resolved = report["resolved"]
    in_time = resolved["before_due"] + resolved["on_time"]
    day_length = unit_calendar(unit).day_length
    leads = _lead_times(unit, date_from, date_to)
    all_time = sum((t for t, _n in leads.values()), timedelta(0))
    all_n = sum(n for _t, n in leads.values())
    sectors = []
    for row in report["by_sector"]:
        total, n = leads.get(row["sector"], (timedelta(0), 0))
        r_in_time = row["resolved"]["before_due"] + row["resolved"]["on_time"]
        sectors.append(
            {
                "code": row["sector"],
                "name": row["name"],
                "received": row["received"]["total"],
                "resolved": row["resolved"]["total"],
                "in_process": row["in_process"]["total"],
                "in_time": r_in_time,
                "on_time_rate": rate(r_in_time, row["resolved"]["total"]),
                "lead": duration_words(total / n, day_length) if n else "—",
            }
        )
    ratings = rating_figures(unit, date_from, date_to)
    petitions = petition_figures(unit, date_from, date_to)
    level_labels = dict(RatingLevel.choices)
    charts = {
        "timeliness": bar_chart(
            [
                {
                    "label": _("Trước hạn"),
                    "value": resolved["before_due"],
                    "text": resolved["before_due"],
                    "colour": "#15803d",
                },
                {
                    "label": _("Đúng hạn"),
                    "value": resolved["on_time"],
                    "text": resolved["on_time"],
                    "colour": "#1d4ed8",
                },
                {
                    "label": _("Quá hạn"),
                    "value": resolved["overdue"],
                    "text": resolved["overdue"],
                    "colour": "#b91c1c",
                },
            ]
        ),
        "sectors": bar_chart(
            [
                {"label": f"{s['name']}", "value": s["received"], "text": s["received"], "colour": "#a61b1b"}
                for s in sectors
            ]
        ),
        "sector_rates": bar_chart(
            [
                {
                    "label": s["name"],
                    "value": s["on_time_rate"],
                    "text": percent(s["on_time_rate"]),
                    "colour": "#15803d",
                }
                for s in sectors
                if s["resolved"]
            ],
            max_value=100.0,
        ),
        "ratings": bar_chart(
            [
                {
                    "label": level_labels[level],
                    "value": ratings.by_level[level],
                    "text": ratings.by_level[level],
                    "colour": colour,
                }
                for level, colour in (
                    (RatingLevel.VERY_SATISFIED, "#15803d"),
                    (RatingLevel.SATISFIED, "#1d4ed8"),
                    (RatingLevel.DISSATISFIED, "#b91c1c"),
                )
            ]
        ),
    }
    return {
        "report": report,
        "received": report["received"]["total"],
        "resolved": resolved["total"],
        "in_process": report["in_process"]["total"],
        "in_time": in_time,
        "on_time_rate": rate(in_time, resolved["total"]),
        "lead_all": duration_parts(all_time / all_n, day_length) if all_n else None,
        "sectors": sectors,
        "ratings": ratings,
        "petitions": petitions,
        "charts": charts,
    }
