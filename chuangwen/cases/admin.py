from django.contrib import admin

from chuangwen.core.admin import ReadOnlyAdmin

from .models import CalendarOverride, Category, DuplicateSettings


@admin.register(Category)
class CategoryAdmin(ReadOnlyAdmin):
    list_display = ["code", "family", "major_name", "name", "deadline_value", "deadline_unit"]
    list_filter = ["family", "city_added"]
    search_fields = ["code", "name"]


admin.site.register([CalendarOverride, DuplicateSettings], ReadOnlyAdmin)
