"""Input shapes shared by the REST API and the historic importer (interfaces §3.3).

These validate *shape* only (types, required keys, allowed literals); the rules (is the action allowed now,
is the procedure known, is the time going backwards) are the services' and the core's.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from motcua.domain.lifecycle import Action

ChannelLiteral = Literal["direct", "online", "postal"]
PaymentMethod = Literal["online", "cash", "transfer"]
DeliveryMethod = Literal["desk", "postal", "online"]


class ApplicantIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    id_number: str = Field(default="", max_length=20)
    phone: str = Field(default="", max_length=20)
    email: str = Field(default="", max_length=254)
    address: str = Field(default="", max_length=300)


class ComponentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=40)
    digitized: bool = False
    reused: bool = False
    submitted: bool = True


class DossierSubmitIn(BaseModel):
    """``POST /api/v1/dossiers``: lodge a dossier (state ``submitted``)."""

    model_config = ConfigDict(extra="forbid")

    procedure: str = Field(min_length=1, max_length=30, description="national procedure code, e.g. 1.001193")
    receiving_unit: str = Field(min_length=1, max_length=40)
    competent_unit: str | None = Field(default=None, max_length=40)
    channel: ChannelLiteral
    applicant: ApplicantIn
    components: list[ComponentIn] = Field(default_factory=list)
    fees_exempt: bool = False
    submitted_at: AwareDatetime | None = None
    external_ref: str | None = Field(default=None, max_length=120)
    accept: bool = Field(default=False, description="accept at once (desk intake of a complete dossier)")


class ActionIn(BaseModel):
    """The body of ``POST /api/v1/dossiers/{id}/actions/{action}``; which fields matter depends on the action.

    ``at`` defaults to now. ``expected_version`` (the dossier's ``version`` as last read) makes the action
    fail with 409 if someone else changed the dossier meanwhile.
    """

    model_config = ConfigDict(extra="forbid")

    at: AwareDatetime | None = None
    expected_version: int | None = None
    reason: str | None = Field(default=None, max_length=2000)
    reason_code: str | None = Field(default=None, max_length=40)
    department: str | None = Field(default=None, max_length=40)
    assignee: str | None = Field(default=None, max_length=150)
    amount: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=0)
    method: str | None = Field(default=None, max_length=10)
    reference: str | None = Field(default=None, max_length=120)
    new_appointment: AwareDatetime | None = None
    result_code: str | None = Field(default=None, max_length=80)
    e_copy: bool | None = None
    note: str | None = Field(default=None, max_length=2000)
    code: str | None = Field(default=None, max_length=80, description="accept: keep an older system's code")


class HistoricEventIn(ActionIn):
    """One event of a historic dossier (interfaces §3.3): an action and its instant (required)."""

    action: Action
    at: AwareDatetime  # type: ignore[assignment]

    @field_validator("action", mode="before")
    @classmethod
    def _no_submit(cls, value: object) -> object:
        if value == "submit":
            raise ValueError("submit is implied by the line itself; list the actions after it")
        return value


class HistoricDossierIn(BaseModel):
    """One line of ``motcua dossiers import FILE.jsonl`` (interfaces §3.3)."""

    model_config = ConfigDict(extra="forbid")

    procedure: str = Field(min_length=1, max_length=30)
    receiving_unit: str = Field(min_length=1, max_length=40)
    competent_unit: str | None = Field(default=None, max_length=40)
    channel: ChannelLiteral
    submitted_at: AwareDatetime
    applicant: ApplicantIn
    fees_exempt: bool = False
    components: list[ComponentIn] = Field(default_factory=list)
    events: list[HistoricEventIn] = Field(default_factory=list)
    code: str | None = Field(default=None, max_length=80)
    synced_to_portal_at: AwareDatetime | None = None
    external_ref: str | None = Field(default=None, max_length=120)


def action_payload(action: Action, body: ActionIn) -> dict[str, object]:
    """The payload the services take for ``action``, from an API body or an import event.

    In the import format a stop's or a return's reason code comes in ``reason`` (interfaces §3.3); both
    spellings are accepted.
    """
    data = body.model_dump(exclude_none=True, exclude={"at", "expected_version", "action"})
    if action in (Action.STOP, Action.RETURN_UNACCEPTED) and "reason_code" not in data and "reason" in data:
        data["reason_code"] = data.pop("reason")
    if isinstance(data.get("amount"), Decimal):
        data["amount"] = int(data["amount"])
    return data


def as_datetime(value: datetime | None) -> datetime | None:
    return value
