"""Every domain model read-only in the admin (writes go through the services).

Part B: rounds and votes, campaigns and their parts, compound rankings, 问政.
"""

from django.contrib import admin

from chuangwen.core.admin import ReadOnlyAdmin

from .models import (
    BudgetChange,
    BudgetEntry,
    BudgetLine,
    Campaign,
    CampaignCase,
    CampaignPhoto,
    CampaignReport,
    CampaignSite,
    CampaignSupport,
    CampaignTask,
    Candidate,
    Commitment,
    CommitmentUpdate,
    CompoundRanking,
    CompoundScore,
    Episode,
    Exposure,
    Milestone,
    Round,
    Vote,
    VoteChoice,
)
from .voice import admin as voice_admin  # noqa: F401  (registers the voice models)


@admin.register(Round)
class RoundAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "status", "closes_at", "published_at"]
    list_filter = ["kind", "status"]


@admin.register(Candidate)
class CandidateAdmin(ReadOnlyAdmin):
    list_display = ["title", "round", "votes", "rank", "selected"]
    raw_id_fields = ["round", "site"]


@admin.register(Vote)
class VoteAdmin(ReadOnlyAdmin):
    """Ballots: the masked phone only (the number itself is never stored)."""

    list_display = ["round", "phone_masked", "verified", "status", "cast_at"]
    list_filter = ["status", "verified"]
    exclude = ["phone_key", "device_key", "network_key"]
    raw_id_fields = ["round", "person"]


@admin.register(VoteChoice)
class VoteChoiceAdmin(ReadOnlyAdmin):
    list_display = ["vote", "candidate", "score"]
    raw_id_fields = ["vote", "round", "candidate"]


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "sector", "status", "lead_unit", "ends_on"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["lead_unit", "candidate", "site"]


@admin.register(CampaignSupport)
class CampaignSupportAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "unit"]
    raw_id_fields = ["campaign", "unit"]


@admin.register(Milestone)
class MilestoneAdmin(ReadOnlyAdmin):
    list_display = ["title", "campaign", "deadline", "status", "progress"]
    raw_id_fields = ["campaign"]


@admin.register(CampaignCase)
class CampaignCaseAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "case", "milestone"]
    raw_id_fields = ["campaign", "case", "milestone"]


@admin.register(CampaignTask)
class CampaignTaskAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "task", "milestone"]
    raw_id_fields = ["campaign", "task", "milestone"]


@admin.register(CampaignSite)
class CampaignSiteAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "site"]
    raw_id_fields = ["campaign", "site"]


@admin.register(CampaignReport)
class CampaignReportAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "unit", "reported_at"]
    raw_id_fields = ["campaign", "milestone", "unit"]


@admin.register(CampaignPhoto)
class CampaignPhotoAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "kind", "created_at"]
    raw_id_fields = ["campaign", "report"]


@admin.register(BudgetLine)
class BudgetLineAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "source", "allocated", "adjusted", "committed", "spent"]
    raw_id_fields = ["campaign"]


@admin.register(BudgetEntry)
class BudgetEntryAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "line", "kind", "amount", "on"]
    raw_id_fields = ["campaign", "line"]


@admin.register(BudgetChange)
class BudgetChangeAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "line", "amount", "status", "decided_at"]
    raw_id_fields = ["campaign", "line"]


@admin.register(CompoundRanking)
class CompoundRankingAdmin(ReadOnlyAdmin):
    list_display = ["round", "site_type", "period_start", "period_end"]
    raw_id_fields = ["round", "previous"]


@admin.register(CompoundScore)
class CompoundScoreAdmin(ReadOnlyAdmin):
    list_display = ["ranking", "site", "score", "rank", "verdict"]
    raw_id_fields = ["ranking", "site", "campaign"]


@admin.register(Episode)
class EpisodeAdmin(ReadOnlyAdmin):
    list_display = ["programme", "aired_on", "topic"]


@admin.register(Exposure)
class ExposureAdmin(ReadOnlyAdmin):
    list_display = ["title", "episode", "unit", "case"]
    raw_id_fields = ["episode", "unit", "case"]


@admin.register(Commitment)
class CommitmentAdmin(ReadOnlyAdmin):
    list_display = ["content", "unit", "due_on", "status"]
    list_filter = ["status"]
    raw_id_fields = ["episode", "exposure", "unit"]


@admin.register(CommitmentUpdate)
class CommitmentUpdateAdmin(ReadOnlyAdmin):
    list_display = ["commitment", "status_after", "verdict", "at"]
    raw_id_fields = ["commitment", "episode"]
