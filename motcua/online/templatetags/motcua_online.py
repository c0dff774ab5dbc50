"""``{% load motcua_online %}{% dossier_online dossier %}``: what the citizen chose when submitting online, for
the staff dossier page (nothing for a dossier not submitted through motcua's online pages)."""

from __future__ import annotations

from typing import Any

from django import template

from motcua.catalogue.selectors import unit_calendar
from motcua.online.models import Delivery, OnlineSubmission
from motcua.payments.selectors import fees_summary

register = template.Library()


@register.inclusion_tag("online/_dossier.html")
def dossier_online(dossier: Any) -> dict[str, Any]:
    submission = OnlineSubmission.objects.filter(dossier_id=dossier.pk).first()
    if submission is None:
        return {"s": None}
    zone = unit_calendar(dossier.receiving_unit).zone
    return {
        "s": submission,
        "dossier": dossier,
        "submitted_at": submission.submitted_at.astimezone(zone),
        "downloaded_at": submission.result_downloaded_at.astimezone(zone)
        if submission.result_downloaded_at
        else None,
        "postal": submission.delivery == Delivery.POSTAL,
        "held": fees_summary(dossier).held,
    }
