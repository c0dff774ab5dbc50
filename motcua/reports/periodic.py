"""The periodic report (rules §4, Biểu 06 of Circular 01/2020/TT-VPCP) as aggregate queries over stored facts.

One aggregate query, over the facts that can count in the period, gives every figure per sector (summed for
the totals): received, resolved, not accepted, the inspection figures, and the timeliness of the dossiers
still in process at the end of the period from the due in force on that date
(:class:`~motcua.reports.models.DueChange`, looked up once per such dossier). Nothing replays events.
"""

from __future__ import annotations

import calendar as _calendar
from collections.abc import Mapping
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from motcua.catalogue.models import Sector, Unit
from motcua.core.errors import FieldError
from motcua.reports.facts import FORMULA_VERSION
from motcua.reports.models import ClosedPeriod, DossierFact, DueChange

__all__ = ["RETURN_REASONS", "fact_scope", "period_preset", "periodic_report", "rate", "ratio"]

RETURN_REASONS = ("supplement_not_provided", "cannot_submit", "other_procedure_required")


def rate(numerator: int, denominator: int) -> float:
    """A percentage rounded half-up to 2 decimals; 0.0 when the denominator is 0 (276/332 → 83.13)."""
    if not denominator:
        return 0.0
    value = (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return float(value)


def ratio(numerator: int, denominator: int) -> dict[str, Any]:
    return {"numerator": numerator, "denominator": denominator, "rate": rate(numerator, denominator)}


def period_preset(name: str) -> tuple[date, date]:
    """Named periods: ``2025-Q3`` (calendar quarter), ``2025-Q3-15`` (15th of the month before the quarter to
    the 14th of its last month, the Decree 09/2019 reporting convention), ``2025-09`` (a month), ``2025``."""
    parts = name.split("-")
    try:
        year = int(parts[0])
        if len(parts) == 1:
            return date(year, 1, 1), date(year, 12, 31)
        if parts[1].upper().startswith("Q"):
            q = int(parts[1][1:])
            if not 1 <= q <= 4:
                raise ValueError(q)
            first, last = 3 * q - 2, 3 * q
            if len(parts) == 3 and parts[2] == "15":
                start = date(year - 1, 12, 15) if first == 1 else date(year, first - 1, 15)
                return start, date(year, last, 14)
            if len(parts) == 2:
                return date(year, first, 1), date(year, last, _calendar.monthrange(year, last)[1])
        elif len(parts) == 2:
            month = int(parts[1])
            return date(year, month, 1), date(year, month, _calendar.monthrange(year, month)[1])
    except ValueError:
        pass
    raise FieldError("period", name, "must be YYYY, YYYY-MM, YYYY-Qn or YYYY-Qn-15")


def fact_scope(unit: Unit) -> Q:
    """A commune's report counts the dossiers that count for it; a province's, those of all its communes
    (each dossier has exactly one reporting unit, so each is counted once)."""
    if unit.kind == Unit.Kind.PROVINCE:
        return Q(province_id=unit.pk)
    return Q(report_unit_id=unit.pk)


def _group_counts(date_from: date, date_to: date) -> dict[str, Any]:
    """Every figure of the report as a ``Count(filter=...)`` aggregate of one query (grouped by the caller).

    A cancelled record is void: it counts as cancelled and in no other figure. The in-process split reads the
    queryset's ``due_then`` annotation (the due in force on ``date_to``) once, and for the dossiers open then
    only: ``p_overdue`` counts a past due; the rest of ``p_open`` is within due (a dossier with no due too).
    """
    live = Q(cancelled_on__isnull=True)
    accepted = live & Q(accepted_on__gte=date_from, accepted_on__lte=date_to)
    ended = live & Q(ended_on__gte=date_from, ended_on__lte=date_to)
    returned = live & Q(not_accepted="returned", not_accepted_on__gte=date_from, not_accepted_on__lte=date_to)
    open_at_end = live & Q(accepted_on__lte=date_to) & (Q(ended_on__isnull=True) | Q(ended_on__gt=date_to))
    counts: dict[str, Any] = {
        "r_online": Count("pk", filter=accepted & Q(channel="online")),
        "r_direct": Count("pk", filter=accepted & Q(channel="direct")),
        "r_postal": Count("pk", filter=accepted & Q(channel="postal")),
        "r_carried": Count("pk", filter=live & Q(accepted_on__lt=date_from)
                           & (Q(ended_on__isnull=True) | Q(ended_on__gte=date_from))),
        "e_before": Count("pk", filter=ended & Q(timeliness="before_due")),
        "e_on_time": Count("pk", filter=ended & Q(timeliness="on_time")),
        "e_overdue": Count("pk", filter=ended & Q(timeliness="overdue")),
        "e_result": Count("pk", filter=ended & Q(end_state="resolved")),
        "e_no_result": Count("pk", filter=ended & Q(end_state="stopped")),
        "n_refused": Count("pk", filter=live & Q(not_accepted="refused", not_accepted_on__gte=date_from,
                                                 not_accepted_on__lte=date_to)),
        "n_returned": Count("pk", filter=returned),
        "n_cancelled": Count("pk", filter=Q(cancelled_on__gte=date_from, cancelled_on__lte=date_to)),
        "d_components": Count("pk", filter=accepted & Q(components_digitized=True)),
        "d_results": Count("pk", filter=ended & Q(end_state="resolved", has_result=True, result_e_copy=True)),
        "d_both": Count("pk", filter=ended & Q(end_state="resolved", has_result=True, result_e_copy=True,
                                                components_digitized=True)),
        "x_postal": Count("pk", filter=accepted & Q(postal=True)),
        "x_fee_required": Count("pk", filter=accepted & Q(fee_required=True)),
        "x_paid_online": Count("pk", filter=accepted & Q(fee_required=True, paid_online=True)),
        "x_bi": Count("pk", filter=accepted & Q(boundary_independent=True)),
        "x_synced": Count("pk", filter=accepted & Q(synced=True)),
        "x_results_missing": Count("pk", filter=ended & Q(end_state="resolved", has_result=False)),
        "p_open": Count("pk", filter=open_at_end),
        "p_overdue": Count("pk", filter=open_at_end & Q(due_then__lt=date_to)),  # the only due lookup
    }
    for reason in RETURN_REASONS:
        counts[f"ret_{reason}"] = Count("pk", filter=returned & Q(return_reason=reason))
    return counts


def _relevant(date_from: date, date_to: date) -> Q:
    """The facts that can count in some figure of [``date_from``, ``date_to``]: accepted by its end and not
    ended before its start, or ended, refused, returned or cancelled in it. The others (most of a large
    database: everything accepted later or ended earlier) are filtered out before any aggregate is computed."""
    return (
        (Q(accepted_on__lte=date_to) & (Q(ended_on__isnull=True) | Q(ended_on__gte=date_from)))
        | Q(ended_on__gte=date_from, ended_on__lte=date_to)
        | Q(not_accepted_on__gte=date_from, not_accepted_on__lte=date_to)
        | Q(cancelled_on__gte=date_from, cancelled_on__lte=date_to)
    )


def _due_then(date_to: date) -> Subquery:
    """The statutory due in force on ``date_to`` (rules §2.3, §4): the latest :class:`DueChange` in effect."""
    return Subquery(DueChange.objects.filter(dossier_id=OuterRef("dossier_id"), effective_on__lte=date_to)
                    .order_by("-effective_at", "-id").values("due_on")[:1])


def _groups(c: Mapping[str, int], within: int, overdue: int) -> dict[str, Any]:
    received_total = c["r_online"] + c["r_direct"] + c["r_postal"] + c["r_carried"]
    resolved_total = c["e_before"] + c["e_on_time"] + c["e_overdue"]
    return {
        "received": {"online": c["r_online"], "direct": c["r_direct"], "postal": c["r_postal"],
                     "carried_over": c["r_carried"], "total": received_total},
        "resolved": {"before_due": c["e_before"], "on_time": c["e_on_time"], "overdue": c["e_overdue"],
                     "with_result": c["e_result"], "without_result": c["e_no_result"], "total": resolved_total},
        "in_process": {"within_due": within, "overdue": overdue, "total": received_total - resolved_total},
        "not_accepted": {"refused": c["n_refused"], "returned": c["n_returned"],
                         "returned_by_reason": {r: c[f"ret_{r}"] for r in RETURN_REASONS},
                         "cancelled": c["n_cancelled"]},
    }


def periodic_report(*, unit: Unit, date_from: date, date_to: date) -> dict[str, Any]:
    """The periodic report of ``unit`` for [``date_from``, ``date_to``] in the shape of interfaces §4."""
    if date_from > date_to:
        raise FieldError("from", date_from.isoformat(), f"must not be after to ({date_to.isoformat()})")
    # One query: every figure per sector, over the facts that can count in the period (see _relevant).
    counts = _group_counts(date_from, date_to)
    rows = (DossierFact.objects.filter(fact_scope(unit)).filter(_relevant(date_from, date_to))
            .annotate(due_then=_due_then(date_to)).values("sector_id").annotate(**counts))
    per_sector = {row.pop("sector_id"): row for row in rows}
    sectors = {pk: (code, name) for pk, code, name in
               Sector.objects.filter(pk__in=per_sector).values_list("pk", "code", "name")}
    keys = list(counts)
    total: dict[str, int] = dict.fromkeys(keys, 0)
    by_sector = []
    within_all = overdue_all = 0
    for sector_id in sorted(per_sector, key=lambda pk: sectors[pk][0]):
        c = per_sector[sector_id]
        overdue = c["p_overdue"]
        within = c["p_open"] - overdue
        within_all, overdue_all = within_all + within, overdue_all + overdue
        for key in keys:
            total[key] += c[key]
        groups = _groups(c, within, overdue)
        if any(v for g in groups.values() for v in g.values() if isinstance(v, int)) or c["n_cancelled"]:
            by_sector.append({"sector": sectors[sector_id][0], "name": sectors[sector_id][1], **groups})
    accepted_total = total["r_online"] + total["r_direct"] + total["r_postal"]
    groups = _groups(total, within_all, overdue_all)
    province = unit.parent if unit.parent_id else None
    report: dict[str, Any] = {
        "unit": unit.code, "from": date_from.isoformat(), "to": date_to.isoformat(),
        **groups,
        "digitization": {"components": total["d_components"], "results": total["d_results"],
                         "both": total["d_both"]},
        "postal": total["x_postal"],
        "online_payment": ratio(total["x_paid_online"], total["x_fee_required"]),
        "boundary_independent": ratio(total["x_bi"], accepted_total),
        "portal_sync": ratio(total["x_synced"], accepted_total),
        "results_missing": total["x_results_missing"],
        "by_sector": by_sector,
        "unit_name": unit.name,
        "unit_admin_code": unit.admin_code,
        "province_name": province.name if province else None,
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
        "formula_version": FORMULA_VERSION,
    }
    _apply_closed_periods(report, unit=unit, date_from=date_from, date_to=date_to)
    return report


def _apply_closed_periods(report: dict[str, Any], *, unit: Unit, date_from: date, date_to: date) -> None:
    """Closed periods: the report of a closed period shows later changes as adjustments against its snapshot;
    a period right after a closed one shows how much of its carried-over figure came from that snapshot."""
    closed = ClosedPeriod.objects.filter(unit=unit, date_from=date_from, date_to=date_to).first()
    if closed is not None:
        report["closed"] = {"closed_at": closed.closed_at.isoformat(), "formula_version": closed.formula_version,
                            "closed_by": closed.closed_by.username if closed.closed_by else None,
                            "figures": closed.figures}
        report["adjustments"] = figure_differences(closed.figures, report)
    previous = (ClosedPeriod.objects.filter(unit=unit, date_to=date_from - timedelta(days=1))
                .order_by("-date_from").first())
    if previous is not None:
        snapshot = int(previous.figures["in_process"]["total"])
        report["received"]["carried_over_detail"] = {
            "from_closed_period": snapshot,
            "closed_period": f"{previous.date_from.isoformat()}..{previous.date_to.isoformat()}",
            "adjustments": report["received"]["carried_over"] - snapshot,
        }


FIGURE_PATHS = (
    "received.online", "received.direct", "received.postal", "received.carried_over", "received.total",
    "resolved.before_due", "resolved.on_time", "resolved.overdue", "resolved.with_result",
    "resolved.without_result", "resolved.total", "in_process.within_due", "in_process.overdue",
    "in_process.total", "not_accepted.refused", "not_accepted.returned", "not_accepted.cancelled",
    "digitization.components", "digitization.results", "digitization.both", "postal",
    "online_payment.numerator", "online_payment.denominator", "boundary_independent.numerator",
    "boundary_independent.denominator", "portal_sync.numerator", "portal_sync.denominator", "results_missing",
)


def _get(report: Mapping[str, Any], path: str) -> int:
    value: Any = report
    for part in path.split("."):
        value = value[part]
    return int(value)


def figure_differences(snapshot: Mapping[str, Any], live: Mapping[str, Any]) -> dict[str, int]:
    """``{path: live − snapshot}`` for every figure that changed since the snapshot."""
    return {p: _get(live, p) - _get(snapshot, p) for p in FIGURE_PATHS if _get(live, p) != _get(snapshot, p)}
