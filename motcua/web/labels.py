"""Vietnamese labels of the codes the product stores (states, actions, channels, reason codes, roles…).

One place for the words an officer reads; the staff pages, the printed forms and the dashboards import these
maps. Keys are the stored codes (the :class:`~motcua.domain.lifecycle.State` / ``Action`` / ``Role`` members
are ``StrEnum``, so a plain string such as ``"submitted"`` finds its label too). Values are lazy translations
whose msgid is the Vietnamese text (the project's convention).

Stable public surface: add keys, never rename the maps.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import ROLE_CHOICES
from motcua.domain.lifecycle import LATE_SUPPLEMENT_FLAG, REPEAT_SUPPLEMENT_FLAG, Action, Role, State
from motcua.dossiers.models import RECOMPUTE_DUE

__all__ = [
    "ACTION_LABELS",
    "CHANNEL_LABELS",
    "DELIVERY_LABELS",
    "FLAG_LABELS",
    "PAYMENT_METHOD_LABELS",
    "RETURN_REASON_LABELS",
    "ROLE_LABELS",
    "STATE_LABELS",
    "STOP_REASON_LABELS",
    "TIMELINESS_LABELS",
    "label",
]

Labels = Mapping[str, Promise]

STATE_LABELS: Labels = MappingProxyType(
    {
        State.SUBMITTED: _("Chờ tiếp nhận"),
        State.INTAKE_SUPPLEMENT: _("Chờ bổ sung khi tiếp nhận"),
        State.RECEIVED: _("Đã tiếp nhận"),
        State.PROCESSING: _("Đang giải quyết"),
        State.SUPPLEMENT_REQUESTED: _("Chờ bổ sung hồ sơ"),
        State.AWAITING_PAYMENT: _("Chờ thực hiện nghĩa vụ tài chính"),
        State.RESOLVED: _("Có kết quả, chờ trả"),
        State.DELIVERED: _("Đã trả kết quả"),
        State.STOPPED: _("Dừng xử lý"),
        State.REFUSED: _("Từ chối tiếp nhận"),
        State.RETURNED: _("Trả lại, không tiếp nhận"),
        State.CANCELLED: _("Đã hủy"),
    }
)
"""The state of a dossier (rules §3)."""

ACTION_LABELS: Labels = MappingProxyType(
    {
        Action.SUBMIT: _("Nộp hồ sơ"),
        Action.REQUEST_INTAKE_SUPPLEMENT: _("Yêu cầu bổ sung, hoàn thiện hồ sơ"),
        Action.SUPPLY_INTAKE_SUPPLEMENT: _("Nhận hồ sơ đã bổ sung"),
        Action.ACCEPT: _("Tiếp nhận"),
        Action.REFUSE: _("Từ chối tiếp nhận"),
        Action.RETURN_UNACCEPTED: _("Trả lại hồ sơ"),
        Action.FORWARD: _("Chuyển phòng chuyên môn"),
        Action.ASSIGN: _("Phân công xử lý"),
        Action.REQUEST_SUPPLEMENT: _("Yêu cầu bổ sung hồ sơ"),
        Action.SUPPLY_SUPPLEMENT: _("Nhận hồ sơ bổ sung"),
        Action.REQUEST_PAYMENT: _("Thông báo nghĩa vụ tài chính"),
        Action.CONFIRM_PAYMENT: _("Xác nhận đã nộp phí, lệ phí"),
        Action.EXTEND: _("Xin lỗi, hẹn lại ngày trả"),
        Action.PROPOSE: _("Trình kết quả thẩm định"),
        Action.APPROVE: _("Phê duyệt"),
        Action.REJECT_PROPOSAL: _("Không phê duyệt, trả lại"),
        Action.RESOLVE: _("Ban hành kết quả"),
        Action.DELIVER: _("Trả kết quả"),
        Action.STOP: _("Dừng xử lý"),
        Action.CANCEL: _("Hủy hồ sơ"),
        RECOMPUTE_DUE: _("Tính lại hạn giải quyết"),
    }
)
"""What an action (or the event it wrote) is called; ``recompute_due`` is the audited admin recompute."""

CHANNEL_LABELS: Labels = MappingProxyType(
    {
        "direct": _("Trực tiếp"),
        "online": _("Trực tuyến"),
        "postal": _("Bưu chính công ích"),
    }
)

RETURN_REASON_LABELS: Labels = MappingProxyType(
    {
        "supplement_not_provided": _("Không bổ sung hồ sơ theo yêu cầu"),
        "cannot_submit": _("Không thuộc trường hợp được nộp hồ sơ"),
        "other_procedure_required": _("Phải thực hiện thủ tục hành chính khác"),
    }
)
"""Reason codes of ``return_unaccepted`` (rules §3, ``returned``)."""

STOP_REASON_LABELS: Labels = MappingProxyType(
    {
        "withdrawn": _("Người nộp rút hồ sơ"),
        "not_eligible": _("Không đủ điều kiện giải quyết"),
        "supplement_not_provided": _("Không bổ sung hồ sơ theo yêu cầu"),
    }
)
"""Reason codes of ``stop`` (rules §3, ``stopped``)."""

DELIVERY_LABELS: Labels = MappingProxyType(
    {
        "desk": _("Tại Bộ phận một cửa"),
        "postal": _("Qua bưu chính công ích"),
        "online": _("Trực tuyến"),
    }
)

PAYMENT_METHOD_LABELS: Labels = MappingProxyType(
    {
        "cash": _("Tiền mặt"),
        "transfer": _("Chuyển khoản"),
        "online": _("Thanh toán trực tuyến"),
    }
)

ROLE_LABELS: Labels = MappingProxyType(
    {
        Role.APPLICANT: _("Người nộp hồ sơ"),
        **{Role(code): text for code, text in ROLE_CHOICES},
    }
)
"""The roles of :class:`~motcua.domain.lifecycle.Role`, with the words of the account screens."""

TIMELINESS_LABELS: Labels = MappingProxyType(
    {
        "before_due": _("Trước hạn"),
        "on_time": _("Đúng hạn"),
        "within_due": _("Trong hạn"),
        "overdue": _("Quá hạn"),
    }
)
"""Timeliness (rules §2.3): of an ended dossier, or of an open one now."""

FLAG_LABELS: Labels = MappingProxyType(
    {
        LATE_SUPPLEMENT_FLAG: _("Yêu cầu bổ sung sau 3 ngày làm việc kể từ khi tiếp nhận"),
        REPEAT_SUPPLEMENT_FLAG: _("Yêu cầu bổ sung từ lần thứ hai"),
    }
)
"""Flags a dossier may carry (rules §2.2, Decision 766)."""


def label(labels: Labels, code: object) -> str:
    """The label of ``code`` in ``labels``; the code itself when it has none (an empty code gives "")."""
    if code is None or code == "":
        return ""
    text = labels.get(str(code))
    return str(text) if text is not None else str(code)
