"""Stored dossier facts: what the reports aggregate (rules §4), kept in step with the events.

Every figure of every report is an aggregate query over :class:`DossierFact` (one row per dossier) and, for the
timeliness of dossiers still open at the end of a period, :class:`DueChange` (the statutory due in force
from each instant). The services write both in the same transaction as the dossier's event; ``motcua facts
verify`` recomputes them from the events and reports any difference.

Dates are the *local* dates of the reporting unit (rules: "Date always means the local calendar date").
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DossierFact(models.Model):
    dossier = models.OneToOneField(
        "dossiers.Dossier", primary_key=True, on_delete=models.CASCADE, related_name="fact"
    )
    report_unit = models.ForeignKey(
        "catalogue.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The unit the dossier counts for (rules §4)"),
    )
    province = models.ForeignKey("catalogue.Unit", on_delete=models.PROTECT, related_name="+")
    receiving_unit = models.ForeignKey("catalogue.Unit", on_delete=models.PROTECT, related_name="+")
    sector = models.ForeignKey("catalogue.Sector", on_delete=models.PROTECT, related_name="+")
    procedure = models.ForeignKey("catalogue.Procedure", on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=10)

    accepted_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    end_state = models.CharField(max_length=12, blank=True, help_text=_("resolved | stopped"))
    timeliness = models.CharField(max_length=12, blank=True, help_text=_("before_due | on_time | overdue"))
    due_on = models.DateField(null=True, blank=True, help_text=_("Current statutory due date"))
    not_accepted = models.CharField(max_length=10, blank=True, help_text=_("refused | returned"))
    not_accepted_on = models.DateField(null=True, blank=True)
    return_reason = models.CharField(max_length=40, blank=True)
    cancelled_on = models.DateField(null=True, blank=True)

    components_digitized = models.BooleanField(
        default=False, help_text=_("Every submitted component digitized (≥ 1)")
    )
    has_result = models.BooleanField(default=False)
    result_e_copy = models.BooleanField(default=False)
    postal = models.BooleanField(default=False, help_text=_("Lodged by post or result sent by post"))
    fee_required = models.BooleanField(default=False, help_text=_("Fees > 0 and not exempt"))
    paid_online = models.BooleanField(default=False)
    boundary_independent = models.BooleanField(default=False)
    synced = models.BooleanField(default=False)
    supplement_requests = models.PositiveSmallIntegerField(default=0)
    components_reused = models.BooleanField(default=False, help_text=_("At least one component reused"))
    online_level = models.CharField(max_length=10, blank=True, help_text=_("The procedure's online level"))
    requires_e_result = models.BooleanField(default=False)
    resolution_seconds = models.BigIntegerField(
        null=True, blank=True, help_text=_("From acceptance to end, for average lead times")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("số liệu hồ sơ")
        verbose_name_plural = _("số liệu hồ sơ")
        indexes = [
            models.Index(fields=["report_unit", "accepted_on"], name="fact_unit_accepted"),
            models.Index(fields=["report_unit", "ended_on"], name="fact_unit_ended"),
            models.Index(fields=["province", "accepted_on"], name="fact_province_accepted"),
            models.Index(fields=["province", "ended_on"], name="fact_province_ended"),
            models.Index(fields=["report_unit", "not_accepted_on"], name="fact_unit_not_accepted"),
            models.Index(fields=["report_unit", "cancelled_on"], name="fact_unit_cancelled"),
        ]

    def __str__(self) -> str:
        return f"fact {self.dossier_id}"


class DueChange(models.Model):
    """The statutory due in force from ``effective_at`` (acceptance, supplement restart, pause, recompute)."""

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="due_changes")
    effective_at = models.DateTimeField()
    effective_on = models.DateField()
    due_on = models.DateField()

    class Meta:
        ordering = ["dossier", "effective_at", "id"]
        indexes = [models.Index(fields=["dossier", "effective_on"], name="due_change_dossier_on")]

    def __str__(self) -> str:
        return f"{self.dossier_id} due {self.due_on} from {self.effective_on}"


class ClosedPeriod(models.Model):
    """An immutable snapshot of a unit's periodic report for a closed period (issue: closed periods)."""

    unit = models.ForeignKey("catalogue.Unit", on_delete=models.PROTECT, related_name="closed_periods")
    date_from = models.DateField()
    date_to = models.DateField()
    figures = models.JSONField()
    inputs = models.JSONField(default=dict, help_text=_("Dossier ids and their fact fingerprint"))
    formula_version = models.CharField(max_length=20)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["unit", "-date_to"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "date_from", "date_to"], name="closed_period_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.date_from}..{self.date_to}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("a closed period is immutable")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


from motcua.reports.indicator_models import *  # noqa: F403,E402
