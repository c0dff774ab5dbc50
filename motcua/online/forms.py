from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.online.models import Delivery


class SubmissionForm(forms.Form):
    """The applicant's details and how the result is received; the files are read by the view."""

    unit = forms.ChoiceField(label=_("Nộp hồ sơ tới"))
    name = forms.CharField(label=_("Họ và tên người nộp"), max_length=200)
    id_number = forms.RegexField(
        label=_("Số định danh cá nhân (CCCD)"),
        regex=r"^(\d{9}|\d{12})$",
        error_messages={"invalid": _("Số định danh gồm 12 chữ số (hoặc CMND 9 chữ số).")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    phone = forms.RegexField(
        label=_("Số điện thoại"),
        regex=r"^\+?[0-9 ]{9,15}$",
        error_messages={"invalid": _("Số điện thoại gồm 9–12 chữ số.")},
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(label=_("Thư điện tử (không bắt buộc)"), required=False)
    address = forms.CharField(label=_("Địa chỉ thường trú"), max_length=300, required=False)
    delivery = forms.ChoiceField(
        label=_("Hình thức nhận kết quả"),
        choices=Delivery.choices,
        widget=forms.RadioSelect,
        initial="online",
    )
    postal_address = forms.CharField(
        label=_("Địa chỉ nhận kết quả qua bưu chính"), max_length=300, required=False
    )
    exemption = forms.CharField(
        label=_("Đề nghị miễn, giảm phí, lệ phí (nếu thuộc đối tượng được miễn, giảm)"),
        help_text=_("Ghi đối tượng và giấy tờ chứng minh; cán bộ sẽ xem xét khi tiếp nhận."),
        max_length=300,
        required=False,
    )

    def __init__(self, *args: Any, units: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = units  # type: ignore[attr-defined]
        if len(units) == 1:
            self.fields["unit"].initial = units[0][0]
            self.fields["unit"].widget = forms.HiddenInput()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("delivery") == Delivery.POSTAL and not (data.get("postal_address") or "").strip():
            self.add_error("postal_address", _("Vui lòng ghi địa chỉ nhận kết quả qua bưu chính."))
        return data
