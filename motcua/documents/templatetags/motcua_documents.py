"""``{% load motcua_documents %}{% dossier_documents dossier %}``: the components section for the dossier page."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("documents/_components.html", takes_context=True)
def dossier_documents(context: template.Context, dossier: Any) -> dict[str, Any]:
    from motcua.documents.views import components_context

    request = context["request"]
    return {
        **components_context(request, dossier),
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
