"""What citizens tell the commune, and what the commune publishes for them.

- :class:`SatisfactionRating`: one rating per delivered dossier (three levels, Circular 01/2018 questions);
- :class:`Petition` and its immutable :class:`PetitionEvent` log: feedback and petitions (phản ánh, kiến nghị,
  PAKN) about a regulation or about officials, with the handling deadlines of Decision 766 indicator 5.2;
- :class:`PublishedDocument`: documents a unit publishes (công khai): budget estimates, their execution, the
  settlement, the reform plan, the list of procedures.

Rows are written by :mod:`motcua.feedback.services` (and the admin for published documents); nothing here
decides.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.feedback.questions import LEVELS

__all__ = [
    "DocumentCategory",
    "Petition",
    "PetitionEvent",
    "PetitionKind",
    "PetitionOutcome",
    "PetitionStatus",
    "PublishedDocument",
    "RatingLevel",
    "SatisfactionRating",
]


class RatingLevel(models.TextChoices):
    VERY_SATISFIED = LEVELS[0]
    SATISFIED = LEVELS[1]
    DISSATISFIED = LEVELS[2]


class SatisfactionRating(models.Model):
    """A citizen's rating of one delivered dossier (at most one per dossier)."""

    dossier = models.OneToOneField(
        "dossiers.Dossier", on_delete=models.CASCADE, related_name="rating", verbose_name=_("hồ sơ")
    )
    level = models.CharField(_("mức độ hài lòng"), max_length=20, choices=RatingLevel.choices)
    answers = models.JSONField(
        _("trả lời"),
        default=dict,
        blank=True,
        help_text=_("{question key: choice value} of motcua.feedback.questions.QUESTIONS; optional"),
    )
    comment = models.TextField(_("ý kiến khác"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("thời điểm đánh giá"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("đánh giá mức độ hài lòng")
        verbose_name_plural = _("đánh giá mức độ hài lòng")

    def __str__(self) -> str:
        return f"{self.dossier} — {self.get_level_display()}"


class PetitionKind(models.TextChoices):
    """Decision 766 indicator 5.1 counts PAKN by type: about a regulation, or about officials' behaviour."""

    REGULATION = "regulation", _("Về quy định hành chính")
    BEHAVIOUR = "behaviour", _("Về hành vi, thái độ của cán bộ, công chức")
    OTHER = "other", _("Khác")


class PetitionStatus(models.TextChoices):
    RECEIVED = "received", _("Đã tiếp nhận")
    IN_PROGRESS = "in_progress", _("Đang xử lý")
    ANSWERED = "answered", _("Đã trả lời")
    REFUSED = "refused", _("Từ chối tiếp nhận")
    TRANSFERRED = "transferred", _("Đã chuyển cơ quan có thẩm quyền")


class PetitionOutcome(models.TextChoices):
    """What the answer concluded."""

    ACCEPTED = "accepted", _("Tiếp thu, khắc phục")
    EXPLAINED = "explained", _("Giải thích, hướng dẫn")
    UNFOUNDED = "unfounded", _("Phản ánh không có cơ sở")


class Petition(models.Model):
    """Feedback or a petition (phản ánh, kiến nghị) sent to a unit by a citizen or an organisation.

    ``sender_name`` and ``contact`` are personal data: they are never shown on public pages, and are masked
    in lists (:func:`motcua.feedback.selectors.mask_contact`).
    """

    code = models.CharField(_("mã phản ánh"), max_length=20, unique=True)
    secret = models.CharField(_("mã tra cứu"), max_length=16)
    unit = models.ForeignKey(
        "catalogue.Unit", on_delete=models.PROTECT, related_name="petitions", verbose_name=_("đơn vị")
    )
    kind = models.CharField(_("loại"), max_length=12, choices=PetitionKind.choices)
    subject = models.CharField(_("tiêu đề"), max_length=300)
    content = models.TextField(_("nội dung"), max_length=5000)
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="petitions",
        verbose_name=_("hồ sơ liên quan"),
    )
    sender_name = models.CharField(_("người gửi"), max_length=200)
    contact = models.CharField(
        _("liên hệ"),
        max_length=200,
        blank=True,
        help_text=_("Phone, e-mail or address; never shown publicly"),
    )
    submitted_at = models.DateTimeField(_("thời điểm tiếp nhận"), db_index=True)
    status = models.CharField(
        _("trạng thái"),
        max_length=12,
        choices=PetitionStatus.choices,
        default=PetitionStatus.RECEIVED,
        db_index=True,
    )
    handling_due = models.DateTimeField(
        _("hạn xử lý"), help_text=_("15 working days from receipt (Decision 766 indicator 5.2)")
    )
    refusal_due = models.DateTimeField(
        _("hạn từ chối/chuyển"), help_text=_("2 working days from receipt (Decision 766 indicator 5.2)")
    )
    answered_at = models.DateTimeField(_("thời điểm trả lời"), null=True, blank=True)
    answer = models.TextField(_("nội dung trả lời"), blank=True)
    outcome = models.CharField(_("kết quả"), max_length=12, choices=PetitionOutcome.choices, blank=True)
    transferred_to = models.CharField(_("chuyển đến"), max_length=300, blank=True)
    on_time = models.BooleanField(
        _("đúng hạn"), null=True, blank=True, help_text=_("Stored when answered, refused or transferred")
    )
    answer_published_at = models.DateTimeField(
        _("công khai câu trả lời lúc"),
        null=True,
        blank=True,
        help_text=_("When set, the subject and the answer (never the sender) are listed on /phan-anh/"),
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("phản ánh, kiến nghị")
        verbose_name_plural = _("phản ánh, kiến nghị")
        indexes = [models.Index(fields=["unit", "status", "handling_due"], name="petition_unit_status_due")]

    def __str__(self) -> str:
        return f"{self.code} — {self.subject[:60]}"

    @property
    def closed(self) -> bool:
        return self.status in (PetitionStatus.ANSWERED, PetitionStatus.REFUSED, PetitionStatus.TRANSFERRED)


class PetitionEvent(models.Model):
    """One step of a petition's handling: who, when, from which status to which, with what. Immutable."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    action = models.CharField(max_length=20)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    payload = models.JSONField(default=dict, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["petition", "seq"]
        verbose_name = _("bước xử lý phản ánh")
        verbose_name_plural = _("bước xử lý phản ánh")
        constraints = [models.UniqueConstraint(fields=["petition", "seq"], name="petition_event_seq_unique")]

    def __str__(self) -> str:
        return f"{self.petition_id}#{self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("petition events are immutable: they can be added, never changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("petition events are immutable: they can be added, never deleted")


class DocumentCategory(models.TextChoices):
    BUDGET_ESTIMATE = "budget_estimate", _("Dự toán ngân sách")
    BUDGET_EXECUTION = "budget_execution", _("Tình hình thực hiện dự toán")
    BUDGET_SETTLEMENT = "budget_settlement", _("Quyết toán ngân sách")
    REFORM_PLAN = "reform_plan", _("Kế hoạch cải cách hành chính")
    PROCEDURES_LIST = "procedures_list", _("Danh mục thủ tục hành chính")
    OTHER = "other", _("Văn bản khác")


def _document_path(instance: PublishedDocument, filename: str) -> str:
    return f"cong-khai/{instance.unit_id}/{timezone.now():%Y}/{filename}"


class PublishedDocument(models.Model):
    """A document a unit publishes (công khai) on its portal: an uploaded file or a link."""

    unit = models.ForeignKey(
        "catalogue.Unit",
        on_delete=models.PROTECT,
        related_name="published_documents",
        verbose_name=_("đơn vị"),
    )
    category = models.CharField(_("nhóm"), max_length=20, choices=DocumentCategory.choices, db_index=True)
    title = models.CharField(_("trích yếu"), max_length=500)
    number = models.CharField(_("số, ký hiệu"), max_length=100, blank=True, help_text=_("e.g. 12/QĐ-UBND"))
    date = models.DateField(_("ngày ban hành"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(
        _("năm"), null=True, blank=True, help_text=_("The budget or plan year the document is about")
    )
    file = models.FileField(_("tệp"), upload_to=_document_path, blank=True, max_length=300)
    url = models.URLField(_("đường dẫn"), blank=True, max_length=1000)
    published_at = models.DateTimeField(_("ngày đăng"), default=timezone.now, db_index=True)
    note = models.TextField(_("ghi chú"), blank=True)
    active = models.BooleanField(
        _("đang công khai"),
        default=True,
        help_text=_("Untick to withdraw from the public page (kept on file)"),
    )

    class Meta:
        ordering = ["unit", "category", "-date", "-published_at", "-id"]
        verbose_name = _("văn bản công khai")
        verbose_name_plural = _("văn bản công khai")

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()
