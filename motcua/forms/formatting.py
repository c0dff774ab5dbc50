"""How the printed forms write dates, times, money, unit names and time limits, the Vietnamese official way.

Dates follow the convention of administrative documents (Decree 30/2020/NĐ-CP, Annex I): a day below 10 and
the months 1 and 2 take a leading zero, other months do not — ``ngày 02 tháng 7 năm 2025``,
``ngày 15 tháng 01 năm 2026``. Instants are shown in the unit's local time zone.

Everything here is a pure function; nothing touches the database.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from motcua.core.personal import mask_number

__all__ = [
    "DEFAULT_TZ",
    "agency_upper",
    "as_local",
    "day_in_words",
    "instant_in_words",
    "mask",
    "money",
    "nfc",
    "parse_instant",
    "place_name",
    "short_date",
    "short_instant",
    "time_limit_text",
]

DEFAULT_TZ = "Asia/Ho_Chi_Minh"

# Prefixes of unit names (Vietnamese administrative levels), longest first.
_LEVEL_PREFIXES = ("Thành phố ", "Đặc khu ", "Phường ", "Thị trấn ", "Tỉnh ", "Xã ")

_TIME_UNITS = {
    "working_days": "ngày làm việc",
    "working_hours": "giờ làm việc",
    "calendar_days": "ngày",
}


def nfc(text: object) -> str:
    """Text in Unicode NFC, the form Vietnamese documents and fonts expect."""
    return unicodedata.normalize("NFC", str(text))


def as_local(instant: datetime, tz: str | None = None) -> datetime:
    """``instant`` in the time zone ``tz`` (a unit's ``timezone``; default Asia/Ho_Chi_Minh)."""
    return instant.astimezone(ZoneInfo(tz or DEFAULT_TZ))


def parse_instant(value: object) -> datetime | None:
    """An ISO 8601 instant as stored in an event payload (or a datetime); ``None`` when absent or invalid."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _month(month: int) -> str:
    return f"{month:02d}" if month <= 2 else str(month)


def day_in_words(day: date) -> str:
    """``ngày 02 tháng 7 năm 2025`` (Decree 30/2020: leading zero for days < 10 and for months 1 and 2)."""
    return f"ngày {day.day:02d} tháng {_month(day.month)} năm {day.year}"


def instant_in_words(instant: datetime, tz: str | None = None) -> str:
    """``08 giờ 15 phút, ngày 02 tháng 7 năm 2025`` in the unit's local time."""
    local = as_local(instant, tz)
    return f"{local:%H} giờ {local:%M} phút, {day_in_words(local.date())}"


def short_date(value: date | datetime | None, tz: str | None = None) -> str:
    """``02/07/2025`` (a table cell); an instant is first put in local time; ``None`` gives ``""``."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = as_local(value, tz).date()
    return f"{value:%d/%m/%Y}"


def short_instant(instant: datetime | None, tz: str | None = None) -> str:
    """``08:15 02/07/2025`` in local time; ``None`` gives ``""``."""
    if instant is None:
        return ""
    local = as_local(instant, tz)
    return f"{local:%H:%M %d/%m/%Y}"


def money(amount: Decimal | int) -> str:
    """``15.000`` — VND with a dot between thousands, as Vietnamese documents write it."""
    whole = int(Decimal(amount).to_integral_value())
    return f"{whole:,}".replace(",", ".")


def place_name(unit_name: str) -> str:
    """``Xã Đông Khê`` → ``Đông Khê`` (the place in the date line of a document)."""
    for prefix in _LEVEL_PREFIXES:
        if unit_name.startswith(prefix):
            return unit_name[len(prefix):]
    return unit_name


def agency_upper(unit_name: str) -> str:
    """``Xã Đông Khê`` → ``UBND XÃ ĐÔNG KHÊ`` (the governing body's line of a document header)."""
    return nfc(f"UBND {unit_name}".upper())


def _number(value: Decimal) -> str:
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f").replace(".", ",")


def time_limit_text(value: Decimal | None, unit: str) -> str:
    """``3 ngày làm việc``, ``0,5 ngày làm việc``, ``4 giờ làm việc``, ``15 ngày``, ``Trong ngày``."""
    if unit == "same_day":
        return "Trong ngày"
    if value is None:
        return ""
    return f"{_number(Decimal(value))} {_TIME_UNITS.get(unit, unit)}"


def mask(value: str) -> str:
    """``004090000123`` → ``*********123``: a personal number shown to someone who may not read it (the shared
    rule, :func:`motcua.core.personal.mask_number`)."""
    return mask_number(value)
