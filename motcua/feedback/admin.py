"""Admin screens: published documents (add, edit, withdraw), petitions (handled through the services, with
their event log), satisfaction ratings (read-only).

A petition's own fields are read-only here: a handler answers, refuses or transfers it with the "Xử lý"
fields of the change form, which call :mod:`motcua.feedback.services` (so the due dates, ``on_time`` and the
event log are written exactly as by any other caller). Contacts are masked in the list.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.core.errors import ApplicationError
from motcua.feedback import services
from motcua.feedback.models import (
    Petition,
    PetitionEvent,
    PetitionOutcome,
    PublishedDocument,
    SatisfactionRating,
)
from motcua.feedback.selectors import mask_contact


class PublishedDocumentForm(forms.ModelForm):
    class Meta:
        model = PublishedDocument
        fields = (
            "unit",
            "category",
            "title",
            "number",
            "date",
            "year",
            "file",
            "url",
            "published_at",
            "note",
            "active",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("file") and not data.get("url"):
            raise ValidationError(_("Chọn tệp để tải lên hoặc nhập đường dẫn của văn bản."))
        return data


@admin.register(PublishedDocument)
class PublishedDocumentAdmin(admin.ModelAdmin):
    form = PublishedDocumentForm
    list_display = ("title", "number", "date", "category", "year", "unit", "published_at", "active")
    list_filter = ("category", "active", "year", "unit")
    search_fields = ("title", "number", "note")
    autocomplete_fields = ("unit",)
    date_hierarchy = "published_at"
    fields = (
        "unit",
        "category",
        "title",
        "number",
        "date",
        "year",
        "file",
        "url",
        "published_at",
        "note",
        "active",
    )


class PetitionEventInline(admin.TabularInline):
    model = PetitionEvent
    extra = 0
    can_delete = False
    fields = ("seq", "action", "from_status", "to_status", "at", "actor", "payload")
    readonly_fields = fields
    ordering = ("seq",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


ACTION_CHOICES = [
    ("", "—"),
    ("start", _("Bắt đầu xử lý")),
    ("answer", _("Trả lời")),
    ("refuse", _("Từ chối tiếp nhận")),
    ("transfer", _("Chuyển cơ quan có thẩm quyền")),
    ("publish_answer", _("Công khai câu trả lời")),
]


class PetitionForm(forms.ModelForm):
    handle = forms.ChoiceField(label=_("Xử lý"), choices=ACTION_CHOICES, required=False)
    text = forms.CharField(label=_("Nội dung trả lời / lý do"), widget=forms.Textarea, required=False)
    result = forms.ChoiceField(
        label=_("Kết quả"), choices=[("", "—"), *PetitionOutcome.choices], required=False
    )
    transfer_to = forms.CharField(label=_("Chuyển đến"), max_length=300, required=False)

    class Meta:
        model = Petition
        fields: list[str] = []


@admin.register(Petition)
class PetitionAdmin(admin.ModelAdmin):
    form = PetitionForm
    list_display = (
        "code",
        "submitted_at",
        "unit",
        "kind",
        "subject",
        "status",
        "handling_due",
        "masked_contact",
        "on_time",
    )
    list_filter = ("status", "kind", "on_time", "unit")
    search_fields = ("code", "subject")
    date_hierarchy = "submitted_at"
    inlines = [PetitionEventInline]
    readonly_fields = (
        "code",
        "unit",
        "kind",
        "subject",
        "content",
        "dossier",
        "sender_name",
        "contact",
        "submitted_at",
        "status",
        "handling_due",
        "refusal_due",
        "answered_at",
        "answer",
        "outcome",
        "transferred_to",
        "on_time",
        "answer_published_at",
    )
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "code",
                    "unit",
                    "kind",
                    "subject",
                    "content",
                    "dossier",
                    "sender_name",
                    "contact",
                    "submitted_at",
                )
            },
        ),
        (
            _("Tình trạng"),
            {
                "fields": (
                    "status",
                    "handling_due",
                    "refusal_due",
                    "answered_at",
                    "answer",
                    "outcome",
                    "transferred_to",
                    "on_time",
                    "answer_published_at",
                )
            },
        ),
        (_("Xử lý"), {"fields": ("handle", "text", "result", "transfer_to")}),
    )
    actions = ["start_selected"]

    @admin.display(description=_("liên hệ"))
    def masked_contact(self, obj: Petition) -> str:
        return mask_contact(obj.contact)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # petitions arrive through /phan-anh/ (or petition_submit)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.fieldsets

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ApplicationError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request: HttpRequest, obj: Petition, form: forms.ModelForm, change: bool) -> None:
        data = form.cleaned_data
        handle, text, actor = data.get("handle"), data.get("text") or "", cast(User, request.user)
        if handle == "start":
            services.petition_start(petition_id=obj.pk, actor=actor, note=text)
        elif handle == "answer":
            services.petition_answer(
                petition_id=obj.pk, actor=actor, answer=text, outcome=data.get("result") or ""
            )
        elif handle == "refuse":
            services.petition_refuse(petition_id=obj.pk, actor=actor, reason=text)
        elif handle == "transfer":
            services.petition_transfer(
                petition_id=obj.pk, actor=actor, to=data.get("transfer_to") or "", reason=text
            )
        elif handle == "publish_answer":
            services.petition_publish_answer(petition_id=obj.pk, actor=actor)
        obj.refresh_from_db()

    @admin.action(description=_("Bắt đầu xử lý các phản ánh đã chọn"))
    def start_selected(self, request: HttpRequest, queryset: QuerySet[Petition]) -> None:
        done = 0
        for petition in queryset:
            try:
                services.petition_start(petition_id=petition.pk, actor=cast(User, request.user))
                done += 1
            except ApplicationError as exc:
                self.message_user(request, f"{petition.code}: {exc.message}", level=messages.WARNING)
        if done:
            self.message_user(request, _("Đã chuyển %(n)d phản ánh sang Đang xử lý.") % {"n": done})


@admin.register(SatisfactionRating)
class SatisfactionRatingAdmin(admin.ModelAdmin):
    list_display = ("dossier", "level", "created_at")
    list_filter = ("level",)
    search_fields = ("dossier__code",)
    date_hierarchy = "created_at"
    readonly_fields = ("dossier", "level", "answers", "comment", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
