"""Writes: fee lines, exemptions and reductions, collection, online payments, reconciliation, refunds.

A payment is always recorded by :func:`motcua.dossiers.services.dossier_confirm_payment`. An online payment
is recorded by the first of the gateway's result notification (IPN) and the reconciliation job to see it
succeed, exactly once: both go through :func:`_settle`, which locks the :class:`GatewayTransaction` row and
does nothing when the row is no longer pending. The citizen's return page never records anything.

An online applicant whose fees are due first may pay before the desk has accepted the dossier (``submitted``):
the lifecycle records payments only on accepted dossiers (rules §3), so the money is **held** on its
transaction (status ``held``) and recorded by ``dossier_confirm_payment`` right after the acceptance commits
(:func:`held_payments_apply`, also swept by the reconciliation job). A dossier refused, returned or cancelled
at intake owes its held payments back (a refund each).

Lock order, to stay free of deadlocks: a pending gateway transaction, then the dossier (the dossier services
lock it); a held transaction is locked after its dossier (it is never pending again).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from motcua.accounts.models import User
from motcua.accounts.selectors import roles_in_unit
from motcua.core.errors import ApplicationError, Conflict, FieldError, Forbidden, NotFound, StateError
from motcua.domain.lifecycle import Action, Role, State
from motcua.dossiers.models import Dossier, DossierEvent, Payment
from motcua.dossiers.services import dossier_confirm_payment
from motcua.payments.conf import gateway_config
from motcua.payments.gateway import (
    GatewayError,
    InvalidSignature,
    Notification,
    PaymentGateway,
    get_gateway,
)
from motcua.payments.models import Collection, FeeLine, FeeReduction, GatewayTransaction, Refund
from motcua.payments.selectors import fee_lines_build, fees_summary, pending_refund_total

__all__ = [
    "IPN_ANSWERS",
    "ReconcileReport",
    "checkout_create",
    "fee_collect",
    "fee_line_set",
    "fee_lines_ensure",
    "fee_reduction_grant",
    "held_payments_apply",
    "notification_handle",
    "on_dossier_events",
    "on_dossier_events_many",
    "payments_reconcile",
    "refund_complete",
]

log = logging.getLogger(__name__)

# States in which dossier_confirm_payment records a payment (rules §3: received … awaiting_payment).
PAYABLE_STATES = frozenset(
    {State.RECEIVED, State.PROCESSING, State.SUPPLEMENT_REQUESTED, State.AWAITING_PAYMENT}
)
# States before acceptance in which the applicant may already pay online: the payment is held (see above).
PREPAY_STATES = frozenset({State.SUBMITTED, State.INTAKE_SUPPLEMENT})
CHECKOUT_STATES = PAYABLE_STATES | PREPAY_STATES
# Actions that end a dossier without a result: what was paid is to be given back.
REFUND_ACTIONS = frozenset({Action.REFUSE, Action.RETURN_UNACCEPTED, Action.STOP, Action.CANCEL})
# Who may handle fees at the desk, and who may grant an exemption or reduction.
FEE_ROLES = frozenset({Role.DESK_OFFICER, Role.ADMIN})
GRANT_ROLES = frozenset({Role.DESK_OFFICER, Role.APPROVER, Role.ADMIN})

# The IPN answers the gateway expects ({"RspCode": ..., "Message": ...}).
IPN_ANSWERS = {
    "00": "Confirm Success",
    "01": "Order not found",
    "02": "Order already confirmed",
    "04": "Invalid amount",
    "97": "Invalid signature",
    "99": "Unknown error",
}


def _now(at: datetime | None) -> datetime:
    if at is None:
        return timezone.now()
    if at.tzinfo is None or at.utcoffset() is None:
        raise FieldError("at", at.isoformat(), "must include a time zone offset")
    return at


def _amount(field_name: str, value: Any) -> Decimal:
    try:
        amount = Decimal(str(value).replace(".", "").replace(",", "").strip())
    except InvalidOperation as exc:
        raise FieldError(field_name, value, "must be a whole number of VND") from exc
    if amount < 0 or amount != amount.to_integral_value():
        raise FieldError(field_name, value, "must be a whole, non-negative number of VND")
    return amount


def _require(actor: User | None, dossier: Dossier, allowed: frozenset[Role], what: str) -> None:
    roles = roles_in_unit(actor, dossier.receiving_unit) | roles_in_unit(actor, dossier.competent_unit)
    if not roles & (allowed | {Role.SYSTEM}):
        raise Forbidden(f"{what} needs one of the roles {', '.join(sorted(r.value for r in allowed))}")


def _locked_dossier(dossier_id: int) -> Dossier:
    found = list(
        Dossier.objects.select_for_update(of=("self",))
        .select_related("procedure_version", "receiving_unit", "competent_unit")
        .filter(pk=dossier_id)
        .order_by()[:1]
    )
    if not found:
        raise NotFound(f"dossier {dossier_id} does not exist", field="dossier", value=dossier_id)
    return found[0]


# -- fee lines -------------------------------------------------------------------------------------------------


def fee_lines_ensure(dossier: Dossier) -> list[FeeLine]:
    """The dossier's fee lines, copied from its procedure version the first time (idempotent)."""
    lines = list(FeeLine.objects.filter(dossier=dossier).order_by("position"))
    if lines:
        return lines
    FeeLine.objects.bulk_create(fee_lines_build(dossier), ignore_conflicts=True)
    return list(FeeLine.objects.filter(dossier=dossier).order_by("position"))


def _line(dossier: Dossier, position: int) -> FeeLine:
    fee_lines_ensure(dossier)
    line = FeeLine.objects.select_for_update().filter(dossier=dossier, position=position).first()
    if line is None:
        raise FieldError("line", position, f"is not a fee line of dossier {dossier.code or dossier.pk}")
    return line


@transaction.atomic
def fee_line_set(
    *,
    dossier_id: int,
    position: int,
    actor: User | None,
    amount: Decimal | int | str | None = None,
    collection: str | None = None,
    applies: bool | None = None,
) -> FeeLine:
    """Enter the amount of a line the province sets, say when the line is collected (before / after), or
    whether it applies to this dossier (a copy the applicant asks for, a late registration)."""
    dossier = _locked_dossier(dossier_id)
    _require(actor, dossier, FEE_ROLES | {Role.SPECIALIST}, "setting a fee")
    line = _line(dossier, position)
    fields = []
    if amount is not None:
        line.amount = _amount("amount", amount)
        fields.append("amount")
    if collection is not None:
        if collection not in Collection.values:
            raise FieldError("collection", collection, f"must be one of {', '.join(Collection.values)}")
        line.collection = collection
        fields.append("collection")
    if applies is not None and applies != line.applies:
        if not applies and Payment.objects.filter(dossier=dossier).exists() and line.amount:
            raise Conflict(
                f"line {position} of dossier {dossier.code or dossier.pk} was part of what was paid; refund first",
                field="applies",
                value="false",
            )
        line.applies = applies
        fields.append("applies")
    if fields:
        line.save(update_fields=fields)
        _dossier_fees_sync(dossier)
    return line


def _dossier_fees_sync(dossier: Dossier) -> None:
    """Copy what the applicant owes onto the dossier (``fee_total``; ``fees_exempt`` when exemptions brought a
    fee-bearing dossier to 0), so the reports' online-payment figure (rules §4: fees > 0 and not exempt) sees
    amounts entered and exemptions granted after intake. Same transaction, row already locked."""
    from motcua.reports.facts import fact_refresh

    summary = fees_summary(dossier)
    exempt = dossier.fees_exempt or (
        summary.total > 0 and summary.due == 0 and any(r.exempt for v in summary.lines for r in v.reductions)
    )
    if (dossier.fee_total, dossier.fees_exempt) == (summary.due, exempt):
        return
    Dossier.objects.filter(pk=dossier.pk).update(fee_total=summary.due, fees_exempt=exempt)
    fact_refresh(
        Dossier.objects.select_related("receiving_unit", "competent_unit", "procedure_version").get(
            pk=dossier.pk
        )
    )


@transaction.atomic
def fee_reduction_grant(
    *,
    dossier_id: int,
    position: int,
    actor: User,
    reason: str,
    evidence: str,
    exempt: bool = False,
    amount: Decimal | int | str = 0,
    at: datetime | None = None,
) -> FeeReduction:
    """Exempt a fee line (``exempt``) or reduce it by ``amount``, naming the reason and its evidence."""
    at = _now(at)
    dossier = _locked_dossier(dossier_id)
    _require(actor, dossier, GRANT_ROLES, "granting an exemption or reduction")
    if actor is None:
        raise Forbidden("an exemption is granted by a person")
    reason, evidence = (reason or "").strip(), (evidence or "").strip()
    if not reason:
        raise FieldError("reason", reason, "is required: the legal ground of the exemption or reduction")
    if not evidence:
        raise FieldError("evidence", evidence, "is required: the document that proves the ground")
    line = _line(dossier, position)
    if not line.applies:
        raise FieldError("line", position, "does not apply to this dossier: nothing to exempt or reduce")
    view = next(v for v in fees_summary(dossier).lines if v.line.pk == line.pk)
    value = Decimal(0) if exempt else _amount("amount", amount)
    if not exempt:
        if value <= 0:
            raise FieldError("amount", amount, "must be more than 0 for a reduction")
        if view.base is None:
            raise FieldError("amount", amount, "cannot reduce a line whose amount is not entered yet")
        if value > view.due:
            raise FieldError("amount", amount, f"is more than the {view.due} VND still due on the line")
    reduction = FeeReduction.objects.create(
        line=line,
        exempt=exempt,
        amount=value,
        reason=reason[:500],
        evidence=evidence[:300],
        granted_by=actor,
        granted_at=at,
    )
    _dossier_fees_sync(dossier)
    return reduction


# -- collection at the desk ----------------------------------------------------------------------------------


def fee_collect(
    *,
    dossier_id: int,
    actor: User | None,
    method: str,
    amount: Decimal | int | str | None = None,
    reference: str = "",
    at: datetime | None = None,
) -> Payment:
    """Collect what is owed in cash or by bank transfer, recorded by ``dossier_confirm_payment``."""
    if method not in (Payment.Method.CASH, Payment.Method.TRANSFER):
        raise FieldError("method", method, "must be cash or transfer (online payments come from the gateway)")
    with transaction.atomic():
        dossier = _locked_dossier(dossier_id)
        _require(actor, dossier, FEE_ROLES, "collecting fees")
        summary = fees_summary(dossier)
        if summary.outstanding <= 0:
            raise Conflict(
                f"dossier {dossier.code or dossier.pk} owes nothing (due {summary.due}, paid {summary.paid})",
                field="amount",
                value=str(amount or 0),
            )
        value = summary.outstanding if amount in (None, "") else _amount("amount", amount)
        if value <= 0 or value > summary.outstanding:
            raise FieldError("amount", amount, f"must be between 1 and the {summary.outstanding} VND owed")
        dossier_confirm_payment(
            dossier_id=dossier.pk,
            actor=actor,
            method=method,
            amount=value,
            reference=reference[:120],
            at=at,
        )
        return Payment.objects.filter(dossier=dossier).latest("id")


# -- online payment: the link ----------------------------------------------------------------------------------


def _order_info(dossier: Dossier) -> str:
    return f"Thanh toan phi le phi ho so {dossier.code or dossier.pk}"  # ASCII: gateways refuse diacritics


def checkout_create(
    *,
    dossier_id: int,
    return_url: str,
    client_ip: str = "",
    actor: User | None = None,
    at: datetime | None = None,
    gateway: PaymentGateway | None = None,
) -> tuple[GatewayTransaction, str]:
    """A signed payment URL for what the dossier still owes.

    While a link of the same amount is pending and not expired it is reused (same ``vnp_TxnRef``), so two
    tabs or two clicks cannot pay twice. ``actor`` is the officer who made the link (None: the citizen).
    """
    at = _now(at)
    gateway = gateway or get_gateway()
    with transaction.atomic():
        dossier = _locked_dossier(dossier_id)
        if actor is not None:
            _require(actor, dossier, FEE_ROLES | {Role.SPECIALIST}, "creating a payment link")
        if dossier.state not in CHECKOUT_STATES:
            raise StateError(
                f"dossier {dossier.code or dossier.pk} cannot be paid in state {dossier.state}",
                state=dossier.state,
                allowed=sorted(s.value for s in CHECKOUT_STATES),
            )
        summary = fees_summary(dossier)
        if summary.amount_unknown:
            raise StateError(
                f"dossier {dossier.code or dossier.pk}: a fee amount set by the province is not entered yet",
                state=dossier.state,
                allowed=[],
            )
        if summary.outstanding <= 0:
            raise Conflict(
                f"dossier {dossier.code or dossier.pk} owes nothing", field="dossier", value=dossier.pk
            )
        txn = (
            GatewayTransaction.objects.filter(
                dossier=dossier,
                status=GatewayTransaction.Status.PENDING,
                amount=summary.outstanding,
                expires_at__gt=at + timedelta(minutes=2),
            )
            .order_by("-created_at")
            .first()
        )
        if txn is None:
            txn = GatewayTransaction.objects.create(
                txn_ref=f"{at.strftime('%y%m%d')}{secrets.token_hex(5).upper()}",
                dossier=dossier,
                amount=summary.outstanding,
                order_info=_order_info(dossier),
                created_at=at,
                expires_at=at + timedelta(minutes=gateway_config().expire_minutes),
                created_by=actor,
            )
    url = gateway.checkout_url(
        txn_ref=txn.txn_ref,
        amount=txn.amount,
        order_info=txn.order_info,
        return_url=return_url,
        client_ip=client_ip,
        created_at=txn.created_at,
        expires_at=txn.expires_at,
    )
    return txn, url


# -- online payment: settlement (IPN and reconciliation) ---------------------------------------------------


def _settle(
    txn_ref: str,
    *,
    succeeded: bool,
    source: str,
    at: datetime,
    response_code: str = "",
    transaction_no: str = "",
    bank_code: str = "",
    pay_date: datetime | None = None,
    raw: dict[str, Any] | None = None,
) -> bool:
    """Record the outcome of a transaction once. True if this call settled it, False if it already was."""
    with transaction.atomic():
        txn = GatewayTransaction.objects.select_for_update().get(txn_ref=txn_ref)
        txn.attempts += 1
        txn.last_checked_at = at
        if txn.status not in (GatewayTransaction.Status.PENDING, GatewayTransaction.Status.EXPIRED):
            txn.save(update_fields=["attempts", "last_checked_at"])
            return False
        if raw is not None:
            txn.raw_notification = raw
        txn.response_code = response_code
        txn.gateway_transaction_no = transaction_no
        txn.bank_code = bank_code
        txn.paid_at = pay_date
        txn.settled_at = at
        txn.settled_by = source
        if not succeeded:
            if txn.status == GatewayTransaction.Status.EXPIRED:
                txn.save(update_fields=["attempts", "last_checked_at", "raw_notification", "response_code"])
                return False
            txn.status = GatewayTransaction.Status.FAILED
            txn.save()
            return True
        dossier = _locked_dossier(txn.dossier_id)  # lock order: transaction, then dossier
        if dossier.state in PREPAY_STATES:
            txn.status = GatewayTransaction.Status.HELD  # recorded when the desk accepts the dossier
            txn.save()
            return True
        _record_online(txn, at)
        return True


def _record_online(txn: GatewayTransaction, at: datetime) -> None:
    """Record a transaction's money on its dossier (both rows locked by the caller): a payment, plus a refund
    of what exceeds the amount owed; or, when the dossier cannot take a payment any more, a refund of all."""
    try:
        with transaction.atomic():
            dossier_confirm_payment(
                dossier_id=txn.dossier_id,
                actor=None,  # the system: the payment gateway
                method=Payment.Method.ONLINE,
                amount=txn.amount,
                reference=txn.txn_ref,
                at=at,
            )
    except ApplicationError as exc:
        # The money was taken but the dossier cannot take a payment any more (refused, stopped…):
        # keep it visible and owe it back rather than lose it.
        txn.status = GatewayTransaction.Status.REVIEW
        txn.note = exc.message[:500]
        txn.save()
        Refund.objects.create(
            dossier_id=txn.dossier_id,
            transaction=txn,
            amount=txn.amount,
            reason=f"Thanh toán trực tuyến {txn.txn_ref} không ghi nhận được: {exc.message}"[:500],
            created_at=at,
        )
        log.warning("payment %s taken but not recorded on dossier %s: %s", txn.txn_ref, txn.dossier_id, exc)
        return
    payment = Payment.objects.filter(dossier_id=txn.dossier_id, reference=txn.txn_ref).latest("id")
    txn.payment = payment
    txn.status = GatewayTransaction.Status.PAID
    txn.save()
    summary = fees_summary(Dossier.objects.get(pk=txn.dossier_id))
    excess = min(txn.amount, summary.overpaid - pending_refund_total(summary.dossier))
    if excess > 0:
        Refund.objects.create(
            dossier_id=txn.dossier_id,
            payment=payment,
            transaction=txn,
            amount=excess,
            reason=f"Nộp thừa: thanh toán trực tuyến {txn.txn_ref} sau khi đã nộp đủ",
            created_at=at,
        )


def held_payments_apply(*, dossier_id: int, at: datetime | None = None) -> int:
    """Record on an accepted dossier the online payments held since before its acceptance; how many.

    Runs right after the acceptance commits and in the reconciliation job; each held transaction is recorded
    once (its row is locked and must still be ``held``). Nothing happens while the dossier is not accepted.
    """
    at = _now(at)
    applied = 0
    with transaction.atomic():
        # Lock order for held transactions: dossier, then transaction, as in the refund of a dossier refused
        # at intake (in the action, whose dossier is locked). Only pending rows are locked the other way round
        # (_settle), and a held row is never pending again.
        if _locked_dossier(dossier_id).state not in PAYABLE_STATES:
            return 0
        held = GatewayTransaction.objects.select_for_update().filter(
            dossier_id=dossier_id, status=GatewayTransaction.Status.HELD
        )
        for txn in held.order_by("created_at", "id"):
            _record_online(txn, at)
            applied += 1
    return applied


def _held_apply_after_commit(dossier_id: int) -> None:
    try:
        held_payments_apply(dossier_id=dossier_id)
    except Exception:  # the acceptance stands; the reconciliation job records the payment on its next run
        log.exception("held online payments of dossier %s not recorded yet", dossier_id)


def notification_handle(params: dict[str, str], *, at: datetime | None = None) -> tuple[str, str]:
    """Handle a result notification (IPN): verify, check the amount, settle once; the gateway's answer."""
    at = _now(at)
    gateway = get_gateway()
    try:
        note: Notification = gateway.verify_notification(params)
    except InvalidSignature:
        log.warning(
            "payment notification with a bad signature refused (txn %s)", params.get("vnp_TxnRef", "?")
        )
        return "97", IPN_ANSWERS["97"]
    txn = GatewayTransaction.objects.filter(txn_ref=note.txn_ref).first()
    if txn is None:
        return "01", IPN_ANSWERS["01"]
    if note.amount != txn.amount:
        log.warning(
            "payment notification for %s: amount %s, expected %s", txn.txn_ref, note.amount, txn.amount
        )
        return "04", IPN_ANSWERS["04"]
    settled = _settle(
        txn.txn_ref,
        succeeded=note.succeeded,
        source="ipn",
        at=at,
        response_code=note.response_code,
        transaction_no=note.transaction_no,
        bank_code=note.bank_code,
        pay_date=note.pay_date,
        raw=note.raw,
    )
    return ("00", IPN_ANSWERS["00"]) if settled else ("02", IPN_ANSWERS["02"])


@dataclass
class ReconcileReport:
    checked: int = 0
    settled: int = 0
    failed: int = 0
    expired: int = 0
    held_recorded: int = 0
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"checked {self.checked}, settled {self.settled}, failed {self.failed}, expired {self.expired}, "
            f"held payments recorded {self.held_recorded}, errors {len(self.errors)}"
        )


def payments_reconcile(
    *,
    at: datetime | None = None,
    gateway: PaymentGateway | None = None,
    older_than: timedelta = timedelta(0),
    grace: timedelta = timedelta(minutes=15),
) -> ReconcileReport:
    """Ask the gateway about every pending transaction and settle what it answers (the job of every 5 min).

    A transaction the gateway does not know, or still calls pending, ``grace`` after its link expired, is
    marked expired (a late notification of success still records it).
    """
    at = _now(at)
    gateway = gateway or get_gateway()
    report = ReconcileReport()
    pending = GatewayTransaction.objects.filter(
        status=GatewayTransaction.Status.PENDING, created_at__lte=at - older_than
    ).order_by("created_at", "id")
    for txn in pending:
        report.checked += 1
        try:
            result = gateway.query(
                txn_ref=txn.txn_ref, order_info=txn.order_info, transaction_date=txn.created_at, at=at
            )
        except GatewayError as exc:
            report.errors.append(f"{txn.txn_ref}: {exc}")
            continue
        if result.succeeded and result.amount != txn.amount:
            report.errors.append(f"{txn.txn_ref}: gateway amount {result.amount}, expected {txn.amount}")
            GatewayTransaction.objects.filter(pk=txn.pk, status=GatewayTransaction.Status.PENDING).update(
                status=GatewayTransaction.Status.REVIEW, note=f"amount {result.amount} at the gateway"
            )
            continue
        if result.succeeded or result.failed:
            changed = _settle(
                txn.txn_ref,
                succeeded=result.succeeded,
                source="reconcile",
                at=at,
                response_code=result.transaction_status,
                transaction_no=result.transaction_no,
                bank_code=result.bank_code,
                pay_date=result.pay_date,
                raw={"query": result.raw},
            )
            if changed:
                report.settled += result.succeeded
                report.failed += result.failed
            continue
        if txn.expires_at + grace < at:
            report.expired += GatewayTransaction.objects.filter(
                pk=txn.pk, status=GatewayTransaction.Status.PENDING
            ).update(status=GatewayTransaction.Status.EXPIRED, last_checked_at=at)
        else:
            GatewayTransaction.objects.filter(pk=txn.pk).update(last_checked_at=at)
    accepted_with_held = (
        GatewayTransaction.objects.filter(
            status=GatewayTransaction.Status.HELD, dossier__state__in=[s.value for s in PAYABLE_STATES]
        )
        .values_list("dossier_id", flat=True)
        .distinct()
    )
    for dossier_id in sorted(set(accepted_with_held)):
        report.held_recorded += held_payments_apply(dossier_id=dossier_id, at=at)
    return report


# -- refunds ---------------------------------------------------------------------------------------------------


def _refunds_for_ending(endings: Sequence[tuple[Dossier, DossierEvent]]) -> None:
    """What dossiers that ended without a result owe back, in the order of ``endings`` (each dossier with the
    event that ended it): a refund of what is left of each payment, and, for a dossier never accepted
    (refused, returned, cancelled at intake), a refund of each online payment held before acceptance, whose
    transaction goes to review. One query a table for all the dossiers."""
    paid: dict[int, list[Payment]] = {}
    for payment in Payment.objects.filter(dossier_id__in={d.pk for d, _ in endings}).order_by("id"):
        paid.setdefault(payment.dossier_id, []).append(payment)
    payments = [p for ps in paid.values() for p in ps]
    owed: dict[int, Decimal] = {}
    gateway_of: dict[int, GatewayTransaction] = {}
    if payments:
        owed = {
            row["payment_id"]: row["s"] or Decimal(0)
            for row in Refund.objects.filter(payment__in=payments)
            .order_by()
            .values("payment_id")
            .annotate(s=Sum("amount"))
        }
        for txn in GatewayTransaction.objects.filter(payment__in=payments).order_by("created_at", "id"):
            gateway_of.setdefault(txn.payment_id, txn)
    never_accepted = {d.pk for d, event in endings if event.action != Action.STOP.value}
    held: dict[int, list[GatewayTransaction]] = {}
    if never_accepted:  # a stopped dossier was accepted: nothing is held any more
        for txn in (
            GatewayTransaction.objects.select_for_update()
            .filter(dossier_id__in=never_accepted, status=GatewayTransaction.Status.HELD)
            .order_by("created_at", "id")
        ):
            held.setdefault(txn.dossier_id, []).append(txn)

    refunds: list[Refund] = []
    reviewed: list[GatewayTransaction] = []
    for dossier, event in endings:
        reason = str(event.payload.get("reason") or event.payload.get("reason_code") or "")
        label = {"refuse": "Từ chối tiếp nhận", "return_unaccepted": "Trả hồ sơ không tiếp nhận",
                 "stop": "Dừng xử lý", "cancel": "Hủy hồ sơ"}.get(event.action, event.action)  # fmt: skip
        text = (f"{label}: {reason}" if reason else label)[:500]
        for payment in paid.get(dossier.pk, []):
            remaining = payment.amount - owed.get(payment.pk, Decimal(0))
            if remaining <= 0:
                continue
            refunds.append(
                Refund(
                    dossier=dossier,
                    payment=payment,
                    transaction=gateway_of.get(payment.pk),
                    amount=remaining,
                    reason=text,
                    created_at=event.at,
                )
            )
            owed[payment.pk] = owed.get(payment.pk, Decimal(0)) + remaining
        if event.action == Action.STOP.value:
            continue
        # paid online before acceptance, and the dossier was never accepted
        for txn in held.pop(dossier.pk, []):
            txn.status = GatewayTransaction.Status.REVIEW
            txn.note = f"{label}: hồ sơ không được tiếp nhận, hoàn trả"[:500]
            reviewed.append(txn)
            refunds.append(
                Refund(dossier=dossier, transaction=txn, amount=txn.amount, reason=text, created_at=event.at)
            )
    if reviewed:
        GatewayTransaction.objects.bulk_update(reviewed, ["status", "note"])
    if refunds:
        Refund.objects.bulk_create(refunds)


def on_dossier_events(dossier: Dossier, events: Sequence[DossierEvent]) -> None:
    """The dossier hook: fee lines at submission; payments held before acceptance recorded once it commits;
    refunds owed when a paid dossier ends without a result."""
    on_dossier_events_many([(dossier, events)])


def on_dossier_events_many(items: Sequence[tuple[Dossier, Sequence[DossierEvent]]]) -> None:
    """:func:`on_dossier_events` for many dossiers at once (the hook's batch version, the historic import):
    the same rows and after-commit work, with one query a table for the whole batch: the fee lines of the
    dossiers just submitted, whether an accepted dossier has payments held (imported ones never do), refunds."""
    submitted = [d for d, events in items if any(e.action == Action.SUBMIT.value for e in events)]
    if submitted:  # fee_lines_ensure for each, without reading the lines back
        have = set(
            FeeLine.objects.filter(dossier__in=submitted)
            .order_by()
            .values_list("dossier_id", flat=True)
            .distinct()
        )
        rows: list[FeeLine] = []
        for dossier in submitted:
            if dossier.pk not in have:
                have.add(dossier.pk)
                rows.extend(fee_lines_build(dossier))
        if rows:
            FeeLine.objects.bulk_create(rows, ignore_conflicts=True)
    accepted = [d for d, events in items for e in events if e.action == Action.ACCEPT.value]
    if accepted:
        holding = set(
            GatewayTransaction.objects.filter(dossier__in=accepted, status=GatewayTransaction.Status.HELD)
            .order_by()
            .values_list("dossier_id", flat=True)
            .distinct()
        )
        for dossier in accepted:
            if dossier.pk in holding:
                transaction.on_commit(partial(_held_apply_after_commit, dossier.pk))
    endings = [(d, e) for d, events in items for e in events if e.action in REFUND_ACTIONS]
    if endings:
        _refunds_for_ending(endings)


def _refund_claim(refund_id: int, actor: User | None, method: str) -> Refund:
    refund = (
        Refund.objects.select_for_update(of=("self",))
        .select_related("dossier__receiving_unit", "dossier__competent_unit", "transaction")
        .filter(pk=refund_id)
        .first()
    )
    if refund is None:
        raise NotFound(f"refund {refund_id} does not exist", field="refund", value=refund_id)
    _require(actor, refund.dossier, FEE_ROLES, "refunding")
    if refund.status != Refund.Status.PENDING:
        raise Conflict(
            f"refund {refund_id} was already made or is being sent", field="refund", value=refund_id
        )
    if method == Refund.Method.GATEWAY and (
        refund.transaction is None or not refund.transaction.gateway_transaction_no
    ):
        raise FieldError("method", method, "only an online payment can be refunded through the gateway")
    return refund


def refund_complete(
    *,
    refund_id: int,
    actor: User | None,
    method: str,
    reference: str = "",
    at: datetime | None = None,
    gateway: PaymentGateway | None = None,
) -> Refund:
    """Mark a refund paid back: in cash or by transfer at the desk, or through the gateway's refund call.

    The gateway is called outside any transaction (no lock is held while waiting for it): the refund is first
    claimed (``sending``), so a second click cannot send it twice, and put back to ``pending`` if it fails.
    """
    at = _now(at)
    if method not in Refund.Method.values:
        raise FieldError("method", method, f"must be one of {', '.join(Refund.Method.values)}")
    if method == Refund.Method.GATEWAY:
        with transaction.atomic():
            refund = _refund_claim(refund_id, actor, method)
            refund.status = Refund.Status.SENDING
            refund.save(update_fields=["status"])
        txn = refund.transaction
        assert txn is not None
        try:
            result = (gateway or get_gateway()).refund(
                txn_ref=txn.txn_ref,
                amount=refund.amount,
                full=refund.amount == txn.amount,
                transaction_no=txn.gateway_transaction_no,
                transaction_date=txn.created_at,
                created_by=actor.username if actor else "motcua",
                at=at,
            )
        except GatewayError:
            Refund.objects.filter(pk=refund.pk).update(status=Refund.Status.PENDING)
            raise
        if not result.ok:
            Refund.objects.filter(pk=refund.pk).update(status=Refund.Status.PENDING)
            raise StateError(
                f"the gateway refused the refund of {txn.txn_ref}: {result.response_code} {result.message}",
                state=Refund.Status.PENDING.value,
                allowed=[],
            )
        reference = reference or result.transaction_no or txn.txn_ref
    with transaction.atomic():
        if method == Refund.Method.GATEWAY:
            refund = Refund.objects.select_for_update().get(pk=refund_id)
        else:
            refund = _refund_claim(refund_id, actor, method)
        refund.status = Refund.Status.REFUNDED
        refund.method = method
        refund.reference = reference[:120]
        refund.refunded_at = at
        refund.refunded_by = actor
        refund.save()
        return refund
