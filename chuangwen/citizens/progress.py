"""A campaign's progress (0–100 %), computed from what was done — never typed in.

- A linked case or task counts by its state (``choices.CASE_PROGRESS`` / ``TASK_PROGRESS``;
  rejected cases and withdrawn tasks are left out).
- A milestone: 100 when done; else the average of its linked cases and tasks when it has
  any; else the progress last reported for it; else its status's default
  (``choices.MILESTONE_PROGRESS``). Dropped milestones are left out.
- The campaign: the average (or, in weighted mode, the weighted average by milestone weight)
  of its milestones, plus one part "其他关联事项" (weight 1) for linked cases and tasks under
  no milestone. With nothing to count it carries its status's default.

``rollup`` answers for many campaigns in three queries (list pages, the public portal).
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from .choices import (
    CASE_PROGRESS,
    MILESTONE_PROGRESS,
    TASK_PROGRESS,
    CampaignStatus,
    MilestoneStatus,
    ProgressMode,
)
from .models import Campaign, CampaignCase, CampaignTask, Milestone

# a campaign with nothing to count (no milestones, no links) by its status
CAMPAIGN_PROGRESS = {
    CampaignStatus.DRAFT: 0,
    CampaignStatus.ACTIVE: 0,
    CampaignStatus.CLOSING: 100,
    CampaignStatus.CLOSED: 100,
}


@dataclass
class Part:
    label: str
    weight: Decimal
    percent: int
    basis: str  # how the percent was found, in words for the page
    milestone_id: int | None = None


@dataclass
class Progress:
    percent: int
    mode: str
    parts: list[Part] = field(default_factory=list)


def _mean(values: list[int]) -> int:
    return round(sum(values) / len(values)) if values else 0


def milestone_percent(m: Milestone, items: list[int]) -> tuple[int, str] | None:
    """(percent, basis) of one milestone with the progress of its linked items."""
    default = MILESTONE_PROGRESS[MilestoneStatus(m.status)]
    if default is None:
        return None
    if m.status == MilestoneStatus.DONE:
        return 100, _("已完成")
    if items:
        return _mean(items), _("按 %(n)d 项关联案件/任务的状态") % {"n": len(items)}
    if m.progress is not None:
        return m.progress, _("按最近上报的进度")
    return default, _("按状态默认进度")


def _combine(parts: list[Part], mode: str) -> int:
    if not parts:
        return 0
    if mode == ProgressMode.WEIGHTED:
        total = sum((p.weight for p in parts), Decimal(0))
        if total > 0:
            return round(sum(p.weight * p.percent for p in parts) / total)
    return _mean([p.percent for p in parts])


def rollup(campaigns: Sequence[Campaign]) -> dict[int, Progress]:
    ids = [c.pk for c in campaigns]
    if not ids:
        return {}
    items: dict[tuple[int, int | None], list[int]] = defaultdict(list)
    for cid, mid, state in CampaignCase.objects.filter(campaign_id__in=ids).values_list(
        "campaign_id", "milestone_id", "case__state"
    ):
        value = CASE_PROGRESS.get(state)
        if value is not None:
            items[(cid, mid)].append(value)
    for cid, mid, status in CampaignTask.objects.filter(campaign_id__in=ids).values_list(
        "campaign_id", "milestone_id", "task__status"
    ):
        value = TASK_PROGRESS.get(status)
        if value is not None:
            items[(cid, mid)].append(value)
    milestones: dict[int, list[Milestone]] = defaultdict(list)
    for m in Milestone.objects.filter(campaign_id__in=ids).order_by("sort", "deadline", "id"):
        milestones[m.campaign_id].append(m)
    out = {}
    for c in campaigns:
        parts = []
        for m in milestones[c.pk]:
            found = milestone_percent(m, items.get((c.pk, m.pk), []))
            if found is not None:
                parts.append(Part(m.title, m.weight, found[0], found[1], m.pk))
        loose = items.get((c.pk, None), [])
        if loose:
            parts.append(
                Part(
                    _("其他关联事项"),
                    Decimal(1),
                    _mean(loose),
                    _("按 %(n)d 项关联案件/任务的状态") % {"n": len(loose)},
                )
            )
        percent = (
            _combine(parts, c.progress_mode)
            if parts
            else CAMPAIGN_PROGRESS[CampaignStatus(c.status)]
        )
        out[c.pk] = Progress(percent, c.progress_mode, parts)
    return out


def progress_of(campaign: Campaign) -> Progress:
    return rollup([campaign])[campaign.pk]
