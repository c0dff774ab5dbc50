"""Every notification motcua sends, and the messages its sandbox SMS gateway received.

Neither holds a full phone number or e-mail address: the recipient is read from the dossier (or the staff
member) when the message is sent, and only its masked form is stored.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationLog(models.Model):
    """One message to one recipient on one channel, from queued to sent (or failed)."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("Thư điện tử")
        SMS = "sms", _("Tin nhắn SMS")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Chờ gửi")
        SENT = "sent", _("Đã gửi")
        FAILED = "failed", _("Gửi không thành công")
        SKIPPED = "skipped", _("Không gửi")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    key = models.CharField(
        max_length=200, unique=True, help_text=_("One message per event, channel and template")
    )
    channel = models.CharField(_("kênh"), max_length=10, choices=Channel.choices)
    template = models.CharField(_("mẫu"), max_length=60)
    dossier = models.ForeignKey(
        "dossiers.Dossier", null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
    recipient_masked = models.CharField(_("người nhận"), max_length=120)
    params = models.JSONField(default=dict, blank=True, help_text=_("Template values; no personal data"))
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    error = models.CharField(_("lỗi"), max_length=300, blank=True)
    provider_id = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("nhật ký thông báo")
        verbose_name_plural = _("nhật ký thông báo")
        indexes = [models.Index(fields=["status", "created_at"], name="notification_status")]

    def __str__(self) -> str:
        return f"{self.channel} {self.template} → {self.recipient_masked} ({self.status})"


class SandboxSms(models.Model):
    """A message received by the sandbox SMS gateway (``/sandbox/sms/``): development, demo and tests."""

    request_id = models.CharField(max_length=64, unique=True)
    message_id = models.CharField(max_length=64, unique=True)
    brandname = models.CharField(max_length=20)
    phone_masked = models.CharField(max_length=20)
    message = models.TextField()
    unicode = models.BooleanField(default=False)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("tin nhắn (hộp cát)")
        verbose_name_plural = _("tin nhắn (hộp cát)")

    def __str__(self) -> str:
        return f"{self.phone_masked}: {self.message[:40]}"
