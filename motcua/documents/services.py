"""Writes of the documents module: storing files, attaching them to components and results.

Every service is keyword-only and atomic. Attaching keeps the component's ``digitized`` and ``reused`` flags in
step with its links, with one ``.update()`` in the same transaction (``digitized``: at least one file;
``reused``: at least one file taken from an earlier dossier or from the personal data store).

The report's stored facts (``motcua.reports.facts``) are refreshed in the same transaction when a flag changes,
and attaching a result's e-copy sets ``DossierResult.e_copy``, so the periodic report's digitization figures
(rules §4) count files attached after the action that recorded the dossier.

Who may attach: a user who works on the dossier (:data:`motcua.dossiers.selectors.PERSONAL_DATA_ROLES` in its
receiving or competent unit); a dossier the user cannot see is :class:`NotFound`, one they only oversee
(inspector) is :class:`Forbidden`. A closed dossier (delivered, refused, returned, cancelled) takes no new file.
"""

from __future__ import annotations

from datetime import datetime
from typing import IO

from django.db import IntegrityError, transaction
from django.utils import timezone

from motcua.accounts.models import User
from motcua.core.errors import FieldError, Forbidden, NotFound, StateError
from motcua.documents.files import CheckedFile, file_check, owner_id_hash, store_bytes
from motcua.documents.models import ComponentDocument, ResultDocument, Source, StoredDocument
from motcua.documents.pds import personal_data_store
from motcua.dossiers.models import Dossier, DossierComponent, DossierResult
from motcua.dossiers.selectors import dossier_get, dossier_personal_data_visible
from motcua.reports.facts import fact_refresh

__all__ = [
    "component_detach",
    "component_digitize",
    "component_link",
    "component_reuse",
    "component_take_from_personal_store",
    "document_store",
    "result_attach",
]


def _now(at: datetime | None) -> datetime:
    return at or timezone.now()


@transaction.atomic
def document_store(
    *, checked: CheckedFile, uploaded_by: User | None, owner_id_number: str = "", at: datetime | None = None
) -> StoredDocument:
    """Keep a checked file: one row per (bytes, applicant), one stored copy of the bytes.

    Storing the same bytes again for the same applicant returns the existing row and writes nothing.
    """
    owner = owner_id_hash(owner_id_number)
    existing = StoredDocument.objects.filter(sha256=checked.sha256, owner_id_hash=owner).first()
    if existing is not None:
        return existing
    name = store_bytes(checked)
    try:
        with transaction.atomic():
            return StoredDocument.objects.create(
                sha256=checked.sha256,
                size=checked.size,
                content_type=checked.content_type,
                original_name=checked.name,
                storage_name=name,
                uploaded_by=uploaded_by,
                uploaded_at=_now(at),
                owner_id_hash=owner,
            )
    except IntegrityError:  # the same bytes stored concurrently for the same applicant
        return StoredDocument.objects.get(sha256=checked.sha256, owner_id_hash=owner)


def _working_dossier(actor: User, dossier_id: int) -> Dossier:
    dossier = dossier_get(user=actor, dossier_id=dossier_id)
    if not dossier_personal_data_visible(dossier=dossier, user=actor):
        raise Forbidden(
            f"only officers who work on dossier {dossier.code or dossier.pk} may attach its files"
        )
    if dossier.closed_at is not None:
        raise StateError(
            f"dossier {dossier.code or dossier.pk} is {dossier.state}: its files can no longer change",
            state=dossier.state,
            allowed=[],
        )
    return dossier


def _component(actor: User, component_id: int) -> DossierComponent:
    component = DossierComponent.objects.filter(pk=component_id).first()
    if component is None:
        raise NotFound(f"component {component_id} does not exist", field="component", value=component_id)
    dossier = _working_dossier(actor, component.dossier_id)
    locked = DossierComponent.objects.select_for_update().get(pk=component.pk)
    locked.dossier = dossier
    return locked


def _sync_flags(component: DossierComponent) -> None:
    sources = set(ComponentDocument.objects.filter(component=component).values_list("source", flat=True))
    digitized = bool(sources)
    reused = bool(sources & {Source.REUSED, Source.PERSONAL_DATA_STORE})
    if (component.digitized, component.reused) == (digitized, reused):
        return
    DossierComponent.objects.filter(pk=component.pk).update(digitized=digitized, reused=reused)
    component.digitized, component.reused = digitized, reused
    fact_refresh(component.dossier)  # the report's digitization figures read the flags


def component_link(
    component: DossierComponent,
    document: StoredDocument,
    *,
    source: Source,
    actor: User | None,
    at: datetime,
    reused_from: ComponentDocument | None = None,
    external_ref: str = "",
) -> ComponentDocument:
    """Link a stored document to a dossier component (once) and update its digitization flags.

    ``actor`` None: the system, for a file the applicant uploaded online (:mod:`motcua.online`)."""
    link, _created = ComponentDocument.objects.get_or_create(
        component=component,
        document=document,
        defaults={
            "source": source,
            "reused_from": reused_from,
            "external_ref": external_ref,
            "attached_by": actor,
            "attached_at": at,
        },
    )
    _sync_flags(component)
    return link


@transaction.atomic
def component_digitize(
    *, component_id: int, actor: User, name: str, stream: IO[bytes], at: datetime | None = None
) -> ComponentDocument:
    """Attach a scan of a paper component (rules: scanned at intake, Decree 61/2018 art.17(1))."""
    at = _now(at)
    component = _component(actor, component_id)
    checked = file_check(field="file", name=name, stream=stream)
    document = document_store(
        checked=checked, uploaded_by=actor, owner_id_number=component.dossier.applicant_id_number, at=at
    )
    return component_link(component, document, source=Source.SCANNED, actor=actor, at=at)


@transaction.atomic
def component_reuse(
    *, component_id: int, actor: User, link_id: int, at: datetime | None = None
) -> ComponentDocument:
    """Reuse a file digitized for an earlier dossier of the same applicant (same ID number).

    ``link_id`` is the earlier :class:`ComponentDocument`. It must belong to another dossier whose applicant has
    the same ID number; any other link is refused as not found (it names no one else's document).
    """
    at = _now(at)
    component = _component(actor, component_id)
    id_number = component.dossier.applicant_id_number
    if not id_number:
        raise FieldError("applicant.id_number", "", "a dossier without an ID number cannot reuse documents")
    earlier = (
        ComponentDocument.objects.select_related("document", "component")
        .filter(
            pk=link_id,
            document__owner_id_hash=owner_id_hash(id_number),
            component__dossier__applicant_id_number=id_number,
        )
        .exclude(component__dossier_id=component.dossier_id)
        .first()
    )
    if earlier is None:
        raise NotFound(
            f"document link {link_id} is not a document of this applicant from another dossier",
            field="link",
            value=link_id,
        )
    return component_link(
        component, earlier.document, source=Source.REUSED, actor=actor, at=at, reused_from=earlier
    )


@transaction.atomic
def component_take_from_personal_store(
    *, component_id: int, actor: User, ref: str, at: datetime | None = None
) -> ComponentDocument:
    """Take a document from the citizen's personal data store (no paper copy needed)."""
    import io

    at = _now(at)
    component = _component(actor, component_id)
    id_number = component.dossier.applicant_id_number
    if not id_number:
        raise FieldError(
            "applicant.id_number", "", "a dossier without an ID number has no personal data store"
        )
    described, content = personal_data_store().fetch(id_number=id_number, ref=ref)
    checked = file_check(field="ref", name=described.name, stream=io.BytesIO(content))
    document = document_store(checked=checked, uploaded_by=actor, owner_id_number=id_number, at=at)
    return component_link(
        component, document, source=Source.PERSONAL_DATA_STORE, actor=actor, at=at, external_ref=ref
    )


@transaction.atomic
def component_detach(*, link_id: int, actor: User) -> DossierComponent:
    """Remove a wrongly attached file from a component (the stored bytes stay: other links may use them)."""
    link = ComponentDocument.objects.select_related("component").filter(pk=link_id).first()
    if link is None:
        raise NotFound(f"document link {link_id} does not exist", field="link", value=link_id)
    component = _component(actor, link.component_id)
    ComponentDocument.objects.filter(reused_from=link).update(reused_from=None)
    link.delete()
    _sync_flags(component)
    return component


@transaction.atomic
def result_attach(
    *,
    dossier_id: int,
    actor: User,
    result_code: str,
    name: str,
    stream: IO[bytes],
    at: datetime | None = None,
) -> ResultDocument:
    """Attach the electronic copy of a dossier's result; ``result_code`` must be the result's own code."""
    at = _now(at)
    dossier = dossier_get(user=actor, dossier_id=dossier_id)
    if not dossier_personal_data_visible(dossier=dossier, user=actor):
        raise Forbidden(
            f"only officers who work on dossier {dossier.code or dossier.pk} may attach its result"
        )
    result = DossierResult.objects.filter(dossier=dossier).first()
    if result is None:
        raise StateError(
            f"dossier {dossier.code or dossier.pk} has no result yet (state {dossier.state})",
            state=dossier.state,
            allowed=[],
        )
    if result_code.strip() != result.result_code:
        raise FieldError(
            "result_code", result_code, f"is not the code of this dossier's result ({result.result_code})"
        )
    checked = file_check(field="file", name=name, stream=stream)
    document = document_store(
        checked=checked, uploaded_by=actor, owner_id_number=dossier.applicant_id_number, at=at
    )
    link, _created = ResultDocument.objects.get_or_create(
        result=result,
        document=document,
        defaults={"result_code": result.result_code, "attached_by": actor, "attached_at": at},
    )
    if not result.e_copy:
        DossierResult.objects.filter(pk=result.pk).update(e_copy=True)
        result.e_copy = True
        dossier.result = result  # the facts read the (cached) result of the dossier
        fact_refresh(dossier)
    return link
