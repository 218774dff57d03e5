from django.db import models
from django.utils.translation import gettext_lazy as _


class SystemStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ACTIVE = "active", _("启用")
    ARCHIVED = "archived", _("归档")


class SystemKind(models.TextChoices):
    MAIN = "main", _("全国文明城市测评体系")
    MINORS = "minors", _("未成年人思想道德建设测评体系")


class Level(models.TextChoices):
    """Fixed roles of tree levels; each version names its own levels (Indicator.level_name)."""

    ITEM = "item", _("测评项目")
    INDICATOR = "indicator", _("指标")
    CONTENT = "content", _("测评内容")
    STANDARD = "standard", _("测评标准")


class Method(models.TextChoices):
    FIELD = "field", _("实地考察")
    DOCUMENT = "document", _("材料审核")
    SURVEY = "survey", _("问卷调查")
    COVERT = "covert", _("暗访")
    REPORT = "report", _("听取汇报")
    ONLINE_SURVEY = "online_survey", _("网络调查")
    OVERALL = "overall", _("整体观察")
