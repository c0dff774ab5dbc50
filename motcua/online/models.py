"""What an online submission adds to its dossier: the citizen's submission reference, how the result is to be
received (and where, by post), the fee exemption the citizen claims, and when the e-result was downloaded."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Delivery(models.TextChoices):
    DESK = "desk", _("Nhận tại Bộ phận Một cửa")
    POSTAL = "postal", _("Gửi qua bưu chính công ích")
    ONLINE = "online", _("Nhận kết quả điện tử trực tuyến")


class OnlineSubmission(models.Model):
    dossier = models.OneToOneField(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="online_submission"
    )
    reference = models.CharField(_("mã nộp trực tuyến"), max_length=20, unique=True)
    delivery = models.CharField(_("hình thức nhận kết quả"), max_length=10, choices=Delivery.choices)
    postal_address = models.CharField(_("địa chỉ nhận kết quả"), max_length=300, blank=True)
    exemption_claim = models.CharField(_("đề nghị miễn, giảm phí"), max_length=300, blank=True)
    submitted_at = models.DateTimeField()
    result_downloaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("hồ sơ nộp trực tuyến")
        verbose_name_plural = _("hồ sơ nộp trực tuyến")

    def __str__(self) -> str:
        return self.reference
