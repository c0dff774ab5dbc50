"""Dossiers in the admin are read-only: every change goes through the services (and writes an event)."""

from django.contrib import admin

from motcua.dossiers.models import Dossier, DossierComponent, DossierEvent, DossierResult, Payment


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class EventInline(ReadOnlyInline):
    model = DossierEvent
    fields = ("seq", "action", "from_state", "to_state", "at", "actor", "actor_role", "payload")
    readonly_fields = fields


class ComponentInline(ReadOnlyInline):
    model = DossierComponent
    fields = ("code", "name", "required", "submitted", "digitized", "reused")
    readonly_fields = fields


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ("receipt_number", "method", "amount", "paid_at", "reference")
    readonly_fields = fields


class ResultInline(admin.StackedInline):
    model = DossierResult
    can_delete = False
    readonly_fields = ("result_code", "issued_at", "e_copy", "note")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "state",
        "procedure",
        "receiving_unit",
        "channel",
        "received_at",
        "due_at",
        "timeliness",
    )
    list_filter = ("state", "channel", "sector", "receiving_unit")
    search_fields = ("code",)
    inlines = [ComponentInline, PaymentInline, ResultInline, EventInline]
    exclude = ("applicant_id_number", "applicant_phone", "secret")

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        return [f.name for f in self.model._meta.fields if f.name not in self.exclude]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
