"""Admin screens for the catalogue: units, departments, sectors, procedures (versions read-only), overrides."""

from django.contrib import admin

from motcua.catalogue.models import CalendarOverride, Department, Procedure, ProcedureVersion, Sector, Unit
from motcua.catalogue.selectors import overrides_cache_clear


class DepartmentInline(admin.TabularInline):
    model = Department
    extra = 0
    filter_horizontal = ("sectors",)


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "admin_code", "parent", "active")
    list_filter = ("kind", "active")
    search_fields = ("code", "name", "admin_code")
    autocomplete_fields = ("parent",)
    inlines = [DepartmentInline]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "unit")
    search_fields = ("code", "name", "unit__name")
    autocomplete_fields = ("unit",)
    filter_horizontal = ("sectors",)


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


class ProcedureVersionInline(admin.TabularInline):
    """Versions are snapshots that dossiers point to: they are never edited, a change makes a new one."""

    model = ProcedureVersion
    extra = 0
    can_delete = False
    fields = ("number", "time_limit_value", "time_limit_unit", "boundary_independent", "online", "created_at")
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "sector", "level", "current_version", "active")
    list_filter = ("sector", "level", "active")
    search_fields = ("code", "name")
    readonly_fields = ("current_version",)
    inlines = [ProcedureVersionInline]


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(admin.ModelAdmin):
    list_display = ("procedure", "number", "time_limit_value", "time_limit_unit", "created_at")
    search_fields = ("procedure__code", "name")

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "unit", "note")
    list_filter = ("kind", "unit")
    search_fields = ("note", "source")
    date_hierarchy = "date"
    autocomplete_fields = ("unit",)

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        super().save_model(request, obj, form, change)
        overrides_cache_clear()

    def delete_model(self, request, obj):  # type: ignore[no-untyped-def]
        super().delete_model(request, obj)
        overrides_cache_clear()
