"""Shipments of the public postal service (bưu chính công ích, Decision 45/2016/QĐ-TTg) and their status events.

A *lodging* shipment carries a citizen's dossier from the post office to the center; a *return* shipment
carries a result back to the citizen. Addresses and phone numbers are personal data: lists show them masked
(:func:`motcua.postal.selectors.mask_address`). The ``Sandbox*`` models are the state of the sandbox carrier
that motcua serves itself under ``/sandbox/postal/``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    LODGING = "lodging", _("Gửi hồ sơ")
    RETURN = "return", _("Trả kết quả")


class ShipmentStatus(models.TextChoices):
    CREATED = "created", _("Đã tạo")
    PICKED_UP = "picked_up", _("Đã nhận gửi")
    IN_TRANSIT = "in_transit", _("Đang vận chuyển")
    DELIVERED = "delivered", _("Đã phát")
    RETURNED = "returned", _("Chuyển hoàn")
    FAILED = "failed", _("Phát không thành công")


class Shipment(models.Model):
    direction = models.CharField(_("chiều"), max_length=10, choices=Direction.choices)
    tracking_code = models.CharField(_("mã vận đơn"), max_length=40, unique=True)
    carrier = models.CharField(_("đơn vị bưu chính"), max_length=40)
    unit = models.ForeignKey("catalogue.Unit", on_delete=models.PROTECT, related_name="+")
    dossier = models.ForeignKey(
        "dossiers.Dossier", null=True, blank=True, on_delete=models.PROTECT, related_name="shipments"
    )
    sender_name = models.CharField(max_length=200)
    sender_address = models.CharField(max_length=300)
    sender_phone = models.CharField(max_length=20, blank=True)
    recipient_name = models.CharField(max_length=200)
    recipient_address = models.CharField(max_length=300)
    recipient_phone = models.CharField(max_length=20, blank=True)
    fee = models.DecimalField(_("cước"), max_digits=12, decimal_places=0, default=0)
    status = models.CharField(max_length=12, choices=ShipmentStatus.choices, default=ShipmentStatus.CREATED)
    status_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    delivered_at = models.DateTimeField(null=True, blank=True)
    handed_over_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Lodging: the hand-over minutes' signing instant (art.7(4))")
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("bưu gửi")
        verbose_name_plural = _("bưu gửi")

    def __str__(self) -> str:
        return self.tracking_code


class ShipmentEvent(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events")
    carrier_event_id = models.CharField(max_length=80)
    status = models.CharField(max_length=12, choices=ShipmentStatus.choices)
    at = models.DateTimeField()
    note = models.CharField(max_length=300, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["shipment", "at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["shipment", "carrier_event_id"], name="shipment_event_unique")
        ]

    def __str__(self) -> str:
        return f"{self.shipment_id} {self.status} {self.at.isoformat()}"


class SandboxParcel(models.Model):
    """The sandbox carrier's own record of a parcel (what a VNPost-style operator keeps on its side)."""

    item_code = models.CharField(max_length=20, unique=True)
    order = models.JSONField()
    callback_url = models.CharField(max_length=500, blank=True)
    freight = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.item_code


class SandboxParcelEvent(models.Model):
    parcel = models.ForeignKey(SandboxParcel, on_delete=models.CASCADE, related_name="events")
    event_id = models.CharField(max_length=40, unique=True)
    status_id = models.PositiveSmallIntegerField()
    at = models.DateTimeField()
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["parcel", "at", "id"]

    def __str__(self) -> str:
        return self.event_id
