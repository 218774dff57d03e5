from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from chuangwen.indicators.choices import Sanction


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    COMPUTED = "computed", _("已测算")


class ScoreLevel(models.TextChoices):
    """Whose 文明程度指数: a 区县, a 街道, or a responsible / 包保 unit."""

    DISTRICT = "district", _("区县")
    STREET = "street", _("街道")
    RESPONSIBLE = "responsible", _("责任/包保单位")


class RiskKind(models.TextChoices):
    CASE = "case", _("未办结案件")
    TASK = "task", _("未完成任务")
    MATERIAL = "material", _("材料缺口")


# the score's components and the evaluation system's Chinese names for them
COMPONENT_NAMES = {
    "materials": ("网上申报材料审核", "材料审核", "网上申报"),
    "field": ("实地考察", "实地测评"),
    "survey": ("问卷调查",),
}

DEFAULT_WEIGHTS: dict[str, Any] = {
    "components": {"materials": 40, "field": 40, "survey": 20},
    "cycle_year_weights": [15, 25, 60],
    "minors_threshold": 85,
    "minors_share_percent": 20,
    "survey_weights": {"awareness": 1, "support": 1, "satisfaction": 1},
}


# --- unit assessment (考核), rankings, red/black lists, negative findings against units -------


class PeriodKind(models.TextChoices):
    MONTH = "month", _("月度")
    QUARTER = "quarter", _("季度")
    YEAR = "year", _("年度")


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", _("草稿（可编辑）")
    ACTIVE = "active", _("启用")
    RETIRED = "retired", _("已停用")


SCHEME_TRANSITIONS: dict[str, set[str]] = {
    SchemeStatus.DRAFT: {SchemeStatus.ACTIVE},
    SchemeStatus.ACTIVE: {SchemeStatus.RETIRED},
    SchemeStatus.RETIRED: set(),
}


class UnitGroup(models.TextChoices):
    """Whom a scheme assesses, each group ranked on its own: a kind of unit, or the units that
    look after sites (包保单位, whatever their kind)."""

    DISTRICT = "district", _("区县")
    STREET = "street", _("街道")
    DEPARTMENT = "department", _("职能部门")
    GUARDIAN = "guardian", _("包保单位")
    SUB_COMMAND = "sub_command", _("分指挥部")
    IMPLEMENTING_BODY = "implementing_body", _("实施主体")
    COMMUNITY = "community", _("社区")
    SCHOOL = "school", _("学校")
    ENTERPRISE = "enterprise", _("企业")


class ItemKind(models.TextChoices):
    """计分项: weight × the formula's rate (0–1); the weights of these add up to the scheme's
    total. 扣分项: the formula's value in points deducted, at most the weight. 加减分项: the
    office's manual bonus / penalty entries (reason and evidence), at most ± the weight."""

    RATE = "rate", _("计分项")
    DEDUCTION = "deduction", _("扣分项")
    MANUAL = "manual", _("加减分项")


class ListMode(models.TextChoices):
    COUNT = "count", _("按名次（前 N 名、后 N 名）")
    THRESHOLD = "threshold", _("按分数线")


class PeriodStatus(models.TextChoices):
    DRAFT = "draft", _("未计算")
    COMPUTED = "computed", _("已计算（未发布）")
    PUBLISHED = "published", _("已发布（冻结）")


PERIOD_TRANSITIONS: dict[str, set[str]] = {
    PeriodStatus.DRAFT: {PeriodStatus.COMPUTED},
    PeriodStatus.COMPUTED: {PeriodStatus.COMPUTED, PeriodStatus.PUBLISHED},  # recompute
    PeriodStatus.PUBLISHED: set(),  # frozen
}


class Disclosure(models.TextChoices):
    """What units see of a published period besides their own scores and rank."""

    OWN = "own", _("各单位只看本单位")
    RANKING = "ranking", _("公开排名、总分和红黑榜")
    FULL = "full", _("公开各单位得分明细")


class ScoreStatus(models.TextChoices):
    """One item of one unit: scored, no data (left out, the weights are rescaled) or too few
    cases etc. (样本不足: the unit is not ranked)."""

    SCORED = "scored", _("已计分")
    NO_DATA = "no_data", _("无数据")
    INSUFFICIENT = "insufficient", _("样本不足")


class ResultStatus(models.TextChoices):
    RANKED = "ranked", _("参与排名")
    INSUFFICIENT = "insufficient", _("样本不足")
    NO_DATA = "no_data", _("无数据")


class ListKind(models.TextChoices):
    RED = "red", _("红榜")
    BLACK = "black", _("黑榜")


class ListEntryStatus(models.TextChoices):
    LISTED = "listed", _("在榜")
    SUBMITTED = "submitted", _("整改待核查")
    EXITED = "exited", _("已整改退出")


# a black-list entry leaves the list only by a verified rectification
LIST_TRANSITIONS: dict[str, set[str]] = {
    ListEntryStatus.LISTED: {ListEntryStatus.SUBMITTED},
    ListEntryStatus.SUBMITTED: {ListEntryStatus.EXITED, ListEntryStatus.LISTED},
    ListEntryStatus.EXITED: set(),
}


class FindingSource(models.TextChoices):
    INSPECTION = "inspection", _("督查检查")
    MEDIA = "media", _("媒体曝光")
    EVALUATION = "evaluation", _("测评反馈")
    OFFICE = "office", _("创建办认定")


class UnitSanction(models.TextChoices):
    """The graded sanctions of a negative-list finding against a unit (mildest first)."""

    DEDUCT = "deduct", _("扣分")
    CRITICIZE = "criticize", _("通报批评")
    TALK = "talk", _("约谈")
    VETO = "veto", _("一票否决")


# The grades a negative-list item allows against a unit, from the item's own sanction: an item
# that costs the city points allows a deduction or a 通报批评; one that suspends the nomination
# also a 约谈; one that suspends, withdraws or bars the title also the unit's 一票否决.
SANCTION_GRADES: dict[str, tuple[str, ...]] = {
    Sanction.DEDUCT: (UnitSanction.DEDUCT, UnitSanction.CRITICIZE),
    Sanction.SUSPEND_NOMINATION: (UnitSanction.DEDUCT, UnitSanction.CRITICIZE, UnitSanction.TALK),
    Sanction.SUSPEND_TITLE: tuple(UnitSanction.values),
    Sanction.WITHDRAW_TITLE: tuple(UnitSanction.values),
    Sanction.DISQUALIFY: tuple(UnitSanction.values),
}


class FindingStatus(models.TextChoices):
    OPEN = "open", _("待整改")
    SUBMITTED = "submitted", _("整改待核查")
    REWORK = "rework", _("核查不通过（重新整改）")
    RECTIFIED = "rectified", _("已整改销号")
    WITHDRAWN = "withdrawn", _("已撤销")


class FindingAction(models.TextChoices):
    FOUND = "found", _("认定")
    SUBMIT = "submit", _("提交整改")
    VERIFY = "verify", _("核查通过")
    REWORK = "rework", _("核查不通过")
    WITHDRAW = "withdraw", _("撤销")


# action → (states it may start from, state it leads to)
FINDING_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    FindingAction.SUBMIT: (
        frozenset({FindingStatus.OPEN, FindingStatus.REWORK}),
        FindingStatus.SUBMITTED,
    ),
    FindingAction.VERIFY: (frozenset({FindingStatus.SUBMITTED}), FindingStatus.RECTIFIED),
    FindingAction.REWORK: (frozenset({FindingStatus.SUBMITTED}), FindingStatus.REWORK),
    FindingAction.WITHDRAW: (
        frozenset({FindingStatus.OPEN, FindingStatus.SUBMITTED, FindingStatus.REWORK}),
        FindingStatus.WITHDRAWN,
    ),
}
# findings that count against the unit (withdrawn ones do not)
COUNTED_FINDINGS = frozenset(
    {
        FindingStatus.OPEN,
        FindingStatus.SUBMITTED,
        FindingStatus.REWORK,
        FindingStatus.RECTIFIED,
    }
)


# --- accountability, submissions, bulletins ---------------------------------------------------


class AccountabilityKind(models.TextChoices):
    """奖惩问责: what the record is. The platform records a 问责建议 (the referral to the
    discipline body), never the outcome of discipline."""

    COMMEND = "commend", _("表扬/表彰")
    REMINDER_TALK = "reminder_talk", _("提醒谈话")
    INTERVIEW = "interview", _("约谈")
    CRITICISM = "criticism", _("通报批评")
    RECTIFY = "rectify", _("责令整改")
    REFERRAL = "referral", _("问责建议")


class AccountabilityState(models.TextChoices):
    PROPOSED = "proposed", _("待决定")
    DECIDED = "decided", _("已决定")
    DISMISSED = "dismissed", _("不予处理")
    RESPONDED = "responded", _("单位已反馈")
    FOLLOWED_UP = "followed_up", _("已跟踪问效")
    CLOSED = "closed", _("已办结")


ACCOUNTABILITY_TRANSITIONS: dict[str, set[str]] = {
    AccountabilityState.PROPOSED: {AccountabilityState.DECIDED, AccountabilityState.DISMISSED},
    # a commendation needs no answer: the office may close it once decided
    AccountabilityState.DECIDED: {AccountabilityState.RESPONDED, AccountabilityState.CLOSED},
    AccountabilityState.RESPONDED: {AccountabilityState.FOLLOWED_UP, AccountabilityState.CLOSED},
    AccountabilityState.FOLLOWED_UP: {AccountabilityState.CLOSED},
    AccountabilityState.DISMISSED: set(),
    AccountabilityState.CLOSED: set(),
}
# what the unit concerned may see: a decision, never a proposal or a dismissed one
VISIBLE_TO_UNIT = frozenset(
    {
        AccountabilityState.DECIDED,
        AccountabilityState.RESPONDED,
        AccountabilityState.FOLLOWED_UP,
        AccountabilityState.CLOSED,
    }
)
# who decides: the office admins, and for the weightier kinds a city leader (约谈 by either,
# a referral to the discipline body by a leader only)
DECIDED_BY_OFFICE = frozenset(
    {
        AccountabilityKind.COMMEND,
        AccountabilityKind.REMINDER_TALK,
        AccountabilityKind.INTERVIEW,
        AccountabilityKind.CRITICISM,
        AccountabilityKind.RECTIFY,
    }
)
DECIDED_BY_LEADER = frozenset({AccountabilityKind.INTERVIEW, AccountabilityKind.REFERRAL})


class SubmissionKind(models.TextChoices):
    REPORT = "report", _("工作汇报")
    INFO = "info", _("信息")


class SubmissionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待点评")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("已点评采用")


SUBMISSION_TRANSITIONS: dict[str, set[str]] = {
    SubmissionStatus.SUBMITTED: {SubmissionStatus.APPROVED, SubmissionStatus.RETURNED},
    SubmissionStatus.RETURNED: {SubmissionStatus.SUBMITTED},  # corrected and sent again
    SubmissionStatus.APPROVED: set(),
}


class ReportPeriod(models.TextChoices):
    MONTHLY = "monthly", _("月报")
    QUARTERLY = "quarterly", _("季报")


class Timeliness(models.TextChoices):
    """A required report as the late list shows it."""

    ON_TIME = "on_time", _("按时报送")
    LATE = "late", _("逾期报送")
    MISSING = "missing", _("逾期未报")
    PENDING = "pending", _("未到期未报")


class BulletinKind(models.TextChoices):
    WEEKLY = "weekly", _("周通报")
    MONTHLY = "monthly", _("月通报")
    SPECIAL = "special", _("专项通报")


class BulletinStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ISSUED = "issued", _("已印发")


BULLETIN_TRANSITIONS: dict[str, set[str]] = {
    BulletinStatus.DRAFT: {BulletinStatus.ISSUED},
    BulletinStatus.ISSUED: set(),  # archived as issued: a correction is a new bulletin
}
