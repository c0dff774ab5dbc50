"""Desk intake as one service: lodge a dossier brought to the counter and apply the officer's decision at once.

:func:`dossier_intake` calls :func:`~motcua.dossiers.services.dossier_submit` then
:func:`~motcua.dossiers.services.dossier_act` inside ONE ``transaction.atomic``: if the decision is refused (a
missing reason, a role the officer lacks, a listener that aborts, a busy counter…), the submit is rolled back
with it and no half-made dossier, event or dossier number stays behind. The staff web's intake page calls it;
any other "lodge and decide" path should too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction

from motcua.accounts.models import User
from motcua.domain.lifecycle import Action
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import Applicant, ComponentIn, dossier_act, dossier_submit

__all__ = ["INTAKE_DECISIONS", "dossier_intake"]

INTAKE_DECISIONS: frozenset[Action] = frozenset(
    {Action.ACCEPT, Action.REQUEST_INTAKE_SUPPLEMENT, Action.REFUSE, Action.RETURN_UNACCEPTED}
)
"""What the desk may decide right after lodging a dossier (rules §3, intake actions)."""


@transaction.atomic
def dossier_intake(
    *,
    procedure_code: str,
    receiving_unit_code: str,
    channel: str,
    applicant: Applicant,
    actor: User,
    decision: Action = Action.ACCEPT,
    payload: Mapping[str, Any] | None = None,
    competent_unit_code: str | None = None,
    components: Sequence[ComponentIn] = (),
    fees_exempt: bool = False,
    fee_total: Decimal | int | None = None,
    at: datetime | None = None,
) -> Dossier:
    """Lodge the dossier (``submitted``) and apply ``decision`` (accept by default), all or nothing.

    Raises what the two services raise (:mod:`motcua.core.errors`); a ``decision`` that is not an intake
    decision is a ``StateError`` from the lifecycle, after which nothing is written either.
    """
    dossier = dossier_submit(
        procedure_code=procedure_code,
        receiving_unit_code=receiving_unit_code,
        competent_unit_code=competent_unit_code,
        channel=channel,
        applicant=applicant,
        components=components,
        fees_exempt=fees_exempt,
        fee_total=fee_total,
        actor=actor,
        at=at,
    )
    return dossier_act(dossier_id=dossier.pk, action=decision, actor=actor, at=at, payload=payload or {})
