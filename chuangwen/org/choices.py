from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    HQ = "hq", _("指挥部")
    SUB_COMMAND = "sub_command", _("分指挥部")
    IMPLEMENTING_BODY = "implementing_body", _("实施主体")
    DEPARTMENT = "department", _("职能部门")
    DISTRICT = "district", _("区县")
    STREET = "street", _("街道")
    COMMUNITY = "community", _("社区")
    VILLAGE = "village", _("行政村")
    COMPOUND = "compound", _("小区")
    SCHOOL = "school", _("学校")
    ENTERPRISE = "enterprise", _("企业")
    OTHER = "other", _("其他")


class Axis(models.TextChoices):
    LINE = "line", _("条")
    BLOCK = "block", _("块")


# The usual axis of each kind; the office may still set another.
DEFAULT_AXIS = {
    UnitKind.DEPARTMENT: Axis.LINE,
    UnitKind.DISTRICT: Axis.BLOCK,
    UnitKind.STREET: Axis.BLOCK,
    UnitKind.COMMUNITY: Axis.BLOCK,
    UnitKind.VILLAGE: Axis.BLOCK,
    UnitKind.COMPOUND: Axis.BLOCK,
}


class Role(models.TextChoices):
    OFFICE_ADMIN = "office_admin", _("创建办管理员")
    UNIT_LIAISON = "unit_liaison", _("单位联络员")
    INSPECTOR = "inspector", _("督查员")
    GRID_WORKER = "grid_worker", _("网格员")
    LEADER = "leader", _("领导（只读）")
    CITIZEN = "citizen", _("市民")
    VOLUNTEER = "volunteer", _("志愿者")


# the 块 side of a 结对共建 pair: an urban community or a village
PAIR_COMMUNITY_KINDS = (UnitKind.COMMUNITY, UnitKind.VILLAGE)


class Mechanism(models.TextChoices):
    """六联机制 of 结对共建."""

    CIVILITY = "civility", _("文明联创")
    HYGIENE = "hygiene", _("卫生联洁")
    SECURITY = "security", _("治安联防")
    EMERGENCY = "emergency", _("应急联动")
    HARDSHIP = "hardship", _("困难联帮")
    PROSPERITY = "prosperity", _("致富联带")
