"""What each printed form shows, built from a dossier and its events (rules §3): plain dicts of strings.

One builder per form; each takes the dossier, its events in order and the :class:`FormOptions`, and returns
the context of the form's template (:mod:`motcua.forms.render`). A form that does not apply to the dossier
(a refusal slip for a dossier never refused, a receipt before acceptance…) raises :class:`FormNotApplicable`
with a message an officer can read.

The builders read related rows (departments, users) but never write. Call them inside
``translation.override("vi")`` — the views do — so the labels are Vietnamese whatever the officer's UI
language: official forms are always in Vietnamese.

Which event fills which field is written down in ``docs/printed-forms.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

from django.utils import timezone
from django.utils.translation import gettext_lazy

from motcua.accounts.models import User
from motcua.catalogue.models import Department, Unit
from motcua.domain.lifecycle import Action, State
from motcua.dossiers import models as dossier_models
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.forms.formatting import (
    agency_upper,
    as_local,
    day_in_words,
    instant_in_words,
    mask,
    money,
    nfc,
    parse_instant,
    place_name,
    short_date,
    time_limit_text,
)
from motcua.forms.qr import lookup_url, qr_svg_data_uri
from motcua.web.labels import (
    ACTION_LABELS,
    CHANNEL_LABELS,
    DELIVERY_LABELS,
    PAYMENT_METHOD_LABELS,
    RETURN_REASON_LABELS,
    ROLE_LABELS,
    STATE_LABELS,
    STOP_REASON_LABELS,
    TIMELINESS_LABELS,
    label,
)

__all__ = [
    "BUILDERS",
    "FormNotApplicable",
    "FormOptions",
    "apology_context",
    "control_slip_context",
    "receipt_context",
    "refusal_context",
    "supplement_context",
    "tracking_book_context",
]

NATION: Final = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO: Final = "Độc lập - Tự do - Hạnh phúc"
ONE_STOP_UPPER: Final = ("TRUNG TÂM PHỤC VỤ", "HÀNH CHÍNH CÔNG")  # on two lines, as printed
ONE_STOP: Final = "Trung tâm Phục vụ hành chính công"
DOTS: Final = "…………………………………………………………………………"

SUPPLEMENT_ACTIONS: Final = (Action.REQUEST_SUPPLEMENT.value, Action.REQUEST_INTAKE_SUPPLEMENT.value)


class FormNotApplicable(Exception):
    """The form does not apply to this dossier; the message (Vietnamese) says why."""


@dataclass(frozen=True, kw_only=True)
class FormOptions:
    """How to fill a form beyond the dossier itself.

    - ``public_url``: the public site's base URL, for the lookup link and QR code of Form 01;
    - ``reveal_personal``: whether the reader may see the applicant's ID and phone numbers and the lookup
      secret (:func:`~motcua.dossiers.selectors.dossier_personal_data_visible`); otherwise they are masked
      and the QR code is left out;
    - ``today``: the local date printed on forms dated by their printing (control slip, tracking book).
    """

    public_url: str = "http://localhost:8000"
    reveal_personal: bool = True
    today: date | None = None


# -- shared pieces -------------------------------------------------------------------------------------------


def _tz(unit: Unit) -> str:
    return str(unit.timezone)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def one_stop_name(unit: Unit) -> str:
    """``Trung tâm Phục vụ hành chính công xã Đông Khê``."""
    return nfc(f"{ONE_STOP} {_lower_first(unit.name)}")


def authority_name(unit: Unit) -> str:
    """``Ủy ban nhân dân xã Đông Khê``: the body that resolves the dossier and signs Form 04."""
    return nfc(f"Ủy ban nhân dân {_lower_first(unit.name)}")


def _header(unit: Unit, *, desk: bool, day: date | None) -> dict[str, Any]:
    """The two header columns of an administrative document (Decree 30/2020/NĐ-CP layout).

    Desk forms (01, 02, 03, 05/06, the book) are issued by the one-stop centre under the commune's People's
    Committee; Form 04 by the People's Committee that resolves the dossier.
    """
    if desk:
        agency = [{"text": agency_upper(unit.name), "bold": False}]
        agency += [{"text": line, "bold": True} for line in ONE_STOP_UPPER]
    else:
        agency = [{"text": "ỦY BAN NHÂN DÂN", "bold": True}, {"text": nfc(unit.name.upper()), "bold": True}]
    place = place_name(unit.name)
    return {
        "agency_lines": agency,
        "nation": NATION,
        "motto": MOTTO,
        "date_line": f"{place}, {day_in_words(day)}" if day else f"{place}, ngày … tháng … năm …",
    }


def _local_day(instant: datetime | None, unit: Unit) -> date | None:
    return as_local(instant, _tz(unit)).date() if instant else None


def _today(options: FormOptions, unit: Unit) -> date:
    return options.today or as_local(timezone.now(), _tz(unit)).date()


def _person(user: User | None) -> str:
    """How an officer is named on a form: full name, else user name; the system when no one acted."""
    if user is None:
        return "Hệ thống"
    return nfc(user.full_name or user.username)


def _applicant(dossier: Dossier, options: FormOptions) -> dict[str, str]:
    hide = not options.reveal_personal
    return {
        "name": nfc(dossier.applicant_name),
        "id_number": mask(dossier.applicant_id_number) if hide else dossier.applicant_id_number,
        "phone": mask(dossier.applicant_phone) if hide else dossier.applicant_phone,
        "email": dossier.applicant_email,
        "address": nfc(dossier.applicant_address),
    }


def _dossier(dossier: Dossier) -> dict[str, str]:
    tz = _tz(dossier.receiving_unit)
    version = dossier.procedure_version
    return {
        "id": str(dossier.pk),
        "code": dossier.code or "",
        "procedure": nfc(version.name),
        "procedure_code": dossier.procedure.code,
        "sector": nfc(dossier.sector.name),
        "channel": label(CHANNEL_LABELS, dossier.channel),
        "submitted_at": instant_in_words(dossier.submitted_at, tz),
        "received_at": instant_in_words(dossier.received_at, tz) if dossier.received_at else "",
        "due_at": instant_in_words(dossier.due_at, tz) if dossier.due_at else "",
        "appointment_at": instant_in_words(dossier.appointment_at, tz) if dossier.appointment_at else "",
        "one_stop": one_stop_name(dossier.receiving_unit),
        "authority": authority_name(dossier.competent_unit),
    }


def _last(events: Sequence[DossierEvent], *actions: str) -> DossierEvent | None:
    for event in reversed(events):
        if event.action in actions:
            return event
    return None


def _text(payload: Mapping[str, Any], key: str) -> str:
    value = payload.get(key)
    return nfc(str(value).strip()) if value not in (None, "") else ""


def _time_limit(dossier: Dossier) -> str:
    version = dossier.procedure_version
    if dossier.channel == "online" and version.online_time_limit_unit:
        return time_limit_text(version.online_time_limit_value, version.online_time_limit_unit)
    return time_limit_text(version.time_limit_value, version.time_limit_unit)


def _document_meta(title: str, dossier: Dossier | None, source: str) -> dict[str, str]:
    subject = f"{title} — {dossier.code or f'hồ sơ {dossier.pk}'}" if dossier is not None else title
    return {"doc_title": subject, "doc_source": source}


# -- Form 01: receipt and appointment slip ------------------------------------------------------------


def _fee_line(dossier: Dossier) -> str:
    if dossier.fees_exempt:
        return "Miễn phí, lệ phí"
    paid = list(dossier.payments.all())
    total = sum((p.amount for p in paid), Decimal(0))
    if paid:
        methods = ", ".join(sorted({label(PAYMENT_METHOD_LABELS, p.method).lower() for p in paid}))
        receipts = ", ".join(p.receipt_number for p in paid)
        return f"Đã thu {money(total)} đồng ({methods}; biên lai số {receipts})"
    if dossier.fee_total > 0:
        return f"{money(dossier.fee_total)} đồng (chưa thu)"
    if any(line.get("amount") is None for line in dossier.procedure_version.fees):
        return "Theo mức thu do Hội đồng nhân dân tỉnh quy định (chưa thu)"
    return "Không thu phí, lệ phí"


def _return_method(dossier: Dossier) -> str:
    """How the result is returned: as it was delivered, once it was; before that, by the channel the
    dossier came in (postal → postal, online → online, else at the desk)."""
    how = dossier.delivery_method or {"postal": "postal", "online": "online"}.get(dossier.channel, "desk")
    where = one_stop_name(dossier.receiving_unit)
    if how == "postal":
        return "Qua dịch vụ bưu chính công ích, đến địa chỉ của người nộp hồ sơ"
    if how == "online":
        return f"Trực tuyến, trên Cổng Dịch vụ công quốc gia (hoặc trực tiếp tại {where})"
    return f"Trực tiếp tại {where}"


def _component_form(dossier: Dossier, digitized: bool, reused: bool) -> str:
    if reused:
        return "Tái sử dụng dữ liệu điện tử"
    form = "Bản điện tử" if dossier.channel == "online" else "Bản giấy"
    return f"{form}, đã số hóa" if digitized and dossier.channel != "online" else form


def receipt_context(dossier: Dossier, events: Sequence[DossierEvent], options: FormOptions) -> dict[str, Any]:
    """Form 01: Giấy tiếp nhận hồ sơ và hẹn trả kết quả — issued at acceptance (rules §3, ``accept``)."""
    accept = _last(events, Action.ACCEPT.value)
    if accept is None or not dossier.code or dossier.received_at is None:
        raise FormNotApplicable(
            gettext_lazy(
                "Hồ sơ chưa được tiếp nhận nên chưa có Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Mẫu 01); "
                "giấy này được cấp khi tiếp nhận hồ sơ."
            )
        )
    unit = dossier.receiving_unit
    tz = _tz(unit)
    promised = parse_instant(accept.payload.get("appointment_at")) or dossier.appointment_at
    changed = ""
    if dossier.appointment_at is not None and promised is not None and dossier.appointment_at != promised:
        changed = instant_in_words(dossier.appointment_at, tz)
    components = [
        {
            "stt": str(n),
            "name": nfc(c.name or c.code),
            "form": _component_form(dossier, c.digitized, c.reused),
            "copies": "—" if c.reused else "01",
        }
        for n, c in enumerate((c for c in dossier.components.all() if c.submitted), start=1)
    ]
    url = lookup_url(options.public_url, dossier.code, dossier.secret)
    return {
        **_document_meta("Giấy tiếp nhận hồ sơ và hẹn trả kết quả", dossier, "Mẫu số 01"),
        **_header(unit, desk=True, day=_local_day(accept.at, unit)),
        "title": "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "dossier": _dossier(dossier),
        "applicant": _applicant(dossier, options),
        "components": components,
        "sets": "01",
        "time_limit": _time_limit(dossier),
        "received_at": instant_in_words(accept.at, tz),
        "appointment_at": instant_in_words(promised, tz) if promised else DOTS,
        "appointment_changed": changed,
        "fee": _fee_line(dossier),
        "return_method": _return_method(dossier),
        "lookup_page": f"{options.public_url.rstrip('/')}/tra-cuu/",
        "lookup_url": url if options.reveal_personal else "",
        "qr": qr_svg_data_uri(url) if options.reveal_personal else "",
        "secret": dossier.secret if options.reveal_personal else "",
        "receiver": _person(accept.actor),
    }


# -- Form 02: supplement request ----------------------------------------------------------------------


def _missing_components(dossier: Dossier) -> list[str]:
    """Required components of the procedure version that the dossier does not hold (submitted)."""
    held = {c.code for c in dossier.components.all() if c.submitted}
    return [
        nfc(c.get("name") or c["code"])
        for c in dossier.procedure_version.components
        if c.get("required") and c["code"] not in held
    ]


def supplement_context(
    dossier: Dossier, events: Sequence[DossierEvent], options: FormOptions
) -> dict[str, Any]:
    """Form 02: Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ — the latest supplement request, its reason in full
    (the law asks for everything to add to be stated once, in writing)."""
    request = _last(events, *SUPPLEMENT_ACTIONS)
    if request is None:
        raise FormNotApplicable(
            gettext_lazy(
                "Hồ sơ chưa có yêu cầu bổ sung, hoàn thiện nào nên không có Phiếu yêu cầu bổ sung, "
                "hoàn thiện hồ sơ (Mẫu 02)."
            )
        )
    unit = dossier.receiving_unit
    tz = _tz(unit)
    at_intake = request.action == Action.REQUEST_INTAKE_SUPPLEMENT.value
    guide = _person(request.actor)
    role = label(ROLE_LABELS, request.actor_role).lower()
    desk = one_stop_name(unit)
    if at_intake:  # the desk found the dossier incomplete: no clock yet
        opening = f"Qua kiểm tra hồ sơ khi tiếp nhận, {desk} đề nghị Ông/Bà bổ sung, hoàn thiện hồ sơ"
        contact = f"{guide} ({role}) tại {desk}" if role else f"{guide} tại {desk}"
        clock = ("Hồ sơ chưa được tiếp nhận. Thời hạn giải quyết được tính từ khi hồ sơ đầy đủ, hợp lệ "
                 "được tiếp nhận.")
    else:  # the department asked, through the desk: the clock restarts once supplied (rules §2.2)
        office = authority_name(dossier.competent_unit)
        opening = f"Qua thẩm định hồ sơ, {office} đề nghị Ông/Bà bổ sung, hoàn thiện hồ sơ"
        contact = f"{guide} ({role}, {office}) hoặc {desk}" if role else f"{guide} ({office}) hoặc {desk}"
        clock = ("Thời hạn giải quyết hồ sơ được tính lại từ ngày nhận đủ hồ sơ đã bổ sung, hoàn thiện "
                 "theo yêu cầu này.")
    return {
        **_document_meta("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ", dossier, "Mẫu số 02"),
        **_header(unit, desk=True, day=_local_day(request.at, unit)),
        "title": "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
        "dossier": _dossier(dossier),
        "applicant": _applicant(dossier, options),
        "at_intake": at_intake,
        "opening": f"{opening} gồm những nội dung sau:",
        "missing": _missing_components(dossier),
        "reason": _text(request.payload, "reason") or DOTS,
        "requested_at": instant_in_words(request.at, tz),
        "clock": clock,
        "guide": guide,
        "contact": contact,
    }


# -- Form 03: refusal ----------------------------------------------------------------------------------------


def refusal_context(dossier: Dossier, events: Sequence[DossierEvent], options: FormOptions) -> dict[str, Any]:
    """Form 03: Phiếu từ chối tiếp nhận giải quyết hồ sơ — the refusal at intake and its reason."""
    refusal = _last(events, Action.REFUSE.value)
    if refusal is None:
        raise FormNotApplicable(
            gettext_lazy(
                "Hồ sơ không bị từ chối tiếp nhận nên không có Phiếu từ chối tiếp nhận giải quyết hồ sơ (Mẫu 03)."
            )
        )
    unit = dossier.receiving_unit
    return {
        **_document_meta("Phiếu từ chối tiếp nhận giải quyết hồ sơ", dossier, "Mẫu số 03"),
        **_header(unit, desk=True, day=_local_day(refusal.at, unit)),
        "title": "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
        "dossier": _dossier(dossier),
        "applicant": _applicant(dossier, options),
        "reason": _text(refusal.payload, "reason") or DOTS,
        "refused_at": instant_in_words(refusal.at, _tz(unit)),
        "officer": _person(refusal.actor),
    }


# -- Form 04: apology and new appointment ------------------------------------------------------------


def _as_of(events: Sequence[DossierEvent], until_seq: int, key: str) -> datetime | None:
    """The last value of an instant in the payloads of the events before ``until_seq`` (e.g. the due then)."""
    value: datetime | None = None
    for event in events:
        if event.seq >= until_seq:
            break
        value = parse_instant(event.payload.get(key)) or value
    return value


def apology_context(dossier: Dossier, events: Sequence[DossierEvent], options: FormOptions) -> dict[str, Any]:
    """Form 04: Phiếu xin lỗi và hẹn lại ngày trả kết quả — the extension (rules §2.2), at most one."""
    extend = _last(events, Action.EXTEND.value)
    if extend is None:
        raise FormNotApplicable(
            gettext_lazy(
                "Hồ sơ chưa được gia hạn (hẹn lại ngày trả kết quả) nên không có Phiếu xin lỗi và hẹn lại "
                "ngày trả kết quả (Mẫu 04)."
            )
        )
    unit = dossier.competent_unit
    tz = _tz(dossier.receiving_unit)
    due = _as_of(events, extend.seq, "due_at") or dossier.due_at
    before = _as_of(events, extend.seq, "appointment_at")
    new = parse_instant(extend.payload.get("appointment_at")) or parse_instant(
        extend.payload.get("new_appointment")
    )
    received = dossier.received_at
    return {
        **_document_meta("Phiếu xin lỗi và hẹn lại ngày trả kết quả", dossier, "Mẫu số 04"),
        **_header(unit, desk=False, day=_local_day(extend.at, unit)),
        "title": "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
        "dossier": _dossier(dossier),
        "applicant": _applicant(dossier, options),
        "received_day": day_in_words(as_local(received, tz).date()) if received else "",
        "due_at": instant_in_words(due, tz) if due else "",
        "previous_appointment": instant_in_words(before, tz) if before and before != due else "",
        "reason": _text(extend.payload, "reason") or DOTS,
        "new_appointment": instant_in_words(new, tz) if new else DOTS,
        "signer": _person(extend.actor),
        "authority_upper": nfc(authority_name(unit).upper()),
    }


# -- Form 05/06: control slip ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Party:
    name: str
    role: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "role": self.role}


@dataclass
class _Parties:
    """Names the control slip needs beyond the event's actor: departments and assignees, looked up once."""

    dossier: Dossier
    departments: dict[str, str] = field(default_factory=dict)
    users: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, dossier: Dossier, events: Iterable[DossierEvent]) -> _Parties:
        codes = {str(e.payload.get("department")) for e in events if e.payload.get("department")}
        names = {str(e.payload.get("assignee")) for e in events if e.payload.get("assignee")}
        departments = dict(
            Department.objects.filter(unit=dossier.competent_unit, code__in=codes).values_list("code", "name")
        )
        users = {u.username: _person(u) for u in User.objects.filter(username__in=names)}
        return cls(dossier=dossier, departments=departments, users=users)

    def applicant(self) -> _Party:
        return _Party(nfc(self.dossier.applicant_name), "Người nộp hồ sơ")

    def actor(self, event: DossierEvent) -> _Party:
        return _Party(_person(event.actor), label(ROLE_LABELS, event.actor_role))

    def desk(self) -> _Party:
        return _Party(one_stop_name(self.dossier.receiving_unit))

    def department(self, code: object) -> _Party:
        if code and str(code) in self.departments:
            return _Party(nfc(self.departments[str(code)]), "Phòng/bộ phận chuyên môn")
        return _Party(authority_name(self.dossier.competent_unit))

    def user(self, username: object, role: str) -> _Party:
        name = self.users.get(str(username)) if username else None
        return _Party(name, role) if name else _Party(role)


def _parties(event: DossierEvent, p: _Parties) -> tuple[_Party, _Party]:
    """Who hands the dossier over, and to whom, at this step."""
    action = event.action
    actor = p.actor(event)
    if action == Action.SUBMIT.value:
        return p.applicant(), actor if event.actor is not None else p.desk()
    if action in (Action.ACCEPT.value, Action.SUPPLY_INTAKE_SUPPLEMENT.value, Action.SUPPLY_SUPPLEMENT.value,
                  Action.CONFIRM_PAYMENT.value):
        return p.applicant(), actor
    if action in (Action.REQUEST_INTAKE_SUPPLEMENT.value, Action.REFUSE.value, Action.RETURN_UNACCEPTED.value,
                  Action.REQUEST_SUPPLEMENT.value, Action.REQUEST_PAYMENT.value, Action.EXTEND.value,
                  Action.DELIVER.value, Action.STOP.value):
        return actor, p.applicant()
    if action == Action.FORWARD.value:
        return actor, p.department(event.payload.get("department"))
    if action == Action.ASSIGN.value:
        return actor, p.user(event.payload.get("assignee"), "Chuyên viên")
    if action == Action.PROPOSE.value:
        return actor, _Party(label(ROLE_LABELS, "approver"))
    if action == Action.APPROVE.value:
        return actor, _Party(label(ROLE_LABELS, "clerk"))
    if action == Action.REJECT_PROPOSAL.value:
        assignee = p.dossier.assignee
        return actor, _Party(_person(assignee), "Chuyên viên") if assignee else _Party("Chuyên viên")
    if action == Action.RESOLVE.value:
        return actor, p.desk()
    return actor, _Party("—")


def _joined(*parts: str, sep: str = "; ") -> str:
    return sep.join(part for part in parts if part)


def _step_result(event: DossierEvent, tz: str) -> str:
    """What came of the step, in a few words (with the reason or note the officer wrote, in full)."""
    payload = event.payload
    reason = _text(payload, "reason")
    note = _text(payload, "note")
    timeliness = label(TIMELINESS_LABELS, payload.get("timeliness")).lower()

    def day(key: str) -> str:
        instant = parse_instant(payload.get(key))
        return short_date(instant, tz) if instant else ""

    def amount() -> str:
        return f"{money(Decimal(str(payload.get('amount') or 0)))} đồng"

    match event.action:
        case Action.SUBMIT:
            return f"Nộp hồ sơ {label(CHANNEL_LABELS, payload.get('channel')).lower()}".strip()
        case Action.REQUEST_INTAKE_SUPPLEMENT | Action.REQUEST_SUPPLEMENT:
            return _joined("Yêu cầu bổ sung (Mẫu 02)", reason, sep=": ")
        case Action.SUPPLY_INTAKE_SUPPLEMENT:
            return "Đã nhận hồ sơ bổ sung"
        case Action.SUPPLY_SUPPLEMENT:
            due = day("due_at")
            return _joined("Đã nhận hồ sơ bổ sung", f"hạn giải quyết mới ngày {due}" if due else "")
        case Action.ACCEPT:
            return f"Đã tiếp nhận; hẹn trả kết quả ngày {day('appointment_at')}"
        case Action.REFUSE:
            return _joined("Từ chối tiếp nhận (Mẫu 03)", reason, sep=": ")
        case Action.RETURN_UNACCEPTED:
            why = _joined(label(RETURN_REASON_LABELS, payload.get("reason_code")), reason)
            return _joined("Trả lại hồ sơ", why, sep=": ")
        case Action.FORWARD:
            return "Đã chuyển hồ sơ"
        case Action.ASSIGN:
            return "Đã phân công xử lý"
        case Action.REQUEST_PAYMENT:
            return f"Thông báo nộp {amount()}"
        case Action.CONFIRM_PAYMENT:
            method = label(PAYMENT_METHOD_LABELS, payload.get("method")).lower()
            receipt = f"biên lai số {payload['receipt_number']}" if payload.get("receipt_number") else ""
            return _joined(f"Đã nộp {amount()} ({method})", receipt)
        case Action.EXTEND:
            new = day("appointment_at") or day("new_appointment")
            return _joined(f"Hẹn lại ngày trả kết quả: {new} (Mẫu 04)", f"lý do: {reason}" if reason else "")
        case Action.PROPOSE:
            return note or "Đã trình"
        case Action.APPROVE:
            return note or "Đồng ý"
        case Action.REJECT_PROPOSAL:
            return _joined("Không phê duyệt", note, sep=": ")
        case Action.RESOLVE:
            return _joined(f"Có kết quả số {payload.get('result_code', '')}", timeliness)
        case Action.DELIVER:
            return f"Đã trả kết quả: {label(DELIVERY_LABELS, payload.get('method')).lower()}"
        case Action.STOP:
            why = _joined(label(STOP_REASON_LABELS, payload.get("reason_code")), reason)
            return _joined(_joined("Dừng giải quyết", why, sep=": "), timeliness)
        case Action.CANCEL:
            return _joined("Hủy hồ sơ", reason, sep=": ")
        case dossier_models.RECOMPUTE_DUE:
            return _joined(f"Hạn giải quyết mới ngày {day('due_at')}", reason)
    return label(ACTION_LABELS, event.action)


def control_slip_context(
    dossier: Dossier, events: Sequence[DossierEvent], options: FormOptions
) -> dict[str, Any]:
    """Form 05 (2018) / 06 (2025): Phiếu kiểm soát quá trình giải quyết hồ sơ — one row per event."""
    if not any(e.action == Action.ACCEPT.value for e in events) or not dossier.code:
        raise FormNotApplicable(
            gettext_lazy(
                "Hồ sơ chưa được tiếp nhận nên chưa có Phiếu kiểm soát quá trình giải quyết hồ sơ; "
                "phiếu được lập khi tiếp nhận hồ sơ."
            )
        )
    unit = dossier.receiving_unit
    tz = _tz(unit)
    parties = _Parties.load(dossier, events)
    rows = []
    for n, event in enumerate(events, start=1):
        giver, taker = _parties(event, parties)
        rows.append({
            "stt": str(n),
            "step": label(ACTION_LABELS, event.action),
            "from": giver.as_dict(),
            "to": taker.as_dict(),
            "time": f"{as_local(event.at, tz):%H} giờ {as_local(event.at, tz):%M} phút,",
            "day": f"ngày {short_date(event.at, tz)}",
            "result": _step_result(event, tz),
        })
    state = State(dossier.state)
    status = label(STATE_LABELS, state)
    if dossier.timeliness:
        status = f"{status} — {label(TIMELINESS_LABELS, dossier.timeliness).lower()}"
    department = dossier.department
    return {
        **_document_meta(
            "Phiếu kiểm soát quá trình giải quyết hồ sơ", dossier, "Mẫu số 05 (2018) / 06 (2025)"
        ),
        **_header(unit, desk=True, day=_today(options, unit)),
        "title": "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
        "dossier": _dossier(dossier),
        "applicant": _applicant(dossier, options),
        "competent": authority_name(dossier.competent_unit),
        "department": nfc(department.name) if department else "",
        "rows": rows,
        "status": status,
    }


# -- Sổ theo dõi hồ sơ --------------------------------------------------------------------------------------


BOOK_NAME_LIMIT: Final = 100
"""Procedure names longer than this are cut (on a word, with "…" and the procedure's code, which identifies
it) so that a row of the book stays within three lines."""


def _book_procedure(dossier: Dossier) -> str:
    name = nfc(dossier.procedure_version.name)
    if len(name) <= BOOK_NAME_LIMIT:
        return name
    cut = name[:BOOK_NAME_LIMIT].rsplit(" ", 1)[0].rstrip(" ,;:")
    return f"{cut} … (mã {dossier.procedure.code})"


def _book_note(dossier: Dossier) -> str:
    notes: list[str] = []
    if dossier.channel != "direct":
        notes.append(label(CHANNEL_LABELS, dossier.channel))
    if dossier.competent_unit_id != dossier.receiving_unit_id:
        notes.append(f"Giải quyết tại {dossier.competent_unit.name}")
    if dossier.supplement_requests:
        notes.append("Có yêu cầu bổ sung")
    if dossier.extensions and dossier.appointment_at:
        notes.append(f"Hẹn lại {short_date(dossier.appointment_at, _tz(dossier.receiving_unit))}")
    if dossier.state == State.STOPPED.value:
        notes.append(f"Dừng: {label(STOP_REASON_LABELS, dossier.stop_reason).lower()}")
    elif dossier.state == State.CANCELLED.value:
        notes.append("Đã hủy")
    if dossier.timeliness == "overdue":
        notes.append("Quá hạn")
    return "; ".join(notes)


def tracking_book_context(
    unit: Unit,
    dossiers: Sequence[Dossier],
    *,
    date_from: date,
    date_to: date,
    forwarded: Mapping[int, datetime],
    options: FormOptions,
) -> dict[str, Any]:
    """Sổ theo dõi hồ sơ (Form 06 of 2018 / 07 of 2025): the dossiers ``unit`` accepted in the date range.

    ``forwarded`` maps a dossier's id to the instant it was first forwarded to the department.
    """
    tz = _tz(unit)
    rows = []
    for n, d in enumerate(dossiers, start=1):
        result_at: datetime | None = None
        if d.state in (State.RESOLVED.value, State.DELIVERED.value):
            result = getattr(d, "result", None)
            result_at = result.issued_at if result is not None else d.ended_at
        elif d.state == State.STOPPED.value:
            result_at = d.ended_at
        rows.append({
            "stt": str(n),
            "code": d.code or "",
            "procedure": _book_procedure(d),
            "applicant": nfc(d.applicant_name),
            "received": short_date(d.received_at, tz),
            "appointment": short_date(d.appointment_at, tz),
            "forwarded": short_date(forwarded.get(d.pk), tz),
            "result": short_date(result_at, tz),
            "delivered": short_date(d.delivered_at, tz),
            "note": _book_note(d),
        })
    return {
        "doc_title": f"Sổ theo dõi hồ sơ — {unit.name} — {short_date(date_from)}–{short_date(date_to)}",
        "doc_source": "Mẫu số 06 (2018) / 07 (2025)",
        **_header(unit, desk=True, day=_today(options, unit)),
        "title": "SỔ THEO DÕI HỒ SƠ",
        "unit_name": one_stop_name(unit),
        "period": f"Từ ngày {short_date(date_from)} đến ngày {short_date(date_to)}",
        "rows": rows,
        "total": str(len(rows)),
    }


DossierBuilder = Callable[[Dossier, Sequence[DossierEvent], FormOptions], dict[str, Any]]

BUILDERS: Final[Mapping[str, DossierBuilder]] = {
    "receipt": receipt_context,
    "supplement": supplement_context,
    "refusal": refusal_context,
    "apology": apology_context,
    "control_slip": control_slip_context,
}
"""The builder of each form printed for one dossier (the tracking book covers many)."""
