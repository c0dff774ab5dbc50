"""What the public status page may say about a dossier, found by its code and secret.

Circular 01/2018 art.16(2d) (domain-research §10) allows an anonymous lookup to show the dossier code and its
degree of completion. The page shows the procedure, the appointment date, whether it is on time, and the
steps a citizen recognises (received, in processing, supplement requested with what to bring, result ready,
delivered…) with their local date and time. It never shows the applicant's name, ID number, phone, e-mail or
address, nor the names of officials or departments: :class:`DossierStatus` holds none of them, and free text
written by officers (what to supplement, a refusal's reason) is scrubbed of the applicant's identifiers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from motcua.catalogue.selectors import unit_calendar
from motcua.domain.deadlines import classify_open
from motcua.domain.lifecycle import ACCEPTED_OPEN, State
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.feedback.models import SatisfactionRating
from motcua.feedback.selectors import secret_matches

__all__ = ["STATE_LABELS", "TIMELINESS_LABELS", "DossierStatus", "Step", "dossier_lookup", "dossier_status"]

STATE_LABELS: dict[str, str | Promise] = {
    State.SUBMITTED: _("Chờ tiếp nhận"),
    State.INTAKE_SUPPLEMENT: _("Cần bổ sung hồ sơ trước khi tiếp nhận"),
    State.RECEIVED: _("Đã tiếp nhận"),
    State.PROCESSING: _("Đang giải quyết"),
    State.SUPPLEMENT_REQUESTED: _("Cần bổ sung, hoàn thiện hồ sơ"),
    State.AWAITING_PAYMENT: _("Chờ thực hiện nghĩa vụ tài chính"),
    State.RESOLVED: _("Đã có kết quả, mời nhận kết quả"),
    State.DELIVERED: _("Đã trả kết quả"),
    State.STOPPED: _("Dừng giải quyết"),
    State.REFUSED: _("Không được tiếp nhận"),
    State.RETURNED: _("Đã trả lại hồ sơ"),
    State.CANCELLED: _("Hồ sơ đã hủy"),
}

TIMELINESS_LABELS: dict[str, str | Promise] = {
    "before_due": _("Giải quyết trước hạn"),
    "on_time": _("Giải quyết đúng hạn"),
    "overdue": _("Quá hạn"),
    "within_due": _("Đang trong hạn"),
}

_CHANNELS: dict[str, str | Promise] = {
    "direct": _("trực tiếp tại Bộ phận Một cửa"),
    "online": _("trực tuyến"),
    "postal": _("qua bưu chính công ích"),
}
_DELIVERY: dict[str, str | Promise] = {
    "desk": _("Nhận tại Bộ phận Một cửa"),
    "postal": _("Gửi qua bưu chính công ích"),
    "online": _("Trả kết quả trực tuyến"),
}
_STOP_REASONS: dict[str, str | Promise] = {
    "withdrawn": _("Theo đề nghị rút hồ sơ của người nộp"),
    "not_eligible": _("Hồ sơ không đủ điều kiện giải quyết"),
    "supplement_not_provided": _("Không bổ sung, hoàn thiện hồ sơ theo yêu cầu"),
}
_RETURN_REASONS: dict[str, str | Promise] = {
    "supplement_not_provided": _("Không bổ sung được hồ sơ"),
    "cannot_submit": _("Không thể nộp đủ giấy tờ"),
    "other_procedure_required": _("Cần thực hiện thủ tục khác trước"),
}


@dataclass(frozen=True)
class Step:
    """One step of the public timeline; ``at`` is in the unit's local time."""

    at: datetime
    title: str | Promise
    detail: str | Promise = ""
    due: datetime | None = None
    """A (new) appointment date the step set, shown with it."""
    tone: str = ""
    """``ok`` | ``warn`` | ``bad`` | ``""``: the step's colour."""
    detail_label: str | Promise = ""
    """Written before the detail, e.g. "Cần bổ sung:"."""


@dataclass(frozen=True)
class DossierStatus:
    """The public view of a dossier: no personal data, no staff."""

    code: str
    procedure_code: str
    procedure_name: str
    state: str
    state_label: str | Promise
    channel_label: str | Promise
    received_at: datetime | None
    appointment_at: datetime | None
    extended: bool
    timeliness: str | None
    timeliness_label: str | Promise
    ended_at: datetime | None
    steps: list[Step] = field(default_factory=list)
    can_rate: bool = False
    rating: SatisfactionRating | None = None


def dossier_lookup(code: str, secret: str) -> Dossier | None:
    """The accepted dossier with this code if ``secret`` is its secret (constant-time), else ``None``."""
    raw = code.strip()
    dossier = (
        (
            Dossier.objects.select_related("procedure", "procedure_version", "receiving_unit")
            .filter(code__in={raw, raw.upper()})
            .exclude(code="")
            .first()
        )
        if raw
        else None
    )
    if not secret_matches(dossier.secret if dossier else None, secret):
        return None
    return dossier


def _scrub(text: str, dossier: Dossier) -> str:
    """Officers' free text, without the applicant's identifiers should an officer have typed them."""
    for value in (
        dossier.applicant_name,
        dossier.applicant_id_number,
        dossier.applicant_phone,
        dossier.applicant_email,
        dossier.applicant_address,
    ):
        if value and len(value) >= 3:
            text = text.replace(value, "***")
    return text.strip()


def _instant(value: Any, zone: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value)).astimezone(zone)
    except ValueError:
        return None


def _amount(value: Any) -> str:
    try:
        number = int(Decimal(str(value)))
    except (ArithmeticError, ValueError):
        return ""
    return f"{number:,}".replace(",", ".") + " " + str(_("đồng"))


def _step(event: DossierEvent, dossier: Dossier, zone: Any) -> Step | None:
    """The public step of one event, or ``None`` for internal steps (assignment, proposals, approvals)."""
    p, at = event.payload or {}, event.at.astimezone(zone)
    action = event.action
    if action == "submit":
        return Step(at, _("Nộp hồ sơ"), _CHANNELS.get(dossier.channel, ""))
    if action == "request_intake_supplement":
        return Step(
            at,
            _("Yêu cầu bổ sung hồ sơ trước khi tiếp nhận"),
            _scrub(str(p.get("reason", "")), dossier),
            tone="warn",
            detail_label=_("Cần bổ sung:"),
        )
    if action == "supply_intake_supplement":
        return Step(at, _("Đã bổ sung hồ sơ"))
    if action == "accept":
        return Step(
            at,
            _("Tiếp nhận hồ sơ"),
            due=_instant(p.get("appointment_at") or p.get("due_at"), zone),
            tone="ok",
        )
    if action == "forward":
        return Step(at, _("Chuyển bộ phận chuyên môn giải quyết"))
    if action == "request_supplement":
        return Step(
            at,
            _("Yêu cầu bổ sung, hoàn thiện hồ sơ"),
            _scrub(str(p.get("reason", "")), dossier),
            tone="warn",
            detail_label=_("Cần bổ sung:"),
        )
    if action == "supply_supplement":
        return Step(
            at,
            _("Đã nhận hồ sơ bổ sung; thời hạn giải quyết được tính lại"),
            due=_instant(p.get("appointment_at") or p.get("due_at"), zone),
        )
    if action == "request_payment":
        return Step(
            at, _("Thông báo nộp phí, lệ phí, nghĩa vụ tài chính"), _amount(p.get("amount")), tone="warn"
        )
    if action == "confirm_payment":
        return Step(at, _("Đã nộp phí, lệ phí"), _amount(p.get("amount")))
    if action == "extend":
        return Step(
            at,
            _("Xin lỗi và hẹn lại ngày trả kết quả"),
            _scrub(str(p.get("reason", "")), dossier),
            due=_instant(p.get("new_appointment"), zone),
            tone="warn",
            detail_label=_("Lý do:"),
        )
    if action == "resolve":
        return Step(at, _("Đã có kết quả giải quyết"), _result_ready_detail(dossier), tone="ok")
    if action == "deliver":
        return Step(at, _("Đã trả kết quả"), _DELIVERY.get(str(p.get("method", "")), ""), tone="ok")
    if action == "stop":
        return Step(
            at, _("Dừng giải quyết hồ sơ"), _STOP_REASONS.get(str(p.get("reason_code", "")), ""), tone="bad"
        )
    if action == "refuse":
        return Step(
            at,
            _("Từ chối tiếp nhận hồ sơ"),
            _scrub(str(p.get("reason", "")), dossier),
            tone="bad",
            detail_label=_("Lý do:"),
        )
    if action == "return_unaccepted":
        return Step(
            at, _("Trả lại hồ sơ"), _RETURN_REASONS.get(str(p.get("reason_code", "")), ""), tone="bad"
        )
    if action == "cancel":
        return Step(at, _("Hồ sơ đã hủy"), tone="bad")
    return None


def _result_ready_detail(dossier: Dossier) -> str:
    """How the applicant takes the result: as chosen when submitting online, else at the desk."""
    submission = getattr(dossier, "online_submission", None)  # reverse one-to-one: None when not online
    delivery = submission.delivery if submission is not None else "desk"
    if delivery == "online":
        return str(_("Kết quả điện tử đã ký số sẵn sàng để tải về trên trang hồ sơ nộp trực tuyến"))
    if delivery == "postal":
        return str(_("Kết quả được gửi qua bưu chính tới địa chỉ đã đăng ký"))
    return str(_("Mời nhận kết quả tại Bộ phận Một cửa"))


def dossier_status(dossier: Dossier, *, at: datetime | None = None) -> DossierStatus:
    """The public view of ``dossier`` at ``at`` (default now), in its receiving unit's local time."""
    zone = unit_calendar(dossier.receiving_unit).zone
    at = at or timezone.now()
    events = DossierEvent.objects.filter(dossier=dossier).order_by("seq")
    steps = [step for event in events if (step := _step(event, dossier, zone)) is not None]
    timeliness = dossier.timeliness or None
    if not timeliness and dossier.state in ACCEPTED_OPEN and dossier.due_at is not None:
        timeliness = classify_open(due_at=dossier.due_at, at=at, tz=str(zone)).value
    rating = SatisfactionRating.objects.filter(dossier=dossier).first()
    return DossierStatus(
        code=dossier.code or "",
        procedure_code=dossier.procedure.code,
        procedure_name=dossier.procedure_version.name,
        state=dossier.state,
        state_label=STATE_LABELS.get(dossier.state, dossier.state),
        channel_label=_CHANNELS.get(dossier.channel, ""),
        received_at=dossier.received_at.astimezone(zone) if dossier.received_at else None,
        appointment_at=(dossier.appointment_at or dossier.due_at).astimezone(zone)
        if (dossier.appointment_at or dossier.due_at)
        else None,
        extended=dossier.extensions > 0,
        timeliness=timeliness,
        timeliness_label=TIMELINESS_LABELS.get(timeliness or "", ""),
        ended_at=dossier.ended_at.astimezone(zone) if dossier.ended_at else None,
        steps=steps,
        can_rate=dossier.state == State.DELIVERED and rating is None,
        rating=rating,
    )
