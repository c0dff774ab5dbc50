"""Writes of the reports app: closing a period (an immutable snapshot of its report)."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from motcua.accounts.models import User
from motcua.accounts.selectors import roles_in_unit
from motcua.catalogue.models import Unit
from motcua.core.errors import Conflict, FieldError, Forbidden
from motcua.domain.lifecycle import Role
from motcua.reports.facts import FORMULA_VERSION
from motcua.reports.models import ClosedPeriod, DossierFact
from motcua.reports.periodic import fact_scope, periodic_report

__all__ = ["period_close"]


@transaction.atomic
def period_close(*, unit: Unit, date_from: date, date_to: date, actor: User | None, note: str = "") -> ClosedPeriod:
    """Close [date_from, date_to] for ``unit``: store its report's figures, the dossiers behind them, the
    formula version, who closed it and when. The snapshot never changes; later changes to its dossiers show as
    adjustments when the period's report is asked for again, and the next period's carried-over figure
    shows how much of it came from this snapshot."""
    if actor is not None and not (roles_in_unit(actor, unit) & {Role.ADMIN, Role.APPROVER}):
        raise Forbidden("closing a reporting period is for the unit's approvers and admins")
    if date_from > date_to:
        raise FieldError("from", date_from.isoformat(), f"must not be after to ({date_to.isoformat()})")
    if date_to >= timezone.localdate():
        raise FieldError("to", date_to.isoformat(), "a period can be closed only after its last day")
    if ClosedPeriod.objects.filter(unit=unit).filter(date_from__lte=date_to, date_to__gte=date_from).exists():
        raise Conflict(f"{unit.code} already has a closed period overlapping {date_from}..{date_to}",
                       field="period", value=f"{date_from}..{date_to}")
    report = periodic_report(unit=unit, date_from=date_from, date_to=date_to)
    figures = {k: v for k, v in report.items() if k not in ("generated_at", "closed", "adjustments")}
    counted = (DossierFact.objects.filter(fact_scope(unit)).filter(
        Q(accepted_on__lte=date_to) & (Q(ended_on__isnull=True) | Q(ended_on__gte=date_from))
        | Q(not_accepted_on__range=(date_from, date_to)) | Q(cancelled_on__range=(date_from, date_to)))
        .order_by("dossier_id").values_list("dossier_id", flat=True))
    try:
        with transaction.atomic():
            return ClosedPeriod.objects.create(
                unit=unit, date_from=date_from, date_to=date_to, figures=figures,
                inputs={"dossier_ids": list(counted), "formula_version": FORMULA_VERSION},
                formula_version=FORMULA_VERSION, closed_by=actor, closed_at=timezone.now(), note=note)
    except IntegrityError as exc:
        raise Conflict(f"{unit.code} {date_from}..{date_to} is already closed", field="period",
                       value=f"{date_from}..{date_to}") from exc
