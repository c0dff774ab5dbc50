"""The portal outbox (one message per dossier change the National Public Service Portal must know), the files
that came with inbound online dossiers, and the sandbox portal's own records.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """A dossier change to send to the portal, written in the transaction of the event it reports.

    ``seq`` is the event's ``seq``: messages of one dossier are sent in ``seq`` order, the next only after the
    portal acknowledged the previous one. ``idempotency_key`` (``<unit code>:<dossier id>:<seq>``) goes with
    every attempt, so the portal stores a message once however often it is sent.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ gửi")
        SENT = "sent", _("Đã gửi")
        DEAD = "dead", _("Gửi lỗi (ngừng thử)")

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="portal_messages")
    seq = models.PositiveIntegerField()
    idempotency_key = models.CharField(max_length=200, unique=True)
    portal_status = models.PositiveSmallIntegerField(help_text=_("TrangThaiHoSo sent in this message"))
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["dossier", "seq"]
        verbose_name = _("tin đồng bộ Cổng DVCQG")
        verbose_name_plural = _("tin đồng bộ Cổng DVCQG")
        constraints = [models.UniqueConstraint(fields=["dossier", "seq"], name="portal_outbox_seq_unique")]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="portal_outbox_due")]

    def __str__(self) -> str:
        return f"{self.idempotency_key} ({self.status})"


class InboundAttachment(models.Model):
    """A file that came with an online dossier from the portal: its metadata, and where its bytes are.

    A PDF, JPEG, PNG or TIFF within the upload limit is stored by the documents module and linked to its
    component (``document``), like a file uploaded on motcua's own online pages. Any other file the portal sends
    (a .docx, a larger scan) is kept as it came in Django's default storage under ``portal-inbound/``
    (``stored_path``); a file given by URL is recorded, not fetched.
    """

    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.CASCADE, related_name="portal_attachments"
    )
    component_code = models.CharField(max_length=40)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    stored_path = models.CharField(max_length=500, blank=True)
    document = models.ForeignKey(
        "documents.StoredDocument", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["dossier", "id"]

    def __str__(self) -> str:
        return f"{self.dossier_id}:{self.component_code}:{self.name}"


class SandboxMessage(models.Model):
    """A message the sandbox portal accepted: stored once per idempotency key, however often it came."""

    idempotency_key = models.CharField(max_length=200, unique=True)
    dossier_key = models.CharField(max_length=120, db_index=True)
    seq = models.PositiveIntegerField()
    portal_status = models.PositiveSmallIntegerField()
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    deliveries = models.PositiveIntegerField(default=1, help_text="times this key was received")
    out_of_order = models.BooleanField(default=False, help_text="a later seq of the dossier came first")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.idempotency_key


class SandboxControl(models.Model):
    """The sandbox portal's knobs (one row), set through its control endpoint or ``sandbox_configure``."""

    fail_rate = models.FloatField(default=0.0, help_text="share of requests answered 503, nothing stored")
    seed = models.IntegerField(default=0)
    delay_rate = models.FloatField(default=0.0, help_text="share of stored requests answered late")
    delay_seconds = models.FloatField(default=0.0)
    answer_twice = models.BooleanField(
        default=False, help_text="a new message is stored, its first answer is lost, the retry is answered"
    )
    requests = models.PositiveIntegerField(default=0, help_text="requests drawn so far (the seeded draws)")

    def __str__(self) -> str:
        return f"fail {self.fail_rate} seed {self.seed}"
