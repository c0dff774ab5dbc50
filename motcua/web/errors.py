"""The services' errors, told in Vietnamese and put where the officer looks.

A :class:`~motcua.core.errors.FieldError` goes next to the field it names (``applicant.id_number`` is the
intake form's ``applicant_id_number``); a :class:`~motcua.core.errors.StateError` or
:class:`~motcua.core.errors.Conflict` becomes a message above the actions, with the allowed actions or a
"reload" link. The services' own messages (English, for the API and the logs) are kept as a detail.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import ApplicationError, Conflict, FieldError, Forbidden, NotFound, StateError
from motcua.web.labels import ACTION_LABELS, STATE_LABELS, label

__all__ = ["Problem", "attach", "field_message", "problem_of"]


@dataclass(frozen=True)
class Problem:
    """An error that belongs to no single field: shown above the actions (or the form)."""

    kind: str  # "state" | "conflict" | "forbidden" | "invalid"
    message: str
    allowed: tuple[str, ...] = ()
    reload: bool = False
    status: int = 400


_EMPTY_FIELD = {
    "reason": _("Vui lòng nhập lý do."),
    "reason_code": _("Vui lòng chọn lý do."),
    "assignee": _("Vui lòng chọn chuyên viên."),
    "method": _("Vui lòng chọn hình thức."),
    "amount": _("Vui lòng nhập số tiền."),
    "new_appointment": _("Vui lòng chọn ngày hẹn trả mới."),
    "result_code": _("Vui lòng nhập số, ký hiệu văn bản kết quả."),
    "applicant.name": _("Vui lòng nhập họ và tên người nộp."),
}

_BY_FIELD = {
    "department": _("Phòng/bộ phận này không thuộc đơn vị giải quyết hồ sơ."),
    "assignee": _("Người này không phải chuyên viên của đơn vị giải quyết hồ sơ."),
    "reason_code": _("Lý do không nằm trong danh mục."),
    "method": _("Hình thức không nằm trong danh mục."),
    "amount": _("Số tiền phải là số nguyên dương (đồng)."),
    "fee_total": _("Số tiền phải là số nguyên không âm (đồng)."),
    "applicant.name": _("Họ và tên quá dài (tối đa 200 ký tự)."),
    "applicant.id_number": _("Số định danh phải gồm 9 hoặc 12 chữ số."),
    "applicant.phone": _("Số điện thoại phải gồm 9 đến 12 chữ số."),
    "competent_unit": _(
        "Đơn vị này không được giải quyết thủ tục này (thủ tục phải không phụ thuộc địa giới, "
        "trong cùng tỉnh)."
    ),
    "receiving_unit": _("Đơn vị tiếp nhận không hợp lệ."),
    "channel": _("Hình thức nộp không hợp lệ."),
    "procedure": _("Thủ tục không có trong danh mục đang áp dụng."),
    "extensions": _("Hồ sơ đã được gia hạn một lần; chỉ được gia hạn một lần."),
    "new_appointment": _("Ngày hẹn trả mới phải sau hạn giải quyết."),
    "at": _("Thời điểm thao tác không hợp lệ."),
}


def field_message(error: FieldError) -> str:
    """What to write next to the field an error names, in Vietnamese."""
    field = error.field or ""
    value = error.value
    if value is None or (isinstance(value, str) and not value.strip()):
        text = _EMPTY_FIELD.get(field)
        if text is not None:
            return str(text)
        return str(_("Vui lòng nhập giá trị này."))
    if field == "at" and "working day" in error.message:
        return str(_("Phải gia hạn trước hạn giải quyết ít nhất 1 ngày làm việc."))
    if field == "at" and "backwards" in error.message:
        return str(
            _("Thời điểm thao tác sớm hơn sự kiện gần nhất của hồ sơ; vui lòng kiểm tra đồng hồ máy chủ.")
        )
    text = _BY_FIELD.get(field)
    if text is not None:
        return str(text)
    if field.startswith("components"):
        return str(_("Thành phần hồ sơ không thuộc thủ tục."))
    return str(_("Giá trị không hợp lệ (%(detail)s).")) % {"detail": error.message}


def problem_of(error: ApplicationError, *, action: str | None = None) -> Problem:
    """A message above the form for an error that is not about one field."""
    if isinstance(error, StateError):
        allowed = tuple(label(ACTION_LABELS, a) for a in error.allowed)
        message = str(_("Không thể thực hiện “%(action)s” khi hồ sơ đang ở trạng thái “%(state)s”.")) % {
            "action": label(ACTION_LABELS, action) if action else "",
            "state": label(STATE_LABELS, error.state),
        }
        return Problem("state", message, allowed=allowed, reload=True, status=409)
    if isinstance(error, Conflict):
        message = str(
            _(
                "Hồ sơ vừa được người khác cập nhật sau khi anh/chị mở trang. Vui lòng tải lại trang để "
                "xem thông tin mới nhất rồi thao tác lại."
            )
        )
        return Problem("conflict", message, reload=True, status=409)
    if isinstance(error, Forbidden):
        return Problem(
            "forbidden", str(_("Anh/chị không có quyền thực hiện thao tác này đối với hồ sơ.")), status=403
        )
    if isinstance(error, NotFound):
        return Problem("not_found", str(_("Không tìm thấy hồ sơ.")), status=404)
    if isinstance(error, FieldError):
        return Problem("invalid", field_message(error), status=422)
    return Problem(
        "invalid", str(_("Không thực hiện được: %(detail)s")) % {"detail": error.message}, status=400
    )


def attach(
    form: forms.Form,
    error: ApplicationError,
    *,
    fields: Mapping[str, str] | None = None,
    action: str | None = None,
) -> Problem | None:
    """Put ``error`` next to its field in ``form`` when the form has it (``fields`` renames the service's
    field names to the form's); otherwise return the :class:`Problem` to show above the form."""
    if isinstance(error, FieldError) and error.field:
        name = (fields or {}).get(error.field, error.field)
        if name in form.fields:
            form.add_error(name, field_message(error))
            return None
    return problem_of(error, action=action)
