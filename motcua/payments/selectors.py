"""Reads: what a dossier owes, has paid, and gets back."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum

from motcua.catalogue.models import fee_line_applies
from motcua.dossiers.models import Dossier, Payment
from motcua.payments.models import Collection, FeeLine, FeeReduction, GatewayTransaction, Refund

__all__ = ["FeeLineView", "FeesSummary", "fee_lines_build", "fees_summary", "transaction_by_ref"]


@dataclass(frozen=True)
class FeeLineView:
    line: FeeLine
    reductions: list[FeeReduction]
    base: Decimal | None  # None: the province sets it and nobody has entered it yet
    reduced: Decimal
    due: Decimal


@dataclass(frozen=True)
class FeesSummary:
    dossier: Dossier
    lines: list[FeeLineView]
    exempt: bool  # the dossier was lodged as exempt (dossier.fees_exempt)
    amount_unknown: bool  # a line has no amount yet
    total: Decimal  # before exemptions and reductions
    reduced: Decimal
    due: Decimal  # what the applicant owes in all
    paid: Decimal
    refunded: Decimal  # given back of what was recorded as paid
    held: Decimal  # paid online before acceptance, recorded as paid when the desk accepts the dossier
    outstanding: Decimal  # due - (paid - refunded) - held, never negative
    overpaid: Decimal
    payments: list[Payment] = field(default_factory=list)
    transactions: list[GatewayTransaction] = field(default_factory=list)
    refunds: list[Refund] = field(default_factory=list)


def _line_view(line: FeeLine, reductions: list[FeeReduction], exempt: bool) -> FeeLineView:
    base = line.amount
    if base is None or not line.applies:  # not entered yet, or not charged to this dossier
        return FeeLineView(line, reductions, base, Decimal(0), Decimal(0))
    if exempt or any(r.exempt for r in reductions):
        return FeeLineView(line, reductions, base, base, Decimal(0))
    reduced = min(base, sum((r.amount for r in reductions), Decimal(0)))
    return FeeLineView(line, reductions, base, reduced, base - reduced)


def fee_lines_build(dossier: Dossier) -> list[FeeLine]:
    """The fee lines of the dossier's procedure version, not saved: a line applies unless the catalogue says it
    is for another channel or charged only on request (:func:`motcua.catalogue.models.fee_line_applies`)."""
    return [
        FeeLine(
            dossier=dossier,
            position=n,
            kind=str(f.get("kind") or FeeLine.Kind.CHARGE),
            name=str(f.get("name") or "")[:300],
            amount=None if f.get("amount") is None else Decimal(str(f["amount"])),
            collection=Collection.BEFORE,
            applies=fee_line_applies(f, dossier.channel),
        )
        for n, f in enumerate(dossier.procedure_version.fees or [], start=1)
    ]


def fees_summary(dossier: Dossier) -> FeesSummary:
    """The dossier's fee lines, reductions, payments and refunds, and the amount still owed.

    A dossier with no fee lines yet (lodged before this module existed) is read from its procedure version's
    fees without writing anything; :func:`motcua.payments.services.fee_lines_ensure` stores them.
    """
    lines = list(FeeLine.objects.filter(dossier=dossier).order_by("position"))
    if not lines:
        lines = fee_lines_build(dossier)
    by_line: dict[int, list[FeeReduction]] = {}
    for r in FeeReduction.objects.filter(line__dossier=dossier).select_related("granted_by"):
        by_line.setdefault(r.line_id, []).append(r)
    views = [
        _line_view(line, by_line.get(line.pk, []) if line.pk else [], dossier.fees_exempt) for line in lines
    ]
    total = sum((v.base or Decimal(0) for v in views if v.line.applies), Decimal(0))
    reduced = sum((v.reduced for v in views), Decimal(0))
    due = total - reduced
    payments = list(Payment.objects.filter(dossier=dossier).order_by("paid_at", "id"))
    paid = sum((p.amount for p in payments), Decimal(0))
    refunds = list(Refund.objects.filter(dossier=dossier).order_by("created_at", "id"))
    refunded = sum(
        (r.amount for r in refunds if r.status == Refund.Status.REFUNDED and r.payment_id is not None),
        Decimal(0),
    )  # a refund of money never recorded as paid (a held or unrecordable online payment) changes nothing owed
    net = paid - refunded
    transactions = list(GatewayTransaction.objects.filter(dossier=dossier).order_by("created_at", "id"))
    held = sum((t.amount for t in transactions if t.status == GatewayTransaction.Status.HELD), Decimal(0))
    return FeesSummary(
        dossier=dossier,
        lines=views,
        exempt=dossier.fees_exempt,
        amount_unknown=any(v.base is None and v.line.applies for v in views),
        total=total,
        reduced=reduced,
        due=due,
        paid=paid,
        refunded=refunded,
        held=held,
        outstanding=max(Decimal(0), due - net - held),
        overpaid=max(Decimal(0), net - due),
        payments=payments,
        transactions=transactions,
        refunds=refunds,
    )


def transaction_by_ref(txn_ref: str) -> GatewayTransaction | None:
    return GatewayTransaction.objects.select_related("dossier").filter(txn_ref=txn_ref).first()


def pending_refund_total(dossier: Dossier) -> Decimal:
    value = Refund.objects.filter(dossier=dossier, status=Refund.Status.PENDING).aggregate(s=Sum("amount"))[
        "s"
    ]
    return value or Decimal(0)
