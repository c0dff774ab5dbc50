"""Decision 766 indicators: definition sets (versioned data) and score runs (immutable records).

- :class:`IndicatorSet` and its :class:`IndicatorDefinition` rows are written once, by
  :func:`motcua.reports.indicators.indicator_set_load`; a changed definition is a new set version.
- :class:`ScoreRun` and its :class:`IndicatorScore` rows are written once, by
  :func:`motcua.reports.indicators.scoreboard_compute`; re-evaluating a period creates a new run.

Rows of all four refuse a second ``save()`` and definitions in use cannot be deleted (``PROTECT``), so a
published score can always be shown exactly as it was computed, with the definitions it used.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["IndicatorDefinition", "IndicatorScore", "IndicatorSet", "ScoreRun"]


class _WriteOnce(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError(f"a {type(self).__name__} is immutable: create a new one instead")
        super().save(*args, **kwargs)


class IndicatorSet(_WriteOnce):
    """One version of the Decision 766 indicator definitions (rules §5)."""

    version = models.CharField(max_length=40, unique=True)
    effective_from = models.DateField(help_text=_("Used for periods ending on or after this date"))
    source = models.TextField(blank=True)
    groups = models.JSONField(default=list, help_text=_("[{code, name, name_en, points}] in display order"))
    content_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-effective_from", "-created_at"]
        verbose_name = _("bộ chỉ số 766")
        verbose_name_plural = _("bộ chỉ số 766")

    def __str__(self) -> str:
        return self.version


class IndicatorDefinition(_WriteOnce):
    """An indicator of a set: its group, points, the rate giving full marks and the formula producing it."""

    indicator_set = models.ForeignKey(IndicatorSet, on_delete=models.PROTECT, related_name="definitions")
    position = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=10)
    group = models.CharField(max_length=10)
    name = models.CharField(max_length=300)
    name_en = models.CharField(max_length=300, blank=True)
    points = models.DecimalField(max_digits=6, decimal_places=2)
    threshold = models.DecimalField(
        max_digits=6, decimal_places=2, null=True, blank=True, help_text=_("Rate (%) giving full marks")
    )
    measure = models.CharField(max_length=10, default="percent", help_text=_("percent | mean"))
    formula = models.CharField(max_length=60)
    confidence = models.CharField(max_length=2, blank=True, help_text=_("V | S | K | U (domain research)"))
    source = models.TextField(blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["indicator_set", "position"]
        verbose_name = _("chỉ số 766")
        verbose_name_plural = _("chỉ số 766")
        constraints = [
            models.UniqueConstraint(fields=["indicator_set", "code"], name="indicator_code_unique_in_set"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ScoreRun(_WriteOnce):
    """The scoreboard of a unit for a period, as computed once: the inputs, the set used, the scores."""

    unit = models.ForeignKey("catalogue.Unit", on_delete=models.PROTECT, related_name="score_runs")
    date_from = models.DateField()
    date_to = models.DateField()
    indicator_set = models.ForeignKey(IndicatorSet, on_delete=models.PROTECT, related_name="runs")
    computed_at = models.DateTimeField()
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    inputs = models.JSONField(default=dict, help_text=_("Numerators and denominators per formula, versions"))
    total = models.DecimalField(max_digits=6, decimal_places=2)
    max_available = models.DecimalField(max_digits=6, decimal_places=2)
    max_possible = models.DecimalField(max_digits=6, decimal_places=2)

    class Meta:
        ordering = ["-computed_at", "-id"]
        verbose_name = _("lần chấm điểm 766")
        verbose_name_plural = _("lần chấm điểm 766")
        indexes = [models.Index(fields=["unit", "date_from", "date_to"], name="score_run_unit_period")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.date_from}..{self.date_to} ({self.indicator_set_id})"


class IndicatorScore(_WriteOnce):
    class Status(models.TextChoices):
        COMPUTED = "computed", _("Đã tính")
        NO_DATA = "no_data", _("Chưa có dữ liệu")
        NOT_APPLICABLE = "not_applicable", _("Không áp dụng")

    run = models.ForeignKey(ScoreRun, on_delete=models.CASCADE, related_name="scores")
    definition = models.ForeignKey(IndicatorDefinition, on_delete=models.PROTECT, related_name="scores")
    numerator = models.DecimalField(max_digits=20, decimal_places=2, null=True, blank=True)
    denominator = models.PositiveIntegerField(null=True, blank=True)
    rate = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["run", "definition__position"]
        constraints = [
            models.UniqueConstraint(fields=["run", "definition"], name="indicator_score_unique_in_run"),
        ]

    def __str__(self) -> str:
        return f"run {self.run_id} {self.definition_id}: {self.score}"
