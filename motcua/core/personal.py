"""Personal data shown to someone who may not read it: one masking rule for every page, PDF, API answer,
error and log line.

The rule (docs/architecture.md, "Personal data"): an ID or phone number keeps its **last 3 characters**
visible, everything before them is replaced by ``*`` one for one (``004090000123`` → ``*********123``), as
banks and public portals print them. A value of 3 characters or fewer is hidden entirely: it is no real
number, and showing it whole would show it all.
"""

from __future__ import annotations

import re

__all__ = ["MASK_VISIBLE", "mask_contact", "mask_number"]

MASK_VISIBLE = 3
"""Characters left visible at the end of a masked ID or phone number."""


def mask_number(value: str | None) -> str:
    """``004090000123`` → ``*********123``; ``0912345678`` → ``*******678``; ``"12"`` → ``"**"``; empty → ``""``."""
    if not value:
        return ""
    if len(value) <= MASK_VISIBLE:
        return "*" * len(value)
    return "*" * (len(value) - MASK_VISIBLE) + value[-MASK_VISIBLE:]


def mask_contact(value: str | None) -> str:
    """A phone number or an e-mail address as a list shows it: ``0912 345 678`` → ``*******678`` (the digits,
    by :func:`mask_number`), ``nong.van.a@example.vn`` → ``n***@example.vn``."""
    value = (value or "").strip()
    if not value:
        return ""
    if "@" in value:
        local, _, domain = value.partition("@")
        return f"{local[:1]}***@{domain}" if domain else "***"
    return mask_number(re.sub(r"\D", "", value) or value)
