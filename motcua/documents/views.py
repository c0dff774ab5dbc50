"""Staff pages of ``/can-bo/so-hoa/``: a dossier's components with their files (scan, reuse, personal data
store), the result's e-copy, downloads, and the digitization figures of a unit.

The components section is the partial ``documents/_components.html``, meant to be included in the dossier page
(context from :func:`components_context`). Every form is a plain POST that redirects back (works without
JavaScript); with htmx (``hx-target="#documents"``) the answer is the refreshed partial. A dossier or file
outside the user's units is a 404. Writes go through :mod:`motcua.documents.services` only.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from motcua.accounts.selectors import units_visible_to
from motcua.core.errors import ApplicationError, NotFound
from motcua.documents import selectors, services
from motcua.documents.files import document_storage
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import dossier_personal_data_visible
from motcua.web.views import dossier_or_404, signed_in_user

__all__ = [
    "component_pds",
    "component_reuse",
    "component_scan",
    "components",
    "components_context",
    "digitization",
    "download",
    "result_upload",
]


def components_context(request: HttpRequest, dossier: Dossier) -> dict[str, Any]:
    """What ``documents/_components.html`` shows for ``dossier``."""
    user = signed_in_user(request)
    links = selectors.component_links(dossier=dossier)
    can_edit = dossier.closed_at is None and dossier_personal_data_visible(dossier=dossier, user=user)
    rows = [{"component": c, "links": links.get(c.pk, [])} for c in dossier.components.all()]
    result = getattr(dossier, "result", None) if hasattr(dossier, "result") else None
    return {
        "dossier": dossier,
        "component_rows": rows,
        "can_edit": can_edit,
        "candidates": selectors.reuse_candidates(dossier=dossier) if can_edit else [],
        "pds_documents": selectors.personal_store_documents(dossier=dossier) if can_edit else [],
        "doc_result": result,
        "result_links": selectors.result_links(dossier=dossier) if result else [],
        "can_attach_result": result is not None and dossier_personal_data_visible(dossier=dossier, user=user),
    }


def _answer(request: HttpRequest, dossier: Dossier, status: int = 200) -> HttpResponse:
    if getattr(request, "htmx", False):
        dossier = dossier_or_404(signed_in_user(request), dossier.pk)
        return render(
            request, "documents/_components.html", components_context(request, dossier), status=status
        )
    return redirect(reverse("documents:components", args=[dossier.pk]))


def _failed(request: HttpRequest, dossier: Dossier, exc: ApplicationError) -> HttpResponse:
    messages.error(request, _("Không thực hiện được: %(detail)s") % {"detail": exc.message})
    if isinstance(exc, NotFound):
        raise Http404(exc.message) from exc
    return _answer(request, dossier, status=exc.status)


@login_required
@require_GET
def components(request: HttpRequest, dossier_id: int) -> HttpResponse:
    """The components section alone (htmx) or as a page (without JavaScript)."""
    dossier = dossier_or_404(signed_in_user(request), dossier_id)
    context = components_context(request, dossier)
    if getattr(request, "htmx", False):
        return render(request, "documents/_components.html", context)
    return render(request, "documents/components_page.html", context)


@login_required
@require_POST
def component_scan(request: HttpRequest, dossier_id: int, component_id: int) -> HttpResponse:
    user = signed_in_user(request)
    dossier = dossier_or_404(user, dossier_id)
    if not dossier.components.filter(pk=component_id).exists():
        raise Http404(component_id)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Vui lòng chọn tệp bản quét (PDF, JPEG, PNG hoặc TIFF)."))
        return _answer(request, dossier, status=422)
    try:
        services.component_digitize(
            component_id=component_id, actor=user, name=upload.name or "", stream=upload
        )
    except ApplicationError as exc:
        return _failed(request, dossier, exc)
    messages.success(request, _("Đã đính kèm bản quét."))
    return _answer(request, dossier)


@login_required
@require_POST
def component_reuse(request: HttpRequest, dossier_id: int, component_id: int) -> HttpResponse:
    user = signed_in_user(request)
    dossier = dossier_or_404(user, dossier_id)
    if not dossier.components.filter(pk=component_id).exists():
        raise Http404(component_id)
    try:
        link_id = int(request.POST.get("link", ""))
    except ValueError:
        messages.error(request, _("Vui lòng chọn tài liệu để tái sử dụng."))
        return _answer(request, dossier, status=422)
    try:
        services.component_reuse(component_id=component_id, actor=user, link_id=link_id)
    except ApplicationError as exc:
        return _failed(request, dossier, exc)
    messages.success(request, _("Đã tái sử dụng tài liệu từ hồ sơ trước."))
    return _answer(request, dossier)


@login_required
@require_POST
def component_pds(request: HttpRequest, dossier_id: int, component_id: int) -> HttpResponse:
    user = signed_in_user(request)
    dossier = dossier_or_404(user, dossier_id)
    if not dossier.components.filter(pk=component_id).exists():
        raise Http404(component_id)
    try:
        services.component_take_from_personal_store(
            component_id=component_id, actor=user, ref=request.POST.get("ref", "")
        )
    except ApplicationError as exc:
        return _failed(request, dossier, exc)
    messages.success(request, _("Đã lấy tài liệu từ kho dữ liệu cá nhân."))
    return _answer(request, dossier)


@login_required
@require_POST
def result_upload(request: HttpRequest, dossier_id: int) -> HttpResponse:
    user = signed_in_user(request)
    dossier = dossier_or_404(user, dossier_id)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Vui lòng chọn tệp bản điện tử của kết quả."))
        return _answer(request, dossier, status=422)
    try:
        services.result_attach(
            dossier_id=dossier.pk,
            actor=user,
            result_code=request.POST.get("result_code", ""),
            name=upload.name or "",
            stream=upload,
        )
    except ApplicationError as exc:
        return _failed(request, dossier, exc)
    messages.success(request, _("Đã đính kèm bản điện tử của kết quả."))
    return _answer(request, dossier)


@login_required
@require_GET
def download(request: HttpRequest, document_id: int) -> FileResponse:
    """A stored file, with its real content type, for staff who may see a dossier it belongs to; 404 otherwise."""
    try:
        document = selectors.document_get_for_download(user=signed_in_user(request), document_id=document_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    handle = document_storage().open(document.storage_name, "rb")
    return FileResponse(
        handle,
        content_type=document.content_type,
        as_attachment=request.GET.get("xem") != "1",
        filename=document.original_name,
    )


def _date(value: str | None, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


@login_required
@require_GET
def digitization(request: HttpRequest) -> HttpResponse:
    """Digitization rates per procedure and per officer, for a unit the user may see and a period."""
    user = signed_in_user(request)
    units = list(units_visible_to(user).order_by("code"))
    if not units:
        raise Http404("no unit")
    code = request.GET.get("unit") or units[0].code
    unit = next((u for u in units if u.code == code), None)
    if unit is None:
        raise Http404(code)
    today = timezone.localdate()
    date_from = _date(request.GET.get("from"), today.replace(day=1))
    date_to = _date(request.GET.get("to"), today)
    if date_to < date_from:
        date_from, date_to = date_to, date_from
    figures = selectors.digitization_figures(unit=unit, date_from=date_from, date_to=date_to)
    return render(
        request,
        "documents/digitization.html",
        {
            "units": units,
            "unit": unit,
            "date_from": date_from,
            "date_to": date_to,
            "figures": figures,
            "previous_to": date_from - timedelta(days=1),
        },
    )
