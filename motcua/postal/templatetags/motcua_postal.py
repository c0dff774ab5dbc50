"""``{% load motcua_postal %}{% dossier_postal dossier %}``: the postal section of the staff dossier page (the
dossier's shipments, masked, and the "result by post" form for a resolved dossier)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("postal/_dossier.html", takes_context=True)
def dossier_postal(context: template.Context, dossier: Any) -> dict[str, Any]:
    from motcua.postal.views import section_context

    return {
        **section_context(context["request"], dossier, return_form=context.get("postal_return_form")),
        "csrf_token": context.get("csrf_token"),
        "messages": context.get("messages"),
        "show_empty": bool(context.get("postal_page")),
    }
