"""Template helpers of the staff pages: ``{% load motcua_web %}``.

- ``{% optional_url "printed_forms:receipt" dossier_id=d.pk as url %}``: the URL, or "" when the name does
  not exist (yet): pages link to other engineers' pages only once those are installed.
- ``{% user_has_role user "desk_officer" as is_desk %}``
- ``{% query page=2 %}``: the current query string with some parameters replaced.
- filters: ``state_label``, ``action_label``, ``channel_label``, ``role_label``, ``timeliness_label``,
  ``return_reason_label``, ``stop_reason_label``, ``delivery_label``, ``payment_method_label``,
  ``state_tone``, ``local_dt:tz``, ``local_d:tz``, ``money``, ``mask``, ``translated``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext

from motcua.domain.lifecycle import Role
from motcua.web import labels as L
from motcua.web import present
from motcua.web.choices import units_with_role

register = template.Library()


@register.simple_tag
def optional_url(name: str, *args: Any, **kwargs: Any) -> str:
    """``reverse(name, kwargs=…)`` (or with positional ``args``), or "" when the URL name is not installed."""
    try:
        return reverse(name, args=args or None, kwargs=kwargs or None)
    except NoReverseMatch:
        if kwargs and not args:
            try:
                return reverse(name, args=list(kwargs.values()))
            except NoReverseMatch:
                return ""
        return ""


@register.simple_tag
def user_has_role(user: Any, role: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(units_with_role(user, Role(role)))


@register.simple_tag(takes_context=True)
def query(context: template.Context, **changes: Any) -> str:
    """``?…`` with ``changes`` applied to the request's query string (``None``/"" removes a parameter)."""
    request = context.get("request")
    params = request.GET.copy() if request is not None else None
    if params is None:
        from django.http import QueryDict

        params = QueryDict(mutable=True)
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = str(value)
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


def _labeller(labels: L.Labels) -> Any:
    def apply(code: object) -> str:
        return L.label(labels, code)

    return apply


for _name, _labels in {
    "state_label": L.STATE_LABELS,
    "action_label": L.ACTION_LABELS,
    "channel_label": L.CHANNEL_LABELS,
    "role_label": L.ROLE_LABELS,
    "timeliness_label": L.TIMELINESS_LABELS,
    "return_reason_label": L.RETURN_REASON_LABELS,
    "stop_reason_label": L.STOP_REASON_LABELS,
    "delivery_label": L.DELIVERY_LABELS,
    "payment_method_label": L.PAYMENT_METHOD_LABELS,
    "flag_label": L.FLAG_LABELS,
}.items():
    register.filter(_name, _labeller(_labels))


@register.filter
def state_tone(state: str) -> str:
    return present.state_tone(state)


@register.filter
def local_dt(value: datetime | str | None, tz: str = "Asia/Ho_Chi_Minh") -> str:
    return present.local_datetime(value, tz)


@register.filter
def local_d(value: datetime | date | str | None, tz: str = "Asia/Ho_Chi_Minh") -> str:
    return present.local_date(value, tz)


@register.filter
def money(value: Decimal | int | None) -> str:
    return present.money(value)


@register.filter
def mask(value: str | None) -> str:
    return present.mask(value)


@register.filter
def translated(value: object) -> str:
    """``{{ index.two|translated }}``: a msgid held in a variable (a ``gettext_noop`` text of the pure core) in
    the current language. ``{% translate var %}`` would look it up with its ``%`` signs doubled, which only
    matches msgids taken from templates."""
    return gettext(str(value)) if value else ""
