"""Reads of the documents module: a dossier's components with their files, reuse candidates, downloads, and
the digitization figures of a unit."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet

from motcua.accounts.models import User
from motcua.catalogue.models import Unit
from motcua.core.errors import NotFound
from motcua.documents.files import owner_id_hash
from motcua.documents.models import ComponentDocument, ResultDocument, StoredDocument
from motcua.documents.pds import PdsDocument, personal_data_store
from motcua.domain.indicators import half_up
from motcua.dossiers.models import Dossier, DossierComponent, DossierEvent
from motcua.dossiers.selectors import dossiers_visible_to

__all__ = [
    "DigitizationFigures",
    "DigitizationRow",
    "component_links",
    "digitization_figures",
    "document_get_for_download",
    "personal_store_documents",
    "result_links",
    "reuse_candidates",
]


def component_links(*, dossier: Dossier) -> dict[int, list[ComponentDocument]]:
    """The files of each component of ``dossier`` (component id → links, oldest first)."""
    links: dict[int, list[ComponentDocument]] = defaultdict(list)
    for link in (
        ComponentDocument.objects.filter(component__dossier=dossier)
        .select_related("document", "attached_by", "reused_from__component__dossier")
        .order_by("component_id", "id")
    ):
        links[link.component_id].append(link)
    return links


def result_links(*, dossier: Dossier) -> list[ResultDocument]:
    return list(
        ResultDocument.objects.filter(result__dossier=dossier)
        .select_related("document", "attached_by")
        .order_by("id")
    )


def reuse_candidates(*, dossier: Dossier) -> list[ComponentDocument]:
    """Files digitized for the applicant's earlier dossiers (same ID number), newest first, one per file."""
    if not dossier.applicant_id_number:
        return []
    seen: set[int] = set()
    out: list[ComponentDocument] = []
    for link in (
        ComponentDocument.objects.filter(
            document__owner_id_hash=owner_id_hash(dossier.applicant_id_number),
            component__dossier__applicant_id_number=dossier.applicant_id_number,
        )
        .exclude(component__dossier=dossier)
        .select_related("document", "component__dossier")
        .order_by("-attached_at", "-id")[:50]
    ):
        if link.document_id not in seen:
            seen.add(link.document_id)
            out.append(link)
    return out


def personal_store_documents(*, dossier: Dossier) -> list[PdsDocument]:
    if not dossier.applicant_id_number:
        return []
    return personal_data_store().documents(id_number=dossier.applicant_id_number)


def document_get_for_download(*, user: User, document_id: int) -> StoredDocument:
    """A stored file, if it is attached to a component or result of a dossier ``user`` may see; else NotFound."""
    visible = dossiers_visible_to(user)
    document = (
        StoredDocument.objects.filter(pk=document_id)
        .filter(
            Q(component_links__component__dossier__in=visible) | Q(result_links__result__dossier__in=visible)
        )
        .first()
    )
    if document is None:
        raise NotFound(f"document {document_id} does not exist or is outside your units")
    return document


# -- figures ---------------------------------------------------------------------------------------------


@dataclass
class DigitizationRow:
    """One procedure's or one officer's figures: dossiers and components accepted in the period."""

    key: str
    name: str
    dossiers: int = 0
    dossiers_digitized: int = 0
    components: int = 0
    components_digitized: int = 0
    components_reused: int = 0

    @property
    def component_rate(self) -> Decimal | None:
        return (
            half_up(Fraction(self.components_digitized * 100, self.components)) if self.components else None
        )

    @property
    def dossier_rate(self) -> Decimal | None:
        return half_up(Fraction(self.dossiers_digitized * 100, self.dossiers)) if self.dossiers else None

    def as_dict(self) -> dict[str, object]:
        return {
            "key": self.key,
            "name": self.name,
            "dossiers": self.dossiers,
            "dossiers_digitized": self.dossiers_digitized,
            "dossier_rate": str(self.dossier_rate) if self.dossier_rate is not None else None,
            "components": self.components,
            "components_digitized": self.components_digitized,
            "components_reused": self.components_reused,
            "component_rate": str(self.component_rate) if self.component_rate is not None else None,
        }


@dataclass
class DigitizationFigures:
    unit: str
    date_from: date
    date_to: date
    total: DigitizationRow
    by_procedure: list[DigitizationRow] = field(default_factory=list)
    by_officer: list[DigitizationRow] = field(default_factory=list)

    @property
    def total_rows(self) -> list[DigitizationRow]:
        return [self.total] if self.total.dossiers else []

    def as_dict(self) -> dict[str, object]:
        return {
            "unit": self.unit,
            "from": self.date_from.isoformat(),
            "to": self.date_to.isoformat(),
            "total": self.total.as_dict(),
            "by_procedure": [r.as_dict() for r in self.by_procedure],
            "by_officer": [r.as_dict() for r in self.by_officer],
        }


def _in_scope(unit: Unit) -> QuerySet[Dossier]:
    return Dossier.objects.filter(Q(receiving_unit=unit) | Q(receiving_unit__parent=unit))


def digitization_figures(*, unit: Unit, date_from: date, date_to: date) -> DigitizationFigures:
    """Digitization rates of the dossiers ``unit`` (or, for a province, its communes) accepted in the period.

    - A dossier counts as digitized when every submitted component has at least one file (rules §4,
      ``digitization.components``); the component rate is digitized ÷ submitted components.
    - By procedure: the dossier's procedure. By officer: the desk officer who accepted the dossier (the actor
      of its ``accept`` event), who is the one who scans at intake (Decree 61/2018 art.17(1)).
    - Cancelled records count in no figure. Dates are local dates of acceptance in the unit's time zone.
    """
    tz = ZoneInfo(unit.timezone)
    start = datetime.combine(date_from, time.min, tzinfo=tz)
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=tz)
    dossiers = (
        _in_scope(unit)
        .filter(received_at__gte=start, received_at__lt=end)
        .exclude(state="cancelled")
        .select_related("procedure")
    )
    by_id = {d.pk: d for d in dossiers}
    acceptors: dict[int, tuple[str, str]] = {}
    for dossier_id, username, full_name in DossierEvent.objects.filter(
        dossier_id__in=list(by_id), action="accept"
    ).values_list("dossier_id", "actor__username", "actor__full_name"):
        acceptors[dossier_id] = (username or "-", full_name or username or "-")
    components: dict[int, list[tuple[bool, bool]]] = defaultdict(list)
    for dossier_id, digitized, reused in DossierComponent.objects.filter(
        dossier_id__in=list(by_id), submitted=True
    ).values_list("dossier_id", "digitized", "reused"):
        components[dossier_id].append((digitized, reused))

    total = DigitizationRow(key="total", name=unit.name)
    procedures: dict[str, DigitizationRow] = {}
    officers: dict[str, DigitizationRow] = {}
    for dossier_id, dossier in by_id.items():
        comps = components.get(dossier_id, [])
        fully = bool(comps) and all(d for d, _ in comps)
        who = acceptors.get(dossier_id, ("-", "-"))
        rows = (
            total,
            procedures.setdefault(
                dossier.procedure.code, DigitizationRow(dossier.procedure.code, dossier.procedure.name)
            ),
            officers.setdefault(who[0], DigitizationRow(who[0], who[1])),
        )
        for row in rows:
            row.dossiers += 1
            row.dossiers_digitized += int(fully)
            row.components += len(comps)
            row.components_digitized += sum(1 for d, _ in comps if d)
            row.components_reused += sum(1 for _, r in comps if r)
    return DigitizationFigures(
        unit=unit.code,
        date_from=date_from,
        date_to=date_to,
        total=total,
        by_procedure=sorted(procedures.values(), key=lambda r: r.key),
        by_officer=sorted(officers.values(), key=lambda r: r.key),
    )
