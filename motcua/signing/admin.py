"""Read-only admin screens: identities are issued and registered with ``motcua signing``, signatures by the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from motcua.signing.models import SignatureRecord, SigningIdentity


class _ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SigningIdentity)
class SigningIdentityAdmin(_ReadOnly):
    list_display = ("id", "subject", "unit", "user", "kind", "active", "not_after")
    list_filter = ("kind", "active")
    exclude = ("encrypted_key_pem",)


@admin.register(SignatureRecord)
class SignatureRecordAdmin(_ReadOnly):
    list_display = ("signed_at", "document", "document_name", "dossier", "identity", "actor", "reason")
    list_filter = ("document",)
    date_hierarchy = "signed_at"
