"""Writes of online submission: lodge a dossier with its uploaded components, answer a supplement request
with uploads, and deliver the signed e-result when the citizen downloads it.

Every file is checked (``motcua.documents.files.file_check``: type by content, size) **before** anything is
written, and everything happens in one transaction: a refused file leaves no dossier, no component link and no
submission row (its bytes are never stored either, since the check comes first). The dossier itself is lodged by
:func:`motcua.dossiers.services.dossier_submit` (channel ``online``, actor ``None``: the system acting for the
citizen), the same service the API calls. The applicant is sent the submission reference and secret by SMS
and e-mail, when given (:func:`motcua.notify.services.online_submission_notify`, sent after the commit).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import IO

from django.db import transaction
from django.utils import timezone

from motcua.catalogue.models import Procedure, ProcedureVersion
from motcua.core.errors import FieldError, StateError
from motcua.documents.files import CheckedFile, file_check
from motcua.documents.models import Source
from motcua.documents.services import component_link, document_store
from motcua.domain.lifecycle import State
from motcua.dossiers import services as dossiers
from motcua.dossiers.models import Dossier, DossierComponent
from motcua.notify.services import online_submission_notify
from motcua.online.models import Delivery, OnlineSubmission
from motcua.signing.models import SignedResultCopy

__all__ = [
    "ONLINE_LEVELS",
    "Upload",
    "online_result_take",
    "online_submit",
    "online_supplement_answer",
]

ONLINE_LEVELS = (ProcedureVersion.Online.PARTIAL, ProcedureVersion.Online.FULL)
REFERENCE_ALPHABET = dossiers.SECRET_ALPHABET


@dataclass(frozen=True)
class Upload:
    """One uploaded file: its name as the citizen's device gave it, and its bytes."""

    name: str
    stream: IO[bytes]


def _now(at: datetime | None) -> datetime:
    return at or timezone.now()


def online_procedure(code: str) -> tuple[Procedure, ProcedureVersion]:
    procedure = Procedure.objects.select_related("current_version").filter(code=code, active=True).first()
    version = procedure.current_version if procedure else None
    if procedure is None or version is None or version.online not in ONLINE_LEVELS:
        raise FieldError("procedure", code, "does not accept online submission")
    return procedure, version


def _checked(files: Mapping[str, Upload], known: set[str]) -> dict[str, CheckedFile]:
    checked: dict[str, CheckedFile] = {}
    for code, upload in files.items():
        if code not in known:
            raise FieldError(f"component.{code}", upload.name, "is not a component of this procedure")
        checked[code] = file_check(field=f"component.{code}", name=upload.name, stream=upload.stream)
    return checked


def _new_reference(at: datetime) -> str:
    for _attempt in range(5):
        tail = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
        reference = f"TT{timezone.localtime(at):%y%m%d}-{tail}"
        if not OnlineSubmission.objects.filter(reference=reference).exists():
            return reference
    raise RuntimeError("could not allocate a submission reference")  # pragma: no cover - 32**6 per day


def _attach(dossier: Dossier, checked: Mapping[str, CheckedFile], at: datetime) -> None:
    components = {c.code: c for c in DossierComponent.objects.select_for_update().filter(dossier=dossier)}
    for code, file in checked.items():
        component = components[code]
        component.dossier = dossier
        document = document_store(
            checked=file, uploaded_by=None, owner_id_number=dossier.applicant_id_number, at=at
        )
        component_link(component, document, source=Source.ONLINE, actor=None, at=at)


@transaction.atomic
def online_submit(
    *,
    procedure_code: str,
    receiving_unit_code: str,
    applicant: dossiers.Applicant,
    files: Mapping[str, Upload],
    delivery: str,
    postal_address: str = "",
    exemption_claim: str = "",
    at: datetime | None = None,
    external_ref: str | None = None,
) -> OnlineSubmission:
    """Lodge an online dossier (``submitted``) with one checked file per uploaded component.

    Every required component needs a file (``FieldError`` on ``component.<code>``); by post needs an address.
    ``external_ref`` makes the submission idempotent for a caller that replays it (the demo): a second call with
    the same reference is a ``Conflict`` from ``dossier_submit`` and writes nothing.
    """
    at = _now(at)
    _procedure, version = online_procedure(procedure_code)
    if delivery not in Delivery.values:
        raise FieldError("delivery", delivery, "must be desk, postal or online")
    postal_address = postal_address.strip()
    if delivery == Delivery.POSTAL and not postal_address:
        raise FieldError("postal_address", "", "is required when the result is sent by post")
    known = {c["code"] for c in version.components}
    checked = _checked(files, known)
    for component in version.components:
        if component.get("required") and component["code"] not in checked:
            raise FieldError(f"component.{component['code']}", "", "is required: upload its file")
    dossier = dossiers.dossier_submit(
        procedure_code=procedure_code,
        receiving_unit_code=receiving_unit_code,
        channel="online",
        applicant=applicant,
        actor=None,
        components=[
            dossiers.ComponentIn(
                code=c["code"], submitted=c["code"] in checked, digitized=c["code"] in checked
            )
            for c in version.components
        ],
        at=at,
        external_ref=external_ref,
    )
    _attach(dossier, checked, at)
    submission = OnlineSubmission.objects.create(
        dossier=dossier,
        reference=_new_reference(at),
        delivery=delivery,
        postal_address=postal_address if delivery == Delivery.POSTAL else "",
        exemption_claim=exemption_claim.strip()[:300],
        submitted_at=at,
    )
    online_submission_notify(dossier, reference=submission.reference, at=at)  # sent after commit
    return submission


SUPPLEMENT_STATES = (State.SUPPLEMENT_REQUESTED, State.INTAKE_SUPPLEMENT)


@transaction.atomic
def online_supplement_answer(
    *, submission_id: int, files: Mapping[str, Upload], at: datetime | None = None
) -> Dossier:
    """The citizen answers a supplement request: the files are attached to their components and the dossier
    goes back to the desk (``intake_supplement`` → ``submitted``) or to processing (``supplement_requested``
    → ``processing``, the clock restarting), through the dossier services with the system actor."""
    at = _now(at)
    submission = OnlineSubmission.objects.select_related("dossier").get(pk=submission_id)
    dossier = submission.dossier
    if dossier.state not in SUPPLEMENT_STATES:
        raise StateError(
            f"dossier {dossier.code or submission.reference} is {dossier.state}: no supplement is requested",
            state=dossier.state,
            allowed=[s.value for s in SUPPLEMENT_STATES],
        )
    if not files:
        raise FieldError("component", "", "upload at least one file")
    known = set(dossier.components.values_list("code", flat=True))
    checked = _checked(files, known)
    if dossier.state == State.SUPPLEMENT_REQUESTED:
        dossier = dossiers.dossier_supply_supplement(dossier_id=dossier.pk, actor=None, at=at)
    else:
        dossier = dossiers.dossier_supply_intake_supplement(dossier_id=dossier.pk, actor=None, at=at)
    DossierComponent.objects.filter(dossier=dossier, code__in=checked).update(submitted=True)
    _attach(dossier, checked, at)
    return dossier


def _result_copy(dossier: Dossier) -> SignedResultCopy | None:
    return (
        SignedResultCopy.objects.select_related("document")
        .filter(result__dossier=dossier)
        .order_by("-created_at", "-pk")
        .first()
    )


@transaction.atomic
def online_result_take(*, submission_id: int, at: datetime | None = None) -> SignedResultCopy:
    """The citizen downloads the signed e-result: the first download of a resolved dossier whose result is to
    be received online records the delivery (``dossier_deliver`` method ``online``, system actor), once."""
    at = _now(at)
    submission = OnlineSubmission.objects.select_for_update().select_related("dossier").get(pk=submission_id)
    dossier = submission.dossier
    if submission.delivery != Delivery.ONLINE:
        raise StateError(
            f"the result of {dossier.code or submission.reference} is not delivered online",
            state=dossier.state,
            allowed=[],
        )
    copy = _result_copy(dossier)
    if dossier.state not in (State.RESOLVED, State.DELIVERED) or copy is None:
        raise StateError(
            f"dossier {dossier.code or submission.reference} has no signed e-result yet",
            state=dossier.state,
            allowed=[State.RESOLVED.value],
        )
    if dossier.state == State.RESOLVED:
        dossiers.dossier_deliver(dossier_id=dossier.pk, actor=None, method="online", at=at)
    if submission.result_downloaded_at is None:
        submission.result_downloaded_at = at
        submission.save(update_fields=["result_downloaded_at"])
    return copy
