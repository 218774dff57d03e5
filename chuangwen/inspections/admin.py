from django.contrib import admin

from chuangwen.core.admin import ReadOnlyAdmin

from .models import ActionItem, CheckResult, InspectionPlan, Meeting, Notice


@admin.register(InspectionPlan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "status", "seed", "sampled_at"]
    list_filter = ["kind", "status"]


@admin.register(CheckResult)
class CheckResultAdmin(ReadOnlyAdmin):
    list_display = ["uuid", "plan", "site", "check_item", "score", "failed", "observed_at"]
    raw_id_fields = ["plan", "sample", "site", "check_item", "standard", "inspector", "case"]


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "unit", "deadline", "status"]
    raw_id_fields = ["unit", "plan"]
    filter_horizontal = []


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "held_at"]


@admin.register(ActionItem)
class ActionItemAdmin(ReadOnlyAdmin):
    list_display = ["text", "unit", "deadline", "status"]
    raw_id_fields = ["unit", "owner", "meeting"]
