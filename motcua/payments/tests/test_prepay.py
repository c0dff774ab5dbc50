"""Fees due first, paid online before the desk accepts the dossier: over real HTTP against the sandbox gateway.

The lifecycle records a payment only on an accepted dossier (rules §3), so the gateway's payment is *held* on
its transaction and recorded (receipt, ``confirm_payment`` event, ``paid_online`` fact) right after the
acceptance commits; a dossier refused at intake owes it back. Every test counts Payment rows.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.db import transaction
from django.test import Client

from conftest import COMMUNE, Staff
from motcua.dossiers import hooks
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier, DossierEvent, Payment
from motcua.online import services as online
from motcua.online.models import OnlineSubmission
from motcua.payments import services as pay
from motcua.payments.conf import SANDBOX_SECRET
from motcua.payments.models import GatewayTransaction, Refund
from motcua.payments.selectors import fees_summary
from motcua.payments.tests.helpers import Browser, csrf_token
from motcua.reports.models import DossierFact

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def site(live_server: object, settings: object, staff: Staff, tmp_path: Path) -> str:
    url = live_server.url  # type: ignore[attr-defined]
    settings.MOTCUA_PAYMENT_GATEWAY_URL = url + "/sandbox/payment/"  # type: ignore[attr-defined]
    settings.MOTCUA_PAYMENT_IPN_URL = url + "/thanh-toan/ipn/"  # type: ignore[attr-defined]
    settings.MOTCUA_PAYMENT_SECRET = SANDBOX_SECRET  # type: ignore[attr-defined]
    settings.MOTCUA_PAYMENT_SANDBOX = "1"  # type: ignore[attr-defined]
    files = {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}
    settings.STORAGES = {**settings.STORAGES, "documents": files}  # type: ignore[attr-defined]
    return url


def submit(exemption: str = "") -> OnlineSubmission:
    return online.online_submit(
        procedure_code="1.001022",
        receiving_unit_code=COMMUNE,
        applicant=s.Applicant(name="Nông Văn A", id_number="004090000123", phone="0912345678"),
        files={"TK": online.Upload("to-khai.pdf", BytesIO(PDF)), "CC": online.Upload("cc.pdf", BytesIO(PDF))},
        delivery="online",
        exemption_claim=exemption,
    )


def params(submission: OnlineSubmission) -> dict[str, str]:
    return {"ma": submission.reference, "bi-mat": submission.dossier.secret}


def pay_online(browser: Browser, submission: OnlineSubmission) -> tuple[str, str]:
    """The citizen opens the online dossier page, pays at the sandbox gateway: (txn_ref, return page)."""
    page = browser.get(f"/nop-truc-tuyen/ho-so/?{urlencode(params(submission))}")
    assert page.status == 200, page.body
    assert "Thanh toán trực tuyến" in page.body
    assert "15.000" in page.body
    sent = browser.post(
        "/nop-truc-tuyen/ho-so/thanh-toan/",
        {**params(submission), "csrfmiddlewaretoken": csrf_token(page.body)},
    )
    assert sent.status == 302, sent.body
    txn_ref = dict(parse_qsl(urlsplit(sent.location).query))["vnp_TxnRef"]
    assert browser.get(sent.location).status == 200
    back = browser.post(f"/sandbox/payment/pay/{txn_ref}/", {"action": "pay", "ipn": "normal", "bank": "NCB"})
    assert back.status == 302, back.body
    return txn_ref, browser.get(back.location).body


def payments(d: Dossier) -> list[tuple[str, int, str]]:
    return [(p.method, int(p.amount), p.reference) for p in Payment.objects.filter(dossier=d)]


def test_paid_before_acceptance_is_held_then_recorded_when_the_desk_accepts(site: str, staff: Staff) -> None:
    # given an online dossier, submitted, whose fees are due first
    submission = submit()
    d = submission.dossier
    browser = Browser(site)
    # when the citizen pays before the desk has looked at it
    txn_ref, back = pay_online(browser, submission)
    # then the money is held: no payment on the dossier yet, nothing more to pay
    txn = GatewayTransaction.objects.get(txn_ref=txn_ref)
    assert txn.status == GatewayTransaction.Status.HELD
    assert payments(d) == []
    assert 'data-outcome="held"' in back
    summary = fees_summary(d)
    assert (summary.held, summary.outstanding, summary.paid) == (15000, 0, 0)
    status = browser.get(f"/nop-truc-tuyen/ho-so/?{urlencode(params(submission))}").body
    assert "Đã thanh toán trực tuyến 15.000" in status
    assert "/nop-truc-tuyen/ho-so/thanh-toan/" not in status
    # when the desk accepts it
    d = s.dossier_accept(dossier_id=d.pk, actor=staff.desk)
    # then the payment is recorded once, by the gateway (system), with its receipt
    assert payments(d) == [("online", 15000, txn_ref)]
    txn.refresh_from_db()
    assert txn.status == GatewayTransaction.Status.PAID
    assert txn.payment is not None
    events = list(DossierEvent.objects.filter(dossier=d).values_list("action", flat=True).order_by("seq"))
    assert events == ["submit", "accept", "confirm_payment"]
    assert fees_summary(d).held == 0
    assert fees_summary(d).outstanding == 0
    fact = DossierFact.objects.get(dossier=d)
    assert (fact.fee_required, fact.paid_online) == (True, True)
    # and nothing is recorded twice by the reconciliation job
    assert pay.payments_reconcile().held_recorded == 0
    assert len(payments(d)) == 1


def test_a_dossier_refused_at_intake_owes_its_held_payment_back(site: str, staff: Staff) -> None:
    submission = submit()
    txn_ref, _ = pay_online(Browser(site), submission)
    # when
    d = s.dossier_refuse(dossier_id=submission.dossier.pk, actor=staff.desk, reason="Không thuộc thẩm quyền")
    # then
    txn = GatewayTransaction.objects.get(txn_ref=txn_ref)
    assert txn.status == GatewayTransaction.Status.REVIEW
    refund = Refund.objects.get(dossier=d)
    assert (refund.transaction_id, int(refund.amount), refund.status) == (
        txn.pk,
        15000,
        Refund.Status.PENDING,
    )
    assert refund.reason.startswith("Từ chối tiếp nhận")
    assert payments(d) == []
    # the refund goes back through the gateway; what the dossier owes is unchanged (it never was paid)
    pay.refund_complete(refund_id=refund.pk, actor=staff.desk, method=Refund.Method.GATEWAY)
    assert Refund.objects.get(pk=refund.pk).status == Refund.Status.REFUNDED
    assert fees_summary(d).refunded == 0


def test_the_reconciliation_job_records_a_held_payment_the_acceptance_missed(site: str, staff: Staff) -> None:
    submission = submit()
    txn_ref, _ = pay_online(Browser(site), submission)
    with hooks.listeners_paused():  # as if the process died between the acceptance and recording the payment
        d = s.dossier_accept(dossier_id=submission.dossier.pk, actor=staff.desk)
    assert payments(d) == []
    # when
    report = pay.payments_reconcile()
    # then
    assert report.held_recorded == 1
    assert payments(d) == [("online", 15000, txn_ref)]
    assert pay.payments_reconcile().held_recorded == 0


def test_the_held_payment_is_recorded_only_if_the_acceptance_commits(site: str, staff: Staff) -> None:
    submission = submit()
    pay_online(Browser(site), submission)

    def accept_then_fail() -> None:
        with transaction.atomic():
            s.dossier_accept(dossier_id=submission.dossier.pk, actor=staff.desk)
            raise RuntimeError("the desk's transaction fails after the acceptance")

    with pytest.raises(RuntimeError):
        accept_then_fail()
    d = Dossier.objects.get(pk=submission.dossier.pk)
    assert (d.state, payments(d)) == ("submitted", [])
    assert GatewayTransaction.objects.get(dossier=d).status == GatewayTransaction.Status.HELD


def test_an_exemption_claim_waits_for_the_desk_before_any_payment(site: str, staff: Staff) -> None:
    submission = submit(exemption="Người có công với cách mạng")
    client = Client()
    page = client.get("/nop-truc-tuyen/ho-so/", params(submission)).content.decode()
    assert "Ông/bà đề nghị miễn, giảm phí" in page
    assert "/nop-truc-tuyen/ho-so/thanh-toan/" not in page
    answer = client.post("/nop-truc-tuyen/ho-so/thanh-toan/", params(submission))
    assert answer.status_code == 409
    assert not GatewayTransaction.objects.filter(dossier=submission.dossier).exists()
    # once accepted without the exemption, the fee is paid after acceptance as usual
    s.dossier_accept(dossier_id=submission.dossier.pk, actor=staff.desk)
    page = client.get("/nop-truc-tuyen/ho-so/", params(submission)).content.decode()
    assert "/nop-truc-tuyen/ho-so/thanh-toan/" in page
