from django.contrib import admin

from motcua.notify.models import NotificationLog, SandboxSms


@admin.register(NotificationLog)
class NotificationLogAdmin(admin.ModelAdmin):
    list_display = ("created_at", "channel", "template", "dossier", "recipient_masked", "status", "attempts")
    list_filter = ("channel", "template", "status")
    search_fields = ("dossier__code",)
    readonly_fields = [f.name for f in NotificationLog._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(SandboxSms)
class SandboxSmsAdmin(admin.ModelAdmin):
    list_display = ("received_at", "phone_masked", "brandname", "message")
    readonly_fields = [f.name for f in SandboxSms._meta.fields]
