"""Case vocabulary and the workflow: states, the allowed transitions, and who may take them."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Family(models.TextChoices):
    """数字城管 case families (CJ/T 214, GB/T 30428)."""

    COMPONENT = "component", _("部件")
    EVENT = "event", _("事件")


FAMILY_PREFIX = {Family.COMPONENT: "BJ", Family.EVENT: "SJ"}


class DeadlineUnit(models.TextChoices):
    HOURS = "hours", _("小时")
    DAYS = "days", _("天")


class Source(models.TextChoices):
    INSPECTION = "inspection", _("督查")
    PATROL = "patrol", _("网格巡查")
    CITIZEN = "citizen", _("随手拍")
    HOTLINE = "hotline", _("12345 热线")
    MEDIA = "media", _("媒体曝光")
    EVALUATION = "evaluation", _("测评反馈")
    OPEN311 = "open311", _("Open311")


class Channel(models.TextChoices):
    """How a report reaches intake; with the actor's role it decides the allowed sources."""

    FORM = "form", _("页面或接口上报")
    PUBLIC = "public", _("公众随手拍")
    HOTLINE = "hotline", _("12345 工单导入")
    INSPECTION = "inspection", _("督查检查")
    OPEN311 = "open311", _("Open311")


class NoLocationPolicy(models.TextChoices):
    """What on-site verification without a location needs (the office decides per city)."""

    REASON = "reason", _("须填写无定位的原因（记录在案）")
    REFUSE = "refuse", _("不允许，必须现场定位")


class State(models.TextChoices):
    REPORTED = "reported", _("上报")
    REGISTERED = "registered", _("立案")
    DISPATCHED = "dispatched", _("派遣")
    IN_PROGRESS = "in_progress", _("处置中")
    HANDLED = "handled", _("已处置")
    VERIFIED = "verified", _("已核查")
    CLOSED = "closed", _("结案")
    RATED = "rated", _("已评价")
    REJECTED = "rejected", _("不予立案")
    RETURNED = "returned", _("退回")
    REWORK = "rework", _("返工")


class Resolution(models.TextChoices):
    """How a case ended: only ``fixed`` counts as fixed."""

    FIXED = "fixed", _("已解决")
    NOT_OURS = "not_ours", _("非本市职责")
    UNFIXABLE = "unfixable", _("暂不具备解决条件")
    DUPLICATE = "duplicate", _("重复案件")
    INVALID = "invalid", _("不属于案件")


class PhotoKind(models.TextChoices):
    BEFORE = "before", _("处置前")
    AFTER = "after", _("处置后")
    VERIFY = "verify", _("核查")


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已同意")
    REFUSED = "refused", pgettext_lazy("延期申请状态", "不同意")


class Action(models.TextChoices):
    """CaseEvent kinds: one per service function (plus report attachment and extensions)."""

    INTAKE = "intake", _("上报")
    MERGED = "merged", _("并单")
    REGISTER = "register", _("立案")
    REJECT = "reject", _("不予立案")
    DISPATCH = "dispatch", _("派遣")
    RETURN = "return", _("退回")
    ASSIGN = "assign", _("下派")
    ACCEPT = "accept", _("签收")
    HANDLE = "handle", _("处置反馈")
    VERIFY = "verify", _("核查通过")
    REWORK = "rework", _("核查不通过（返工）")
    CLOSE = "close", _("结案")
    RATE = "rate", _("评价")
    EXTENSION_REQUEST = "extension_request", _("申请延期")
    EXTENSION_APPROVE = "extension_approve", _("同意延期")
    EXTENSION_REFUSE = "extension_refuse", _("不同意延期")
    PHOTO = "photo", _("上传照片")


# action → (states it may start from, state it leads to; None = unchanged)
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    Action.REGISTER: (frozenset({State.REPORTED}), State.REGISTERED),
    Action.REJECT: (frozenset({State.REPORTED, State.REGISTERED}), State.REJECTED),
    Action.DISPATCH: (frozenset({State.REGISTERED, State.RETURNED}), State.DISPATCHED),
    Action.RETURN: (frozenset({State.DISPATCHED}), State.RETURNED),
    Action.ASSIGN: (frozenset({State.DISPATCHED, State.IN_PROGRESS, State.REWORK}), None),
    Action.ACCEPT: (frozenset({State.DISPATCHED}), State.IN_PROGRESS),
    Action.HANDLE: (frozenset({State.IN_PROGRESS, State.REWORK}), State.HANDLED),
    Action.VERIFY: (frozenset({State.HANDLED}), State.VERIFIED),
    Action.REWORK: (frozenset({State.HANDLED}), State.REWORK),
    Action.CLOSE: (
        frozenset(
            {
                State.VERIFIED,
                # closing without a fix (not ours / unfixable) from the open states
                State.REGISTERED,
                State.RETURNED,
                State.DISPATCHED,
                State.IN_PROGRESS,
                State.REWORK,
            }
        ),
        State.CLOSED,
    ),
    Action.RATE: (frozenset({State.CLOSED, State.RATED}), State.RATED),
    Action.EXTENSION_REQUEST: (
        frozenset({State.DISPATCHED, State.IN_PROGRESS, State.REWORK}),
        None,
    ),
    Action.EXTENSION_APPROVE: (
        frozenset({State.DISPATCHED, State.IN_PROGRESS, State.REWORK}),
        None,
    ),
    Action.EXTENSION_REFUSE: (
        frozenset(
            {
                State.DISPATCHED,
                State.IN_PROGRESS,
                State.REWORK,
                State.HANDLED,
                State.VERIFIED,
                State.CLOSED,
            }
        ),
        None,
    ),
}

# states of a case that is still with the responsible unit (the deadline runs)
WITH_UNIT = frozenset({State.DISPATCHED, State.IN_PROGRESS, State.REWORK})
# states waiting for the office to register / dispatch
TO_DISPATCH = frozenset({State.REPORTED, State.REGISTERED, State.RETURNED})
OPEN = frozenset(
    {
        State.REPORTED,
        State.REGISTERED,
        State.DISPATCHED,
        State.IN_PROGRESS,
        State.HANDLED,
        State.VERIFIED,
        State.RETURNED,
        State.REWORK,
    }
)
FINISHED = frozenset({State.CLOSED, State.RATED, State.REJECTED})
# states in which a reporter may rate the handling (满意度评价)
RATEABLE = TRANSITIONS[Action.RATE][0]
# states a duplicate may still be merged into
MERGEABLE = OPEN


def target_state(action: str, state: str) -> str | None:
    """The state ``action`` leads to from ``state``; raises KeyError when not allowed."""
    sources, target = TRANSITIONS[action]
    if state not in sources:
        raise KeyError(action)
    return target if target is not None else state


# Public (citizen) wording of each state, for the tracking page
PUBLIC_STATE = {
    State.REPORTED: _("已受理，待审核"),
    State.REGISTERED: _("已立案，待派遣"),
    State.DISPATCHED: _("已派遣至责任单位"),
    State.IN_PROGRESS: _("责任单位处置中"),
    State.HANDLED: _("已处置，待核查"),
    State.VERIFIED: _("已核查，待结案"),
    State.CLOSED: _("已办结"),
    State.RATED: _("已办结并评价"),
    State.REJECTED: _("不予立案"),
    State.RETURNED: _("重新派遣中"),
    State.REWORK: _("返工处置中"),
}
