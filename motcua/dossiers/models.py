"""Dossiers (hồ sơ), their components, results, payments and the append-only event log.

A dossier's row holds its current state and the figures the reports need; its history is the list of
:class:`DossierEvent` rows, one per action (rules §3), which are never updated or deleted.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.domain.lifecycle import Action, State

STATE_CHOICES = [(s.value, s.value) for s in State]
# Besides the lifecycle's actions, the audited recompute of a due date after a calendar change (rules §2).
RECOMPUTE_DUE = "recompute_due"
ACTION_CHOICES = [(a.value, a.value) for a in Action] + [(RECOMPUTE_DUE, RECOMPUTE_DUE)]


class Channel(models.TextChoices):
    DIRECT = "direct", _("Trực tiếp")
    ONLINE = "online", _("Trực tuyến")
    POSTAL = "postal", _("Bưu chính công ích")


class Dossier(models.Model):
    """One application by one applicant for one procedure (rules §3)."""

    code = models.CharField(_("mã hồ sơ"), max_length=80, unique=True, null=True, blank=True)
    secret = models.CharField(
        _("mã tra cứu"),
        max_length=16,
        help_text=_("Printed on the receipt; with the code it opens the public status page"),
    )
    procedure_version = models.ForeignKey(
        "catalogue.ProcedureVersion",
        on_delete=models.PROTECT,
        related_name="dossiers",
        verbose_name=_("thủ tục (phiên bản)"),
    )
    procedure = models.ForeignKey("catalogue.Procedure", on_delete=models.PROTECT, related_name="dossiers")
    sector = models.ForeignKey("catalogue.Sector", on_delete=models.PROTECT, related_name="dossiers")
    receiving_unit = models.ForeignKey(
        "catalogue.Unit",
        on_delete=models.PROTECT,
        related_name="received_dossiers",
        verbose_name=_("đơn vị tiếp nhận"),
    )
    competent_unit = models.ForeignKey(
        "catalogue.Unit",
        on_delete=models.PROTECT,
        related_name="competent_dossiers",
        verbose_name=_("đơn vị giải quyết"),
    )
    department = models.ForeignKey(
        "catalogue.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers",
        verbose_name=_("phòng/bộ phận"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_dossiers",
        verbose_name=_("chuyên viên xử lý"),
    )
    channel = models.CharField(_("kênh nộp"), max_length=10, choices=Channel.choices)
    state = models.CharField(_("trạng thái"), max_length=24, choices=STATE_CHOICES, db_index=True)
    stop_reason = models.CharField(max_length=40, blank=True)
    return_reason = models.CharField(max_length=40, blank=True)

    applicant_name = models.CharField(_("người nộp"), max_length=200)
    applicant_id_number = models.CharField(_("số định danh"), max_length=20, blank=True, db_index=True)
    applicant_phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    applicant_email = models.EmailField(_("thư điện tử"), blank=True)
    applicant_address = models.CharField(_("địa chỉ"), max_length=300, blank=True)

    submitted_at = models.DateTimeField(_("thời điểm nộp"))
    received_at = models.DateTimeField(_("thời điểm tiếp nhận"), null=True, blank=True, db_index=True)
    due_at = models.DateTimeField(
        _("hạn giải quyết"),
        null=True,
        blank=True,
        help_text=_("Statutory due, used for timeliness (rules §2.2)"),
    )
    appointment_at = models.DateTimeField(_("ngày hẹn trả"), null=True, blank=True)
    ended_at = models.DateTimeField(
        _("thời điểm kết thúc"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("Entered resolved or stopped"),
    )
    closed_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Reached refused, returned, delivered or cancelled")
    )
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivery_method = models.CharField(max_length=10, blank=True)
    timeliness = models.CharField(
        max_length=12, blank=True, help_text=_("Stored when the dossier ends (§2.3)")
    )
    calendar_version = models.CharField(max_length=64, blank=True)
    extensions = models.PositiveSmallIntegerField(default=0)
    supplement_requests = models.PositiveSmallIntegerField(default=0)
    awaiting_payment_since = models.DateTimeField(null=True, blank=True)
    flags = models.JSONField(default=list, blank=True)

    fees_exempt = models.BooleanField(_("miễn phí, lệ phí"), default=False)
    fee_total = models.DecimalField(_("tổng phí, lệ phí"), max_digits=14, decimal_places=0, default=0)
    synced_to_portal_at = models.DateTimeField(null=True, blank=True)
    external_ref = models.CharField(
        max_length=120,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Idempotency / import key from the submitting system"),
    )
    last_event_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(
        default=0, help_text=_("Incremented on every change (optimistic lock)")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        indexes = [
            models.Index(fields=["receiving_unit", "state"], name="dossier_unit_state"),
            models.Index(fields=["competent_unit", "state"], name="dossier_competent_state"),
        ]

    def __str__(self) -> str:
        return self.code or f"#{self.pk} ({self.state})"


class DossierComponent(models.Model):
    """A component (thành phần hồ sơ) of a dossier, and how it was obtained."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="components")
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=500, blank=True)
    required = models.BooleanField(default=False)
    submitted = models.BooleanField(default=True)
    digitized = models.BooleanField(_("đã số hóa"), default=False)
    reused = models.BooleanField(_("tái sử dụng"), default=False)

    class Meta:
        ordering = ["dossier", "id"]
        constraints = [models.UniqueConstraint(fields=["dossier", "code"], name="component_code_unique")]

    def __str__(self) -> str:
        return f"{self.dossier_id}:{self.code}"


class DossierResult(models.Model):
    """The result of a resolved dossier (kết quả giải quyết), with its electronic copy if any."""

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="result")
    result_code = models.CharField(_("số/mã kết quả"), max_length=80)
    issued_at = models.DateTimeField()
    e_copy = models.BooleanField(_("có bản điện tử"), default=False)
    note = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.result_code


class Payment(models.Model):
    """A payment of fees or charges for a dossier."""

    class Method(models.TextChoices):
        CASH = "cash", _("Tiền mặt")
        TRANSFER = "transfer", _("Chuyển khoản")
        ONLINE = "online", _("Thanh toán trực tuyến")

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="payments")
    method = models.CharField(max_length=10, choices=Method.choices)
    amount = models.DecimalField(max_digits=14, decimal_places=0)
    paid_at = models.DateTimeField()
    receipt_number = models.CharField(max_length=100, unique=True)
    reference = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["paid_at", "id"]

    def __str__(self) -> str:
        return self.receipt_number


class DossierEvent(models.Model):
    """One action on a dossier: who, when, from which state to which, with what. Immutable."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    action = models.CharField(max_length=32, choices=ACTION_CHOICES)
    from_state = models.CharField(max_length=24, blank=True)
    to_state = models.CharField(max_length=24)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossier_events",
    )
    actor_role = models.CharField(max_length=20, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["dossier", "seq"]
        constraints = [models.UniqueConstraint(fields=["dossier", "seq"], name="event_seq_unique")]

    def __str__(self) -> str:
        return f"{self.dossier_id}#{self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("dossier events are immutable: they can be added, never changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("dossier events are immutable: they can be added, never deleted")


class DailySequence(models.Model):
    """The last dossier number issued by a unit on a local date (rules §3.1: gapless, concurrency-safe)."""

    unit = models.ForeignKey("catalogue.Unit", on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "date"], name="daily_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.date}: {self.last}"


class IdempotencyRecord(models.Model):
    """The stored answer to a create request made with an ``Idempotency-Key`` header."""

    key = models.CharField(max_length=200)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    endpoint = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "endpoint", "key"], name="idempotency_unique")]

    def __str__(self) -> str:
        return f"{self.endpoint} {self.key}"
