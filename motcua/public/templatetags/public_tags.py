"""Filters of the public pages: ``{{ dt|vn_datetime }}``, ``{{ d|vn_date }}``, ``{{ x|vn_number:2 }}``,
``{{ r|vn_percent }}``, ``{{ a|vnd }}`` (see :mod:`motcua.public.text`)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django import template

from motcua.public import text

register = template.Library()


@register.filter
def vn_datetime(value: datetime | None) -> str:
    return text.vn_datetime(value)


@register.filter
def vn_date(value: date | datetime | None) -> str:
    return text.vn_date(value)


@register.filter
def vn_number(value: float | int | Decimal | None, decimals: int = 0) -> str:
    return text.number(value, int(decimals))


@register.filter
def vn_percent(value: float | Decimal | None) -> str:
    return text.percent(value)


@register.filter
def vnd(value: object) -> str:
    return text.amount_words(value)
