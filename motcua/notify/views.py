"""The staff alerts page ``/can-bo/canh-bao/``: the user's overdue and near-due dossiers.

With htmx (or ``?partial=1``) only the lists are answered, so the staff app can embed them.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from motcua.accounts.models import User
from motcua.notify.alerts import staff_alerts


@login_required
@require_GET
def alerts(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    context = {"alerts": staff_alerts(user=user, at=timezone.now())}
    if getattr(request, "htmx", False) or request.GET.get("partial") == "1":
        return render(request, "notify/_alerts.html", context)
    from motcua.web.views import base_context

    return render(request, "notify/alerts.html", {**base_context(request), **context})
