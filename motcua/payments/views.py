"""Pages of the payments module.

| URL | page |
| --- | --- |
| ``/can-bo/thu-phi/<id>/`` | staff: a dossier's fees (the ``payments/_fees.html`` panel) and its forms (POST) |
| ``/can-bo/thu-phi/hoan-tra/<id>/`` (POST) | staff: a refund made |
| ``/thanh-toan/`` | citizen: pay a dossier's fees online, by its code and lookup secret |
| ``/thanh-toan/ipn/`` | the gateway's result notification (server to server, JSON answer) |
| ``/thanh-toan/ket-qua/`` | the citizen's return from the gateway: shows the outcome, records nothing |
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.core.errors import ApplicationError
from motcua.dossiers.models import Dossier
from motcua.payments import services
from motcua.payments.gateway import GatewayError, InvalidSignature, PaymentGateway, get_gateway
from motcua.payments.models import Collection, GatewayTransaction, Refund
from motcua.payments.selectors import fees_summary, transaction_by_ref
from motcua.public import ratelimit
from motcua.public.selectors import dossier_lookup
from motcua.web.views import base_context, dossier_or_404, signed_in_user

log = logging.getLogger(__name__)


def _gateway(request: HttpRequest) -> PaymentGateway:
    return get_gateway(site=request.build_absolute_uri("/").rstrip("/"))


# -- forms -----------------------------------------------------------------------------------------------------


class ReductionForm(forms.Form):
    position = forms.IntegerField(label=gettext_lazy("Khoản phí"), min_value=1)
    exempt = forms.BooleanField(label=gettext_lazy("Miễn toàn bộ khoản này"), required=False)
    amount = forms.IntegerField(label=gettext_lazy("Số tiền giảm (đồng)"), min_value=0, required=False)
    reason = forms.CharField(label=gettext_lazy("Lý do (căn cứ pháp lý)"), max_length=500)
    evidence = forms.CharField(label=gettext_lazy("Giấy tờ chứng minh"), max_length=300)


class CollectForm(forms.Form):
    method = forms.ChoiceField(
        label=gettext_lazy("Hình thức"),
        choices=[("cash", gettext_lazy("Tiền mặt")), ("transfer", gettext_lazy("Chuyển khoản"))],
    )
    amount = forms.IntegerField(label=gettext_lazy("Số tiền (đồng)"), min_value=1, required=False)
    reference = forms.CharField(
        label=gettext_lazy("Số chứng từ chuyển khoản"), max_length=120, required=False
    )


class LineForm(forms.Form):
    amount = forms.IntegerField(label=gettext_lazy("Số tiền (đồng)"), min_value=0, required=False)
    collection = forms.ChoiceField(label=gettext_lazy("Thời điểm thu"), choices=Collection.choices)
    applies = forms.TypedChoiceField(
        label=gettext_lazy("Áp dụng cho hồ sơ này"),
        choices=[
            ("1", pgettext_lazy("fee line", "Áp dụng")),
            ("0", pgettext_lazy("fee line", "Không áp dụng")),
        ],
        coerce=lambda value: value == "1",
        empty_value=None,
        required=False,
    )


class RefundForm(forms.Form):
    method = forms.ChoiceField(label=gettext_lazy("Hình thức hoàn trả"), choices=Refund.Method.choices)
    reference = forms.CharField(label=gettext_lazy("Số chứng từ"), max_length=120, required=False)


# -- staff -----------------------------------------------------------------------------------------------------


def fees_context(request: HttpRequest, dossier: Dossier, **extra: Any) -> dict[str, Any]:
    """What ``payments/_fees.html`` needs; the dossier page can merge it into its own context."""
    return {
        "fees": fees_summary(dossier),
        "reduction_form": extra.pop("reduction_form", None) or ReductionForm(),
        "collect_form": extra.pop("collect_form", None) or CollectForm(),
        "refund_form": RefundForm(),
        "collections": Collection.choices,
        **extra,
    }


def _fees_page(request: HttpRequest, dossier: Dossier, *, status: int = 200, **extra: Any) -> HttpResponse:
    context = {**base_context(request), "dossier": dossier, **fees_context(request, dossier, **extra)}
    template = "payments/_fees.html" if getattr(request, "htmx", False) else "payments/fees.html"
    return render(request, template, context, status=status)


@login_required
@require_GET
def fees(request: HttpRequest, dossier_id: int) -> HttpResponse:
    return _fees_page(request, dossier_or_404(signed_in_user(request), dossier_id))


def _done(request: HttpRequest, dossier: Dossier, text: str) -> HttpResponse:
    messages.success(request, text)
    if getattr(request, "htmx", False):
        return _fees_page(request, dossier)
    return redirect("payments:fees", dossier_id=dossier.pk)


def _failed(request: HttpRequest, dossier: Dossier, exc: ApplicationError, **forms_: Any) -> HttpResponse:
    messages.error(request, exc.message)
    return _fees_page(
        request, dossier, status=exc.status if not getattr(request, "htmx", False) else 200, **forms_
    )


@login_required
@require_POST
def reduction(request: HttpRequest, dossier_id: int) -> HttpResponse:
    dossier = dossier_or_404(signed_in_user(request), dossier_id)
    form = ReductionForm(request.POST)
    if not form.is_valid():
        return _fees_page(request, dossier, status=422, reduction_form=form)
    data = form.cleaned_data
    try:
        services.fee_reduction_grant(
            dossier_id=dossier.pk,
            position=data["position"],
            actor=signed_in_user(request),
            exempt=data["exempt"],
            amount=data["amount"] or 0,
            reason=data["reason"],
            evidence=data["evidence"],
        )
    except ApplicationError as exc:
        return _failed(request, dossier, exc, reduction_form=form)
    return _done(request, dossier, _("Đã ghi nhận miễn, giảm phí."))


@login_required
@require_POST
def line(request: HttpRequest, dossier_id: int, position: int) -> HttpResponse:
    dossier = dossier_or_404(signed_in_user(request), dossier_id)
    form = LineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Số tiền hoặc thời điểm thu không hợp lệ."))
        return _fees_page(request, dossier, status=422)
    try:
        services.fee_line_set(
            dossier_id=dossier.pk,
            position=position,
            actor=signed_in_user(request),
            amount=form.cleaned_data["amount"],
            collection=form.cleaned_data["collection"],
            applies=form.cleaned_data["applies"],
        )
    except ApplicationError as exc:
        return _failed(request, dossier, exc)
    return _done(request, dossier, _("Đã cập nhật khoản phí."))


@login_required
@require_POST
def collect(request: HttpRequest, dossier_id: int) -> HttpResponse:
    dossier = dossier_or_404(signed_in_user(request), dossier_id)
    form = CollectForm(request.POST)
    if not form.is_valid():
        return _fees_page(request, dossier, status=422, collect_form=form)
    data = form.cleaned_data
    try:
        payment = services.fee_collect(
            dossier_id=dossier.pk,
            actor=signed_in_user(request),
            method=data["method"],
            amount=data["amount"],
            reference=data["reference"],
        )
    except ApplicationError as exc:
        return _failed(request, dossier, exc, collect_form=form)
    return _done(
        request,
        dossier,
        _("Đã thu %(amount)s đồng, biên lai %(receipt)s.")
        % {"amount": f"{payment.amount:,.0f}".replace(",", "."), "receipt": payment.receipt_number},
    )


@login_required
@require_POST
def link(request: HttpRequest, dossier_id: int) -> HttpResponse:
    dossier = dossier_or_404(signed_in_user(request), dossier_id)
    try:
        txn, url = services.checkout_create(
            dossier_id=dossier.pk,
            return_url=request.build_absolute_uri(reverse("payments:return")),
            gateway=_gateway(request),
            client_ip=ratelimit.client_address(request),
            actor=signed_in_user(request),
        )
    except ApplicationError as exc:
        return _failed(request, dossier, exc)
    messages.success(request, _("Đã tạo liên kết thanh toán trực tuyến %(ref)s.") % {"ref": txn.txn_ref})
    return _fees_page(request, dossier, payment_link=url, payment_txn=txn)


@login_required
@require_POST
def refund(request: HttpRequest, refund_id: int) -> HttpResponse:
    item = Refund.objects.filter(pk=refund_id).first()
    if item is None:
        raise Http404(str(refund_id))
    dossier = dossier_or_404(signed_in_user(request), item.dossier_id)
    form = RefundForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Hình thức hoàn trả không hợp lệ."))
        return _fees_page(request, dossier, status=422)
    try:
        services.refund_complete(
            refund_id=item.pk,
            actor=signed_in_user(request),
            method=form.cleaned_data["method"],
            reference=form.cleaned_data["reference"],
        )
    except ApplicationError as exc:
        return _failed(request, dossier, exc)
    except GatewayError as exc:
        messages.error(request, _("Cổng thanh toán không trả lời: %(error)s") % {"error": exc})
        return _fees_page(request, dossier, status=502)
    return _done(
        request,
        dossier,
        _("Đã hoàn trả %(amount)s đồng.") % {"amount": f"{item.amount:,.0f}".replace(",", ".")},
    )


# -- citizens --------------------------------------------------------------------------------------------------


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store, private"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


NOT_FOUND = gettext_lazy(
    "Không tìm thấy hồ sơ với mã hồ sơ và mã tra cứu này. Vui lòng kiểm tra lại hai mã in trên Giấy tiếp nhận."
)


@require_http_methods(["GET", "POST"])
def pay(request: HttpRequest) -> HttpResponse:
    """The citizen opens the dossier by code + lookup secret, sees what is owed, and pays online."""
    data = request.POST if request.method == "POST" else request.GET
    code, secret = str(data.get("ma", "")).strip()[:80], str(data.get("bi-mat", "")).strip()[:32]
    context: dict[str, Any] = {"section": "lookup", "code": code}
    if not code and not secret:
        return _private(render(request, "payments/pay.html", context))
    if ratelimit.is_blocked(request, ratelimit.LOOKUP):
        response = render(
            request,
            "payments/pay.html",
            {**context, "error": _("Ông/bà đã nhập sai quá nhiều lần, vui lòng thử lại sau.")},
            status=429,
        )
        response["Retry-After"] = str(ratelimit.retry_after(ratelimit.LOOKUP))
        return _private(response)
    dossier = dossier_lookup(code, secret)
    if dossier is None:
        ratelimit.record(request, ratelimit.LOOKUP)
        return _private(render(request, "payments/pay.html", {**context, "error": NOT_FOUND}, status=404))
    context |= {"secret": secret, "dossier": dossier}
    if request.method == "POST":
        try:
            _txn, url = services.checkout_create(
                dossier_id=dossier.pk,
                return_url=request.build_absolute_uri(reverse("payments:return")),
                gateway=_gateway(request),
                client_ip=ratelimit.client_address(request),
            )
        except ApplicationError as exc:
            context["error"] = _("Hồ sơ này hiện không thể thanh toán trực tuyến (%(reason)s).") % {
                "reason": exc.message
            }
        else:
            return _private(redirect(url))
    summary = fees_summary(dossier)
    payable = (
        dossier.state in services.PAYABLE_STATES and summary.outstanding > 0 and not summary.amount_unknown
    )
    return _private(render(request, "payments/pay.html", {**context, "fees": summary, "payable": payable},
                           status=409 if "error" in context else 200))  # fmt: skip


@csrf_exempt
@require_GET
def ipn(request: HttpRequest) -> JsonResponse:
    """The gateway's result notification: ``{"RspCode": "00", "Message": "Confirm Success"}`` etc."""
    params = {k: v for k, v in request.GET.items()}
    try:
        code, message = services.notification_handle(params)
    except Exception:  # the gateway needs an answer; it will retry, and reconciliation will settle
        log.exception("payment notification %s failed", params.get("vnp_TxnRef", "?"))
        code, message = "99", services.IPN_ANSWERS["99"]
    return JsonResponse({"RspCode": code, "Message": message})


@require_GET
def payment_return(request: HttpRequest) -> HttpResponse:
    """Where the gateway sends the citizen back. Shows the outcome; never records a payment."""
    params = {k: v for k, v in request.GET.items()}
    gateway = _gateway(request)
    context: dict[str, Any] = {"section": "lookup"}
    try:
        note = gateway.verify_notification(params)
    except InvalidSignature:
        return _private(
            render(request, "payments/return.html", {**context, "outcome": "invalid"}, status=400)
        )
    txn = transaction_by_ref(note.txn_ref)
    if txn is None:
        return _private(
            render(request, "payments/return.html", {**context, "outcome": "invalid"}, status=404)
        )
    context["txn"] = txn
    if txn.status == GatewayTransaction.Status.PAID:
        outcome = "paid"
    elif txn.status == GatewayTransaction.Status.HELD:
        outcome = "held"
    elif (
        txn.status in (GatewayTransaction.Status.FAILED, GatewayTransaction.Status.EXPIRED)
        or not note.succeeded
    ):
        outcome = "failed"
    elif txn.status == GatewayTransaction.Status.REVIEW:
        outcome = "review"
    else:  # the gateway says paid, the notification has not come yet: ask the gateway (display only)
        outcome = "processing"
        try:
            result = gateway.query(
                txn_ref=txn.txn_ref,
                order_info=txn.order_info,
                transaction_date=txn.created_at,
                at=timezone.now(),
            )
            context["gateway_confirms"] = result.succeeded
        except GatewayError:
            context["gateway_confirms"] = None
    context["outcome"] = outcome
    context["amount"] = txn.amount or Decimal(0)
    return _private(render(request, "payments/return.html", context))
