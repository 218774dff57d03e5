from django.contrib import admin

from chuangwen.core.admin import ReadOnlyAdmin, ReadOnlyInline

# --- unit assessment ---
from .models import (
    AccountabilityRecord,
    AssessmentPeriod,
    AssessmentResult,
    AssessmentScheme,
    AssessmentScore,
    Bulletin,
    BulletinReceipt,
    BulletinSection,
    FindingEvent,
    ListEntry,
    NegativeFinding,
    ReportTemplate,
    SchemeItem,
    ScoreAdjustment,
    Submission,
    SubmissionPhoto,
)


class SchemeItemInline(ReadOnlyInline):
    model = SchemeItem
    fields = ["code", "name", "kind", "formula", "weight", "min_volume"]


@admin.register(AssessmentScheme)
class AssessmentSchemeAdmin(ReadOnlyAdmin):
    list_display = ["name", "period_kind", "version", "status", "total", "city"]
    list_filter = ["period_kind", "status"]
    search_fields = ["name"]
    inlines = [SchemeItemInline]


@admin.register(AssessmentPeriod)
class AssessmentPeriodAdmin(ReadOnlyAdmin):
    list_display = ["label", "kind", "starts_on", "ends_on", "status", "disclosure", "n_units"]
    list_filter = ["kind", "status"]
    search_fields = ["label"]


@admin.register(AssessmentScore)
class AssessmentScoreAdmin(ReadOnlyAdmin):
    list_display = ["period", "unit", "item", "status", "points", "max_points"]
    list_filter = ["status"]
    search_fields = ["unit__name", "explanation"]
    list_select_related = ["period", "unit", "item"]


@admin.register(AssessmentResult)
class AssessmentResultAdmin(ReadOnlyAdmin):
    list_display = ["period", "unit", "group", "status", "total", "rank", "list_kind", "vetoed"]
    list_filter = ["group", "status", "list_kind"]
    search_fields = ["unit__name"]
    list_select_related = ["period", "unit"]


@admin.register(NegativeFinding)
class NegativeFindingAdmin(ReadOnlyAdmin):
    list_display = ["found_on", "unit", "item", "source", "sanction", "points", "status"]
    list_filter = ["status", "sanction", "source"]
    search_fields = ["unit__name", "description"]
    list_select_related = ["unit", "item"]


admin.site.register([SchemeItem, ScoreAdjustment, ListEntry, FindingEvent], ReadOnlyAdmin)


# --- accountability, submissions, bulletins ---------------------------------------------------


@admin.register(AccountabilityRecord)
class AccountabilityRecordAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "unit", "title", "state", "rule", "created_at"]
    list_filter = ["kind", "state"]
    search_fields = ["title", "unit__name"]


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "unit", "title", "status", "submitted_at", "score"]
    list_filter = ["kind", "status"]
    search_fields = ["title", "unit__name"]


@admin.register(Bulletin)
class BulletinAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "title", "period_start", "period_end", "status", "seq"]
    list_filter = ["kind", "status"]
    search_fields = ["title"]


admin.site.register(
    [ReportTemplate, SubmissionPhoto, BulletinSection, BulletinReceipt], ReadOnlyAdmin
)
