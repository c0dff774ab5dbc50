"""Vietnam's public holidays and the official calendar overrides (rules.md §2).

Public holidays come from the ``holidays`` package's Vietnam calendar (lunar Tết and Hùng Kings included,
with the observed/substituted days it knows). The official notices that differ from the package ship as
default overrides, so a new installation has the right calendar (rules.md §2). They are copied here as
data from ``calendar-vn.json`` (the research file), with each notice's citation.

This is the only module of the domain that imports a third-party package.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, time

import holidays as holidays_package

from motcua.domain.calendar import DEFAULT_SESSIONS, DEFAULT_TZ, Override, OverrideKind, WorkingCalendar

__all__ = ["DEFAULT_OVERRIDES", "default_overrides", "vietnam_calendar", "vietnam_public_holidays"]

DEFAULT_OVERRIDES: tuple[Override, ...] = (
    Override(
        date=date(2025, 4, 26),
        kind=OverrideKind.WORKING_DAY,
        note=(
            "Thứ Bảy làm bù: hoán đổi ngày làm việc thứ Sáu 02/5/2025 sang thứ Bảy 26/4/2025 (nghỉ "
            "30/4-04/5/2025). Package lists 2025-05-02 as 'Day off (substituted from 04/26/2025)' but, being "
            "a holiday list, cannot mark 26/4 as worked."
        ),
        source=(
            "Thông báo 6150/TB-LĐTBXH (03/12/2024) of MOLISA per VietnamPlus 'Công chức, viên chức được nghỉ "
            "thế nào trong dịp lễ 30/4-1/5/2025?' "
            "https://www.vietnamplus.vn/"
            "cong-chuc-vien-chuc-duoc-nghi-the-nao-trong-dip-le-304-152025-post1033115.vnp "
            "(mirrored at tracuuquyhoach.com); holidays package source list also cites 6150 for 2025."
        ),
    ),
    Override(
        date=date(2026, 1, 2),
        kind=OverrideKind.DAY_OFF,
        note=(
            "Nghỉ Tết Dương lịch 2026 4 ngày liên tục (thứ Năm 01/01 - Chủ nhật 04/01/2026): thứ Sáu 02/01 "
            "là ngày nghỉ do hoán đổi. Package only has 2026-01-01."
        ),
        source=(
            "Văn bản 12729/VPCP-KGVX ngày 25/12/2025 (Phó Thủ tướng Phạm Thị Thanh Trà đồng ý đề xuất của Bộ "
            "Nội vụ), reported by baohiemxahoi.gov.vn 25/12/2025 'Công chức, viên chức được nghỉ 4 ngày dịp "
            "Tết Dương lịch năm 2026' and tracuuquyhoach.com."
        ),
    ),
    Override(
        date=date(2026, 1, 10),
        kind=OverrideKind.WORKING_DAY,
        note=("Thứ Bảy làm bù cho ngày thứ Sáu 02/01/2026 (hoán đổi)."),
        source=(
            "Văn bản 12729/VPCP-KGVX ngày 25/12/2025, per baohiemxahoi.gov.vn (25/12/2025): 'Lịch làm việc "
            "ngày thứ Sáu 02/01/2026 được hoán đổi sang thứ Bảy 10/01/2026'."
        ),
    ),
    Override(
        date=date(2026, 8, 22),
        kind=OverrideKind.WORKING_DAY,
        note=(
            "Thứ Bảy làm bù: hoán đổi thứ Hai 31/8/2026 (nghỉ) sang thứ Bảy 22/8/2026 (làm việc); nghỉ Quốc "
            "khánh 29/8-02/9/2026 (5 ngày). Package lists 2026-08-31 as 'Day off (substituted from "
            "08/22/2026)' but cannot mark 22/8 as worked."
        ),
        source=(
            "Thông báo 9441/TB-BNV (Bộ Nội vụ, 16/10/2025) as reported: holidays package reference "
            "https://thuvienphapluat.vn/hoi-dap-phap-luat/"
            "lich-nghi-le-quoc-khanh-29-hai-quan-nam-2026-nhu-the-nao-138100727.html; "
            "thanhnien.vn 13/01/2026 ('5 ngày dịp Quốc khánh 2.9'); xaydungchinhsach.chinhphu.vn 'Thông báo "
            "lịch nghỉ lễ Quốc khánh 2026' (cited in public code). Notice text itself not read."
        ),
    ),
)
"""Official notices that differ from ``holidays`` 0.109 for a civil servant's Mon-Fri calendar.

Only where the notice differs from the package. Checked against the package: 2025 Tết, Hùng Kings and
National Day, 2026 Tết, Hùng Kings (observed Mon 27/4), 30/4-1/5 and Culture Day 24/11 match. No 2027
notice had been issued when this list was made: the package's 2027 values are its own estimate.
"""


def vietnam_public_holidays(years: Iterable[int], *, language: str | None = None) -> dict[date, str]:
    """Vietnam's public holidays ``{date: name}`` for ``years`` from ``holidays.country_holidays("VN")``.

    Includes the observed and substituted days the package knows (rules.md §2). Names are in the package's
    default language (Vietnamese) unless ``language`` is given (e.g. ``"en_US"``).
    """
    wanted = sorted(set(years))
    if not wanted:
        return {}
    found = holidays_package.country_holidays("VN", years=wanted, language=language)
    return {day: str(name) for day, name in sorted(found.items())}


def default_overrides() -> tuple[Override, ...]:
    """The official overrides shipped with the product (rules.md §2): see :data:`DEFAULT_OVERRIDES`."""
    return DEFAULT_OVERRIDES


def vietnam_calendar(
    *,
    years: Iterable[int],
    tz: str = DEFAULT_TZ,
    sessions: Sequence[tuple[time, time]] = DEFAULT_SESSIONS,
    extra_overrides: Iterable[Override] = (),
) -> WorkingCalendar:
    """A :class:`WorkingCalendar` with Vietnam's public holidays for ``years`` and the default overrides.

    ``extra_overrides`` (a unit's own, edited by an admin) are applied after the defaults and win on the
    same date (rules.md §2: overrides are data, per year, editable). Dates outside ``years`` have no public
    holiday: load every year a due date may reach (e.g. the receipt year and the next).
    """
    by_date = {override.date: override for override in DEFAULT_OVERRIDES}
    for override in extra_overrides:
        by_date[override.date] = override
    return WorkingCalendar(
        tz=tz,
        sessions=sessions,
        holidays=vietnam_public_holidays(years),
        overrides=tuple(by_date[day] for day in sorted(by_date)),
    )
