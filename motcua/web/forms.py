"""The staff pages' forms. They check SHAPE only (a number is a number, a date is a date); whether a value
is allowed (a reason is required, the state allows the action, the assignee is a specialist…) is decided by
the services, whose errors :func:`motcua.web.errors.attach` puts next to the field they name."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.domain.lifecycle import TRANSITIONS, Action
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import DossierFilters
from motcua.dossiers.services import Applicant
from motcua.web import choices
from motcua.web.labels import (
    CHANNEL_LABELS,
    DELIVERY_LABELS,
    PAYMENT_METHOD_LABELS,
    RETURN_REASON_LABELS,
    STATE_LABELS,
    STOP_REASON_LABELS,
)

__all__ = ["ACTION_INPUTS", "PRIMARY_ACTIONS", "ActionForm", "FilterForm", "IntakeForm", "is_primary"]

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def _blank(text: object) -> list[tuple[str, object]]:
    return [("", text)]


def _labelled(labels: Mapping[str, object]) -> list[tuple[str, object]]:
    return [(str(code), text) for code, text in labels.items()]


# -- inbox and search filters -----------------------------------------------------------------------------


class FilterForm(forms.Form):
    q = forms.CharField(
        label=_("Mã hồ sơ, tên hoặc số định danh"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Mã hồ sơ, họ tên, số CCCD…")}),
    )
    state = forms.ChoiceField(label=_("Trạng thái"), required=False)
    sector = forms.ChoiceField(label=_("Lĩnh vực"), required=False)
    procedure = forms.ChoiceField(label=_("Thủ tục"), required=False)
    channel = forms.ChoiceField(
        label=_("Kênh nộp"), required=False, choices=_blank(_("Tất cả")) + _labelled(CHANNEL_LABELS)
    )
    received_from = forms.DateField(
        label=_("Tiếp nhận từ ngày"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    received_to = forms.DateField(
        label=_("đến ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = _blank(_("Tất cả")) + _labelled(STATE_LABELS)  # type: ignore[attr-defined]
        self.fields["sector"].choices = _blank(_("Tất cả")) + choices.sector_choices()  # type: ignore[attr-defined]
        self.fields["procedure"].choices = (  # type: ignore[attr-defined]
            _blank(_("Tất cả")) + choices.procedure_choices()
        )

    def filters(self) -> DossierFilters:
        """The selector's filters from the valid fields (an invalid field filters nothing)."""
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        return DossierFilters(
            q=data.get("q") or None,
            state=data.get("state") or None,
            sector=data.get("sector") or None,
            procedure=data.get("procedure") or None,
            channel=data.get("channel") or None,
            received_from=data.get("received_from"),
            received_to=data.get("received_to"),
        )

    def advanced_active(self) -> bool:
        """Whether a filter other than the search box is set (the filters panel then stays open)."""
        data = getattr(self, "cleaned_data", {})
        return any(data.get(k) not in (None, "") for k in self.fields if k != "q")

    def active(self) -> bool:
        return any(v not in (None, "") for v in getattr(self, "cleaned_data", {}).values())


# -- actions on a dossier ---------------------------------------------------------------------------------

ACTION_INPUTS: Mapping[Action, tuple[str, ...]] = MappingProxyType(
    {
        Action.REQUEST_INTAKE_SUPPLEMENT: ("reason",),
        Action.SUPPLY_INTAKE_SUPPLEMENT: (),
        Action.ACCEPT: (),
        Action.REFUSE: ("reason",),
        Action.RETURN_UNACCEPTED: ("reason_code", "reason"),
        Action.FORWARD: ("department",),
        Action.ASSIGN: ("assignee",),
        Action.REQUEST_SUPPLEMENT: ("reason",),
        Action.SUPPLY_SUPPLEMENT: (),
        Action.REQUEST_PAYMENT: ("amount",),
        Action.CONFIRM_PAYMENT: ("method", "amount", "reference"),
        Action.EXTEND: ("new_appointment", "reason"),
        Action.PROPOSE: ("note",),
        Action.APPROVE: ("note",),
        Action.REJECT_PROPOSAL: ("note",),
        Action.RESOLVE: ("result_code", "e_copy", "note"),
        Action.DELIVER: ("method",),
        Action.STOP: ("reason_code", "reason"),
        Action.CANCEL: ("reason",),
    }
)
"""The inputs of each action's form: its required payload fields (``TRANSITIONS[action].required``) and the
optional ones the services read."""

PRIMARY_ACTIONS: frozenset[Action] = frozenset(
    {
        Action.ACCEPT,
        Action.SUPPLY_INTAKE_SUPPLEMENT,
        Action.FORWARD,
        Action.ASSIGN,
        Action.SUPPLY_SUPPLEMENT,
        Action.PROPOSE,
        Action.APPROVE,
        Action.RESOLVE,
        Action.DELIVER,
    }
)
"""The actions that move a dossier forward: listed first and drawn as the main button (presentation)."""


def is_primary(action: Action, dossier: Dossier) -> bool:
    return action in PRIMARY_ACTIONS or (
        action is Action.CONFIRM_PAYMENT and dossier.state == "awaiting_payment"
    )


_REASON_LABELS: Mapping[Action, object] = {
    Action.REQUEST_INTAKE_SUPPLEMENT: _("Nội dung cần bổ sung, hoàn thiện"),
    Action.REQUEST_SUPPLEMENT: _("Nội dung cần bổ sung"),
    Action.REFUSE: _("Lý do từ chối"),
    Action.RETURN_UNACCEPTED: _("Ghi chú"),
    Action.EXTEND: _("Lý do chậm trễ"),
    Action.STOP: _("Ghi chú"),
    Action.CANCEL: _("Lý do hủy"),
}


class ActionForm(forms.Form):
    """One action on one dossier: its inputs and the ``expected_version`` the page was rendered with."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, action: Action, dossier: Dossier, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", action.value)
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("expected_version", dossier.version)
        super().__init__(*args, **kwargs)
        self.action = action
        self.dossier = dossier
        required = TRANSITIONS[action].required
        for name in ACTION_INPUTS[action]:
            field = self._field(name)
            if name in required:
                field.widget.attrs["required"] = "required"  # a hint for the browser; the service decides
            self.fields[name] = field

    @property
    def required_names(self) -> tuple[str, ...]:
        return TRANSITIONS[self.action].required

    def _field(self, name: str) -> forms.Field:
        action, dossier = self.action, self.dossier
        if name == "reason":
            return forms.CharField(
                label=_REASON_LABELS.get(action, _("Lý do")),
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        if name == "reason_code":
            labels = STOP_REASON_LABELS if action is Action.STOP else RETURN_REASON_LABELS
            return forms.ChoiceField(
                label=_("Lý do"), required=False, choices=_blank(_("— Chọn lý do —")) + _labelled(labels)
            )
        if name == "department":
            return forms.ChoiceField(
                label=_("Phòng/bộ phận chuyên môn"),
                required=False,
                choices=_blank(_("Theo lĩnh vực của thủ tục"))
                + choices.department_choices(dossier.competent_unit),
            )
        if name == "assignee":
            return forms.ChoiceField(
                label=_("Chuyên viên xử lý"),
                required=False,
                choices=_blank(_("— Chọn chuyên viên —"))
                + choices.assignee_choices(dossier.competent_unit, dossier.department),
            )
        if name == "method":
            labels = DELIVERY_LABELS if action is Action.DELIVER else PAYMENT_METHOD_LABELS
            return forms.ChoiceField(label=_("Hình thức"), required=False, choices=_labelled(labels))
        if name == "amount":
            initial = int(dossier.fee_total) if action is Action.CONFIRM_PAYMENT else None
            return forms.IntegerField(label=_("Số tiền (đồng)"), required=False, min_value=0, initial=initial)
        if name == "reference":
            return forms.CharField(label=_("Mã giao dịch (nếu có)"), required=False, max_length=120)
        if name == "new_appointment":
            return forms.DateTimeField(
                label=_("Ngày hẹn trả mới"),
                required=False,
                input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M"],
                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
            )
        if name == "result_code":
            return forms.CharField(label=_("Số, ký hiệu văn bản kết quả"), required=False, max_length=80)
        if name == "e_copy":
            return forms.BooleanField(label=_("Có bản điện tử của kết quả"), required=False)
        if name == "note":
            return forms.CharField(
                label=_("Ghi chú"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
            )
        raise KeyError(name)  # pragma: no cover - ACTION_INPUTS names only the fields above

    def payload(self) -> dict[str, object]:
        """The service's payload: the filled inputs (an empty one is left out, so the service names it)."""
        data: dict[str, object] = {}
        for name in ACTION_INPUTS[self.action]:
            value = self.cleaned_data.get(name)
            if name == "e_copy":
                data[name] = bool(value)
            elif value is not None and value != "":
                data[name] = value
        return data

    @property
    def primary(self) -> bool:
        return is_primary(self.action, self.dossier)

    @property
    def has_inputs(self) -> bool:
        return bool(ACTION_INPUTS[self.action])


# -- desk intake ------------------------------------------------------------------------------------------

INTAKE_DECISIONS: tuple[Action, ...] = (
    Action.ACCEPT,
    Action.REQUEST_INTAKE_SUPPLEMENT,
    Action.REFUSE,
    Action.RETURN_UNACCEPTED,
)
"""What the desk may do right after lodging a dossier at the counter (rules §3, intake actions)."""

INTAKE_CHANNELS = ("direct", "postal")
"""Online dossiers come from the portal, not the desk."""


def applicant_from(data: Mapping[str, Any]) -> Applicant:
    """The applicant of a valid intake form's ``cleaned_data`` (its ``applicant_*`` fields; the postal hand-over
    form reuses them)."""
    return Applicant(
        name=data.get("applicant_name") or "",
        id_number=data.get("applicant_id_number") or "",
        phone=data.get("applicant_phone") or "",
        email=data.get("applicant_email") or "",
        address=data.get("applicant_address") or "",
    )


class IntakeForm(forms.Form):
    procedure = forms.CharField(widget=forms.HiddenInput, max_length=30)
    receiving_unit = forms.ChoiceField(label=_("Đơn vị tiếp nhận"))
    applicant_name = forms.CharField(
        label=_("Họ và tên người nộp"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "required": "required"}),
    )
    applicant_id_number = forms.CharField(
        label=_("Số định danh cá nhân (CCCD)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    applicant_phone = forms.CharField(
        label=_("Số điện thoại"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    applicant_email = forms.EmailField(label=_("Thư điện tử"), required=False)
    applicant_address = forms.CharField(label=_("Địa chỉ"), max_length=300, required=False)
    channel = forms.ChoiceField(
        label=_("Hình thức nộp"),
        choices=[(c, CHANNEL_LABELS[c]) for c in INTAKE_CHANNELS],
        initial="direct",
        widget=forms.RadioSelect,
    )
    fee_total = forms.IntegerField(label=_("Số tiền phí, lệ phí (đồng)"), min_value=0, required=False)
    fees_exempt = forms.BooleanField(label=_("Miễn phí, lệ phí"), required=False)
    competent_unit = forms.ChoiceField(label=_("Đơn vị có thẩm quyền giải quyết"), required=False)
    reason = forms.CharField(
        label=_("Lý do / nội dung cần bổ sung"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reason_code = forms.ChoiceField(
        label=_("Lý do trả lại"),
        required=False,
        choices=_blank(_("— Chọn lý do —")) + _labelled(RETURN_REASON_LABELS),
    )
    decision = forms.ChoiceField(choices=[(a.value, a.value) for a in INTAKE_DECISIONS], required=False)

    def __init__(
        self,
        *args: Any,
        units: Sequence[tuple[str, str]],
        competent_units: Sequence[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["receiving_unit"].choices = list(units)  # type: ignore[attr-defined]
        self.fields["competent_unit"].choices = list(competent_units)  # type: ignore[attr-defined]
        if len(units) == 1:
            self.fields["receiving_unit"].widget = forms.HiddenInput()

    def decision_action(self) -> Action:
        return Action(self.cleaned_data.get("decision") or Action.ACCEPT.value)
