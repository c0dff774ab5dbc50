"""Signing identities, the audit of every signature, and the signed electronic copies of results."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SigningIdentity(models.Model):
    """A certificate and the means to sign with its key, owned by a unit (its seal) or an officer.

    The key is one of:

    - ``local``: an encrypted PKCS#8 key in :attr:`encrypted_key_pem` (issued by the local CA, or imported);
    - ``pkcs12``: a PKCS#12 file at :attr:`pkcs12_path` whose password is in the environment variable named by
      :attr:`secret_env` (the password itself is never stored);
    - ``pkcs11``: a key on a PKCS#11 token (USB token, HSM): :attr:`pkcs11_library`,
      :attr:`pkcs11_token_label`, :attr:`pkcs11_key_label`, the user PIN in the variable :attr:`secret_env`.
    """

    class Kind(models.TextChoices):
        LOCAL = "local", _("Khóa lưu mã hóa trong hệ thống")
        PKCS12 = "pkcs12", _("Tệp PKCS#12")
        PKCS11 = "pkcs11", _("Thiết bị PKCS#11 (USB token, HSM)")

    unit = models.ForeignKey(
        "catalogue.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signing_identities",
        verbose_name=_("đơn vị"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signing_identities",
        verbose_name=_("cán bộ"),
    )
    kind = models.CharField(_("loại khóa"), max_length=8, choices=Kind.choices)
    certificate_pem = models.TextField(_("chứng thư số"))
    chain_pem = models.TextField(_("chuỗi chứng thư"), blank=True)
    encrypted_key_pem = models.TextField(blank=True)
    pkcs12_path = models.CharField(max_length=500, blank=True)
    secret_env = models.CharField(
        max_length=100, blank=True, help_text=_("Tên biến môi trường chứa mật khẩu PKCS#12 hoặc mã PIN")
    )
    pkcs11_library = models.CharField(max_length=500, blank=True)
    pkcs11_token_label = models.CharField(max_length=100, blank=True)
    pkcs11_key_label = models.CharField(max_length=100, blank=True)
    subject = models.CharField(_("chủ thể"), max_length=500)
    serial_number = models.CharField(max_length=64)
    fingerprint = models.CharField(max_length=64, unique=True)
    not_before = models.DateTimeField()
    not_after = models.DateTimeField()
    active = models.BooleanField(_("đang dùng"), default=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("chứng thư ký số")
        verbose_name_plural = _("chứng thư ký số")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__isnull=False, user__isnull=True) | Q(unit__isnull=True, user__isnull=False),
                name="signing_identity_one_owner",
            ),
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(active=True, unit__isnull=False),
                name="signing_one_active_per_unit",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(active=True, user__isnull=False),
                name="signing_one_active_per_user",
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class SignatureRecord(models.Model):
    """One signature applied (audit): who, with which identity, why, and the document before and after."""

    class Document(models.TextChoices):
        FORM = "form", _("Phiếu, biểu mẫu")
        RESULT = "result", _("Kết quả điện tử")
        FILE = "file", _("Tệp khác")

    identity = models.ForeignKey(SigningIdentity, on_delete=models.PROTECT, related_name="signatures")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="signatures"
    )
    signed_at = models.DateTimeField(db_index=True)
    reason = models.CharField(_("lý do ký"), max_length=300)
    document = models.CharField(max_length=8, choices=Document.choices)
    document_name = models.CharField(max_length=200, blank=True)
    dossier = models.ForeignKey(
        "dossiers.Dossier", null=True, blank=True, on_delete=models.PROTECT, related_name="signatures"
    )
    field_name = models.CharField(max_length=60)
    sha256_before = models.CharField(max_length=64)
    sha256_after = models.CharField(max_length=64, db_index=True)
    size_before = models.PositiveBigIntegerField()
    size_after = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["signed_at", "id"]

    def __str__(self) -> str:
        return f"{self.document_name or self.document} {self.signed_at:%Y-%m-%d %H:%M}"


class SignedResultCopy(models.Model):
    """A signed electronic copy of a dossier's result: the signature's audit row and the stored file.

    The signed bytes are kept by the documents module (:class:`motcua.documents.models.StoredDocument`, attached
    to the result), byte for byte as signed; :attr:`sha256` is the hash of those bytes.
    """

    result = models.ForeignKey(
        "dossiers.DossierResult", on_delete=models.PROTECT, related_name="signed_copies"
    )
    record = models.OneToOneField(SignatureRecord, on_delete=models.PROTECT, related_name="result_copy")
    document = models.ForeignKey("documents.StoredDocument", on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.filename
