"""``/dossiers``: lodge, list, read, and the timeline. The actions are in :mod:`motcua.api.actions`."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Header, Query, Router
from pydantic import Field

from motcua.api.auth import request_user
from motcua.api.common import PageOut, PageQuery, json_body, page
from motcua.api.dossier_out import DossierOut, DossierSummaryOut, EventOut, dossier_data, event_data
from motcua.api.errors import ProblemOut
from motcua.api.idempotency import HEADER, idempotent
from motcua.api.schemas import ChannelLiteral, DossierSubmitIn
from motcua.domain.lifecycle import State
from motcua.dossiers.selectors import (
    DossierFilters,
    UserRoles,
    dossier_events,
    dossier_get,
    dossier_get_by_code,
    dossier_list,
)
from motcua.dossiers.services import Applicant, ComponentIn, dossier_accept, dossier_submit

__all__ = ["router"]

router = Router(tags=["dossiers"])

ONE_ERRORS = {401: ProblemOut, 404: ProblemOut}


class DossierPage(PageOut):
    items: list[DossierSummaryOut]


class DossierQuery(PageQuery):
    unit: str | None = Field(None, description="receiving or competent unit code, or their province's code")
    state: State | None = None
    sector: str | None = Field(None, description="sector code")
    procedure: str | None = Field(None, description="procedure code")
    channel: ChannelLiteral | None = None
    code: str | None = Field(None, description="dossier code")
    received_from: date | None = Field(None, description="accepted on or after this local date")
    received_to: date | None = Field(None, description="accepted on or before this local date")
    q: str | None = Field(None, max_length=200,
                          description="a dossier code, an exact ID number, or part of the applicant's name")


def _location(body: Any) -> str | None:
    return f"/api/v1/dossiers/{body['id']}" if isinstance(body, dict) and "id" in body else None


@router.post("", response={201: DossierOut, 401: ProblemOut, 403: ProblemOut, 409: ProblemOut,
                           422: ProblemOut},
             operation_id="dossier_create", summary="Lodge a dossier (and accept it at once)",
             description="Submits a dossier (state `submitted`); with `accept: true` also accepts it (state "
                         "`received`, code and due date issued) in the same transaction: if the acceptance "
                         "fails, nothing is created.\n\nSend an `Idempotency-Key` header to make retries "
                         "safe: a repeat with the same key and body returns the first answer.")
def dossier_create(
    request: HttpRequest,
    payload: DossierSubmitIn,
    idempotency_key: str | None = Header(None, alias=HEADER, description="any unique string (≤ 200 chars), "
                                         "e.g. a UUID, reused only to retry the same request"),
) -> HttpResponse:
    user = request_user(request)

    def create() -> Any:
        dossier = dossier_submit(
            procedure_code=payload.procedure, receiving_unit_code=payload.receiving_unit,
            competent_unit_code=payload.competent_unit, channel=payload.channel,
            applicant=Applicant(**payload.applicant.model_dump()),
            components=[ComponentIn(**c.model_dump()) for c in payload.components],
            fees_exempt=payload.fees_exempt, at=payload.submitted_at, external_ref=payload.external_ref,
            actor=user,
        )
        if payload.accept:
            dossier_accept(dossier_id=dossier.pk, actor=user, at=payload.submitted_at)
        created = dossier_get(user=user, dossier_id=dossier.pk)
        return json_body(DossierOut, dossier_data(created, user, detail=True))

    return idempotent(user=user, endpoint="POST /dossiers", key=idempotency_key,
                      payload=payload.model_dump(mode="json"), status=201, create=create, location=_location)


@router.get("", response={200: DossierPage, 401: ProblemOut, 422: ProblemOut}, operation_id="dossier_list",
            summary="List the dossiers of your units",
            description="Dossiers whose receiving or competent unit you may see, newest first. ID and phone "
                        "numbers are always masked in lists.")
def dossier_list_view(request: HttpRequest, query: Query[DossierQuery]) -> dict[str, Any]:
    user = request_user(request)
    filters = DossierFilters(**query.model_dump(exclude={"limit", "offset"}))
    count, dossiers = page(dossier_list(user=user, filters=filters), query)
    roles = UserRoles(user)
    return {"count": count, "limit": query.limit, "offset": query.offset,
            "items": [dossier_data(d, user, detail=False, roles=roles) for d in dossiers]}


@router.get("/by-code/{code}", response={200: DossierOut, **ONE_ERRORS}, operation_id="dossier_get_by_code",
            summary="One dossier, by its code")
def dossier_by_code_view(request: HttpRequest, code: str) -> dict[str, Any]:
    user = request_user(request)
    return dossier_data(dossier_get_by_code(user=user, code=code), user, detail=True)


@router.get("/{dossier_id}", response={200: DossierOut, **ONE_ERRORS}, operation_id="dossier_get",
            summary="One dossier")
def dossier_get_view(request: HttpRequest, dossier_id: int) -> dict[str, Any]:
    user = request_user(request)
    return dossier_data(dossier_get(user=user, dossier_id=dossier_id), user, detail=True)


@router.get("/{dossier_id}/events", response={200: list[EventOut], **ONE_ERRORS}, operation_id="dossier_events",
            summary="The dossier's timeline (one event per action)")
def dossier_events_view(request: HttpRequest, dossier_id: int) -> list[dict[str, Any]]:
    user = request_user(request)
    dossier = dossier_get(user=user, dossier_id=dossier_id)
    tz = dossier.receiving_unit.timezone
    return [event_data(e, tz) for e in dossier_events(dossier=dossier)]
