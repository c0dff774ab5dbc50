"""How the staff pages show things: local times, money, masked numbers, and the timeline (control slip).

Presentation only: every fact comes from the selectors (``motcua.dossiers.selectors``); this module turns
codes into Vietnamese words and instants into the unit's local time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from motcua.core.personal import mask_number
from motcua.domain.lifecycle import Action
from motcua.dossiers.models import DossierEvent
from motcua.web.labels import (
    ACTION_LABELS,
    CHANNEL_LABELS,
    DELIVERY_LABELS,
    FLAG_LABELS,
    PAYMENT_METHOD_LABELS,
    RETURN_REASON_LABELS,
    ROLE_LABELS,
    STATE_LABELS,
    STOP_REASON_LABELS,
    TIMELINESS_LABELS,
    label,
)

__all__ = [
    "EventRow",
    "event_rows",
    "local_date",
    "local_datetime",
    "mask",
    "money",
    "state_tone",
    "time_limit",
    "timeliness_tone",
]

def mask(value: str | None) -> str:
    """``004090000123`` → ``*********123`` (lists, other readers): the shared rule,
    :func:`motcua.core.personal.mask_number`."""
    return mask_number(value)


def local_datetime(value: datetime | str | None, tz: str) -> str:
    """An instant as ``dd/mm/yyyy hh:mm`` in the unit's time zone ("" for none)."""
    instant = _instant(value)
    if instant is None:
        return ""
    return instant.astimezone(ZoneInfo(tz)).strftime("%d/%m/%Y %H:%M")


def local_date(value: datetime | date | str | None, tz: str) -> str:
    """The local date ``dd/mm/yyyy`` of an instant (or a date) in the unit's time zone."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    instant = _instant(value)
    if instant is None:
        return ""
    return instant.astimezone(ZoneInfo(tz)).strftime("%d/%m/%Y")


def _instant(value: datetime | date | str | None) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, datetime) or value.tzinfo is None:
        return None
    return value


def money(value: Decimal | int | float | str | None) -> str:
    """``15000`` → ``15.000 đ`` (VND has no subunit; Vietnamese groups thousands with dots)."""
    if value is None or value == "":
        return ""
    try:
        amount = int(Decimal(str(value)))
    except (ArithmeticError, ValueError):
        return str(value)
    return f"{amount:,}".replace(",", ".") + " " + str(pgettext_lazy("currency", "đ"))


def time_limit(value: Decimal, unit: str, unit_label: str) -> str:
    """``3 ngày làm việc``, ``0,5 ngày làm việc``, ``Trong ngày`` (rules §1: the procedure's time limit)."""
    if unit == "same_day":
        return str(_("Trong ngày"))
    number = Decimal(value).normalize()
    text = format(number, "f").replace(".", ",")
    return f"{text} {unit_label}"


_STATE_TONES: Mapping[str, str] = {
    "submitted": "warn",
    "intake_supplement": "warn",
    "supplement_requested": "warn",
    "awaiting_payment": "warn",
    "received": "",
    "processing": "",
    "resolved": "ok",
    "delivered": "ok",
    "stopped": "bad",
    "refused": "bad",
    "returned": "bad",
    "cancelled": "muted",
}


def state_tone(state: str) -> str:
    """The badge class of a state: ``warn`` waiting on someone, ``ok`` done, ``bad`` ended without result."""
    return _STATE_TONES.get(state, "muted")


def timeliness_tone(timeliness: str | None, *, near_due: bool = False) -> str:
    if timeliness == "overdue":
        return "bad"
    if near_due:
        return "warn"
    return "ok" if timeliness else "muted"


# -- the timeline -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventRow:
    """One line of the control slip: what was done, by whom, when, and its details in Vietnamese."""

    seq: int
    action: str
    action_label: str
    actor: str
    role: str
    at: str
    from_state: str
    to_state: str
    state_changed: bool
    details: Sequence[tuple[str, str]] = field(default_factory=tuple)


_HIDDEN = frozenset({"calendar_version", "procedure_version", "receiving_unit", "procedure"})

_DETAIL_LABELS: Mapping[str, object] = {
    "code": _("Mã hồ sơ"),
    "reason_code": _("Lý do"),
    "reason": _("Nội dung"),
    "department": _("Phòng/bộ phận"),
    "assignee": _("Người xử lý"),
    "method": _("Hình thức"),
    "amount": _("Số tiền"),
    "receipt_number": _("Số biên lai"),
    "reference": _("Mã giao dịch"),
    "new_appointment": _("Ngày hẹn mới"),
    "result_code": _("Số, ký hiệu kết quả"),
    "e_copy": _("Bản điện tử"),
    "note": _("Ghi chú"),
    "due_at": _("Hạn giải quyết"),
    "previous_due_at": _("Hạn trước đó"),
    "appointment_at": _("Ngày hẹn trả"),
    "flags": _("Lưu ý"),
    "timeliness": _("Kết quả đúng hạn"),
    "channel": _("Kênh nộp"),
    "competent_unit": _("Đơn vị giải quyết"),
    "components": _("Thành phần hồ sơ"),
    "fee_total": _("Phí, lệ phí"),
    "fees_exempt": _("Miễn phí, lệ phí"),
}
_ORDER = tuple(_DETAIL_LABELS)


def event_rows(
    events: Iterable[DossierEvent],
    *,
    tz: str,
    departments: Mapping[str, str] | None = None,
    people: Mapping[str, str] | None = None,
) -> list[EventRow]:
    """The control slip's lines (Form 05/06 shows the same events). ``departments`` maps a department code
    to its name and ``people`` a username to a full name, for the payloads that name them."""
    departments = departments or {}
    people = people or {}
    rows = []
    for event in events:
        actor = event.actor
        rows.append(
            EventRow(
                seq=event.seq,
                action=event.action,
                action_label=label(ACTION_LABELS, event.action),
                actor=str(actor) if actor is not None else str(_("Hệ thống")),
                role=label(ROLE_LABELS, event.actor_role),
                at=local_datetime(event.at, tz),
                from_state=label(STATE_LABELS, event.from_state),
                to_state=label(STATE_LABELS, event.to_state),
                state_changed=event.from_state != event.to_state,
                details=tuple(_details(event, tz=tz, departments=departments, people=people)),
            )
        )
    return rows


def _details(
    event: DossierEvent, *, tz: str, departments: Mapping[str, str], people: Mapping[str, str]
) -> list[tuple[str, str]]:
    payload = event.payload if isinstance(event.payload, dict) else {}
    keys = sorted(
        (k for k in payload if k not in _HIDDEN),
        key=lambda k: (_ORDER.index(k) if k in _ORDER else len(_ORDER), k),
    )
    out: list[tuple[str, str]] = []
    for key in keys:
        value = payload[key]
        if key == "competent_unit" and value == payload.get("receiving_unit"):
            continue  # shown only for a boundary-independent dossier received for another commune
        if key == "fees_exempt" and not value:
            continue
        if value is None or value == "" or value == []:
            continue
        text = _detail_value(event.action, key, value, tz=tz, departments=departments, people=people)
        out.append((str(_DETAIL_LABELS.get(key, key)), text))
    return out


def _detail_value(
    action: str,
    key: str,
    value: object,
    *,
    tz: str,
    departments: Mapping[str, str],
    people: Mapping[str, str],
) -> str:
    if key in ("due_at", "previous_due_at", "appointment_at", "new_appointment"):
        return local_datetime(str(value), tz) or str(value)
    if key in ("amount", "fee_total"):
        return money(str(value))
    if key in ("e_copy", "fees_exempt"):
        return str(_("Có")) if value else str(_("Không"))
    if key == "reason_code":
        labels = STOP_REASON_LABELS if action == Action.STOP else RETURN_REASON_LABELS
        return label(labels, value)
    if key == "method":
        labels = DELIVERY_LABELS if action == Action.DELIVER else PAYMENT_METHOD_LABELS
        return label(labels, value)
    if key == "channel":
        return label(CHANNEL_LABELS, value)
    if key == "timeliness":
        return label(TIMELINESS_LABELS, value)
    if key == "flags" and isinstance(value, list):
        return "; ".join(label(FLAG_LABELS, f) for f in value)
    if key == "department":
        name = departments.get(str(value))
        return f"{name} ({value})" if name else str(value)
    if key == "assignee":
        name = people.get(str(value))
        return f"{name} ({value})" if name and name != str(value) else str(value)
    if key == "components" and isinstance(value, list):
        submitted = [c for c in value if isinstance(c, dict) and c.get("submitted", True)]
        digitized = [c for c in submitted if c.get("digitized")]
        return str(_("%(n)s thành phần đã nộp, %(d)s đã số hóa")) % {"n": len(submitted), "d": len(digitized)}
    return str(value)
