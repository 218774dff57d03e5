"""Inspection vocabulary: plan kinds and states (with the allowed transitions), notices,
meetings and action items."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanKind(models.TextChoices):
    SPECIAL = "special", _("专项督查")
    COVERT = "covert", _("暗访")
    MOCK = "mock", _("模拟测评")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SAMPLED = "sampled", _("已抽样")
    IN_PROGRESS = "in_progress", _("检查中")
    CLOSED = "closed", _("已结束")


PLAN_TRANSITIONS = {
    PlanStatus.DRAFT: {PlanStatus.SAMPLED},
    PlanStatus.SAMPLED: {PlanStatus.SAMPLED, PlanStatus.IN_PROGRESS, PlanStatus.CLOSED},
    PlanStatus.IN_PROGRESS: {PlanStatus.CLOSED},
    PlanStatus.CLOSED: set(),
}
# states in which check results may be submitted
OPEN_FOR_CHECKS = frozenset({PlanStatus.SAMPLED, PlanStatus.IN_PROGRESS})


class NoticeStatus(models.TextChoices):
    ISSUED = "issued", _("已下发")
    ACKNOWLEDGED = "acknowledged", _("已签收")


class MeetingKind(models.TextChoices):
    SPECIAL = "special", _("专题会")
    DISPATCH = "dispatch", _("调度会")
    REVIEW = "review", _("汇报点评会")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("办理中")
    DONE = "done", _("已办结")
    CANCELLED = "cancelled", _("已取消")


ACTION_TRANSITIONS = {
    ActionStatus.OPEN: {ActionStatus.DONE, ActionStatus.CANCELLED},
    ActionStatus.DONE: {ActionStatus.OPEN},  # reopened when the follow-up finds it unfinished
    ActionStatus.CANCELLED: set(),
}
