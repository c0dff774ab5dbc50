"""Boundary-independent hops, requests to other agencies (consultations, interconnected steps), linked groups.

- :class:`BoundaryHop`: a dossier received by one commune for a procedure another commune resolves
  (phi địa giới, Decree 118). Its sub-state follows the portal's ``TrangThaiPhiDiaGioi`` codes (1 received,
  4 waiting for the competent unit, 2 processing, 3 result returned to the receiving unit), with the instants of
  each hop; every change is an immutable :class:`BoundaryHopEvent`.
- :class:`AgencyRequest`: a task sent to another office or agency with its own deadline in working days:
  a consultation (lấy ý kiến, Decree 61/2018 art.19(5b)) or one step of an interconnected procedure (liên thông,
  art.19(6)(7)). Each request is sent once and answered once; :class:`AgencyRequestEvent` keeps the history.
- :class:`LinkedGroup`: an interconnected procedure (e.g. 2.000986 birth registration + permanent residence +
  child health insurance) and its steps: which agency does what, in what order, within how many working days.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class HopStatus(models.IntegerChoices):
    RECEIVED = 1, _("Đã tiếp nhận")
    WAITING = 4, _("Chờ đơn vị có thẩm quyền tiếp nhận")
    PROCESSING = 2, _("Đơn vị có thẩm quyền đang xử lý")
    RETURNED = 3, _("Đã trả kết quả về nơi tiếp nhận")


class BoundaryHop(models.Model):
    """The journey of a boundary-independent dossier between the receiving and the competent commune."""

    dossier = models.OneToOneField("dossiers.Dossier", on_delete=models.CASCADE, related_name="boundary_hop")
    receiving_unit = models.ForeignKey("catalogue.Unit", on_delete=models.PROTECT, related_name="+")
    competent_unit = models.ForeignKey("catalogue.Unit", on_delete=models.PROTECT, related_name="+")
    status = models.PositiveSmallIntegerField(_("trạng thái phi địa giới"), choices=HopStatus.choices)
    received_at = models.DateTimeField(_("tiếp nhận"))
    sent_at = models.DateTimeField(_("chuyển đơn vị có thẩm quyền"), null=True, blank=True)
    taken_at = models.DateTimeField(_("đơn vị có thẩm quyền nhận xử lý"), null=True, blank=True)
    returned_at = models.DateTimeField(_("trả kết quả về nơi tiếp nhận"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("trả kết quả cho người nộp"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("hồ sơ phi địa giới")
        verbose_name_plural = _("hồ sơ phi địa giới")
        indexes = [
            models.Index(fields=["competent_unit", "status"]),
            models.Index(fields=["receiving_unit", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.get_status_display()}"


class BoundaryHopEvent(models.Model):
    hop = models.ForeignKey(BoundaryHop, on_delete=models.CASCADE, related_name="events")
    status = models.PositiveSmallIntegerField(choices=HopStatus.choices)
    at = models.DateTimeField()
    dossier_seq = models.PositiveIntegerField(help_text="the dossier event that moved the hop")
    unit = models.ForeignKey("catalogue.Unit", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["hop", "dossier_seq"]
        constraints = [models.UniqueConstraint(fields=["hop", "dossier_seq"], name="interop_hop_event_once")]

    def __str__(self) -> str:
        return f"{self.hop_id}#{self.dossier_seq} {self.get_status_display()}"


class LinkedGroup(models.Model):
    """An interconnected procedure and how its steps run (Decree 61/2018 art.19(6)(7); Circular 01/2018 art.4)."""

    class Mode(models.TextChoices):
        PARALLEL = "parallel", _("Đồng thời (hồ sơ điện tử gửi tất cả cơ quan cùng lúc)")
        SEQUENTIAL = "sequential", _("Lần lượt (phiếu chuyển xử lý)")

    procedure = models.OneToOneField(
        "catalogue.Procedure", on_delete=models.CASCADE, related_name="linked_group"
    )
    mode = models.CharField(max_length=12, choices=Mode.choices, default=Mode.PARALLEL)
    legal_basis = models.TextField(blank=True)

    class Meta:
        verbose_name = _("nhóm thủ tục liên thông")
        verbose_name_plural = _("nhóm thủ tục liên thông")

    def __str__(self) -> str:
        return f"liên thông {self.procedure_id}"


class LinkedStep(models.Model):
    group = models.ForeignKey(LinkedGroup, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField()
    agency = models.CharField(_("cơ quan"), max_length=200)
    department_code = models.CharField(
        max_length=40,
        blank=True,
        help_text="a department of the competent unit that answers in motcua, if any",
    )
    task = models.CharField(_("nhiệm vụ"), max_length=500)
    working_days = models.DecimalField(_("thời hạn (ngày làm việc)"), max_digits=5, decimal_places=1)

    class Meta:
        ordering = ["group", "order"]
        constraints = [models.UniqueConstraint(fields=["group", "order"], name="interop_step_order_once")]

    def __str__(self) -> str:
        return f"{self.order}. {self.agency}: {self.task}"


class AgencyRequest(models.Model):
    class Kind(models.TextChoices):
        CONSULTATION = "consultation", _("Lấy ý kiến")
        LINKED_STEP = "linked_step", _("Bước liên thông")

    class Status(models.TextChoices):
        WAITING = "waiting", _("Chưa đến lượt")
        SENT = "sent", _("Đã gửi, chờ trả lời")
        ANSWERED = "answered", _("Đã trả lời")
        WITHDRAWN = "withdrawn", _("Đã thu hồi")

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="agency_requests")
    kind = models.CharField(max_length=14, choices=Kind.choices)
    step = models.ForeignKey(LinkedStep, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    order = models.PositiveSmallIntegerField(default=1)
    agency = models.CharField(_("cơ quan được lấy ý kiến"), max_length=200)
    department = models.ForeignKey(
        "catalogue.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    task = models.TextField(_("nội dung"))
    working_days = models.DecimalField(max_digits=5, decimal_places=1)
    status = models.CharField(max_length=10, choices=Status.choices)
    sent_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(_("hạn trả lời"), null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(blank=True)
    late = models.BooleanField(default=False, help_text="answered after its due date (stored when answered)")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["dossier", "order", "pk"]
        indexes = [models.Index(fields=["status", "due_at"])]

    def __str__(self) -> str:
        return f"{self.agency}: {self.task[:60]}"


class AgencyRequestEvent(models.Model):
    request = models.ForeignKey(AgencyRequest, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    action = models.CharField(max_length=12)  # create | send | answer | withdraw
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    payload = models.JSONField(default=dict, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["request", "seq"]
        constraints = [models.UniqueConstraint(fields=["request", "seq"], name="interop_request_event_once")]

    def __str__(self) -> str:
        return f"{self.request_id}#{self.seq} {self.action}"
