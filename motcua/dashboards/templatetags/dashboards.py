"""``{% load dashboards %}``: ``value|num``, ``value|num:2``, ``value|pct``, ``text|is_link``,
``day|vn_day``."""

from __future__ import annotations

from datetime import date

from django import template

from motcua.dashboards import formatting

register = template.Library()


@register.filter
def num(value: float | int | None, decimals: int = 0) -> str:
    return formatting.number(value, int(decimals))


@register.filter
def pct(value: float | int | None, decimals: int = 2) -> str:
    return formatting.percent(value, int(decimals))


@register.filter
def is_link(reference: str | None) -> bool:
    """A reference that can be a link: only ``http(s)://`` addresses (never ``javascript:`` and the like)."""
    text = (reference or "").strip().lower()
    return text.startswith(("https://", "http://"))


@register.filter
def vn_day(value: date | str | None) -> str:
    """A date as ``dd/mm/yyyy`` (an ISO string is read first); empty → ``—``."""
    if not value:
        return "—"
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    return value.strftime("%d/%m/%Y")
