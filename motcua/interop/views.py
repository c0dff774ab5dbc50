"""Staff pages of ``/can-bo/lien-thong/``: requests to other agencies (consultations, interconnected steps) and
boundary-independent dossiers, with the forms to send a consultation and to record an answer.

Every page needs a signed-in user; a dossier or request outside the user's units is a 404, whether it exists or
not. Writes go through :mod:`motcua.interop.services`; their errors are shown in place.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from motcua.core.errors import ApplicationError, NotFound
from motcua.dossiers.selectors import dossier_get
from motcua.interop import selectors, services
from motcua.interop.models import AgencyRequest
from motcua.web.views import base_context, signed_in_user

__all__ = ["answer", "consult", "index"]


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    now = timezone.now()
    open_requests = list(selectors.requests_open(user)[:200])
    context = base_context(request) | {
        "late": [r for r in open_requests if r.due_at and r.due_at < now],
        "pending": [r for r in open_requests if not (r.due_at and r.due_at < now)],
        "hops": list(selectors.hops_visible_to(user)[:200]),
    }
    return render(request, "interop/index.html", context)


def _dossier_page(dossier_id: int) -> str:
    return reverse("web:dossier", args=[dossier_id]) + "#lien-thong"


@login_required
@require_POST
def consult(request: HttpRequest, dossier_id: int) -> HttpResponse:
    user = signed_in_user(request)
    try:
        dossier = dossier_get(user=user, dossier_id=dossier_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    try:
        services.consultation_request(
            dossier_id=dossier.pk,
            actor=user,
            agency=request.POST.get("agency", ""),
            task=request.POST.get("task", ""),
            working_days=request.POST.get("working_days", ""),
            department_code=request.POST.get("department_code") or None,
        )
    except ApplicationError as exc:
        messages.error(request, _("Không gửi được yêu cầu lấy ý kiến: %(error)s") % {"error": exc.message})
    else:
        messages.success(request, _("Đã gửi yêu cầu lấy ý kiến."))
    return redirect(_dossier_page(dossier.pk))


@login_required
@require_POST
def answer(request: HttpRequest, request_id: int) -> HttpResponse:
    user = signed_in_user(request)
    found = AgencyRequest.objects.filter(pk=request_id).values_list("dossier_id", flat=True).first()
    if found is None:
        raise Http404("request")
    try:
        dossier = dossier_get(user=user, dossier_id=found)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    version = request.POST.get("version", "")
    try:
        services.agency_request_answer(
            request_id=request_id,
            actor=user,
            answer=request.POST.get("answer", ""),
            expected_version=int(version) if version.isdigit() else None,
        )
    except ApplicationError as exc:
        messages.error(request, _("Không ghi được ý kiến trả lời: %(error)s") % {"error": exc.message})
    else:
        messages.success(request, _("Đã ghi ý kiến trả lời."))
    return redirect(_dossier_page(dossier.pk))
