"""``{% load motcua_signing %}{% dossier_signatures dossier %}``: the signatures section of the staff dossier page
(signed e-copies of the result and signed slips, the upload-and-sign form, "Kiểm tra chữ ký")."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("signing/_dossier.html", takes_context=True)
def dossier_signatures(context: template.Context, dossier: Any) -> dict[str, Any]:
    from motcua.signing.views import section_context

    return {**section_context(context["request"], dossier), "csrf_token": context.get("csrf_token")}
