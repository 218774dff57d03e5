from django.db import models
from django.utils.translation import gettext_lazy as _

# ==== volunteers: volunteers, teams, activities, check-ins, service hours ====================


class Channel(models.TextChoices):
    """How a volunteer came into the register."""

    SELF = "self", _("本人注册")
    IMPORT = "import", _("批量导入")


class OrganiserKind(models.TextChoices):
    TEAM = "team", _("志愿服务队")
    UNIT = "unit", _("单位")
    COMMUNITY = "community", _("社区")


class ActivityStatus(models.TextChoices):
    PUBLISHED = "published", _("报名中")
    CANCELLED = "cancelled", _("已取消")
    CLOSED = "closed", _("已结束")


# an activity's allowed transitions (the services check them)
ACTIVITY_TRANSITIONS: dict[str, frozenset[str]] = {
    ActivityStatus.PUBLISHED: frozenset({ActivityStatus.CANCELLED, ActivityStatus.CLOSED}),
    ActivityStatus.CANCELLED: frozenset(),
    ActivityStatus.CLOSED: frozenset(),
}


class SignupStatus(models.TextChoices):
    SIGNED_UP = "signed_up", _("已报名")
    CANCELLED = "cancelled", _("已取消")


class CheckAction(models.TextChoices):
    """What a QR code shown at an activity does."""

    IN = "in", _("签到")
    OUT = "out", _("签退")


class RecordKind(models.TextChoices):
    """A row of the service-hours ledger: hours confirmed from a check-in/out, or a
    correction (plus or minus minutes) of a confirmed row — never an edit."""

    SERVICE = "service", _("服务时长")
    CORRECTION = "correction", _("更正")


# star levels (星级志愿者): 1–5 stars at 100/300/600/1000/1500 hours of recorded service, the
# thresholds of 《中国注册志愿者管理办法》 (共青团中央) most cities use; a city may set its own
DEFAULT_STAR_HOURS = [100, 300, 600, 1000, 1500]
STAR_LABELS = [
    "",
    _("一星志愿者"),
    _("二星志愿者"),
    _("三星志愿者"),
    _("四星志愿者"),
    _("五星志愿者"),
]

SKILLS = [
    _("文明劝导"),
    _("环境清洁"),
    _("交通引导"),
    _("关爱帮扶"),
    _("医疗救护"),
    _("心理咨询"),
    _("法律咨询"),
    _("文艺宣传"),
    _("应急救援"),
    _("教育辅导"),
    _("外语翻译"),
    _("摄影摄像"),
]
