from django.contrib import admin

from chuangwen.core.admin import ReadOnlyAdmin

from .models import PairActivity, PairSettings


@admin.register(PairActivity)
class PairActivityAdmin(ReadOnlyAdmin):
    list_display = ["held_on", "kind", "title", "pair", "participants"]
    list_filter = ["kind"]
    search_fields = ["title"]
    raw_id_fields = ["pair", "recorded_by"]


@admin.register(PairSettings)
class PairSettingsAdmin(ReadOnlyAdmin):
    list_display = ["city", "inactive_months"]
