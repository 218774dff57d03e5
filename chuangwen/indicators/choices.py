from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SystemStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ACTIVE = "active", _("启用")
    ARCHIVED = "archived", _("归档")


# draft → active (adoption) → archived (when a newer version is adopted)
SYSTEM_TRANSITIONS = {
    SystemStatus.DRAFT: {SystemStatus.ACTIVE, SystemStatus.ARCHIVED},
    SystemStatus.ACTIVE: {SystemStatus.ARCHIVED},
    SystemStatus.ARCHIVED: set(),
}


class SystemKind(models.TextChoices):
    MAIN = "main", _("全国文明城市测评体系")
    MINORS = "minors", _("未成年人思想道德建设测评体系")


class CityTitle(models.TextChoices):
    """创建称号: which title an evaluation system serves (多城联创). The office sets it on import;
    the civilized-city system (and its minors' system) is 全国文明城市."""

    CIVILIZED = "civilized", _("全国文明城市")
    HYGIENIC = "hygienic", _("国家卫生城市")
    GARDEN = "garden", _("国家园林城市")
    FOREST = "forest", _("国家森林城市")
    ECO_GARDEN = "eco_garden", _("国家生态园林城市")
    FOOD_SAFETY = "food_safety", _("国家食品安全示范城市")
    DOUBLE_SUPPORT = "double_support", _("全国双拥模范城")
    ECO_CIVILIZATION = "eco_civilization", _("国家生态文明建设示范区")
    OTHER = "other", _("其他")


class CityLevel(models.TextChoices):
    PREFECTURE = "prefecture", _("地级及以上城市")
    COUNTY = "county", _("县级市")


class Level(models.TextChoices):
    """Fixed roles of tree levels; each version names its own levels (Indicator.level_name)."""

    ITEM = "item", _("测评项目")
    INDICATOR = "indicator", _("指标")
    CONTENT = "content", _("测评内容")
    STANDARD = "standard", _("测评标准")


# what the office writes in a 层级 cell → the role of the level
LEVEL_SYNONYMS = {
    "测评项目": Level.ITEM,
    "项目": Level.ITEM,
    "一级指标": Level.ITEM,
    "指标": Level.INDICATOR,
    "指标名称": Level.INDICATOR,
    "测评指标": Level.INDICATOR,
    "二级指标": Level.INDICATOR,
    "测评内容": Level.CONTENT,
    "内容": Level.CONTENT,
    "三级指标": Level.CONTENT,
    "测评标准": Level.STANDARD,
    "标准": Level.STANDARD,
    "测评要求": Level.STANDARD,
}


class Method(models.TextChoices):
    FIELD = "field", _("实地考察")
    FIELD_OBSERVE = "field_observe", _("实地观察")
    FIELD_RECORDS = "field_records", _("实地调查")
    FIELD_SIMULATION = "field_simulation", _("实景模拟验证")
    DOCUMENT = "document", _("材料审核")
    ONLINE_FILING = "online_filing", _("网上申报")
    SURVEY = "survey", _("问卷调查")
    SURVEY_HOME = "survey_home", _("入户问卷调查")
    SURVEY_STREET = "survey_street", _("街头拦访调查")
    COVERT = "covert", _("暗访")
    REPORT = "report", _("听取汇报")
    ONLINE_SURVEY = "online_survey", _("网络调查")
    OVERALL = "overall", _("整体观察")


# a sub-method counts as its family when filtering ("实地考察" finds 实地观察 too)
METHOD_FAMILY = {
    Method.FIELD_OBSERVE: Method.FIELD,
    Method.FIELD_RECORDS: Method.FIELD,
    Method.FIELD_SIMULATION: Method.FIELD,
    Method.ONLINE_FILING: Method.DOCUMENT,
    Method.SURVEY_HOME: Method.SURVEY,
    Method.SURVEY_STREET: Method.SURVEY,
}

METHOD_SYNONYMS = {
    "实地考察": Method.FIELD,
    "实地检查": Method.FIELD,
    "实地察看": Method.FIELD,
    "实地观察": Method.FIELD_OBSERVE,
    "实地调查": Method.FIELD_RECORDS,
    "实景模拟验证": Method.FIELD_SIMULATION,
    "实景模拟": Method.FIELD_SIMULATION,
    "模拟验证": Method.FIELD_SIMULATION,
    "材料审核": Method.DOCUMENT,
    "材料审查": Method.DOCUMENT,
    "资料审核": Method.DOCUMENT,
    "台账审核": Method.DOCUMENT,
    "网上申报": Method.ONLINE_FILING,
    "网上申报材料审核": Method.ONLINE_FILING,
    "问卷调查": Method.SURVEY,
    "问卷": Method.SURVEY,
    "入户问卷调查": Method.SURVEY_HOME,
    "入户调查": Method.SURVEY_HOME,
    "入户问卷": Method.SURVEY_HOME,
    "街头拦访": Method.SURVEY_STREET,
    "街头拦访调查": Method.SURVEY_STREET,
    "街头问卷调查": Method.SURVEY_STREET,
    "拦截访问": Method.SURVEY_STREET,
    "暗访": Method.COVERT,
    "听取汇报": Method.REPORT,
    "网络调查": Method.ONLINE_SURVEY,
    "整体观察": Method.OVERALL,
}


class ScoringRule(models.TextChoices):
    PASS_FAIL = "pass_fail", _("达标/不达标")
    RATIO = "ratio", _("按比例（0–1）")
    DEDUCT = "deduct", _("按缺项扣分")


SCORING_SYNONYMS = {
    "达标/不达标": ScoringRule.PASS_FAIL,
    "合格/不合格": ScoringRule.PASS_FAIL,
    "是否": ScoringRule.PASS_FAIL,
    "按比例（0–1）": ScoringRule.RATIO,
    "按比例": ScoringRule.RATIO,
    "比例": ScoringRule.RATIO,
    "按缺项扣分": ScoringRule.DEDUCT,
    "扣分": ScoringRule.DEDUCT,
}


class Sanction(models.TextChoices):
    """Graded sanctions of the 负面清单 (mildest first)."""

    DEDUCT = "deduct", _("扣分")
    SUSPEND_NOMINATION = "suspend_nomination", _("暂停提名资格")
    SUSPEND_TITLE = "suspend_title", _("暂停称号一年")
    WITHDRAW_TITLE = "withdraw_title", _("取消称号")
    DISQUALIFY = "disqualify", _("不得申报（一票否决）")


class MatchKind(models.TextChoices):
    CODE = "code", _("编号相同")
    SIMILAR = "similar", _("文字相似")
    MANUAL = "manual", _("人工指定")
    UNMATCHED = "unmatched", _("未匹配")


class ChangeKind(models.TextChoices):
    ADDED = "added", _("新增")
    REMOVED = "removed", pgettext_lazy("体系变化", "删除")
    REWORDED = "reworded", _("文字修改")
    MOVED = "moved", _("位置调整")
    POINTS = "points", _("分值变化")
