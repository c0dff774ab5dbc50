"""Fee lines, exemptions and reductions, collection at the desk, refunds (services, no gateway)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from conftest import Staff, vn
from motcua.core.errors import Conflict, FieldError, Forbidden, StateError
from motcua.dossiers import services as s
from motcua.dossiers.models import Payment
from motcua.payments import services as pay
from motcua.payments.models import FeeLine, GatewayTransaction, Refund
from motcua.payments.selectors import fees_summary
from motcua.payments.tests.helpers import processing, submitted

pytestmark = pytest.mark.django_db


def test_submission_copies_the_procedures_fee_lines(staff: Staff) -> None:
    # given / when
    d = submitted(staff)
    # then
    lines = list(
        FeeLine.objects.filter(dossier=d).values_list("position", "kind", "name", "amount", "collection")
    )
    assert lines == [(1, "charge", "Lệ phí", Decimal(15000), "before")]
    summary = fees_summary(d)
    assert (summary.due, summary.paid, summary.outstanding) == (15000, 0, 15000)


def test_a_line_the_province_sets_has_no_amount_until_entered(staff: Staff) -> None:
    # given: a land procedure whose charge the province sets
    d = processing(staff, procedure="1.012784")
    assert fees_summary(d).amount_unknown
    with pytest.raises(StateError, match="not entered"):
        pay.checkout_create(dossier_id=d.pk, return_url="http://x/")
    # when
    pay.fee_line_set(dossier_id=d.pk, position=1, actor=staff.desk, amount="250000", collection="after")
    # then
    summary = fees_summary(d)
    assert not summary.amount_unknown
    assert summary.outstanding == 250000
    assert summary.lines[0].line.collection == "after"


def test_a_reduction_needs_a_reason_and_evidence_and_lowers_what_is_due(staff: Staff) -> None:
    d = submitted(staff)
    with pytest.raises(FieldError) as missing:
        pay.fee_reduction_grant(
            dossier_id=d.pk, position=1, actor=staff.desk, reason="", evidence="x", amount=5000
        )
    assert missing.value.field == "reason"
    with pytest.raises(FieldError) as too_much:
        pay.fee_reduction_grant(
            dossier_id=d.pk,
            position=1,
            actor=staff.desk,
            reason="Hộ nghèo",
            evidence="Sổ hộ nghèo 12",
            amount=20000,
        )
    assert too_much.value.field == "amount"
    # when
    r = pay.fee_reduction_grant(
        dossier_id=d.pk,
        position=1,
        actor=staff.desk,
        reason="Giảm 50% theo Nghị quyết HĐND tỉnh",
        evidence="Giấy xác nhận hộ cận nghèo số 12/XN",
        amount=7500,
        at=vn("2026-03-09 08:10"),
    )
    # then
    assert (r.granted_by, r.granted_at) == (staff.desk, vn("2026-03-09 08:10"))
    assert fees_summary(d).due == 7500


def test_an_exemption_makes_nothing_due_and_is_granted_by_a_person_of_the_unit(staff: Staff) -> None:
    d = submitted(staff)
    with pytest.raises(Forbidden):
        pay.fee_reduction_grant(
            dossier_id=d.pk,
            position=1,
            actor=staff.other_desk,
            reason="Người có công",
            evidence="Thẻ 1",
            exempt=True,
        )
    pay.fee_reduction_grant(
        dossier_id=d.pk,
        position=1,
        actor=staff.approver,
        reason="Người có công",
        evidence="Thẻ số 1",
        exempt=True,
    )
    summary = fees_summary(d)
    assert (summary.due, summary.outstanding, summary.reduced) == (0, 0, 15000)


def test_cash_collection_records_one_payment_through_the_dossier_service(staff: Staff) -> None:
    d = processing(staff)
    # when
    payment = pay.fee_collect(dossier_id=d.pk, actor=staff.desk, method="cash")
    # then
    assert (payment.method, payment.amount, payment.receipt_number) == ("cash", 15000, f"{d.code}-BL01")
    assert d.events.filter(action="confirm_payment").count() == 1
    with pytest.raises(Conflict, match="owes nothing"):
        pay.fee_collect(dossier_id=d.pk, actor=staff.desk, method="transfer", reference="FT1")
    assert Payment.objects.filter(dossier=d).count() == 1


def test_collection_refuses_more_than_is_owed_and_online_as_a_desk_method(staff: Staff) -> None:
    d = processing(staff)
    with pytest.raises(FieldError) as exc:
        pay.fee_collect(dossier_id=d.pk, actor=staff.desk, method="cash", amount=20000)
    assert exc.value.field == "amount"
    with pytest.raises(FieldError):
        pay.fee_collect(dossier_id=d.pk, actor=staff.desk, method="online")
    assert not Payment.objects.filter(dossier=d).exists()


def test_a_pending_payment_link_is_reused_rather_than_paid_twice(staff: Staff) -> None:
    d = processing(staff)
    first, url = pay.checkout_create(dossier_id=d.pk, return_url="http://127.0.0.1/thanh-toan/ket-qua/")
    again, _ = pay.checkout_create(dossier_id=d.pk, return_url="http://127.0.0.1/thanh-toan/ket-qua/")
    assert first.pk == again.pk
    assert "vnp_Amount=1500000" in url
    assert "vnp_SecureHash=" in url
    assert GatewayTransaction.objects.filter(dossier=d).count() == 1


def test_a_dossier_refused_at_intake_cannot_be_paid_online(staff: Staff) -> None:
    d = submitted(staff)
    pay.checkout_create(dossier_id=d.pk, return_url="http://x/")  # before acceptance: held (test_prepay.py)
    s.dossier_refuse(dossier_id=d.pk, actor=staff.desk, reason="Không thuộc thẩm quyền")
    with pytest.raises(StateError):
        pay.checkout_create(dossier_id=d.pk, return_url="http://x/")


def test_stopping_a_paid_dossier_creates_a_pending_refund_in_the_same_transaction(staff: Staff) -> None:
    # given
    d = processing(staff)
    payment = pay.fee_collect(dossier_id=d.pk, actor=staff.desk, method="cash")
    # when
    s.dossier_stop(
        dossier_id=d.pk, actor=staff.approver, reason_code="withdrawn", reason="Công dân rút hồ sơ"
    )
    # then
    refund = Refund.objects.get(dossier=d)
    assert (refund.payment, refund.amount, refund.status) == (payment, 15000, "pending")
    assert refund.reason == "Dừng xử lý: Công dân rút hồ sơ"
    # when: the desk gives the money back
    pay.refund_complete(refund_id=refund.pk, actor=staff.desk, method="cash", reference="PC-01")
    # then
    refund.refresh_from_db()
    assert (refund.status, refund.method, refund.refunded_by) == ("refunded", "cash", staff.desk)
    assert fees_summary(d).refunded == 15000
    with pytest.raises(Conflict):
        pay.refund_complete(refund_id=refund.pk, actor=staff.desk, method="cash")


def test_a_dossier_stopped_before_payment_owes_no_refund(staff: Staff) -> None:
    d = processing(staff)
    s.dossier_stop(dossier_id=d.pk, actor=staff.approver, reason_code="withdrawn")
    assert not Refund.objects.filter(dossier=d).exists()


def test_an_online_payment_arriving_after_the_dossier_ended_is_kept_for_review_and_refunded(
    staff: Staff,
) -> None:
    # given: a payment link, then the dossier is stopped before the gateway says it was paid
    d = processing(staff)
    txn, _ = pay.checkout_create(dossier_id=d.pk, return_url="http://x/")
    s.dossier_stop(dossier_id=d.pk, actor=staff.approver, reason_code="withdrawn")
    # when
    settled = pay._settle(txn.txn_ref, succeeded=True, source="ipn", at=timezone.now() + timedelta(seconds=1))
    # then: nothing recorded on the ended dossier, the money is owed back, not lost
    txn.refresh_from_db()
    assert settled
    assert txn.status == "review"
    assert not Payment.objects.filter(dossier=d).exists()
    assert Refund.objects.get(dossier=d, transaction=txn).amount == 15000


def test_an_exemption_or_an_amount_entered_after_intake_moves_the_online_payment_figure(staff: Staff) -> None:
    # given an accepted dossier owing 15,000 and a land dossier whose amount is not entered yet
    from motcua.dossiers.models import Dossier
    from motcua.reports.facts import facts_verify
    from motcua.reports.models import DossierFact

    exempted = processing(staff)
    land = processing(staff, procedure="1.012784")
    assert DossierFact.objects.get(dossier=exempted).fee_required
    assert not DossierFact.objects.get(dossier=land).fee_required
    # when the approver exempts the first and the desk enters the province's amount of the second
    pay.fee_reduction_grant(
        dossier_id=exempted.pk,
        position=1,
        actor=staff.approver,
        reason="Người có công",
        evidence="Thẻ 1",
        exempt=True,
    )
    pay.fee_line_set(dossier_id=land.pk, position=1, actor=staff.desk, amount="250000")
    # then the dossiers and their report facts follow, and the facts still verify
    assert Dossier.objects.filter(pk=exempted.pk).values_list("fee_total", "fees_exempt").get() == (0, True)
    assert Dossier.objects.filter(pk=land.pk).values_list("fee_total", "fees_exempt").get() == (250000, False)
    assert not DossierFact.objects.get(dossier=exempted).fee_required
    assert DossierFact.objects.get(dossier=land).fee_required
    assert facts_verify()[1] == []
