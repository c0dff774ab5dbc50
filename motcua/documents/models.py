"""Stored files (scans, result e-copies) and their links to dossier components and results.

A :class:`StoredDocument` is one file's bytes, content-addressed by SHA-256, for one applicant (the keyed hash of
their ID number, never the number). The same bytes uploaded again for the same applicant are the same row; the
storage keeps one copy of the bytes whoever they belong to. :class:`ComponentDocument` says how a component
(``motcua.dossiers.models.DossierComponent``) got its electronic copy; :class:`ResultDocument` is the e-copy of a
dossier's result.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StoredDocument(models.Model):
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=60)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    storage_name = models.CharField(max_length=300)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()
    owner_id_hash = models.CharField(
        max_length=64, blank=True, db_index=True, help_text=_("Keyed hash of the applicant's ID number")
    )

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["sha256", "owner_id_hash"], name="stored_document_unique")
        ]
        verbose_name = _("tài liệu lưu trữ")
        verbose_name_plural = _("tài liệu lưu trữ")

    def __str__(self) -> str:
        return f"{self.original_name} ({self.sha256[:12]})"


class Source(models.TextChoices):
    SCANNED = "scanned", _("Quét từ bản giấy")
    REUSED = "reused", _("Tái sử dụng từ hồ sơ trước")
    PERSONAL_DATA_STORE = "personal_data_store", _("Kho dữ liệu cá nhân")
    ONLINE = "online", _("Công dân nộp trực tuyến")


class ComponentDocument(models.Model):
    component = models.ForeignKey(
        "dossiers.DossierComponent", on_delete=models.CASCADE, related_name="documents"
    )
    document = models.ForeignKey(StoredDocument, on_delete=models.PROTECT, related_name="component_links")
    source = models.CharField(max_length=20, choices=Source.choices)
    reused_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reuses"
    )
    external_ref = models.CharField(
        max_length=120, blank=True, help_text=_("Reference in the personal store")
    )
    attached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    attached_at = models.DateTimeField()

    class Meta:
        ordering = ["component", "id"]
        constraints = [
            models.UniqueConstraint(fields=["component", "document"], name="component_document_unique")
        ]

    def __str__(self) -> str:
        return f"{self.component_id}:{self.document_id} ({self.source})"


class ResultDocument(models.Model):
    result = models.ForeignKey("dossiers.DossierResult", on_delete=models.CASCADE, related_name="documents")
    document = models.ForeignKey(StoredDocument, on_delete=models.PROTECT, related_name="result_links")
    result_code = models.CharField(_("số/mã kết quả"), max_length=80)
    attached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    attached_at = models.DateTimeField()

    class Meta:
        ordering = ["result", "id"]
        constraints = [models.UniqueConstraint(fields=["result", "document"], name="result_document_unique")]

    def __str__(self) -> str:
        return f"{self.result_code}: {self.document_id}"
