"""How the public pages write dates, amounts, percentages and time limits, the Vietnamese way.

``09:00, thứ Hai 09/03/2026``; ``15.000 đồng``; ``75,61%``; ``3 ngày làm việc``;
``Trong ngày (trước 15 giờ)``.
Times are shown as given: callers pass them already in the unit's local time.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

__all__ = [
    "amount_words",
    "duration_parts",
    "duration_words",
    "number",
    "percent",
    "time_limit_words",
    "vn_date",
    "vn_datetime",
]

WEEKDAYS: tuple[str | Promise, ...] = (
    _("thứ Hai"),
    _("thứ Ba"),
    _("thứ Tư"),
    _("thứ Năm"),
    _("thứ Sáu"),
    _("thứ Bảy"),
    _("Chủ nhật"),
)


def number(value: float | int | Decimal | None, decimals: int = 0) -> str:
    """``1234.5`` → ``1.234,5`` (Vietnamese separators); trailing zeros of the decimals are dropped."""
    if value is None:
        return ""
    quantum = Decimal(1).scaleb(-decimals)
    d = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    whole, _sep, frac = f"{d:,.{decimals}f}".partition(".")
    frac = frac.rstrip("0")
    text = whole.replace(",", ".")
    return f"{text},{frac}" if frac else text


def percent(value: float | Decimal | None) -> str:
    return "—" if value is None else f"{number(value, 2)}%"


def vn_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return f"{value:%d/%m/%Y}"


def vn_datetime(value: datetime | None) -> str:
    """``09:00, thứ Hai 09/03/2026``."""
    if value is None:
        return ""
    return f"{value:%H:%M}, {WEEKDAYS[value.weekday()]} {value:%d/%m/%Y}"


def amount_words(amount: object) -> str:
    """A fee line's amount: ``15.000 đồng``, ``Miễn`` for 0, ``HĐND tỉnh quy định`` when not set (null)."""
    if amount is None or amount == "":
        return gettext("HĐND tỉnh quy định")
    try:
        value = Decimal(str(amount))
    except ArithmeticError:
        return str(amount)
    if value == 0:
        return gettext("Miễn")
    return f"{number(value)} " + gettext("đồng")


def _clock(t: time) -> str:
    return (
        gettext("%(h)d giờ") % {"h": t.hour}
        if t.minute == 0
        else gettext("%(h)d giờ %(m)02d") % {"h": t.hour, "m": t.minute}
    )


def time_limit_words(value: Decimal | float | int, unit: str, cutoff: time | None = None) -> str:
    """``3 ngày làm việc``, ``0,5 ngày làm việc``, ``4 giờ làm việc``, ``15 ngày``,
    ``Trong ngày (trước 15 giờ)``."""
    if unit == "same_day":
        return gettext("Trong ngày (trước %(cutoff)s)") % {"cutoff": _clock(cutoff or time(15, 0))}
    words = {
        "working_days": gettext("ngày làm việc"),
        "working_hours": gettext("giờ làm việc"),
        "calendar_days": gettext("ngày"),
    }
    return f"{number(Decimal(str(value)), 2)} {words.get(unit, unit)}"


def duration_parts(amount: timedelta, day_length: timedelta) -> tuple[str, str]:
    """A lead time in working time, as (number, unit): working days from one working day on, else hours."""
    if amount >= day_length:
        return number(Decimal(str(amount / day_length)), 1), gettext("ngày làm việc")
    return number(Decimal(str(amount.total_seconds() / 3600)), 1), gettext("giờ làm việc")


def duration_words(amount: timedelta | None, day_length: timedelta) -> str:
    """``1,2 ngày làm việc``, ``3,5 giờ làm việc``; ``—`` when there is nothing to average."""
    if amount is None:
        return "—"
    return " ".join(duration_parts(amount, day_length))
