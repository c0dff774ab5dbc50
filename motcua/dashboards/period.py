"""What a dashboard shows: the unit and the period, read from the query string (``unit``, ``period``,
``from``, ``to``), with the presets the picker offers.

``period`` is a preset name of :func:`~motcua.reports.periodic.period_preset` (``2025-Q3``, ``2025-Q3-15``,
``2025``, ``2025-09``) or ``custom`` with ``from`` and ``to`` (ISO dates); without ``period``, ``from`` and
``to`` mean a custom period, and with nothing at all the period is the current quarter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.utils.translation import gettext as _

from motcua.core.errors import FieldError
from motcua.reports.periodic import period_preset

__all__ = ["CUSTOM", "Period", "period_choices", "period_from_query", "vn_day"]

CUSTOM = "custom"


def vn_day(day: date) -> str:
    return day.strftime("%d/%m/%Y")


@dataclass(frozen=True)
class Period:
    """A period as picked: the preset name (or ``custom``), its dates, and what was wrong with the input."""

    key: str
    date_from: date
    date_to: date
    errors: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{vn_day(self.date_from)} – {vn_day(self.date_to)}"

    def query(self, **extra: Any) -> str:
        """The query string that selects this period again (plus ``extra`` parameters, e.g. the unit)."""
        params: dict[str, Any] = {k: v for k, v in extra.items() if v not in (None, "")}
        if self.key == CUSTOM:
            params.update(
                {"period": CUSTOM, "from": self.date_from.isoformat(), "to": self.date_to.isoformat()}
            )
        else:
            params["period"] = self.key
        return urlencode(params)


def _quarter(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def period_choices(today: date) -> list[tuple[str, str]]:
    """The presets of the picker relative to ``today``: this and the previous quarter, the reporting periods
    of both under the "15th of the month before to the 14th of the last month" convention, this and last
    year, then a custom period."""
    year, q = _quarter(today)
    prev_year, prev_q = (year, q - 1) if q > 1 else (year - 1, 4)

    def label(text: str, key: str) -> tuple[str, str]:
        start, end = period_preset(key)
        return key, f"{text}: {vn_day(start)} – {vn_day(end)}"

    return [
        label(_("Quý này (quý %(q)s/%(y)s)") % {"q": q, "y": year}, f"{year}-Q{q}"),
        label(_("Quý trước (quý %(q)s/%(y)s)") % {"q": prev_q, "y": prev_year}, f"{prev_year}-Q{prev_q}"),
        label(_("Kỳ báo cáo quý %(q)s/%(y)s (15 – 14)") % {"q": q, "y": year}, f"{year}-Q{q}-15"),
        label(
            _("Kỳ báo cáo quý %(q)s/%(y)s (15 – 14)") % {"q": prev_q, "y": prev_year},
            f"{prev_year}-Q{prev_q}-15",
        ),
        label(_("Năm nay (%(y)s)") % {"y": year}, str(year)),
        label(_("Năm trước (%(y)s)") % {"y": year - 1}, str(year - 1)),
        (CUSTOM, _("Tùy chọn: từ ngày … đến ngày …")),
    ]


def _day(params: Mapping[str, str], name: str, label: str, errors: list[str]) -> date | None:
    value = (params.get(name) or "").strip()
    if not value:
        errors.append(_("Chưa nhập %(field)s.") % {"field": label})
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.append(
            _("%(field)s không hợp lệ: %(value)s (cần dạng năm-tháng-ngày).")
            % {"field": label, "value": value[:20]}
        )
        return None


def period_from_query(params: Mapping[str, str], today: date) -> Period:
    """The period the query string asks for; on a mistake, the current quarter with the mistakes listed."""
    year, q = _quarter(today)
    default_key = f"{year}-Q{q}"
    key = (params.get("period") or "").strip()
    if not key and (params.get("from") or params.get("to")):
        key = CUSTOM
    if not key:
        start, end = period_preset(default_key)
        return Period(default_key, start, end)
    errors: list[str] = []
    if key == CUSTOM:
        start_day = _day(params, "from", _("Từ ngày"), errors)
        end_day = _day(params, "to", _("Đến ngày"), errors)
        if start_day and end_day and start_day > end_day:
            errors.append(_("Từ ngày phải trước hoặc bằng đến ngày."))
        if not errors and start_day and end_day:
            return Period(CUSTOM, start_day, end_day)
    else:
        try:
            start, end = period_preset(key)
            return Period(key, start, end)
        except FieldError:
            errors.append(_("Kỳ báo cáo không hợp lệ: %(value)s.") % {"value": key[:20]})
    start, end = period_preset(default_key)
    return Period(default_key, start, end, errors)
