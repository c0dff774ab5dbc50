"""Citizens' online submission pages (no sign-in, no JavaScript needed, phone first).

| URL | page |
| --- | --- |
| ``/nop-truc-tuyen/`` | the procedures that accept online submission |
| ``/nop-truc-tuyen/<procedure code>/`` | the form: applicant, one file per component, result delivery, fees |
| ``/nop-truc-tuyen/da-nop/`` | the confirmation: submission reference and secret (from the session) |
| ``/nop-truc-tuyen/ho-so/?ma=…&bi-mat=…`` | the dossier: status, supplement answer, payment, e-result |
| ``…/ho-so/bo-sung/`` (POST) | answer a supplement request with files |
| ``…/ho-so/ket-qua/`` (POST) | download the signed e-result (the first download records the delivery) |
| ``…/ho-so/thanh-toan/`` (POST) | pay the fees online, even before acceptance (the gateway holds the payment) |
| ``…/ho-so/giay-tiep-nhan/`` (POST) | once accepted: the receipt and appointment slip (Form 01), signed by the unit |
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.catalogue.selectors import unit_calendar
from motcua.core.errors import ApplicationError, FieldError
from motcua.documents.files import document_storage, max_upload_bytes
from motcua.dossiers.services import Applicant
from motcua.forms.qr import public_base_url
from motcua.online import services
from motcua.online.forms import SubmissionForm
from motcua.online.models import OnlineSubmission
from motcua.online.selectors import online_procedures, result_copy, submission_lookup
from motcua.payments.gateway import get_gateway
from motcua.payments.selectors import FeesSummary, fees_summary
from motcua.payments.services import CHECKOUT_STATES, PREPAY_STATES, checkout_create
from motcua.public import ratelimit
from motcua.public.selectors import dossier_status
from motcua.public.stats import portal_units
from motcua.public.views import NOT_FOUND, _page, _private, _too_many
from motcua.signing.services import applicant_receipt_sign

SUBMIT = ratelimit.Limit("online_submit", 10, timedelta(hours=1))
"""Submissions (successful or not) per client: 10 an hour."""
SESSION_KEY = "online_submission"


def _files(request: HttpRequest, codes: list[str]) -> dict[str, services.Upload]:
    found = {}
    for code in codes:
        upload = request.FILES.get(f"tp-{code}")
        if upload is not None and upload.size:
            found[code] = services.Upload(name=upload.name or "", stream=upload)
    return found


def _file_error(exc: FieldError) -> str:
    return _("Tệp “%(name)s” không được nhận: %(reason)s") % {"name": exc.value, "reason": _reason(exc)}


def _reason(exc: FieldError) -> str:
    message = exc.message
    if "larger than" in message:
        return _("tệp lớn hơn %(mb)s MB") % {"mb": max_upload_bytes() // (1024 * 1024)}
    if "accepted types" in message:
        return _("chỉ nhận tệp PDF hoặc ảnh JPEG, PNG, TIFF (tệp này không phải)")
    if "required" in message:
        return _("thành phần bắt buộc, vui lòng đính kèm tệp")
    return message


@require_GET
def procedures(request: HttpRequest) -> HttpResponse:
    return _page(request, "online/procedures.html", {"procedures": online_procedures()}, section="online")


@_private
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest, code: str) -> HttpResponse:
    try:
        procedure, version = services.online_procedure(code)
    except FieldError as exc:
        raise Http404 from exc
    units = [(u.code, u.name) for u in portal_units()]
    component_errors: dict[str, str] = {}
    error = ""
    if request.method == "POST":
        if ratelimit.is_blocked(request, SUBMIT):
            return _too_many(request, SUBMIT, "online")
        ratelimit.record(request, SUBMIT)
        form = SubmissionForm(request.POST, units=units)
        if form.is_valid():
            data = form.cleaned_data
            try:
                submission = services.online_submit(
                    procedure_code=procedure.code,
                    receiving_unit_code=data["unit"],
                    applicant=Applicant(
                        name=data["name"],
                        id_number=data["id_number"],
                        phone=data["phone"],
                        email=data["email"],
                        address=data["address"],
                    ),
                    files=_files(request, version.component_codes()),
                    delivery=data["delivery"],
                    postal_address=data["postal_address"],
                    exemption_claim=data["exemption"],
                )
            except FieldError as exc:
                field = exc.field or ""
                if field.startswith("component."):
                    component_errors[field.removeprefix("component.")] = _file_error(exc)
                else:
                    error = exc.message
            else:
                request.session[SESSION_KEY] = submission.pk
                return HttpResponseRedirect(reverse("online:done"))
        error = error or _("Vui lòng kiểm tra lại các mục được đánh dấu.")
    else:
        form = SubmissionForm(units=units)
    components = [{**c, "error": component_errors.get(c["code"], "")} for c in version.components]
    return _page(
        request,
        "online/submit.html",
        {
            "proc": procedure,
            "v": version,
            "form": form,
            "components": components,
            "error": error,
            "max_mb": max_upload_bytes() // (1024 * 1024),
            "fee_total": version.fee_total("online"),
        },
        section="online",
        status=422 if error else 200,
    )


@_private
@require_GET
def done(request: HttpRequest) -> HttpResponse:
    pk = request.session.get(SESSION_KEY)
    submission = (
        OnlineSubmission.objects.select_related(
            "dossier", "dossier__procedure_version", "dossier__receiving_unit"
        )
        .filter(pk=pk)
        .first()
        if pk
        else None
    )
    if submission is None:
        return HttpResponseRedirect(reverse("online:status"))
    zone = unit_calendar(submission.dossier.receiving_unit).zone
    fees = fees_summary(submission.dossier)
    return _page(
        request,
        "online/done.html",
        {
            "s": submission,
            "d": submission.dossier,
            "submitted_at": submission.submitted_at.astimezone(zone),
            "fees": fees,
            "payable": _payable(submission, fees),
        },
        section="online",
    )


def _payable(submission: OnlineSubmission, fees: FeesSummary) -> bool:
    """Fees can be paid online now: something is owed and known, and, before acceptance, no exemption is
    claimed (the desk decides the claim when it accepts; the citizen pays after, if anything is still owed)."""
    dossier = submission.dossier
    if dossier.state not in CHECKOUT_STATES or fees.outstanding <= 0 or fees.amount_unknown:
        return False
    return not (dossier.state in PREPAY_STATES and submission.exemption_claim)


def _params(data: Any) -> tuple[str, str]:
    return str(data.get("ma", "")).strip()[:80], str(data.get("bi-mat", "")).strip()[:32]


def _found(request: HttpRequest) -> tuple[OnlineSubmission | None, HttpResponse | None]:
    """The submission of the request's code and secret, or the answer to give instead (limit, not found)."""
    code, secret = _params(request.POST if request.method == "POST" else request.GET)
    if not code and not secret and request.method == "GET":
        return None, _page(request, "online/status.html", {}, section="online")
    if ratelimit.is_blocked(request, ratelimit.LOOKUP):
        return None, _too_many(request, ratelimit.LOOKUP, "online")
    submission = submission_lookup(code, secret)
    if submission is None:
        ratelimit.record(request, ratelimit.LOOKUP)
        return None, _page(
            request, "online/status.html", {"code": code, "error": NOT_FOUND}, section="online", status=404
        )
    return submission, None


def _by_reference_and_secret(
    view: Callable[[HttpRequest, OnlineSubmission], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """The view, given the submission of the request's reference (or code) and secret; or the page to show
    instead (the lookup form, not found, too many attempts)."""

    @wraps(view)
    def wrapped(request: HttpRequest) -> HttpResponse:
        submission, answer = _found(request)
        if submission is None:
            assert answer is not None
            return answer
        return view(request, submission)

    return wrapped


def _status_page(
    request: HttpRequest,
    submission: OnlineSubmission,
    *,
    notice: str = "",
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    dossier = submission.dossier
    fees = fees_summary(dossier)
    copy = result_copy(submission)
    return _page(
        request,
        "online/status.html",
        {
            "s": submission,
            "d": dossier,
            "info": dossier_status(dossier),
            "secret": dossier.secret,
            "code": submission.reference,
            "fees": fees,
            "payable": _payable(submission, fees),
            "supplement": dossier.state in services.SUPPLEMENT_STATES,
            "components": list(dossier.components.all()),
            "result": copy if submission.delivery == "online" else None,
            "notice": notice,
            "error": error,
            "max_mb": max_upload_bytes() // (1024 * 1024),
        },
        section="online",
        status=status,
    )


@_private
@require_GET
@_by_reference_and_secret
def status(request: HttpRequest, submission: OnlineSubmission) -> HttpResponse:
    return _status_page(request, submission)


@_private
@require_POST
@_by_reference_and_secret
def supplement(request: HttpRequest, submission: OnlineSubmission) -> HttpResponse:
    codes = list(submission.dossier.components.values_list("code", flat=True))
    try:
        services.online_supplement_answer(submission_id=submission.pk, files=_files(request, codes))
    except FieldError as exc:
        message = _("Vui lòng đính kèm ít nhất một tệp.") if exc.field == "component" else _file_error(exc)
        return _status_page(request, submission, error=message, status=422)
    except ApplicationError:
        return _status_page(request, submission, error=_("Hồ sơ hiện không cần bổ sung."), status=409)
    submission.refresh_from_db()
    submission.dossier.refresh_from_db()
    return _status_page(
        request, submission, notice=_("Đã nhận hồ sơ bổ sung. Cơ quan sẽ tiếp tục giải quyết hồ sơ.")
    )


@_private
@require_POST
@_by_reference_and_secret
def result(request: HttpRequest, submission: OnlineSubmission) -> HttpResponse:
    try:
        copy = services.online_result_take(submission_id=submission.pk)
    except ApplicationError:
        return _status_page(request, submission, error=_("Chưa có kết quả điện tử để tải về."), status=409)
    handle = document_storage().open(copy.document.storage_name, "rb")
    return FileResponse(handle, as_attachment=True, filename=copy.filename, content_type="application/pdf")


@_private
@require_POST
@_by_reference_and_secret
def pay(request: HttpRequest, submission: OnlineSubmission) -> HttpResponse:
    """Pay what the dossier owes through the payment gateway. Before acceptance the gateway's payment is held
    and recorded when the desk accepts the dossier (:mod:`motcua.payments.services`)."""
    if not _payable(submission, fees_summary(submission.dossier)):
        return _status_page(
            request,
            submission,
            error=_("Hồ sơ này hiện không có khoản nào thanh toán trực tuyến được."),
            status=409,
        )
    try:
        _txn, url = checkout_create(
            dossier_id=submission.dossier_id,
            return_url=request.build_absolute_uri(reverse("payments:return")),
            gateway=get_gateway(site=request.build_absolute_uri("/").rstrip("/")),
            client_ip=ratelimit.client_address(request),
        )
    except ApplicationError as exc:
        return _status_page(
            request,
            submission,
            error=_("Hồ sơ này hiện không thể thanh toán trực tuyến (%(reason)s).") % {"reason": exc.message},
            status=409,
        )
    return HttpResponseRedirect(url)


RECEIPT = ratelimit.Limit("online_receipt", 20, timedelta(hours=1))
"""Signed receipts downloaded per client: 20 an hour (each is a new signature)."""


@_private
@require_POST
@_by_reference_and_secret
def receipt(request: HttpRequest, submission: OnlineSubmission) -> HttpResponse:
    """The accepted dossier's receipt and appointment slip (Form 01), signed with the unit's seal."""
    if ratelimit.is_blocked(request, RECEIPT):
        return _too_many(request, RECEIPT, "online")
    ratelimit.record(request, RECEIPT)
    dossier = submission.dossier
    try:
        signed = applicant_receipt_sign(dossier=dossier, public_url=public_base_url(request))
    except ApplicationError:
        return _status_page(
            request,
            submission,
            error=_("Chưa có Giấy tiếp nhận bản điện tử ký số; vui lòng liên hệ Bộ phận Một cửa."),
            status=409,
        )
    response = HttpResponse(signed, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="giay-tiep-nhan-{dossier.code}.pdf"'
    return response
