"""End to end against the sandbox gateway over real HTTP (live_server): the citizen pays, the sandbox sends
the signed IPN to motcua, the browser comes back. Every test counts Payment rows: never two, never none."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from conftest import Staff
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier, Payment
from motcua.payments import gateway as g
from motcua.payments import services as pay
from motcua.payments.conf import SANDBOX_SECRET
from motcua.payments.models import GatewayTransaction, Refund, SandboxPayment
from motcua.payments.tests.helpers import Browser, csrf_token, processing

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site(live_server: object, settings: object, staff: Staff) -> str:
    url = live_server.url  # type: ignore[attr-defined]
    settings.MOTCUA_PAYMENT_GATEWAY_URL = url + "/sandbox/payment/"  # type: ignore[attr-defined]
    settings.MOTCUA_PAYMENT_IPN_URL = url + "/thanh-toan/ipn/"  # type: ignore[attr-defined]
    settings.MOTCUA_PAYMENT_SECRET = SANDBOX_SECRET  # type: ignore[attr-defined]
    settings.MOTCUA_PAYMENT_SANDBOX = "1"  # type: ignore[attr-defined]
    return url


def payments(d: Dossier) -> list[tuple[str, int, str]]:
    return [(p.method, int(p.amount), p.reference) for p in Payment.objects.filter(dossier=d)]


def to_gateway(browser: Browser, d: Dossier) -> tuple[str, str]:
    """The citizen opens the pay page with code + secret and is sent to the gateway: (txn_ref, page)."""
    page = browser.get(f"/thanh-toan/?{urlencode({'ma': d.code, 'bi-mat': d.secret})}")
    assert page.status == 200, page.body
    assert "15.000 ₫" in page.body
    sent = browser.post(
        "/thanh-toan/", {"ma": d.code or "", "bi-mat": d.secret, "csrfmiddlewaretoken": csrf_token(page.body)}
    )
    assert sent.status == 302, sent.body
    assert sent.location.startswith(browser.base + "/sandbox/payment/paymentv2/vpcpay.html?")
    query = dict(parse_qsl(urlsplit(sent.location).query))
    assert (query["vnp_Amount"], query["vnp_TmnCode"]) == ("1500000", "MOTCUA01")
    checkout = browser.get(sent.location)
    assert checkout.status == 200, checkout.body
    return query["vnp_TxnRef"], checkout.body


def at_gateway(
    browser: Browser, txn_ref: str, *, action: str = "pay", ipn: str = "normal", delay: str = "0"
) -> str:
    """Pay (or cancel) at the sandbox; the URL the browser is sent back to."""
    answer = browser.post(
        f"/sandbox/payment/pay/{txn_ref}/", {"action": action, "ipn": ipn, "bank": "NCB", "delay": delay}
    )
    assert answer.status == 302, answer.body
    assert answer.location.startswith(browser.base + "/thanh-toan/ket-qua/?")
    return answer.location


def outcome(html: str) -> str:
    match = re.search(r'data-outcome="(\w+)"', html)
    assert match, html
    return match.group(1)


def ipn_codes(txn_ref: str) -> list[str]:
    return [
        a.get("RspCode", a.get("error", "?")) for a in SandboxPayment.objects.get(txn_ref=txn_ref).ipn_answers
    ]


def test_notification_before_the_return_records_one_payment(site: str, staff: Staff) -> None:
    # given
    d = processing(staff)
    browser = Browser(site)
    txn_ref, _ = to_gateway(browser, d)
    # when: the citizen pays; the sandbox notifies motcua, then sends the browser back
    back = at_gateway(browser, txn_ref)
    # then
    assert ipn_codes(txn_ref) == ["00"]
    assert payments(d) == [("online", 15000, txn_ref)]
    txn = GatewayTransaction.objects.get(txn_ref=txn_ref)
    assert (txn.status, txn.settled_by, txn.attempts) == ("paid", "ipn", 1)
    assert txn.raw_notification["vnp_TxnRef"] == txn_ref
    assert txn.gateway_transaction_no
    event = d.events.get(action="confirm_payment")
    assert (event.actor, event.actor_role) == (None, "system")
    page = browser.get(back)
    assert page.status == 200
    assert outcome(page.body) == "paid"
    assert f"{d.code}-BL01" in page.body
    assert payments(d) == [("online", 15000, txn_ref)]  # the return page recorded nothing more


def test_a_duplicate_notification_records_one_payment(site: str, staff: Staff) -> None:
    d = processing(staff)
    browser = Browser(site)
    txn_ref, _ = to_gateway(browser, d)
    # when: the gateway sends the same IPN twice
    at_gateway(browser, txn_ref, ipn="duplicate")
    # then: the second is answered "already confirmed"
    assert ipn_codes(txn_ref) == ["00", "02"]
    assert payments(d) == [("online", 15000, txn_ref)]
    assert GatewayTransaction.objects.get(txn_ref=txn_ref).attempts == 2


def test_a_return_before_the_notification_shows_processing_and_reconciliation_settles_it(
    site: str, staff: Staff
) -> None:
    # given: the sandbox holds the IPN back; the citizen is back first
    d = processing(staff)
    browser = Browser(site)
    txn_ref, _ = to_gateway(browser, d)
    back = at_gateway(browser, txn_ref, ipn="hold")
    page = browser.get(back)
    assert outcome(page.body) == "processing"
    assert 'http-equiv="refresh"' in page.body
    assert payments(d) == []
    # when: the reconciliation job queries the gateway
    report = pay.payments_reconcile()
    # then
    assert (report.checked, report.settled, report.errors) == (1, 1, [])
    assert payments(d) == [("online", 15000, txn_ref)]
    assert GatewayTransaction.objects.get(txn_ref=txn_ref).settled_by == "reconcile"
    assert outcome(browser.get(back).body) == "paid"
    # when: the held IPN finally arrives
    late = browser.post(f"/sandbox/payment/ipn/{txn_ref}/send/", {})
    # then
    assert json.loads(late.body)["RspCode"] == "02"
    assert pay.payments_reconcile().checked == 0
    assert payments(d) == [("online", 15000, txn_ref)]


def test_a_delayed_notification_is_recorded_once_when_it_arrives(site: str, staff: Staff) -> None:
    import time

    d = processing(staff)
    browser = Browser(site)
    txn_ref, _ = to_gateway(browser, d)
    # when: the sandbox sends the IPN a second after the browser was sent back
    back = at_gateway(browser, txn_ref, ipn="delay", delay="1")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        time.sleep(0.3)
        try:  # the in-memory SQLite test database locks tables while the server thread writes
            if GatewayTransaction.objects.get(txn_ref=txn_ref).status != "pending":
                break
        except OperationalError:
            continue
    # then
    assert payments(d) == [("online", 15000, txn_ref)]
    assert GatewayTransaction.objects.get(txn_ref=txn_ref).settled_by == "ipn"
    assert outcome(browser.get(back).body) == "paid"


def test_a_tampered_signature_is_rejected(site: str, staff: Staff) -> None:
    d = processing(staff)
    browser = Browser(site)
    txn_ref, _ = to_gateway(browser, d)
    back = at_gateway(browser, txn_ref, ipn="hold")
    params = dict(parse_qsl(urlsplit(back).query))
    # when: someone changes the response code of a cancelled-looking, or the hash itself
    forged = {**params, "vnp_TransactionNo": "99999999"}
    answer = browser.get(f"/thanh-toan/ipn/?{urlencode(forged)}")
    bad_hash = {**params, "vnp_SecureHash": "0" * 128}
    answer2 = browser.get(f"/thanh-toan/ipn/?{urlencode(bad_hash)}")
    # then
    assert json.loads(answer.body) == {"RspCode": "97", "Message": "Invalid signature"}
    assert json.loads(answer2.body)["RspCode"] == "97"
    assert browser.get(f"/thanh-toan/ket-qua/?{urlencode(forged)}").status == 400
    assert payments(d) == []
    assert GatewayTransaction.objects.get(txn_ref=txn_ref).status == "pending"
    # and a payment URL whose amount was lowered is refused by the gateway
    page = browser.get(f"/thanh-toan/?{urlencode({'ma': d.code, 'bi-mat': d.secret})}")
    sent = browser.post(
        "/thanh-toan/", {"ma": d.code or "", "bi-mat": d.secret, "csrfmiddlewaretoken": csrf_token(page.body)}
    )
    assert browser.get(sent.location.replace("vnp_Amount=1500000", "vnp_Amount=100")).status == 400


def test_a_wrong_amount_is_rejected(site: str, staff: Staff) -> None:
    d = processing(staff)
    browser = Browser(site)
    txn_ref, _ = to_gateway(browser, d)
    back = at_gateway(browser, txn_ref, ipn="hold")
    params = {k: v for k, v in parse_qsl(urlsplit(back).query) if k != "vnp_SecureHash"}
    # when: a correctly signed notification that names another amount
    params["vnp_Amount"] = "100000"
    params["vnp_SecureHash"] = g.sign(g.canonical_query(params), SANDBOX_SECRET)
    answer = browser.get(f"/thanh-toan/ipn/?{urlencode(params)}")
    # then
    assert json.loads(answer.body) == {"RspCode": "04", "Message": "Invalid amount"}
    assert payments(d) == []
    # and an unknown order
    params["vnp_TxnRef"] = "NOSUCHORDER"
    params["vnp_SecureHash"] = g.sign(g.canonical_query(params), SANDBOX_SECRET)
    assert json.loads(browser.get(f"/thanh-toan/ipn/?{urlencode(params)}").body)["RspCode"] == "01"


def test_a_cancelled_payment_records_nothing_and_can_be_paid_again(site: str, staff: Staff) -> None:
    d = processing(staff)
    browser = Browser(site)
    txn_ref, _ = to_gateway(browser, d)
    back = at_gateway(browser, txn_ref, action="cancel")
    assert ipn_codes(txn_ref) == ["00"]  # the notification of a failure is confirmed too
    assert GatewayTransaction.objects.get(txn_ref=txn_ref).status == "failed"
    assert outcome(browser.get(back).body) == "failed"
    assert payments(d) == []
    # when: the citizen tries again: a new transaction
    again, _ = to_gateway(browser, d)
    assert again != txn_ref
    at_gateway(browser, again)
    assert payments(d) == [("online", 15000, again)]


def test_reconciliation_expires_what_the_gateway_never_saw(site: str, staff: Staff) -> None:
    d = processing(staff)
    txn, _ = pay.checkout_create(dossier_id=d.pk, return_url=site + "/thanh-toan/ket-qua/")
    report = pay.payments_reconcile(at=timezone.now() + timedelta(hours=1))
    assert (report.checked, report.expired) == (1, 1)
    assert GatewayTransaction.objects.get(pk=txn.pk).status == "expired"


def test_a_paid_dossier_that_is_stopped_is_refunded_through_the_gateway(site: str, staff: Staff) -> None:
    d = processing(staff)
    browser = Browser(site)
    txn_ref, _ = to_gateway(browser, d)
    at_gateway(browser, txn_ref)
    # when
    s.dossier_stop(dossier_id=d.pk, actor=staff.approver, reason_code="withdrawn")
    refund = Refund.objects.get(dossier=d)
    pay.refund_complete(refund_id=refund.pk, actor=staff.desk, method="gateway")
    # then
    refund.refresh_from_db()
    assert (refund.status, refund.method, refund.amount) == ("refunded", "gateway", 15000)
    assert SandboxPayment.objects.get(txn_ref=txn_ref).refunded_minor == 1500000


def test_the_reconcile_command_settles_pending_payments(site: str, staff: Staff) -> None:
    import contextlib
    from io import StringIO
    from unittest import mock

    from django.db import connections

    from motcua.cli import main

    d = processing(staff)
    browser = Browser(site)
    txn_ref, _ = to_gateway(browser, d)
    at_gateway(browser, txn_ref, ipn="hold")
    out = StringIO()
    with contextlib.redirect_stdout(out), mock.patch.object(connections, "close_all"):
        code = main(["payments", "reconcile"])
    assert code == 0
    assert (
        out.getvalue().strip()
        == "checked 1, settled 1, failed 0, expired 0, held payments recorded 0, errors 0"
    )
    assert payments(d) == [("online", 15000, txn_ref)]


@pytest.mark.postgres
def test_two_notifications_at_the_same_instant_record_one_payment(site: str, staff: Staff) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL (the in-memory SQLite test database is shared)")
    d = processing(staff)
    browser = Browser(site)
    txn_ref, _ = to_gateway(browser, d)
    # when: the sandbox sends the IPN twice, in two threads at once
    at_gateway(browser, txn_ref, ipn="parallel")
    # then: one was confirmed, the other waited on the row lock and found it settled
    assert sorted(ipn_codes(txn_ref)) == ["00", "02"]
    assert payments(d) == [("online", 15000, txn_ref)]
    assert GatewayTransaction.objects.get(txn_ref=txn_ref).attempts == 2
