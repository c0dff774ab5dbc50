"""What the report commands (`report`, `scoreboard`) share: reading --unit and the period."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import CommandError

from motcua.catalogue.models import Unit
from motcua.reports.periodic import period_preset

__all__ = ["option_date", "unit_and_period"]


def option_date(option: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{option}: {value!r} is not a date YYYY-MM-DD") from exc


def unit_and_period(options: dict[str, Any]) -> tuple[Unit, date, date]:
    """The unit of ``--unit`` and the period of ``--period`` or ``--from``/``--to`` (one error line each)."""
    unit = Unit.objects.filter(code=options["unit"]).first()
    if unit is None:
        raise CommandError(f"--unit: {options['unit']!r} is not a known unit code")
    if options.get("period"):
        if options.get("date_from") or options.get("date_to"):
            raise CommandError("--period: give either --period or --from/--to, not both")
        return unit, *period_preset(options["period"])
    if not options.get("date_from") or not options.get("date_to"):
        raise CommandError("--from and --to are required (or --period)")
    return unit, option_date("--from", options["date_from"]), option_date("--to", options["date_to"])
