"""The staff fees page and its forms, the citizen's pay page, the sandbox switch (Django test client)."""

from __future__ import annotations

import pytest
from django.test import Client

from conftest import Staff
from motcua.dossiers.models import Payment
from motcua.payments.models import FeeReduction, GatewayTransaction
from motcua.payments.tests.helpers import processing

pytestmark = pytest.mark.django_db


def signed_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_the_fees_page_shows_the_lines_and_collects_cash(staff: Staff) -> None:
    d = processing(staff)
    client = signed_in(staff.desk)
    page = client.get(f"/can-bo/thu-phi/{d.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Phí, lệ phí" in html
    assert "15.000 ₫" in html
    # when
    answer = client.post(f"/can-bo/thu-phi/{d.pk}/thu/", {"method": "cash"}, follow=True)
    # then
    assert answer.status_code == 200
    assert f"{d.code}-BL01" in answer.content.decode()
    assert list(Payment.objects.filter(dossier=d).values_list("method", "amount")) == [("cash", 15000)]


def test_an_exemption_without_evidence_is_refused_with_the_form_kept(staff: Staff) -> None:
    d = processing(staff)
    client = signed_in(staff.desk)
    answer = client.post(
        f"/can-bo/thu-phi/{d.pk}/mien-giam/", {"position": 1, "exempt": "on", "reason": "Hộ nghèo"}
    )
    assert answer.status_code == 422
    assert not FeeReduction.objects.exists()
    ok = client.post(
        f"/can-bo/thu-phi/{d.pk}/mien-giam/",
        {"position": 1, "exempt": "on", "reason": "Hộ nghèo", "evidence": "Sổ hộ nghèo số 7"},
    )
    assert ok.status_code == 302
    assert FeeReduction.objects.get().granted_by == staff.desk


def test_the_desk_can_make_an_online_payment_link_to_the_sandbox_on_its_own_host(
    staff: Staff, settings: object
) -> None:
    settings.MOTCUA_PUBLIC_URL = ""  # type: ignore[attr-defined]
    settings.MOTCUA_PAYMENT_GATEWAY_URL = ""  # type: ignore[attr-defined]
    d = processing(staff)
    answer = signed_in(staff.desk).post(f"/can-bo/thu-phi/{d.pk}/lien-ket/")
    assert answer.status_code == 200
    txn = GatewayTransaction.objects.get(dossier=d)
    assert txn.created_by == staff.desk
    html = answer.content.decode()
    assert "http://testserver/sandbox/payment/paymentv2/vpcpay.html?" in html
    assert f"vnp_TxnRef={txn.txn_ref}" in html


def test_an_officer_of_another_commune_does_not_see_the_fees(staff: Staff) -> None:
    d = processing(staff)
    assert signed_in(staff.other_desk).get(f"/can-bo/thu-phi/{d.pk}/").status_code == 404
    assert Client().get(f"/can-bo/thu-phi/{d.pk}/").status_code == 302  # to the sign-in page


def test_the_pay_page_needs_the_right_secret_and_says_nothing_else(staff: Staff) -> None:
    d = processing(staff)
    wrong = Client().get("/thanh-toan/", {"ma": d.code, "bi-mat": "WRONG123"})
    assert wrong.status_code == 404
    assert "15.000" not in wrong.content.decode()
    assert wrong["Cache-Control"] == "no-store, private"
    right = Client().get("/thanh-toan/", {"ma": d.code, "bi-mat": d.secret})
    assert right.status_code == 200
    assert "15.000 ₫" in right.content.decode()


def test_the_sandbox_can_be_switched_off(staff: Staff, settings: object) -> None:
    settings.MOTCUA_PAYMENT_SANDBOX = "0"  # type: ignore[attr-defined]
    assert Client().get("/sandbox/payment/paymentv2/vpcpay.html").status_code == 404
    assert (
        Client()
        .post("/sandbox/payment/merchant_webapi/api/transaction", "{}", "application/json")
        .status_code
        == 404
    )


def test_the_reconciliation_runs_every_five_minutes_when_the_scheduler_is_installed() -> None:
    from datetime import timedelta

    from django.apps import apps

    if not apps.is_installed("motcua.jobs"):
        pytest.skip("motcua.jobs is not installed")
    from motcua.jobs import schedule

    entry = {e.name: e for e in schedule.entries()}["payments.reconcile"]
    assert (entry.task_path, entry.every) == (
        "motcua.payments.tasks.payments_reconcile_task",
        timedelta(minutes=5),
    )
