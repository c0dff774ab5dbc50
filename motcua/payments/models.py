"""Fees of a dossier, exemptions and reductions, online payment transactions, refunds, and the sandbox.

A payment itself is a :class:`motcua.dossiers.models.Payment`, written only by
:func:`motcua.dossiers.services.dossier_confirm_payment`; this app decides *when* one is recorded.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.models import Dossier, Payment


class Collection(models.TextChoices):
    BEFORE = "before", _("Thu trước khi giải quyết")
    AFTER = "after", _("Thu khi trả kết quả")


class FeeLine(models.Model):
    """One fee (phí) or charge (lệ phí) of a dossier, copied from its procedure version at submission."""

    class Kind(models.TextChoices):
        FEE = "fee", _("Phí")
        CHARGE = "charge", _("Lệ phí")

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="fee_lines")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(max_length=300)
    amount = models.DecimalField(
        max_digits=14,
        decimal_places=0,
        null=True,
        blank=True,
        help_text=_("Trống: do tỉnh quy định, chưa nhập"),
    )
    collection = models.CharField(max_length=10, choices=Collection.choices, default=Collection.BEFORE)
    applies = models.BooleanField(
        _("áp dụng"),
        default=True,
        help_text=_(
            "Khoản chỉ thu theo kênh nộp khác hoặc khi có yêu cầu (bản sao, quá hạn) thì không áp dụng"
        ),
    )

    class Meta:
        ordering = ["dossier", "position"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "position"], name="payments_feeline_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.amount}"


class FeeReduction(models.Model):
    """An exemption (the whole line) or a reduction (an amount) granted on a fee line, with its legal basis."""

    line = models.ForeignKey(FeeLine, on_delete=models.CASCADE, related_name="reductions")
    exempt = models.BooleanField(_("miễn toàn bộ"), default=False)
    amount = models.DecimalField(_("số tiền giảm"), max_digits=14, decimal_places=0, default=0)
    reason = models.CharField(_("lý do"), max_length=500)
    evidence = models.CharField(_("căn cứ, giấy tờ chứng minh"), max_length=300)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField()

    class Meta:
        ordering = ["granted_at", "id"]

    def __str__(self) -> str:
        return f"{self.line}: {'miễn' if self.exempt else f'giảm {self.amount}'}"


class GatewayTransaction(models.Model):
    """One online payment attempt: a ``vnp_TxnRef`` sent to the gateway, settled exactly once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Đang chờ thanh toán")
        PAID = "paid", _("Đã thanh toán")
        FAILED = "failed", _("Không thành công")
        EXPIRED = "expired", _("Hết hạn")
        REVIEW = "review", _("Đã thu tiền, cần xử lý")
        HELD = "held", _("Đã thu tiền, ghi nhận khi hồ sơ được tiếp nhận")

    txn_ref = models.CharField(max_length=40, unique=True)
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="gateway_transactions")
    amount = models.DecimalField(max_digits=14, decimal_places=0)
    order_info = models.CharField(max_length=255)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    settled_at = models.DateTimeField(null=True, blank=True)
    settled_by = models.CharField(max_length=20, blank=True)  # "ipn" | "reconcile"
    gateway_transaction_no = models.CharField(max_length=40, blank=True)
    bank_code = models.CharField(max_length=40, blank=True)
    response_code = models.CharField(max_length=10, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    raw_notification = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveIntegerField(
        default=0, help_text=_("Số thông báo (IPN) và lần đối soát đã nhận")
    )
    last_checked_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)
    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="gateway_transaction"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.txn_ref


class Refund(models.Model):
    """Money to give back: a dossier refused or stopped after payment, or an online payment that came twice."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ hoàn trả")
        SENDING = "sending", _("Đang gửi lệnh hoàn qua cổng thanh toán")
        REFUNDED = "refunded", _("Đã hoàn trả")

    class Method(models.TextChoices):
        CASH = "cash", _("Tiền mặt")
        TRANSFER = "transfer", _("Chuyển khoản")
        GATEWAY = "gateway", _("Hoàn qua cổng thanh toán")

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="refunds")
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="refunds"
    )
    transaction = models.ForeignKey(
        GatewayTransaction, on_delete=models.PROTECT, null=True, blank=True, related_name="refunds"
    )
    amount = models.DecimalField(max_digits=14, decimal_places=0)
    reason = models.CharField(max_length=500)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField()
    refunded_at = models.DateTimeField(null=True, blank=True)
    method = models.CharField(max_length=10, choices=Method.choices, blank=True)
    reference = models.CharField(max_length=120, blank=True)
    refunded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.amount} ({self.status})"


class SandboxPayment(models.Model):
    """The sandbox gateway's own record of a payment (what a real gateway keeps on its side)."""

    class IpnMode(models.TextChoices):
        NORMAL = "normal", "send once"
        DUPLICATE = "duplicate", "send twice, one after the other"
        PARALLEL = "parallel", "send twice at the same time"
        DELAY = "delay", "send after a delay (seconds)"
        HOLD = "hold", "do not send until told"

    merchant = models.CharField(max_length=20)
    txn_ref = models.CharField(max_length=40)
    amount_minor = models.BigIntegerField()
    order_info = models.CharField(max_length=255)
    return_url = models.CharField(max_length=1000)
    created = models.CharField(max_length=14)
    expires = models.CharField(max_length=14, blank=True)
    transaction_status = models.CharField(max_length=2, default="01")
    response_code = models.CharField(max_length=2, blank=True)
    transaction_no = models.CharField(max_length=20, blank=True)
    bank_code = models.CharField(max_length=20, blank=True)
    pay_date = models.CharField(max_length=14, blank=True)
    refunded_minor = models.BigIntegerField(default=0)
    ipn_mode = models.CharField(max_length=10, choices=IpnMode.choices, default=IpnMode.NORMAL)
    ipn_sent = models.PositiveIntegerField(default=0)
    ipn_answers = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["merchant", "txn_ref"], name="payments_sandbox_txn_unique")
        ]

    def __str__(self) -> str:
        return f"{self.merchant}/{self.txn_ref}"
