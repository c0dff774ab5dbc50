"""The forms of the petition page (answer, refuse, transfer, take up) and of the evaluation picker.

They only collect text: :mod:`motcua.feedback.services` validates and decides; its field errors are put back
next to these fields (the services' field names are the forms' names).
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.feedback.models import PetitionOutcome

__all__ = ["ACTION_FORMS", "AnswerForm", "RefuseForm", "StartForm", "TransferForm"]


def _area(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class StartForm(forms.Form):
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=2000, widget=_area(2))


class AnswerForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Kết quả xử lý"), choices=PetitionOutcome.choices)
    answer = forms.CharField(label=_("Nội dung trả lời"), max_length=10000, widget=_area(6),
                             error_messages={"required": _("Vui lòng nhập nội dung trả lời.")})


class RefuseForm(forms.Form):
    reason = forms.CharField(label=_("Lý do từ chối (gửi người phản ánh)"), max_length=5000, widget=_area(),
                             error_messages={"required": _("Vui lòng nhập lý do từ chối.")})


class TransferForm(forms.Form):
    to = forms.CharField(label=_("Chuyển đến cơ quan"), max_length=300,
                         error_messages={"required": _("Vui lòng nhập cơ quan có thẩm quyền.")})
    reason = forms.CharField(label=_("Ghi chú cho người phản ánh"), required=False, max_length=5000,
                             widget=_area(3))


class PublishForm(forms.Form):
    pass


ACTION_FORMS: dict[str, type[forms.Form]] = {
    "start": StartForm,
    "answer": AnswerForm,
    "refuse": RefuseForm,
    "transfer": TransferForm,
    "publish": PublishForm,
}
"""The actions of the petition page, in the order they are offered."""
