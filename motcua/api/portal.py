"""``/portal/inbound``: the National Public Service Portal delivers dossiers submitted online (issue 6 §3).

Authentication: a request signed with the shared secret ``MOTCUA_PORTAL_INBOUND_SECRET`` (headers
``X-Motcua-Timestamp`` and ``X-Motcua-Signature: sha256=HMAC(secret, "<timestamp>.<body>")``, see
docs/integration.md), or ``Authorization: Bearer <token>`` of a user holding the ``system`` (or desk) role in
the receiving unit. The service is :func:`motcua.portal.inbound.portal_inbound_submit`.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status
from ninja.security import APIKeyHeader
from pydantic import Field

from motcua.accounts.models import User
from motcua.api.auth import TokenAuth
from motcua.api.errors import ProblemOut
from motcua.portal import conf
from motcua.portal.client import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from motcua.portal.inbound import portal_inbound_submit

__all__ = ["router"]

router = Router(tags=["portal"])


class PortalSignature:
    """The portal itself, identified by a valid request signature (acts as the system)."""


class SignatureAuth(APIKeyHeader):
    """``X-Motcua-Signature: sha256=<HMAC-SHA256(secret, "<X-Motcua-Timestamp>.<body>")>``."""

    param_name = SIGNATURE_HEADER

    def authenticate(self, request: HttpRequest, key: str | None) -> PortalSignature | None:
        if not key:
            return None
        problem = verify(conf.inbound_secret(), request.headers.get(TIMESTAMP_HEADER), key, request.body)
        return None if problem else PortalSignature()


class PortalApplicantIn(Schema):
    HoTen: str = Field(max_length=200, description="applicant's full name")
    SoDinhDanh: str | None = Field(
        None, max_length=20, description="12-digit personal ID (or 9-digit old ID)"
    )
    SoDienThoai: str | None = Field(None, max_length=20)
    Email: str | None = Field(None, max_length=254)
    DiaChi: str | None = Field(None, max_length=300)


class PortalFileIn(Schema):
    MaThanhPhanHoSo: str = Field(max_length=40, description="component code of the procedure")
    TenTepDinhKem: str | None = Field(None, max_length=255, description="file name")
    LoaiTep: str | None = Field(None, max_length=100, description="media type, e.g. application/pdf")
    NoiDung: str | None = Field(None, description="the file, base64 (at most 20 MB decoded)")
    DuongDanTaiTepTin: str | None = Field(None, max_length=1000, description="or a link to it (recorded)")
    DuocTaiSuDung: int = Field(0, ge=0, le=1, description="1: reused from an earlier dossier")
    DuocLayTuKhoDMQG: int = Field(0, ge=0, le=1, description="1: taken from the citizen's e-document store")


class PortalDossierIn(Schema):
    MaHoSo: str = Field(
        max_length=120, description="the portal's dossier code; a second delivery is a duplicate"
    )
    MaTTHC: str = Field(max_length=30, description="procedure code, e.g. 1.001193")
    MaDonViTiepNhan: str = Field(max_length=40, description="receiving unit's agency code")
    MaDonViXuLy: str | None = Field(None, max_length=40, description="competent unit (boundary-independent)")
    NgayNopHoSo: str = Field(description="submission instant: ISO 8601 with offset, or yyyyMMddHHmmss local")
    ChuHoSo: PortalApplicantIn
    TaiLieuNop: list[PortalFileIn] = Field(default_factory=list)
    MienPhiLePhi: int = Field(0, ge=0, le=1, description="1: exempt from fees")


class PortalInboundOut(Schema):
    id: int
    external_ref: str = Field(description="the portal's dossier code (MaHoSo)")
    state: str
    duplicate: bool = Field(description="true: this code was delivered before; nothing was created")


@router.post(
    "/inbound",
    auth=[SignatureAuth(), TokenAuth()],
    response={
        200: PortalInboundOut,
        201: PortalInboundOut,
        401: ProblemOut,
        403: ProblemOut,
        409: ProblemOut,
        422: ProblemOut,
    },
    operation_id="portal_inbound",
    summary="Receive an online dossier from the national portal",
    description="Creates a `submitted` dossier (channel `online`) with its files; 201. The same `MaHoSo` again "
    "answers 200 with the existing dossier and `duplicate: true`.",
)
def portal_inbound(request: HttpRequest, payload: PortalDossierIn) -> Status:
    caller = getattr(request, "auth", None)
    actor = caller if isinstance(caller, User) else None
    result = portal_inbound_submit(data=payload.model_dump(mode="json", exclude_none=True), actor=actor)
    dossier = result.dossier
    body = {
        "id": dossier.pk,
        "external_ref": dossier.external_ref or "",
        "state": dossier.state,
        "duplicate": not result.created,
    }
    return Status(201 if result.created else 200, body)
