"""The catalogue: administrative units, departments, sectors, procedures (versioned) and calendar overrides.

Rules: ``rules.md`` §1 (units, sectors, procedures) and §2 (calendar overrides).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.domain.calendar import DEFAULT_SESSIONS


def default_office_hours() -> list[list[str]]:
    return [[start.strftime("%H:%M"), end.strftime("%H:%M")] for start, end in DEFAULT_SESSIONS]


class Unit(models.Model):
    """An administrative unit: a province or a commune (đơn vị hành chính)."""

    class Kind(models.TextChoices):
        PROVINCE = "province", _("Tỉnh/thành phố")
        COMMUNE = "commune", _("Xã/phường/đặc khu")

    code = models.CharField(
        _("mã định danh"),
        max_length=40,
        unique=True,
        help_text=_("Agency identifier (mã định danh), the prefix of dossier codes, e.g. 000.31.00.H11"),
    )
    admin_code = models.CharField(
        _("mã đơn vị hành chính"),
        max_length=10,
        unique=True,
        null=True,
        blank=True,
        help_text=_("National statistical code of the administrative unit (Cao Bằng 04, Đông Khê 01786)"),
    )
    name = models.CharField(_("tên"), max_length=200)
    kind = models.CharField(_("cấp"), max_length=10, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("tỉnh"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    timezone = models.CharField(_("múi giờ"), max_length=60, default="Asia/Ho_Chi_Minh")
    office_hours = models.JSONField(_("giờ làm việc"), default=default_office_hours)
    dossier_code_pattern = models.CharField(
        _("mẫu mã hồ sơ"),
        max_length=80,
        blank=True,
        help_text=_("Empty = {unit}-{yymmdd}-{seq:04d} (rules §3.1)"),
    )
    active = models.BooleanField(_("đang hoạt động"), default=True)
    notes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="province", parent__isnull=True) | models.Q(kind="commune"),
                name="unit_province_has_no_parent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def sessions(self) -> tuple[tuple[time, time], ...]:
        return tuple((time.fromisoformat(a), time.fromisoformat(b)) for a, b in self.office_hours)


class Department(models.Model):
    """A department (bộ phận chuyên môn) of a unit; procedures route to it by sector."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.CASCADE, related_name="departments"
    )
    code = models.CharField(_("mã"), max_length=40)
    name = models.CharField(_("tên"), max_length=200)
    sectors = models.ManyToManyField(
        "Sector", verbose_name=_("lĩnh vực"), blank=True, related_name="departments"
    )

    class Meta:
        ordering = ["unit", "code"]
        verbose_name = _("phòng/bộ phận")
        verbose_name_plural = _("phòng/bộ phận")
        constraints = [
            models.UniqueConstraint(fields=["unit", "code"], name="department_code_unique_in_unit")
        ]

    def __str__(self) -> str:
        return f"{self.name} — {self.unit.name}"


class Sector(models.Model):
    """A sector (lĩnh vực), e.g. HT Hộ tịch."""

    code = models.CharField(_("mã"), max_length=20, unique=True)
    name = models.CharField(_("tên"), max_length=200)

    class Meta:
        ordering = ["code"]
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class Procedure(models.Model):
    """An administrative procedure (thủ tục hành chính) with its national code; its content lives in versions."""

    class Level(models.TextChoices):
        COMMUNE = "commune", _("Cấp xã")
        PROVINCE = "province", _("Cấp tỉnh")
        CENTRAL = "central", _("Cấp trung ương")

    code = models.CharField(_("mã thủ tục"), max_length=30, unique=True)
    name = models.CharField(_("tên thủ tục"), max_length=500)
    sector = models.ForeignKey(
        Sector, verbose_name=_("lĩnh vực"), on_delete=models.PROTECT, related_name="procedures"
    )
    level = models.CharField(_("cấp thực hiện"), max_length=10, choices=Level.choices, default=Level.COMMUNE)
    current_version = models.ForeignKey(
        "ProcedureVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("phiên bản hiện hành"),
    )
    active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class TimeUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("ngày làm việc")
    WORKING_HOURS = "working_hours", _("giờ làm việc")
    CALENDAR_DAYS = "calendar_days", _("ngày")
    SAME_DAY = "same_day", _("trong ngày")


def fee_line_applies(line: Mapping[str, Any], channel: str) -> bool:
    """Whether a catalogue fee line is charged by default to a dossier lodged through ``channel``.

    A line may say ``"channel": "direct"`` (paper: at the desk or by post) or ``"online"`` when the fee differs
    by channel (residence charges: 20,000 đ at the desk, 10,000 đ online), and ``"optional": true`` when it is
    charged only in a case the desk decides (copies on request, a late registration, registration by list).
    """
    if line.get("optional"):
        return False
    wanted = line.get("channel")
    return wanted is None or (wanted == "online") == (channel == "online")


class ProcedureVersion(models.Model):
    """An immutable snapshot of a procedure's content; a dossier keeps the version it was received under."""

    class Online(models.TextChoices):
        NONE = "none", _("Không")
        PARTIAL = "partial", _("Một phần")
        FULL = "full", _("Toàn trình")

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("phiên bản"))
    name = models.CharField(_("tên thủ tục"), max_length=500)
    time_limit_value = models.DecimalField(_("thời hạn"), max_digits=8, decimal_places=2)
    time_limit_unit = models.CharField(_("đơn vị thời hạn"), max_length=20, choices=TimeUnit.choices)
    online_time_limit_value = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    online_time_limit_unit = models.CharField(max_length=20, choices=TimeUnit.choices, blank=True)
    same_day_cutoff = models.TimeField(default=time(15, 0))
    pause_for_payment = models.BooleanField(default=False)
    fees = models.JSONField(_("phí, lệ phí"), default=list, blank=True)
    components = models.JSONField(_("thành phần hồ sơ"), default=list, blank=True)
    boundary_independent = models.BooleanField(_("không phụ thuộc địa giới"), default=False)
    online = models.CharField(
        _("dịch vụ công trực tuyến"), max_length=10, choices=Online.choices, default=Online.NONE
    )
    requires_e_result = models.BooleanField(_("kết quả điện tử"), default=False)
    notes = models.JSONField(
        default=dict, blank=True, help_text=_("Keys of the import we keep as notes (e.g. source)")
    )
    content_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["procedure", "-number"]
        verbose_name = _("phiên bản thủ tục")
        verbose_name_plural = _("phiên bản thủ tục")
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="procedure_version_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.number}"

    def fee_total(self, channel: str = "direct") -> Decimal:
        """What a dossier lodged through ``channel`` owes by default: the lines that apply to it
        (:func:`fee_line_applies`) whose amount is set (``null`` = set by the province, not entered yet)."""
        return sum(
            (
                Decimal(str(line["amount"]))
                for line in self.fees
                if line.get("amount") is not None and fee_line_applies(line, channel)
            ),
            Decimal(0),
        )

    def component_codes(self) -> list[str]:
        return [c["code"] for c in self.components]

    def as_catalogue_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "code": self.procedure.code,
            "name": self.name,
            "sector": self.procedure.sector.code,
            "level": self.procedure.level,
            "time_limit": {"value": _num(self.time_limit_value), "unit": self.time_limit_unit},
            "fees": self.fees,
            "components": self.components,
            "boundary_independent": self.boundary_independent,
            "online": self.online,
            "requires_e_result": self.requires_e_result,
            "same_day_cutoff": self.same_day_cutoff.strftime("%H:%M"),
            "pause_for_payment": self.pause_for_payment,
        }
        if self.online_time_limit_value is not None:
            data["online_time_limit"] = {
                "value": _num(self.online_time_limit_value),
                "unit": self.online_time_limit_unit,
            }
        return data


def _num(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


class CalendarOverride(models.Model):
    """An official change to the working calendar (rules §2): an extra day off or a swapped working day.

    ``unit`` empty = applies to every unit. An override beats the ``holidays`` package.
    """

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("Ngày nghỉ")
        WORKING_DAY = "working_day", _("Ngày làm việc (làm bù)")

    date = models.DateField(_("ngày"))
    kind = models.CharField(_("loại"), max_length=12, choices=Kind.choices)
    note = models.TextField(_("ghi chú"), blank=True)
    source = models.TextField(_("căn cứ"), blank=True)
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="calendar_overrides"
    )

    class Meta:
        ordering = ["date"]
        verbose_name = _("điều chỉnh lịch làm việc")
        verbose_name_plural = _("điều chỉnh lịch làm việc")
        constraints = [
            models.UniqueConstraint(
                fields=["date"],
                condition=models.Q(unit__isnull=True),
                name="calendar_override_global_date_unique",
            ),
            models.UniqueConstraint(
                fields=["unit", "date"],
                condition=models.Q(unit__isnull=False),
                name="calendar_override_unit_date_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.kind}"

    @property
    def year(self) -> int:
        return self.date.year
