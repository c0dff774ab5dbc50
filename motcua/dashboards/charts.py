"""The dashboards' charts: figures already computed (the report dict, the monthly series, the scoreboard, the
plan's completion) drawn with :mod:`motcua.dashboards.svg`, labelled in the reader's language.

:mod:`motcua.dashboards.svg` escapes every text it is given, so its output is marked safe here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from motcua.dashboards import formatting, svg
from motcua.dashboards.selectors import MonthTimeliness

__all__ = ["channel_chart", "plan_meter", "score_meter", "sector_chart", "timeliness_chart"]


def _safe(markup: str) -> SafeString:
    return mark_safe(markup)  # noqa: S308 — svg.py escapes every text and checks every colour and id


def channel_chart(report: dict[str, Any]) -> SafeString:
    """Received by channel (rules §4 ``received``): online, direct, postal, and carried over if any."""
    received = report["received"]
    bars = [
        svg.Bar(_("Trực tuyến"), received["online"], svg.BLUE),
        svg.Bar(_("Trực tiếp"), received["direct"], svg.TEAL),
        svg.Bar(_("Bưu chính"), received["postal"], svg.AMBER),
    ]
    if received["carried_over"]:
        bars.append(svg.Bar(_("Kỳ trước chuyển sang"), received["carried_over"], svg.GREY))
    return _safe(
        svg.bar_chart(
            bars,
            title=_("Hồ sơ tiếp nhận theo kênh"),
            chart_id="chart-channel",
            formatter=formatting.number,
            label_width=150,
            width=540,
            empty_text=_("Không có hồ sơ tiếp nhận trong kỳ"),
        )
    )


def sector_chart(report: dict[str, Any]) -> SafeString:
    """Received (total, incl. carried over) per sector, the largest first."""
    sectors = sorted(report["by_sector"], key=lambda s: (-s["received"]["total"], s["name"]))
    bars = [
        svg.Bar(s["name"], s["received"]["total"], svg.PALETTE[i % len(svg.PALETTE)])
        for i, s in enumerate(sectors)
        if s["received"]["total"]
    ]
    return _safe(
        svg.bar_chart(
            bars,
            title=_("Hồ sơ nhận giải quyết theo lĩnh vực"),
            chart_id="chart-sector",
            formatter=formatting.number,
            label_width=250,
            width=540,
            empty_text=_("Không có hồ sơ trong kỳ"),
        )
    )


def timeliness_chart(months: Sequence[MonthTimeliness]) -> SafeString:
    """Per month of the period: dossiers ended before due, on time, overdue (stacked)."""
    categories = [_("T%(m)s/%(y)s") % {"m": m.month.month, "y": m.month.year} for m in months]
    series = [
        svg.Series(_("Trước hạn"), [m.before_due for m in months], svg.GREEN),
        svg.Series(_("Đúng hạn"), [m.on_time for m in months], svg.BLUE),
        svg.Series(_("Quá hạn"), [m.overdue for m in months], svg.RED),
    ]
    return _safe(
        svg.stacked_columns(
            categories,
            series,
            title=_("Hồ sơ đã giải quyết theo tháng, theo thời hạn"),
            chart_id="chart-timeliness",
            formatter=formatting.number,
            width=760,
            total_label=_("tổng"),
            empty_text=_("Không có hồ sơ giải quyết xong trong kỳ"),
        )
    )


def score_meter(board: dict[str, Any]) -> SafeString:
    """The 766 total out of the points possible: the score, the points with data not earned, the rest."""
    total, available, possible = board["total"], board["max_available"] or 0, board["max_possible"] or 0
    parts = [
        svg.Bar(_("Điểm đạt"), total, svg.GREEN),
        svg.Bar(_("Có dữ liệu, chưa đạt"), max(0, available - total), svg.AMBER),
        svg.Bar(_("Chưa có dữ liệu"), max(0, possible - available), svg.GREY),
    ]
    caption = _("%(score)s / %(possible)s điểm") % {
        "score": formatting.number(total, 2),
        "possible": formatting.number(possible),
    }
    return _safe(
        svg.meter(
            parts,
            maximum=possible or 100,
            title=_("Tổng điểm Chỉ số 766"),
            chart_id="chart-score",
            caption=caption,
            width=760,
            formatter=lambda v: formatting.number(v, 2),
        )
    )


def plan_meter(
    figures: dict[str, Any], *, chart_id: str = "chart-plan", width: int = 760, legend: bool = True
) -> SafeString:
    """A plan's tasks at a date (rules §6): done on time, done late, the rest not done; removed ones out."""
    counted = figures["counted"]
    parts = [
        svg.Bar(_("Hoàn thành đúng hạn"), figures["done_on_time"], svg.GREEN),
        svg.Bar(_("Hoàn thành chậm"), figures["done_late"], svg.AMBER),
        svg.Bar(_("Quá hạn"), figures["overdue"], svg.RED),
        svg.Bar(_("Đang / chưa thực hiện"), figures["in_progress"] + figures["not_started"], svg.GREY),
    ]
    caption = formatting.percent(figures["rate"]) if legend else ""
    return _safe(
        svg.meter(
            parts,
            maximum=counted,
            title=_("Tỷ lệ hoàn thành nhiệm vụ"),
            chart_id=chart_id,
            caption=caption,
            width=width,
            formatter=formatting.number,
            legend=legend,
        )
    )
