"""Web pages of the signing module.

| URL name (``signing:…``) | path | what |
| --- | --- | --- |
| ``verify`` | ``/kiem-tra-chu-ky/`` | public: upload a signed PDF, see whether it is intact and who signed it |
| ``form`` | ``/can-bo/ky-so/<id>/<form file>.pdf`` | staff: a printed form (01–05/06) signed with the unit's seal |
| ``result_copy`` | ``/can-bo/ky-so/ket-qua/<copy id>.pdf`` | staff: a result's signed e-copy, byte for byte as signed |
| ``tsa`` | ``/ky-so/tsa/`` | the local RFC 3161 timestamp authority, when enabled |

The public page needs no sign-in, refuses files over :data:`MAX_UPLOAD_BYTES` before reading them, keeps the
upload in memory only (no temporary file) and stores nothing about it; checks are rate-limited per client.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Final, cast

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.accounts.models import User
from motcua.core.errors import ApplicationError, FieldError, NotFound
from motcua.documents.files import document_storage
from motcua.dossiers.selectors import dossier_get
from motcua.forms.qr import public_base_url
from motcua.forms.views import FILE_PREFIXES
from motcua.public import ratelimit
from motcua.signing.models import SignedResultCopy
from motcua.signing.services import SIGNABLE_FORMS, form_sign
from motcua.signing.tsa import MAX_QUERY_BYTES, tsa_enabled, tsa_respond
from motcua.signing.verification import pdf_verify

__all__ = ["MAX_UPLOAD_BYTES", "VERIFY_LIMIT", "result_copy", "signed_form", "tsa", "verify_page"]

MAX_UPLOAD_BYTES: Final = 10 * 1024 * 1024
VERIFY_LIMIT: Final = ratelimit.Limit("verify", 60, timedelta(minutes=10))
FORMS_BY_FILE: Final = {FILE_PREFIXES[name]: name for name in SIGNABLE_FORMS}
NOT_FOUND: Final = "Không tìm thấy hồ sơ, hoặc hồ sơ không thuộc đơn vị của bạn."


def _max_upload() -> int:
    return int(getattr(settings, "SIGNING_VERIFY_MAX_BYTES", MAX_UPLOAD_BYTES))


class _InMemory(MemoryFileUploadHandler):
    """Keep the upload in memory whatever FILE_UPLOAD_MAX_MEMORY_SIZE says (the size was bounded before)."""

    def handle_raw_input(self, *args: Any, **kwargs: Any) -> None:
        super().handle_raw_input(*args, **kwargs)
        self.activated = True


@csrf_exempt
def verify_page(request: HttpRequest) -> HttpResponse:
    """Kiểm tra chữ ký số: the upload handlers must be set before the CSRF check reads the body."""
    if request.method == "POST":
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > _max_upload() + 64 * 1024:
            return _verify_render(request, status=413, error=_too_large())
        request.upload_handlers = [_InMemory(request)]
    return _verify_checked(request)


def _too_large() -> str:
    mb = _max_upload() // (1024 * 1024)
    return _("Tệp quá lớn: chỉ kiểm tra được tệp PDF đến %(mb)s MB.") % {"mb": mb}


def _verify_render(request: HttpRequest, *, status: int = 200, **context: Any) -> HttpResponse:
    context.setdefault("max_mb", _max_upload() // (1024 * 1024))
    context["section"] = "verify"
    response = render(request, "signing/verify.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@csrf_protect
@require_http_methods(["GET", "POST"])
def _verify_checked(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _verify_render(request)
    if ratelimit.is_blocked(request, VERIFY_LIMIT):
        minutes = max(1, ratelimit.retry_after(VERIFY_LIMIT) // 60)
        text = _("Đã kiểm tra quá nhiều tệp trong thời gian ngắn. Vui lòng thử lại sau %(m)s phút.") % {
            "m": minutes
        }
        response = _verify_render(request, status=429, error=text)
        response["Retry-After"] = str(ratelimit.retry_after(VERIFY_LIMIT))
        return response
    upload = request.FILES.get("file")
    if upload is None:
        return _verify_render(request, status=400, error=_("Chọn tệp PDF cần kiểm tra."))
    if upload.size is not None and upload.size > _max_upload():
        return _verify_render(request, status=413, error=_too_large())
    ratelimit.record(request, VERIFY_LIMIT)
    data = upload.read()
    result = pdf_verify(data)
    return _verify_render(request, result=result, filename=upload.name or "")


@csrf_exempt
@require_POST
def tsa(request: HttpRequest) -> HttpResponse:
    """The local RFC 3161 timestamp authority (only when ``MOTCUA_SIGNING_TSA_SERVE=1``; see :mod:`.tsa`)."""
    if not tsa_enabled():
        return HttpResponse("timestamp authority not enabled", status=404, content_type="text/plain")
    if request.content_type != "application/timestamp-query":
        return HttpResponse("expected application/timestamp-query", status=415, content_type="text/plain")
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_QUERY_BYTES:
        return HttpResponse("query too large", status=413, content_type="text/plain")
    try:
        reply = tsa_respond(request.body)
    except FieldError as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain")
    return HttpResponse(reply, content_type="application/timestamp-reply")


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _message(request: HttpRequest, text: str, *, status: int) -> HttpResponse:
    return render(request, "forms/unavailable.html", {"message": text, "status": status}, status=status)


@login_required
@require_GET
def signed_form(request: HttpRequest, dossier_id: int, form_file: str) -> HttpResponse:
    """A printed form rendered by ``motcua.forms`` and signed with the receiving unit's seal (audited)."""
    name = FORMS_BY_FILE.get(form_file)
    if name is None:
        return _message(request, _("Không có biểu mẫu này."), status=404)
    user = cast(User, request.user)
    try:
        signed, dossier = form_sign(
            dossier_id=dossier_id, form=name, actor=user, public_url=public_base_url(request)
        )
    except NotFound as exc:
        text = NOT_FOUND if exc.message.startswith("dossier ") else exc.message
        return _message(request, text, status=404)
    except ApplicationError as exc:
        return _message(request, exc.message, status=exc.status)
    code = dossier.code or str(dossier.pk)
    return _pdf(signed, f"{form_file}-{code}-da-ky.pdf")


@login_required
@require_GET
def result_copy(request: HttpRequest, copy_id: int) -> HttpResponse:
    """The signed e-copy of a result, exactly the bytes that were signed (visible to those who see the dossier)."""
    copy = SignedResultCopy.objects.select_related("result", "document").filter(pk=copy_id).first()
    if copy is None:
        return _message(request, NOT_FOUND, status=404)
    try:
        dossier_get(user=cast(User, request.user), dossier_id=copy.result.dossier_id)
    except NotFound:
        return _message(request, NOT_FOUND, status=404)
    with document_storage().open(copy.document.storage_name, "rb") as file:
        return _pdf(file.read(), copy.filename)
