"""Reads of online submission: the procedures open to it and a submission found by reference (or dossier code)
and secret."""

from __future__ import annotations

from django.db.models import QuerySet

from motcua.catalogue.models import Procedure
from motcua.feedback.selectors import secret_matches
from motcua.online.models import OnlineSubmission
from motcua.online.services import ONLINE_LEVELS, _result_copy
from motcua.signing.models import SignedResultCopy

__all__ = ["online_procedures", "result_copy", "submission_lookup"]


def online_procedures() -> QuerySet[Procedure]:
    return (
        Procedure.objects.filter(active=True, current_version__online__in=ONLINE_LEVELS)
        .select_related("sector", "current_version")
        .order_by("sector__name", "name")
    )


def submission_lookup(reference: str, secret: str) -> OnlineSubmission | None:
    """The submission with this reference (or whose dossier has this code) if ``secret`` is the dossier's
    secret, compared in constant time; else ``None`` (whether the reference exists is never told)."""
    raw = reference.strip().upper()
    found = None
    if raw:
        found = (
            OnlineSubmission.objects.select_related(
                "dossier", "dossier__procedure", "dossier__procedure_version"
            )
            .filter(reference=raw)
            .first()
        ) or (
            OnlineSubmission.objects.select_related(
                "dossier", "dossier__procedure", "dossier__procedure_version"
            )
            .filter(dossier__code__in={reference.strip(), raw})
            .exclude(dossier__code__isnull=True)
            .first()
        )
    if not secret_matches(found.dossier.secret if found else None, secret):
        return None
    return found


def result_copy(submission: OnlineSubmission) -> SignedResultCopy | None:
    return _result_copy(submission.dossier)
