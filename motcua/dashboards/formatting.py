"""Numbers and percentages as the reader's language writes them: Vietnamese ``1.008`` and ``83,13 %``,
English ``1,008`` and ``83.13%``. Used by the templates (``{% load dashboards %}``) and the charts."""

from __future__ import annotations

from django.utils.translation import get_language

__all__ = ["number", "percent"]


def _english() -> bool:
    return (get_language() or "vi").startswith("en")


def number(value: float | int | None, decimals: int = 0) -> str:
    """``1008`` → ``1.008`` (vi) or ``1,008`` (en); ``None`` → ``—``."""
    if value is None:
        return "—"
    text = f"{value:,.{decimals}f}"
    if _english():
        return text
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def percent(value: float | int | None, decimals: int = 2) -> str:
    """``83.13`` → ``83,13 %`` (vi) or ``83.13%`` (en); ``None`` → ``—``."""
    if value is None:
        return "—"
    shown = number(value, decimals)
    return f"{shown}%" if _english() else f"{shown} %"
