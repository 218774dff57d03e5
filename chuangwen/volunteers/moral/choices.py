"""Vocabulary of the moral bank, moral models and civility selections, with the allowed
transitions of each workflow."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# --- moral bank -------------------------------------------------------------------------------


class HolderMode(models.TextChoices):
    """Who holds an account: the city chooses one for all its banks."""

    PERSON = "person", _("按个人开户")
    HOUSEHOLD = "household", _("按家庭开户")


class AccountKind(models.TextChoices):
    """Double entry: every posting moves points between two accounts. A holder's or an
    outlet's balance is never negative; a bank's issue account is the source of points earned
    (its balance is minus everything issued), its penalty account receives deductions."""

    HOLDER = "holder", _("持有人账户")
    OUTLET = "outlet", _("兑换点账户")
    ISSUE = "issue", _("积分发放账户")
    PENALTY = "penalty", _("扣分账户")


NON_NEGATIVE = (AccountKind.HOLDER, AccountKind.OUTLET)


class TxnKind(models.TextChoices):
    HOURS = "hours", _("志愿服务时长")
    DEED = "deed", _("好人好事")
    REPORT = "report", _("随手拍")
    DEDUCT = "deduct", _("不文明行为扣分")
    REDEEM = "redeem", _("兑换")


EARN_KINDS = (TxnKind.HOURS, TxnKind.DEED, TxnKind.REPORT)


class RuleKind(models.TextChoices):
    EARN = "earn", _("加分")
    DEDUCT = "deduct", _("扣分")


class DeedStatus(models.TextChoices):
    NOMINATED = "nominated", _("待评议")
    NOTICE = "notice", _("公示中")
    CREDITED = "credited", _("已记分")
    REJECTED = "rejected", _("未通过")


DEED_TRANSITIONS: dict[str, tuple[str, ...]] = {
    DeedStatus.NOMINATED: (DeedStatus.NOTICE, DeedStatus.REJECTED),
    DeedStatus.NOTICE: (DeedStatus.CREDITED, DeedStatus.REJECTED),
    DeedStatus.CREDITED: (),
    DeedStatus.REJECTED: (),
}

# --- moral models and good people -----------------------------------------------------------


class HonourKind(models.TextChoices):
    MODEL = "model", _("道德模范")
    GOOD_PERSON = "good_person", _("身边好人")


class HonourCategory(models.TextChoices):
    """The five categories of the national moral models (全国道德模范评选表彰)."""

    HELPING = "helping", _("助人为乐")
    BRAVERY = "bravery", _("见义勇为")
    HONESTY = "honesty", _("诚实守信")
    DEDICATION = "dedication", _("敬业奉献")
    FILIAL = "filial", _("孝老爱亲")


class HonourLevel(models.TextChoices):
    CITY = "city", _("市级")
    PROVINCE = "province", _("省级")
    NATIONAL = "national", _("全国")


class HonourStatus(models.TextChoices):
    NOMINATED = "nominated", _("已提名")
    SCREENED = "screened", _("初审通过")
    APPROVED = "approved", _("评审通过")
    NOTICE = "notice", _("公示中")
    PUBLISHED = "published", _("已发布")
    REJECTED = "rejected", _("未通过")


HONOUR_TRANSITIONS: dict[str, tuple[str, ...]] = {
    HonourStatus.NOMINATED: (HonourStatus.SCREENED, HonourStatus.REJECTED),
    HonourStatus.SCREENED: (HonourStatus.APPROVED, HonourStatus.REJECTED),
    HonourStatus.APPROVED: (HonourStatus.NOTICE, HonourStatus.REJECTED),
    HonourStatus.NOTICE: (HonourStatus.PUBLISHED, HonourStatus.REJECTED),
    HonourStatus.PUBLISHED: (),
    HonourStatus.REJECTED: (),
}


class NominatedBy(models.TextChoices):
    UNIT = "unit", _("单位推荐")
    CITIZEN = "citizen", _("群众推荐")


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    UPHELD = "upheld", _("异议成立")
    DISMISSED = "dismissed", _("异议不成立")


# --- civility selections ----------------------------------------------------------------------


class SelectionCategory(models.TextChoices):
    UNIT = "unit", _("文明单位")
    CAMPUS = "campus", _("文明校园")
    VILLAGE = "village", _("文明村镇")
    COMMUNITY = "community", _("文明社区")
    FAMILY = "family", _("文明家庭")


class SelectionStatus(models.TextChoices):
    APPLIED = "applied", _("已申报")
    ASSESSED = "assessed", _("已测评")
    NOTICE = "notice", _("公示中")
    AWARDED = "awarded", _("已授予")
    NOT_AWARDED = "not_awarded", _("未授予")
    REVOKED = "revoked", _("已撤销")


SELECTION_TRANSITIONS: dict[str, tuple[str, ...]] = {
    SelectionStatus.APPLIED: (SelectionStatus.ASSESSED, SelectionStatus.NOT_AWARDED),
    SelectionStatus.ASSESSED: (
        SelectionStatus.ASSESSED,  # assessed again
        SelectionStatus.NOTICE,
        SelectionStatus.NOT_AWARDED,
    ),
    SelectionStatus.NOTICE: (SelectionStatus.AWARDED, SelectionStatus.NOT_AWARDED),
    SelectionStatus.AWARDED: (SelectionStatus.REVOKED,),
    SelectionStatus.NOT_AWARDED: (),
    SelectionStatus.REVOKED: (),
}


class RevocationSource(models.TextChoices):
    NEGATIVE_FINDING = "negative_finding", _("负面清单认定")
    SERIOUS_CASE = "serious_case", _("严重问题案件")
    REEXAM = "reexam", _("复查不合格")
    MANUAL = "manual", _("其他情形")


class ProposalStatus(models.TextChoices):
    OPEN = "open", _("待决定")
    ACCEPTED = "accepted", _("已撤销称号")
    DISMISSED = "dismissed", _("不予撤销")


def allowed(transitions: dict[str, tuple[str, ...]], current: str, target: str) -> bool:
    return target in transitions.get(current, ())
