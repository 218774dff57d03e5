from django.contrib import admin

from chuangwen.core.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import Site, SiteAssignment


class AssignmentInline(ReadOnlyInline):
    model = SiteAssignment
    extra = 0
    raw_id_fields = ["unit"]
    readonly_fields = ["unit_path"]


@admin.register(Site)
class SiteAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "site_type", "district", "owner", "active"]
    list_filter = ["site_type", "active"]
    search_fields = ["code", "name"]
    raw_id_fields = ["grid", "area_unit", "district", "owner"]
    inlines = [AssignmentInline]
