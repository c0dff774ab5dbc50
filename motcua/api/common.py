"""Pieces every router uses: JSON rendering, pagination, local times, references."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Model, QuerySet
from ninja import Schema
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from pydantic import BaseModel, Field

__all__ = [
    "JSONEncoder",
    "PageOut",
    "PageQuery",
    "RefOut",
    "Renderer",
    "json_body",
    "local",
    "number",
    "page",
]

class JSONEncoder(NinjaJSONEncoder):
    """Instants in full ISO 8601 with their offset (``2026-03-09T09:00:00+07:00``); whole VND as numbers."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime):
            return o.isoformat()
        if isinstance(o, Decimal):
            return int(o) if o == o.to_integral_value() else str(o)
        return super().default(o)


class Renderer(JSONRenderer):
    encoder_class = JSONEncoder
    json_dumps_params = {"ensure_ascii": False}


def json_body(schema: type[BaseModel], data: Any) -> Any:
    """``data`` validated by ``schema`` and turned into plain JSON values, exactly as the API renders it."""
    return json.loads(json.dumps(schema.model_validate(data).model_dump(), cls=JSONEncoder))


def local(value: datetime | None, tz: str) -> datetime | None:
    """An instant shown in the unit's time zone."""
    return value.astimezone(ZoneInfo(tz)) if value is not None else None


def number(value: Decimal | int | float) -> int | float:
    """A catalogue number: ``3`` for 3.00, ``0.5`` for 0.50."""
    value = Decimal(str(value))
    return int(value) if value == value.to_integral_value() else float(value)


class RefOut(Schema):
    code: str
    name: str


class PageQuery(Schema):
    limit: int = Field(50, ge=1, le=500, description="page size (1–500)")
    offset: int = Field(0, ge=0, description="items to skip")


class PageOut(Schema):
    count: int = Field(description="items matching the filters, over all pages")
    limit: int
    offset: int


def page[M: Model](qs: QuerySet[M], query: PageQuery) -> tuple[int, list[M]]:
    """The total count and the requested slice of ``qs``."""
    return qs.count(), list(qs[query.offset:query.offset + query.limit])
