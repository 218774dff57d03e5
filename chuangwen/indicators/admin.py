from django.contrib import admin

from chuangwen.core.admin import ReadOnlyAdmin

from .models import CheckItem, EvaluationSystem, Indicator, NegativeListItem, SiteType


@admin.register(EvaluationSystem)
class EvaluationSystemAdmin(ReadOnlyAdmin):
    list_display = ["name", "city", "kind", "version_year", "status", "unofficial"]
    list_filter = ["kind", "status"]


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "system", "level", "retired"]
    list_filter = ["level", "retired"]
    search_fields = ["code", "title"]
    readonly_fields = ["path", "depth", "method_tags"]
    raw_id_fields = ["parent", "system"]


@admin.register(SiteType)
class SiteTypeAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "city", "active"]


@admin.register(CheckItem)
class CheckItemAdmin(ReadOnlyAdmin):
    list_display = ["code", "site_type", "system", "rule"]
    raw_id_fields = ["standards"]


@admin.register(NegativeListItem)
class NegativeListItemAdmin(ReadOnlyAdmin):
    list_display = ["code", "text", "sanction", "system"]
