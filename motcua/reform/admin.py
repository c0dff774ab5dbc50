"""Admin screens for reform plans: plans (tasks inline), tasks (evidence and history inline), evidence.

Every save goes through :mod:`motcua.reform.services`, so the admin records adjustments and decides statuses
exactly as the API and the CLI do; a refused change is shown as an error message and nothing is saved.
Adjustments are read-only; tasks are never deleted (remove them from the plan with a reason instead).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import ApplicationError
from motcua.reform import services
from motcua.reform.models import ReformPlan, ReformTask, TaskAdjustment, TaskEvidence


class _ServiceAdmin(admin.ModelAdmin):
    """Runs the change form in a transaction and shows a service's refusal as a message."""

    def changeform_view(self, request: HttpRequest, object_id: str | None = None, form_url: str = "",
                        extra_context: dict[str, Any] | None = None) -> HttpResponse:
        try:
            with transaction.atomic():
                return super().changeform_view(request, object_id, form_url, extra_context)
        except ApplicationError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class TaskInline(admin.TabularInline):
    model = ReformTask
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ("number", "area", "content", "deadline", "status", "completed_on")
    readonly_fields = fields
    ordering = ("sort_key",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ReformPlan)
class ReformPlanAdmin(_ServiceAdmin):
    list_display = ("decision_number", "year", "unit", "decision_date", "title")
    list_filter = ("year",)
    search_fields = ("decision_number", "title", "unit__name", "unit__code")
    autocomplete_fields = ("unit",)
    inlines = [TaskInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("unit", "year", "created_at", "updated_at") if obj else ("created_at", "updated_at")

    def save_model(self, request: HttpRequest, obj: ReformPlan, form: forms.ModelForm, change: bool) -> None:
        data = form.cleaned_data
        if change:
            saved = services.plan_update(plan_id=obj.pk, actor=request.user,  # type: ignore[arg-type]
                                         decision_number=data["decision_number"],
                                         decision_date=data["decision_date"], title=data["title"])
        else:
            saved = services.plan_create(unit_code=data["unit"].code, year=data["year"],
                                         decision_number=data["decision_number"],
                                         decision_date=data["decision_date"], title=data["title"],
                                         actor=request.user)  # type: ignore[arg-type]
        obj.pk = saved.pk
        obj.refresh_from_db()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EvidenceInline(admin.TabularInline):
    model = TaskEvidence
    extra = 0
    can_delete = False
    fields = ("title", "document_number", "document_date", "reference", "added_at", "added_by")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AdjustmentInline(admin.TabularInline):
    """The task's history: immutable."""

    model = TaskAdjustment
    extra = 0
    can_delete = False
    fields = ("at", "field", "old_value", "new_value", "reason", "actor")
    readonly_fields = fields
    ordering = ("at", "id")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TaskForm(forms.ModelForm):
    reason = forms.CharField(label=_("Lý do điều chỉnh"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("Ghi kèm mỗi lần điều chỉnh; bắt buộc khi đưa nhiệm vụ ra khỏi kế hoạch."))

    class Meta:
        model = ReformTask
        fields = ("plan", "number", "area", "content", "expected_product", "lead", "cooperating", "deadline",
                  "status", "completed_on", "note")


@admin.register(ReformTask)
class ReformTaskAdmin(_ServiceAdmin):
    form = TaskForm
    list_display = ("number", "plan", "area", "deadline", "status", "completed_on")
    list_filter = ("status", "area", "plan__year")
    search_fields = ("number", "content", "lead", "plan__unit__name", "plan__decision_number")
    autocomplete_fields = ("plan",)
    ordering = ("plan", "sort_key")
    inlines = [EvidenceInline, AdjustmentInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("plan", "number") if obj else ()

    def save_model(self, request: HttpRequest, obj: ReformTask, form: forms.ModelForm, change: bool) -> None:
        data = form.cleaned_data
        reason = data.get("reason", "")
        if change:
            changed = {name: data[name] for name in form.changed_data if name in services.TRACKED_FIELDS}
            services.task_update(task_id=obj.pk, actor=request.user, reason=reason,  # type: ignore[arg-type]
                                 **changed)
            saved_pk = obj.pk
        else:
            saved_pk = services.task_create(
                plan_id=data["plan"].pk, number=data["number"], area=data["area"], content=data["content"],
                deadline=data["deadline"], expected_product=data["expected_product"], lead=data["lead"],
                cooperating=data["cooperating"], status=data["status"], completed_on=data["completed_on"],
                note=data["note"], reason=reason, actor=request.user,  # type: ignore[arg-type]
            ).pk
        obj.pk = saved_pk
        obj.refresh_from_db()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EvidenceForm(forms.ModelForm):
    class Meta:
        model = TaskEvidence
        fields = ("task", "title", "document_number", "document_date", "reference")


@admin.register(TaskEvidence)
class TaskEvidenceAdmin(_ServiceAdmin):
    form = EvidenceForm
    list_display = ("title", "document_number", "document_date", "task", "added_at")
    search_fields = ("title", "document_number", "task__content")
    autocomplete_fields = ("task",)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: TaskEvidence, form: forms.ModelForm, change: bool) -> None:
        data = form.cleaned_data
        saved = services.evidence_add(task_id=data["task"].pk, title=data["title"],
                                      document_number=data["document_number"],
                                      document_date=data["document_date"], reference=data["reference"],
                                      actor=request.user)  # type: ignore[arg-type]
        obj.pk = saved.pk
        obj.refresh_from_db()


@admin.register(TaskAdjustment)
class TaskAdjustmentAdmin(admin.ModelAdmin):
    list_display = ("task", "at", "field", "old_value", "new_value", "actor")
    list_filter = ("field",)
    search_fields = ("task__content", "reason")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
