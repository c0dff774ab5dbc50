"""Reads of signing identities, signature records and signed result copies."""

from __future__ import annotations

from django.db.models import QuerySet

from motcua.accounts.models import User
from motcua.catalogue.models import Unit
from motcua.core.errors import NotFound
from motcua.dossiers.models import Dossier
from motcua.signing.models import SignatureRecord, SignedResultCopy, SigningIdentity

__all__ = ["identity_active", "result_copies", "signature_records"]


def identity_active(*, unit: Unit | None = None, user: User | None = None) -> SigningIdentity:
    """The identity a unit (its seal) or an officer signs with now; :class:`NotFound` when there is none."""
    if (unit is None) == (user is None):
        raise ValueError("give exactly one of unit and user")
    identity = SigningIdentity.objects.filter(active=True, unit=unit, user=user).first()
    if identity is None:
        owner = f"unit {unit.code}" if unit is not None else f"user {user.username}"  # type: ignore[union-attr]
        raise NotFound(
            f"{owner} has no signing certificate: issue one with `motcua signing issue "
            f"{'--unit ' + unit.code if unit is not None else '--user ' + user.username}`"  # type: ignore[union-attr]
        )
    return identity


def signature_records(*, dossier: Dossier) -> QuerySet[SignatureRecord]:
    return SignatureRecord.objects.filter(dossier=dossier).select_related("identity", "actor")


def result_copies(*, dossier: Dossier) -> QuerySet[SignedResultCopy]:
    return SignedResultCopy.objects.filter(result__dossier=dossier).select_related("record")
