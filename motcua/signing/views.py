"""Web pages of the signing module.

| URL name (``signing:…``) | path | what |
| --- | --- | --- |
| ``verify`` | ``/kiem-tra-chu-ky/`` | public: upload a signed PDF, see whether it is intact and who signed it |
| ``form`` | ``/can-bo/ky-so/<id>/<form file>.pdf`` | staff: a printed form (01–05/06) signed with the unit's seal |
| ``result_copy`` | ``/can-bo/ky-so/ket-qua/<copy id>.pdf`` | staff: a result's signed e-copy, byte for byte as signed |
| ``tsa`` | ``/ky-so/tsa/`` | the local RFC 3161 timestamp authority, when enabled |
| ``dossier`` | ``/can-bo/ky-so/ho-so/<id>/`` | staff: the dossier's signatures section alone (htmx) or as a page |
| ``result_sign`` | ``/can-bo/ky-so/ho-so/<id>/ky-ket-qua/`` | staff (POST): upload a result PDF and sign it |
| ``dossier_verify`` | ``/can-bo/ky-so/ho-so/<id>/kiem-tra/`` | staff (POST): check the stored signed e-copies |

The dossier page includes the signatures section with ``{% load motcua_signing %}{% dossier_signatures dossier %}``
(context from :func:`section_context`): the dossier's signatures (signed e-copies of the result and signed
slips), the upload-and-sign form for those allowed to sign its result, and the result of "Kiểm tra chữ ký".
Every form is a plain POST (works without JavaScript: the answer is the section as a page); with htmx
(``hx-target="#signatures"``) the answer is the refreshed section. Signing goes through
:func:`~motcua.signing.services.result_ecopy_sign` only (which checks again and audits).

The public page needs no sign-in, refuses files over :data:`MAX_UPLOAD_BYTES` before reading them, keeps the
upload in memory only (no temporary file) and stores nothing about it; checks are rate-limited per client.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from io import BytesIO
from typing import Any, Final, cast

from cryptography import x509
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.accounts.models import User
from motcua.accounts.selectors import roles_in_unit
from motcua.core.errors import ApplicationError, FieldError, NotFound
from motcua.documents.files import document_storage, file_check, max_upload_bytes, sniff
from motcua.domain.lifecycle import Role, State
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import dossier_get
from motcua.forms.qr import public_base_url
from motcua.forms.views import FILE_PREFIXES
from motcua.public import ratelimit
from motcua.signing import keys
from motcua.signing.models import SignatureRecord, SignedResultCopy, SigningIdentity
from motcua.signing.pdf import MAX_PDF_BYTES
from motcua.signing.selectors import result_copies, signature_records
from motcua.signing.services import RESULT_ROLES, SIGNABLE_FORMS, form_sign, result_ecopy_sign
from motcua.signing.tsa import MAX_QUERY_BYTES, tsa_enabled, tsa_respond
from motcua.signing.verification import pdf_verify
from motcua.web.labels import ROLE_LABELS, STATE_LABELS, label
from motcua.web.views import base_context, dossier_or_404, signed_in_user

__all__ = [
    "MAX_UPLOAD_BYTES",
    "VERIFY_LIMIT",
    "dossier_signatures",
    "dossier_verify",
    "result_copy",
    "result_sign",
    "section_context",
    "signed_form",
    "tsa",
    "verify_page",
]

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


# -- the dossier page's signatures section ------------------------------------------------------------------

SIGNING_STATES: Final = frozenset({State.RESOLVED.value, State.DELIVERED.value})
"""A result's e-copy is signed once the dossier has its result: resolved, or already delivered."""
MODE_UNIT: Final = "unit"
MODE_PERSONAL: Final = "personal"
FORM_LABELS: Final = {
    "receipt": gettext_lazy("Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Mẫu 01)"),
    "supplement": gettext_lazy("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02)"),
    "refusal": gettext_lazy("Phiếu từ chối tiếp nhận giải quyết hồ sơ (Mẫu 03)"),
    "apology": gettext_lazy("Phiếu xin lỗi và hẹn lại ngày trả kết quả (Mẫu 04)"),
    "control_slip": gettext_lazy("Phiếu kiểm soát quá trình giải quyết hồ sơ (Mẫu 05)"),
}
FILE_FIELD: Final = gettext_lazy("Tệp kết quả (PDF)")
MODE_FIELD: Final = gettext_lazy("Hình thức ký")


@lru_cache(maxsize=256)
def _common_name(certificate_pem: str) -> str:
    """The subject CN of a certificate ("" when it has none)."""
    cert = x509.load_pem_x509_certificate(certificate_pem.encode())
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else ""


@dataclass(frozen=True)
class CopyCheck:
    """What "Kiểm tra chữ ký" found for one stored signed e-copy."""

    tone: str
    """``ok`` (valid), ``warn`` (intact but the signer is not trusted), ``bad``."""
    verdict: str
    message: str
    signer: str = ""
    timestamp: Any = None


@dataclass(frozen=True)
class SignatureRow:
    """One signature of the dossier: a signed e-copy of its result (stored) or a signed slip (not stored)."""

    record: SignatureRecord
    what: str
    signer: str
    personal: bool
    copy: SignedResultCopy | None
    check: CopyCheck | None

    @property
    def sha256_prefix(self) -> str:
        return self.record.sha256_after[:16]


def _usable(identity: SigningIdentity | None, now: Any) -> bool:
    return identity is not None and identity.not_before <= now <= identity.not_after


def _identity(*, unit: Any = None, user: User | None = None) -> SigningIdentity | None:
    return SigningIdentity.objects.filter(active=True, unit=unit, user=user).first()


def _may_sign_result(user: User, dossier: Dossier) -> bool:
    return bool(roles_in_unit(user, dossier.competent_unit) & RESULT_ROLES)


def _signers() -> str:
    return ", ".join(label(ROLE_LABELS, role) for role in (Role.APPROVER, Role.CLERK))


def _issue_commands(dossier: Dossier) -> list[str]:
    """The commands an administrator runs to give the competent unit its seal (docs/signatures.md)."""
    commands = [] if keys.ca_exists() else ["motcua signing init-ca"]
    return [*commands, f"motcua signing issue --unit {dossier.competent_unit.code}"]


def _check_copy(copy: SignedResultCopy) -> CopyCheck:
    """Verify one stored e-copy: the stored bytes are the signed ones, and their signatures hold."""
    try:
        with document_storage().open(copy.document.storage_name, "rb") as file:
            data = file.read()
    except OSError:
        return CopyCheck("bad", _("Không hợp lệ"), _("Không tìm thấy tệp đã lưu của bản ký này."))
    if keys.sha256_hex(data) != copy.sha256:
        return CopyCheck(
            "bad", _("Không hợp lệ"), _("Tệp đang lưu khác với tệp đã ký (mã SHA-256 không khớp).")
        )
    result = pdf_verify(data)
    english = (translation.get_language() or "vi").startswith("en")
    message = result.message_en if english else result.message_vi
    signer = result.signer.signer if result.signer is not None else ""
    timestamp = result.signer.timestamp if result.signer is not None else None
    if result.valid:
        return CopyCheck("ok", _("Hợp lệ"), message, signer, timestamp)
    if result.intact:
        return CopyCheck("warn", _("Chưa được tin cậy"), message, signer, timestamp)
    return CopyCheck("bad", _("Không hợp lệ"), message, signer, timestamp)


def _rows(dossier: Dossier, checks: dict[int, CopyCheck] | None) -> list[SignatureRow]:
    rows = []
    for record in signature_records(dossier=dossier).select_related("result_copy"):
        copy = getattr(record, "result_copy", None) if hasattr(record, "result_copy") else None
        if record.document == SignatureRecord.Document.RESULT:
            what = _("Bản điện tử kết quả: %(name)s") % {
                "name": copy.filename if copy else record.document_name
            }
        elif record.document == SignatureRecord.Document.FORM:
            what = str(FORM_LABELS.get(record.document_name, record.document_name))
        else:
            what = record.document_name or record.get_document_display()
        rows.append(
            SignatureRow(
                record=record,
                what=what,
                signer=_common_name(record.identity.certificate_pem),
                personal=record.identity.user_id is not None,
                copy=copy,
                check=(checks or {}).get(copy.pk) if copy is not None else None,
            )
        )
    return rows


def section_context(
    request: HttpRequest,
    dossier: Dossier,
    *,
    checks: dict[int, CopyCheck] | None = None,
    error: str = "",
    done: str = "",
    mode: str = "",
    standalone: bool = False,
) -> dict[str, Any]:
    """What ``signing/_dossier.html`` shows for ``dossier`` to the signed-in user.

    The upload form is offered when the dossier is resolved or delivered and the user holds one of
    :data:`~motcua.signing.services.RESULT_ROLES` in its competent unit, with "the unit's seal" when the unit has
    a usable identity and "my own signature" when the user has one. When the unit has none, the section says so
    and names the commands that issue it.
    """
    user = signed_in_user(request)
    now = timezone.now()
    roles = roles_in_unit(user, dossier.competent_unit)
    may_sign = bool(roles & RESULT_ROLES)
    signable = dossier.state in SIGNING_STATES and hasattr(dossier, "result")
    unit_identity = _identity(unit=dossier.competent_unit)
    personal_identity = _identity(user=user)
    unit_ok = _usable(unit_identity, now)
    personal_ok = _usable(personal_identity, now)
    rows = _rows(dossier, checks)
    tell_admin = signable and not unit_ok and (may_sign or Role.ADMIN in roles)
    chosen = mode if mode in (MODE_UNIT, MODE_PERSONAL) else (MODE_UNIT if unit_ok else MODE_PERSONAL)
    return {
        "dossier": dossier,
        "tz": dossier.receiving_unit.timezone,
        "rows": rows,
        "has_copies": any(row.copy is not None for row in rows),
        "checked": checks is not None,
        "show_section": bool(rows) or signable or bool(error) or standalone,
        "can_sign": signable and may_sign and (unit_ok or personal_ok),
        "signable": signable,
        "may_sign": may_sign,
        "unit_ok": unit_ok,
        "personal_ok": personal_ok,
        "mode": chosen,
        "unit_identity": unit_identity,
        "unit_subject": _common_name(unit_identity.certificate_pem) if unit_identity else "",
        "personal_subject": _common_name(personal_identity.certificate_pem) if personal_identity else "",
        "tell_admin": tell_admin,
        "issue_commands": _issue_commands(dossier) if tell_admin else [],
        "signers": _signers(),
        "max_mb": _sign_limit() // (1024 * 1024),
        "error": error,
        "done": done,
        "standalone": standalone,
        "request": request,
    }


def _sign_limit() -> int:
    return min(max_upload_bytes(), MAX_PDF_BYTES)


def _section_answer(
    request: HttpRequest, dossier: Dossier, *, status: int = 200, **extra: Any
) -> HttpResponse:
    """The section (htmx: swapped in place, so 200 with the error inside) or the section as a page."""
    if getattr(request, "htmx", False):
        context = section_context(request, dossier, **extra)
        return render(
            request, "signing/_dossier.html", context, status=status if status in (403, 404) else 200
        )
    context = {**base_context(request), **section_context(request, dossier, standalone=True, **extra)}
    return render(request, "signing/dossier.html", context, status=status)


@login_required
@require_GET
def dossier_signatures(request: HttpRequest, dossier_id: int) -> HttpResponse:
    """The dossier's signatures section: alone for htmx, as a page without JavaScript."""
    return _section_answer(request, dossier_or_404(signed_in_user(request), dossier_id))


def _read_pdf(request: HttpRequest) -> tuple[str, bytes]:
    """The uploaded result file, checked by content (PDF only, within the size limit); FieldError otherwise."""
    upload = request.FILES.get("file")
    field = str(FILE_FIELD)
    if upload is None:
        raise FieldError("file", "", _("Trường «%(field)s»: chưa chọn tệp PDF kết quả.") % {"field": field})
    name = upload.name or "ket-qua.pdf"
    limit = _sign_limit()
    if upload.size is not None and upload.size > limit:
        raise FieldError(
            "file",
            name,
            _("Trường «%(field)s»: tệp «%(name)s» (%(size)s byte) lớn hơn giới hạn %(limit)s byte.")
            % {"field": field, "name": name, "size": f"{upload.size:,}", "limit": f"{limit:,}"},
        )
    content = upload.read()
    detected = sniff(content[:16])
    try:
        checked = file_check(field="file", name=name, stream=BytesIO(content))
    except FieldError:
        checked = None
    if checked is None or checked.content_type != "application/pdf" or len(content) > limit:
        raise FieldError(
            "file",
            name,
            _(
                "Trường «%(field)s»: tệp «%(name)s» không phải tệp PDF (nội dung là %(type)s); "
                "chỉ ký được tệp PDF."
            )
            % {"field": field, "name": name, "type": detected},
        )
    return name, content


@login_required
@require_POST
def result_sign(request: HttpRequest, dossier_id: int) -> HttpResponse:
    """Upload a result PDF and sign it (unit seal or own certificate) through
    :func:`~motcua.signing.services.result_ecopy_sign`, which checks again, stores and audits."""
    user = signed_in_user(request)
    dossier = dossier_or_404(user, dossier_id)
    if not _may_sign_result(user, dossier):
        text = _(
            "Anh/chị không được ký bản điện tử kết quả của hồ sơ này: chỉ %(roles)s của %(unit)s được ký."
        ) % {"roles": _signers(), "unit": dossier.competent_unit.name}
        return _section_answer(request, dossier, status=403, error=text)
    if dossier.state not in SIGNING_STATES or not hasattr(dossier, "result"):
        text = _(
            "Hồ sơ đang ở trạng thái «%(state)s»: chỉ ký được bản điện tử kết quả khi hồ sơ đã giải quyết "
            "(có kết quả) hoặc đã trả kết quả."
        ) % {"state": label(STATE_LABELS, dossier.state)}
        return _section_answer(request, dossier, status=409, error=text)
    mode = request.POST.get("mode", MODE_UNIT)
    now = timezone.now()
    if mode not in (MODE_UNIT, MODE_PERSONAL):
        text = _(
            "Trường «%(field)s»: giá trị «%(value)s» không hợp lệ; chọn ký bằng dấu của cơ quan hoặc ký bằng "
            "chữ ký số cá nhân."
        ) % {"field": MODE_FIELD, "value": mode[:40]}
        return _section_answer(request, dossier, status=422, error=text)
    if mode == MODE_PERSONAL and not _usable(_identity(user=user), now):
        text = _(
            "Trường «%(field)s»: anh/chị chưa có chứng thư số cá nhân còn hiệu lực nên không ký bằng chữ ký số "
            "cá nhân được."
        ) % {"field": MODE_FIELD}
        return _section_answer(request, dossier, status=422, error=text)
    if mode == MODE_UNIT and not _usable(_identity(unit=dossier.competent_unit), now):
        text = _(
            "Trường «%(field)s»: %(unit)s chưa có chứng thư số (con dấu) còn hiệu lực. Quản trị viên cấp bằng "
            "lệnh: %(commands)s"
        ) % {
            "field": MODE_FIELD,
            "unit": dossier.competent_unit.name,
            "commands": "; ".join(_issue_commands(dossier)),
        }
        return _section_answer(request, dossier, status=422, error=text)
    try:
        name, content = _read_pdf(request)
    except FieldError as exc:
        return _section_answer(request, dossier, status=422, error=exc.message, mode=mode)
    try:
        copy = result_ecopy_sign(
            dossier_id=dossier.pk,
            filename=name,
            content=content,
            actor=user,
            personal=mode == MODE_PERSONAL,
        )
    except ApplicationError as exc:
        text = _("Không ký được: %(detail)s") % {"detail": exc.message}
        return _section_answer(request, dossier, status=exc.status, error=text, mode=mode)
    done = _("Đã ký số và lưu bản điện tử của kết quả «%(name)s» (SHA-256 %(hash)s…).") % {
        "name": copy.filename,
        "hash": copy.sha256[:16],
    }
    # Back to the whole dossier page: the signed copy also shows in its documents and result sections.
    messages.success(request, done)
    target = reverse("web:dossier", args=[dossier.pk])
    if getattr(request, "htmx", False):
        answer = HttpResponse(status=204)
        answer["HX-Redirect"] = target
        return answer
    return redirect(target)


@login_required
@require_POST
def dossier_verify(request: HttpRequest, dossier_id: int) -> HttpResponse:
    """Kiểm tra chữ ký: verify every stored signed e-copy of the dossier's result (nothing is written)."""
    dossier = dossier_or_404(signed_in_user(request), dossier_id)
    copies = result_copies(dossier=dossier).select_related("document")
    checks = {copy.pk: _check_copy(copy) for copy in copies}
    return _section_answer(request, dossier, checks=checks)
