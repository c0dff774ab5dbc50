"""The sandbox gateway: the gateway side of the VNPAY-style protocol, served by motcua at ``/sandbox/payment/``.

It is the default gateway in development, the demo and the tests, and it behaves like the real one:

- ``paymentv2/vpcpay.html?…`` checks the signed payment URL and shows a page to pay or cancel;
- paying (or cancelling) sends the signed result notification (IPN) **by HTTP** to motcua's IPN URL, then
  redirects the browser to the merchant's return URL with the same signed parameters;
- ``merchant_webapi/api/transaction`` answers the signed ``querydr`` and ``refund`` calls.

It can be told what to do with the IPN (form field ``ipn``): ``normal`` (send once), ``duplicate`` (twice,
one after the other), ``parallel`` (twice at the same time), ``delay`` (after ``delay`` seconds, in the
background), ``hold`` (not until ``POST ipn/<txn_ref>/send/``). It is switched off by
``MOTCUA_PAYMENT_SANDBOX=0`` (the default in production).
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.db import DatabaseError, connection, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from motcua.payments import gateway as g
from motcua.payments.conf import gateway_config
from motcua.payments.models import SandboxPayment

log = logging.getLogger(__name__)

BANKS = ("NCB", "VCB", "BIDV", "AGRIBANK")


def _enabled() -> None:
    if not gateway_config().sandbox_enabled:
        raise Http404("the payment sandbox is switched off")


def _ipn_url(request: HttpRequest) -> str:
    import os

    from django.conf import settings

    configured = getattr(settings, "MOTCUA_PAYMENT_IPN_URL", None) or os.environ.get("MOTCUA_PAYMENT_IPN_URL")
    return str(configured) if configured else request.build_absolute_uri(reverse("payments:ipn"))


def _result_params(sp: SandboxPayment, secret: str) -> dict[str, str]:
    params = {
        "vnp_TmnCode": sp.merchant,
        "vnp_Amount": str(sp.amount_minor),
        "vnp_BankCode": sp.bank_code,
        "vnp_BankTranNo": f"VNP{sp.transaction_no}" if sp.response_code == g.RESPONSE_SUCCESS else "",
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": sp.order_info,
        "vnp_PayDate": sp.pay_date,
        "vnp_ResponseCode": sp.response_code,
        "vnp_TransactionNo": sp.transaction_no,
        "vnp_TransactionStatus": sp.transaction_status,
        "vnp_TxnRef": sp.txn_ref,
        "vnp_SecureHashType": "HmacSHA512",
    }
    params = {k: v for k, v in params.items() if v != ""}
    params["vnp_SecureHash"] = g.sign(g.canonical_query(params), secret)
    return params


def send_ipn(url: str, params: dict[str, str], *, pk: int | None = None) -> dict[str, Any]:
    """One IPN by HTTP GET (as the gateway sends it); the merchant's JSON answer, kept on the record."""
    try:
        with urllib.request.urlopen(f"{url}?{urlencode(params)}", timeout=30) as response:  # noqa: S310
            answer: dict[str, Any] = json.loads(response.read().decode())
    except (urllib.error.URLError, OSError, ValueError) as exc:
        answer = {"error": str(exc)}
    if pk is not None:
        try:
            with transaction.atomic():
                sp = SandboxPayment.objects.select_for_update().get(pk=pk)
                sp.ipn_sent += 1
                sp.ipn_answers = [*sp.ipn_answers, answer]
                sp.save(update_fields=["ipn_sent", "ipn_answers"])
        except DatabaseError:  # bookkeeping only: the IPN was sent
            log.warning("sandbox: could not note the IPN answer for payment %s", pk)
    return answer


def _in_thread(fn: Callable[[], object], *, delay: float = 0.0) -> threading.Thread:
    def run() -> None:
        try:
            if delay:
                time.sleep(delay)
            fn()
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _dispatch(sp: SandboxPayment, url: str, params: dict[str, str], mode: str, delay: float) -> None:
    if mode == SandboxPayment.IpnMode.HOLD:
        return
    if mode == SandboxPayment.IpnMode.DELAY:
        _in_thread(lambda: send_ipn(url, params, pk=sp.pk), delay=delay)
        return
    if mode == SandboxPayment.IpnMode.PARALLEL:
        threads = [_in_thread(lambda: send_ipn(url, params, pk=sp.pk)) for _ in range(2)]
        for t in threads:
            t.join(timeout=60)
        return
    send_ipn(url, params, pk=sp.pk)
    if mode == SandboxPayment.IpnMode.DUPLICATE:
        send_ipn(url, params, pk=sp.pk)


@require_GET
def checkout(request: HttpRequest) -> HttpResponse:
    """The payment page the merchant's signed URL opens."""
    _enabled()
    config = gateway_config()
    params = {k: v for k, v in request.GET.items()}
    if not g.verify_query(params, config.secret) or params.get("vnp_TmnCode") != config.merchant:
        return render(request, "payments/sandbox/error.html", {"code": "97"}, status=400)
    try:
        minor = int(params["vnp_Amount"])
        txn_ref = params["vnp_TxnRef"]
        return_url = params["vnp_ReturnUrl"]
    except (KeyError, ValueError):
        return render(request, "payments/sandbox/error.html", {"code": "03"}, status=400)
    sp, _ = SandboxPayment.objects.get_or_create(
        merchant=params["vnp_TmnCode"],
        txn_ref=txn_ref,
        defaults={
            "amount_minor": minor,
            "order_info": params.get("vnp_OrderInfo", ""),
            "return_url": return_url,
            "created": params.get("vnp_CreateDate", ""),
            "expires": params.get("vnp_ExpireDate", ""),
        },
    )
    if sp.transaction_status == g.STATUS_PENDING:  # a new link for the same pending order: latest return URL
        SandboxPayment.objects.filter(pk=sp.pk).update(return_url=return_url, amount_minor=minor)
        sp.refresh_from_db()
    return render(
        request,
        "payments/sandbox/checkout.html",
        {"sp": sp, "amount": minor // 100, "banks": BANKS, "modes": SandboxPayment.IpnMode.choices},
    )


@csrf_exempt
@require_POST
def pay(request: HttpRequest, txn_ref: str) -> HttpResponse:
    """Pay or cancel: record it on the gateway side, send the IPN as told, redirect to the return URL."""
    _enabled()
    config = gateway_config()
    decision = request.POST.get("action", "pay")
    mode = request.POST.get("ipn", SandboxPayment.IpnMode.NORMAL)
    if mode not in SandboxPayment.IpnMode.values or decision not in ("pay", "cancel"):
        return HttpResponseBadRequest(
            "action must be pay|cancel, ipn one of " + "|".join(SandboxPayment.IpnMode.values)
        )
    try:
        delay = min(600.0, max(0.0, float(request.POST.get("delay", "2") or 2)))
    except ValueError:
        return HttpResponseBadRequest("delay must be a number of seconds")
    with transaction.atomic():
        sp = (
            SandboxPayment.objects.select_for_update()
            .filter(merchant=config.merchant, txn_ref=txn_ref)
            .first()
        )
        if sp is None:
            raise Http404(txn_ref)
        if sp.transaction_status == g.STATUS_PENDING:
            now = g.format_date(timezone.now())
            if decision == "pay":
                sp.transaction_status, sp.response_code = g.STATUS_SUCCESS, g.RESPONSE_SUCCESS
                sp.bank_code = request.POST.get("bank", "NCB")[:20] or "NCB"
                sp.transaction_no = str(random.randint(10_000_000, 99_999_999))  # not a secret
            else:
                sp.transaction_status, sp.response_code = g.STATUS_ERROR, g.RESPONSE_CANCELLED
            sp.pay_date = now
            sp.ipn_mode = mode
            sp.save()
    params = _result_params(sp, config.secret)
    _dispatch(sp, _ipn_url(request), params, mode, delay)
    separator = "&" if "?" in sp.return_url else "?"
    return redirect(f"{sp.return_url}{separator}{urlencode(params)}")


@csrf_exempt
@require_POST
def release(request: HttpRequest, txn_ref: str) -> JsonResponse:
    """Send a held (or any) payment's IPN now; the merchant's answer."""
    _enabled()
    config = gateway_config()
    sp = SandboxPayment.objects.filter(merchant=config.merchant, txn_ref=txn_ref).first()
    if sp is None or sp.transaction_status == g.STATUS_PENDING:
        raise Http404(txn_ref)
    return JsonResponse(send_ipn(_ipn_url(request), _result_params(sp, config.secret), pk=sp.pk))


def _api_answer(fields: tuple[str, ...], values: dict[str, Any], secret: str) -> JsonResponse:
    values = {k: ("" if v is None else str(v)) for k, v in values.items()}
    values["vnp_SecureHash"] = g.sign_fields(values, fields, secret)
    return JsonResponse(values)


@csrf_exempt
@require_POST
def api(request: HttpRequest) -> JsonResponse:
    """The merchant API: ``querydr`` and ``refund``, signed both ways."""
    _enabled()
    config = gateway_config()
    try:
        body = json.loads(request.body.decode())
        assert isinstance(body, dict)
    except (ValueError, AssertionError):
        return JsonResponse({"vnp_ResponseCode": "03", "vnp_Message": "Invalid request format"}, status=400)
    command = body.get("vnp_Command")
    base = {
        "vnp_ResponseId": body.get("vnp_RequestId", ""),
        "vnp_Command": command,
        "vnp_TmnCode": config.merchant,
    }
    request_fields = g.QUERY_REQUEST_FIELDS if command == "querydr" else g.REFUND_REQUEST_FIELDS
    response_fields = g.QUERY_RESPONSE_FIELDS if command == "querydr" else g.REFUND_RESPONSE_FIELDS
    if command not in ("querydr", "refund"):
        return JsonResponse({"vnp_ResponseCode": "02", "vnp_Message": "Unknown command"}, status=400)
    if str(body.get("vnp_SecureHash", "")).lower() != g.sign_fields(body, request_fields, config.secret):
        return _api_answer(response_fields, {**base, "vnp_ResponseCode": "97", "vnp_Message": "Invalid Checksum"},
                           config.secret)  # fmt: skip
    txn_ref = str(body.get("vnp_TxnRef", ""))
    with transaction.atomic():
        sp = (
            SandboxPayment.objects.select_for_update()
            .filter(merchant=config.merchant, txn_ref=txn_ref)
            .first()
        )
        if sp is None:
            return _api_answer(response_fields, {**base, "vnp_TxnRef": txn_ref, "vnp_ResponseCode": "91",
                                                 "vnp_Message": "Transaction not found"}, config.secret)  # fmt: skip
        if command == "refund":
            try:
                minor = int(body.get("vnp_Amount", 0))
            except ValueError:
                minor = -1
            if (
                sp.transaction_status != g.STATUS_SUCCESS
                or not 0 < minor <= sp.amount_minor - sp.refunded_minor
            ):
                return _api_answer(response_fields, {**base, "vnp_TxnRef": txn_ref, "vnp_ResponseCode": "94",
                                                     "vnp_Message": "Refund not allowed"}, config.secret)  # fmt: skip
            sp.refunded_minor += minor
            sp.save(update_fields=["refunded_minor"])
    values = {
        **base,
        "vnp_ResponseCode": "00",
        "vnp_Message": "Success",
        "vnp_TxnRef": sp.txn_ref,
        "vnp_Amount": body.get("vnp_Amount") if command == "refund" else sp.amount_minor,
        "vnp_BankCode": sp.bank_code,
        "vnp_PayDate": sp.pay_date,
        "vnp_TransactionNo": sp.transaction_no,
        "vnp_TransactionType": body.get("vnp_TransactionType", "01") if command == "refund" else "01",
        "vnp_TransactionStatus": ("05" if command == "refund" else sp.transaction_status),
        "vnp_OrderInfo": sp.order_info,
    }
    if command == "querydr":
        values |= {"vnp_PromotionCode": "", "vnp_PromotionAmount": ""}
    return _api_answer(response_fields, values, config.secret)
