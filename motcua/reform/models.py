"""The administrative-reform (CCHC) plan of a unit: numbered tasks, their evidence and their history.

Rules ``rules.md`` §6; background ``domain-research.md`` §8 (Resolution 76/NQ-CP, Master PAR Programme
2021–2030). Rows are written only by :mod:`motcua.reform.services`; nothing here decides.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.reform import completion

__all__ = [
    "AREA_NAMES",
    "NUMBER_PATTERN",
    "STATUS_NAMES",
    "Area",
    "ReformPlan",
    "ReformTask",
    "TaskAdjustment",
    "TaskEvidence",
    "TaskStatus",
    "number_sort_key",
]

NUMBER_PATTERN = re.compile(r"^[0-9]{1,4}(\.[0-9]{1,4}){0,5}$")
"""A task number: ``1``, ``2.3``, ``4.1.2`` (up to 6 levels of up to 4 digits)."""


def number_sort_key(number: str) -> str:
    """``2.10`` → ``0002.0010``: sorts ``2.9`` before ``2.10`` and ``2`` before ``2.1``."""
    return ".".join(part.zfill(4) for part in number.split("."))


AREA_NAMES: dict[str, str] = {
    "institutional": "Cải cách thể chế",
    "procedures": "Cải cách TTHC",
    "apparatus": "Cải cách tổ chức bộ máy",
    "civil_service": "Cải cách chế độ công vụ",
    "public_finance": "Cải cách tài chính công",
    "digital_government": "Xây dựng chính quyền điện tử, chính quyền số",
    "direction": "Công tác chỉ đạo, điều hành cải cách hành chính",
}
"""The areas' Vietnamese names as the plan files write them (the choices' labels, untranslated)."""

STATUS_NAMES: dict[str, str] = {
    completion.NOT_STARTED: "Chưa thực hiện",
    completion.IN_PROGRESS: "Đang thực hiện",
    completion.DONE_ON_TIME: "Hoàn thành đúng hạn",
    completion.DONE_LATE: "Hoàn thành chậm",
    completion.OVERDUE: "Quá hạn",
    completion.REMOVED: "Đưa ra khỏi kế hoạch",
}
"""The statuses' Vietnamese names as the plan files write them."""


class Area(models.TextChoices):
    """The reform areas of Resolution 76/NQ-CP (domain-research §8), plus the direction item local plans add."""

    INSTITUTIONAL = "institutional", _("Cải cách thể chế")
    PROCEDURES = "procedures", _("Cải cách TTHC")
    APPARATUS = "apparatus", _("Cải cách tổ chức bộ máy")
    CIVIL_SERVICE = "civil_service", _("Cải cách chế độ công vụ")
    PUBLIC_FINANCE = "public_finance", _("Cải cách tài chính công")
    DIGITAL_GOVERNMENT = "digital_government", _("Xây dựng chính quyền điện tử, chính quyền số")
    DIRECTION = "direction", _("Công tác chỉ đạo, điều hành cải cách hành chính")


class TaskStatus(models.TextChoices):
    """Rules §6. ``overdue`` is listed for completeness: it is computed from the deadline, never stored."""

    NOT_STARTED = completion.NOT_STARTED, _("Chưa thực hiện")
    IN_PROGRESS = completion.IN_PROGRESS, _("Đang thực hiện")
    DONE_ON_TIME = completion.DONE_ON_TIME, _("Hoàn thành đúng hạn")
    DONE_LATE = completion.DONE_LATE, _("Hoàn thành chậm")
    OVERDUE = completion.OVERDUE, _("Quá hạn")
    REMOVED = completion.REMOVED, _("Đưa ra khỏi kế hoạch")


class ReformPlan(models.Model):
    """A unit's reform plan for one year (Kế hoạch CCHC), issued by a decision or plan document."""

    unit = models.ForeignKey(
        "catalogue.Unit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="reform_plans"
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    decision_number = models.CharField(_("số kế hoạch/quyết định"), max_length=100,
                                       help_text=_("e.g. 38/KH-UBND"))
    decision_date = models.DateField(_("ngày ban hành"))
    title = models.CharField(_("tên kế hoạch"), max_length=500)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        ordering = ["-year", "unit__code"]
        verbose_name = _("kế hoạch CCHC")
        verbose_name_plural = _("kế hoạch CCHC")
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="reform_plan_one_per_unit_year")]

    def __str__(self) -> str:
        return f"{self.decision_number} — {self.year}"


class ReformTask(models.Model):
    """A numbered task of a plan (nhiệm vụ), with its area, product, offices, deadline and status."""

    plan = models.ForeignKey(ReformPlan, verbose_name=_("kế hoạch"), on_delete=models.CASCADE,
                             related_name="tasks")
    number = models.CharField(_("STT"), max_length=30, help_text=_("e.g. 1, 2.3"))
    sort_key = models.CharField(max_length=40, editable=False, db_index=True)
    area = models.CharField(_("lĩnh vực"), max_length=30, choices=Area.choices)
    content = models.TextField(_("nội dung nhiệm vụ"))
    expected_product = models.TextField(_("sản phẩm"), blank=True)
    lead = models.CharField(_("cơ quan chủ trì"), max_length=300, blank=True)
    cooperating = models.TextField(_("cơ quan phối hợp"), blank=True)
    deadline = models.DateField(_("thời hạn"))
    status = models.CharField(_("trạng thái"), max_length=20, choices=TaskStatus.choices,
                              default=TaskStatus.NOT_STARTED)
    completed_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        ordering = ["plan", "sort_key"]
        verbose_name = _("nhiệm vụ CCHC")
        verbose_name_plural = _("nhiệm vụ CCHC")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="reform_task_number_unique_in_plan"),
            models.CheckConstraint(
                condition=~models.Q(status__in=[TaskStatus.DONE_ON_TIME, TaskStatus.DONE_LATE])
                | models.Q(completed_on__isnull=False),
                name="reform_task_done_has_completed_on",
            ),
            models.CheckConstraint(condition=~models.Q(status=TaskStatus.OVERDUE),
                                   name="reform_task_overdue_is_not_stored"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.content[:80]}"

    def facts(self) -> completion.TaskFacts:
        return completion.TaskFacts(number=self.number, area=self.area, deadline=self.deadline,
                                    status=self.status, completed_on=self.completed_on)


class TaskEvidence(models.Model):
    """A document that proves a task's product (tài liệu kiểm chứng)."""

    task = models.ForeignKey(ReformTask, verbose_name=_("nhiệm vụ"), on_delete=models.CASCADE,
                             related_name="evidence")
    title = models.CharField(_("tên tài liệu"), max_length=500)
    document_number = models.CharField(_("số, ký hiệu"), max_length=100, blank=True)
    document_date = models.DateField(_("ngày ban hành"), null=True, blank=True)
    reference = models.CharField(_("đường dẫn/tệp"), max_length=1000, blank=True,
                                 help_text=_("a URL or a file reference"))
    added_at = models.DateTimeField(_("thêm lúc"))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người thêm"), null=True,
                                 blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["task", "added_at", "id"]
        verbose_name = _("minh chứng")
        verbose_name_plural = _("minh chứng")

    def __str__(self) -> str:
        return f"{self.document_number} {self.title}".strip()


class TaskAdjustment(models.Model):
    """One change of one field of a task, made through the services: the task's immutable history."""

    task = models.ForeignKey(ReformTask, verbose_name=_("nhiệm vụ"), on_delete=models.CASCADE,
                             related_name="adjustments")
    at = models.DateTimeField(_("lúc"))
    field = models.CharField(_("trường"), max_length=40)
    old_value = models.TextField(_("giá trị cũ"), blank=True)
    new_value = models.TextField(_("giá trị mới"), blank=True)
    reason = models.TextField(_("lý do"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người thực hiện"), null=True,
                              blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["task", "at", "id"]
        verbose_name = _("điều chỉnh nhiệm vụ")
        verbose_name_plural = _("điều chỉnh nhiệm vụ")

    def __str__(self) -> str:
        return f"{self.field}: {self.old_value} → {self.new_value}"
