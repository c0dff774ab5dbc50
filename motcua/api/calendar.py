"""``/calendar/due``: the due-date calculator, the same computation as ``motcua calendar due`` (rules §2.1)."""

from __future__ import annotations

import re
from datetime import datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field, field_validator

from motcua.api.errors import ProblemOut
from motcua.api.schemas import ChannelLiteral
from motcua.catalogue.models import Unit
from motcua.catalogue.selectors import unit_calendar
from motcua.core.errors import FieldError
from motcua.domain.deadlines import DeadlineError, TimeLimit, TimeUnit, compute_due

__all__ = ["router"]

router = Router(tags=["calendar"])

# DeadlineError names the core's argument; the caller knows the query parameter.
_PARAMETER = {"value": "value", "unit": "time_unit", "same_day_cutoff": "cutoff", "received_at": "start"}


class DueQuery(Schema):
    unit: str = Field(min_length=1, max_length=40, description="unit code (agency identifier)")
    start: datetime = Field(description="acceptance instant, ISO 8601; without an offset: the unit's local time "
                                        "(write `+` as `%2B` in a URL)")
    value: Decimal = Field(ge=0, max_digits=8, decimal_places=2, description="amount of time, may be fractional")
    time_unit: TimeUnit
    channel: ChannelLiteral = Field("direct", description="accepted for symmetry with the CLI; a procedure's "
                                                          "online time limit is chosen by the caller")
    cutoff: time = Field(time(15, 0), description="same-day cutoff, HH:MM (local)")

    @field_validator("start", mode="before")
    @classmethod
    def _plus_sent_as_space(cls, value: object) -> object:
        # "2026-03-09T09:00+07:00" in a URL without encoding arrives as "2026-03-09T09:00 07:00"
        if isinstance(value, str) and re.search(r"T\d{2}:\d{2}(:\d{2}(\.\d+)?)? \d{2}:?\d{2}$", value):
            head, _sep, offset = value.rpartition(" ")
            return f"{head}+{offset}"
        return value


class TimeLimitOut(Schema):
    value: str
    unit: TimeUnit


class DueOut(Schema):
    unit: str
    start: datetime
    time_limit: TimeLimitOut
    due: datetime = Field(description="the due instant, ISO 8601 in the unit's time zone")
    calendar_version: str = Field(description="hash of the holidays and overrides used (rules §2)")


@router.get("/calendar/due", response={200: DueOut, 401: ProblemOut, 422: ProblemOut},
            operation_id="calendar_due", summary="Compute a due date (rules §2.1)")
def calendar_due(request: HttpRequest, query: Query[DueQuery]) -> dict[str, object]:
    unit = Unit.objects.filter(code=query.unit).first()
    if unit is None:
        raise FieldError("unit", query.unit, "is not a known unit code")
    zone = ZoneInfo(unit.timezone)
    start = query.start if query.start.tzinfo is not None else query.start.replace(tzinfo=zone)
    calendar = unit_calendar(unit)
    try:
        limit = TimeLimit.parse(query.value, query.time_unit)
        due = compute_due(calendar=calendar, received_at=start, limit=limit, same_day_cutoff=query.cutoff)
    except DeadlineError as exc:
        field = _PARAMETER.get(exc.field or "", exc.field or "value")
        raise FieldError(field, exc.value, str(exc)) from exc
    return {"unit": unit.code, "start": start.astimezone(zone), "time_limit": limit.as_dict(),
            "due": due.astimezone(zone), "calendar_version": calendar.version}
