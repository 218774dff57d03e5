"""Citizens' voice vocabulary.

Part B (rounds and votes, campaigns and budgets, compound rankings, 问政 commitments): each
status with its allowed transitions, and the default progress each status carries.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from chuangwen.cases.choices import State
from chuangwen.tasks.choices import TaskStatus

# --- part B: rounds and votes ---------------------------------------------------------------


class RoundKind(models.TextChoices):
    TOP10 = "top10", _("群众最不满意的10件事")
    COMPOUND = "compound", _("最佳最差小区评选")
    SATISFACTION = "satisfaction", _("整治满意度回访")


# ballots of these kinds carry a score (1–5) for each choice; the 10 things are ticked only
SCORED_KINDS = frozenset({RoundKind.COMPOUND, RoundKind.SATISFACTION})


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("筹备中（确定候选）")
    OPEN = "open", _("投票中")
    CLOSED = "closed", _("已截止")
    PUBLISHED = "published", _("已公布")


ROUND_TRANSITIONS: dict[str, set[str]] = {
    RoundStatus.DRAFT: {RoundStatus.OPEN},
    RoundStatus.OPEN: {RoundStatus.CLOSED},
    RoundStatus.CLOSED: {RoundStatus.PUBLISHED},
    RoundStatus.PUBLISHED: set(),
}


class VoteStatus(models.TextChoices):
    COUNTED = "counted", _("有效")
    FLAGGED = "flagged", _("待复核")
    VOID = "void", _("无效")


class FlagReason(models.TextChoices):
    BURST = "burst", _("同一网络短时间内集中投票")


# the 1–5 satisfaction scale of scored ballots (compounds, the re-vote when a campaign closes)
SCORE_LABELS = {
    5: _("满意"),
    4: _("比较满意"),
    3: _("一般"),
    2: _("不太满意"),
    1: _("不满意"),
}
SATISFIED_FROM = 4  # 满意率: the share of scores of 4 and 5


# --- part B: campaigns ------------------------------------------------------------------------


class CampaignKind(models.TextChoices):
    TOP10 = "top10", _("十件事专项整治")
    SECTOR = "sector", _("行业专项整治")
    COMPOUND = "compound", _("小区整改")


class Sector(models.TextChoices):
    """The sector campaigns the office runs (行业专项整治)."""

    INTEGRITY = "integrity", _("诚信缺失")
    FOOD = "food", _("食品安全")
    HEALTH = "health", _("医疗卫生")
    SCHOOL = "school", _("学校教育")
    WINDOW = "window", _("窗口服务")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("筹备中")
    ACTIVE = "active", _("整治中")
    CLOSING = "closing", _("验收中")
    CLOSED = "closed", _("已完成")


CAMPAIGN_TRANSITIONS: dict[str, set[str]] = {
    CampaignStatus.DRAFT: {CampaignStatus.ACTIVE},
    CampaignStatus.ACTIVE: {CampaignStatus.CLOSING},
    CampaignStatus.CLOSING: {CampaignStatus.CLOSED, CampaignStatus.ACTIVE},  # back to work
    CampaignStatus.CLOSED: set(),
}
# shown on the public portal (a campaign in preparation is not)
PUBLIC_CAMPAIGN_STATUSES = frozenset(
    {CampaignStatus.ACTIVE, CampaignStatus.CLOSING, CampaignStatus.CLOSED}
)
# work may be reported, linked and spent while the campaign runs or is being checked
WORKING_STATUSES = frozenset({CampaignStatus.DRAFT, CampaignStatus.ACTIVE, CampaignStatus.CLOSING})


class ProgressMode(models.TextChoices):
    AVERAGE = "average", _("平均")
    WEIGHTED = "weighted", _("按权重加权")


class MilestoneStatus(models.TextChoices):
    PLANNED = "planned", _("未开始")
    IN_PROGRESS = "in_progress", _("推进中")
    DONE = "done", _("已完成")
    DROPPED = "dropped", _("已取消")


# the progress (%) each status carries when nothing more precise is known; None = not counted
MILESTONE_PROGRESS: dict[str, int | None] = {
    MilestoneStatus.PLANNED: 0,
    MilestoneStatus.IN_PROGRESS: 50,
    MilestoneStatus.DONE: 100,
    MilestoneStatus.DROPPED: None,
}
# linked cases by their state
CASE_PROGRESS: dict[str, int | None] = {
    State.REPORTED: 0,
    State.REGISTERED: 10,
    State.RETURNED: 15,
    State.DISPATCHED: 20,
    State.IN_PROGRESS: 50,
    State.REWORK: 50,
    State.HANDLED: 80,
    State.VERIFIED: 90,
    State.CLOSED: 100,
    State.RATED: 100,
    State.REJECTED: None,  # not a problem after all: left out
}
# linked tasks by their status
TASK_PROGRESS: dict[str, int | None] = {
    TaskStatus.NOT_STARTED: 0,
    TaskStatus.IN_PROGRESS: 50,
    TaskStatus.DONE: 100,
    TaskStatus.CLOSED: None,  # withdrawn: left out
}


class PhotoKind(models.TextChoices):
    PROGRESS = "progress", _("进展照片")
    BEFORE = "before", _("整治前")
    AFTER = "after", _("整治后")


class BudgetSource(models.TextChoices):
    CITY = "city", _("市级财政")
    DISTRICT = "district", _("区县财政")
    DEPARTMENT = "department", _("部门预算")
    SOCIAL = "social", _("社会资金")
    OTHER = "other", _("其他")


class BudgetEntryKind(models.TextChoices):
    COMMIT = "commit", _("已承诺（合同/订单）")
    SPEND = "spend", _("已支出")


class BudgetChangeStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("未批准")


# --- part B: compounds ------------------------------------------------------------------------


class Verdict(models.TextChoices):
    BEST = "best", _("最佳小区")
    WORST = "worst", _("最差小区")


# --- part B: 问政 -----------------------------------------------------------------------------


class CommitmentStatus(models.TextChoices):
    OPEN = "open", _("待兑现")
    IN_PROGRESS = "in_progress", _("推进中")
    DONE = "done", _("已兑现")


COMMITMENT_TRANSITIONS: dict[str, set[str]] = {
    CommitmentStatus.OPEN: {CommitmentStatus.IN_PROGRESS, CommitmentStatus.DONE},
    CommitmentStatus.IN_PROGRESS: {CommitmentStatus.IN_PROGRESS, CommitmentStatus.DONE},
    CommitmentStatus.DONE: {CommitmentStatus.IN_PROGRESS},  # a later review finds it undone
}


class ReviewVerdict(models.TextChoices):
    """What a later episode found when it looked at a commitment again."""

    FULFILLED = "fulfilled", _("已兑现")
    PARTIAL = "partial", _("部分兑现")
    UNFULFILLED = "unfulfilled", _("未兑现")
