"""Forms of the public pages: the rating of a delivered dossier and the petition form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.feedback.models import PetitionKind, RatingLevel
from motcua.feedback.questions import QUESTIONS
from motcua.public.stats import portal_units


class RatingForm(forms.Form):
    """The three-level rating, then the optional Circular 01/2018 questions (one field per question)."""

    level = forms.ChoiceField(
        label=_("Mức độ hài lòng chung"), choices=RatingLevel.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Ý kiến khác (không bắt buộc)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        comment = self.fields.pop("comment")
        for q in QUESTIONS:
            self.fields[f"q_{q.key}"] = forms.ChoiceField(
                label=q.text,
                required=False,
                widget=forms.RadioSelect,
                choices=[(c.value, c.label) for c in q.choices],
            )
        self.fields["comment"] = comment

    def question_fields(self) -> list[forms.BoundField]:
        return [self[f"q_{q.key}"] for q in QUESTIONS]

    def answers(self) -> dict[str, str]:
        return {q.key: self.cleaned_data.get(f"q_{q.key}") or "" for q in QUESTIONS}


class PetitionForm(forms.Form):
    unit = forms.ChoiceField(label=_("Gửi đến"))
    kind = forms.ChoiceField(
        label=_("Phản ánh, kiến nghị về"),
        choices=PetitionKind.choices,
        widget=forms.RadioSelect,
        initial=PetitionKind.REGULATION,
    )
    subject = forms.CharField(label=_("Tiêu đề"), max_length=300)
    content = forms.CharField(label=_("Nội dung"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6}))
    dossier_code = forms.CharField(label=_("Mã hồ sơ liên quan (nếu có)"), max_length=80, required=False)
    sender_name = forms.CharField(label=_("Họ và tên người gửi"), max_length=200)
    contact = forms.CharField(
        label=_("Điện thoại, thư điện tử hoặc địa chỉ (không bắt buộc)"),
        max_length=200,
        required=False,
        help_text=_("Chỉ dùng để liên hệ trả lời; không bao giờ được công khai."),
    )
    website = forms.CharField(
        required=False,
        label="",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off", "class": "hp"}),
    )
    """A field people do not see (hidden by CSS): a form that fills it is a robot's."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = portal_units()
        self.fields["unit"].choices = [(u.code, u.name) for u in units]  # type: ignore[attr-defined]
        if len(units) == 1:
            self.fields["unit"].initial = units[0].code
