from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def vnd(value: Decimal | int | None) -> str:
    """``15000`` → ``15.000 ₫`` (Vietnamese thousands separator)."""
    if value is None or value == "":
        return "—"
    return f"{int(value):,}".replace(",", ".") + " ₫"
