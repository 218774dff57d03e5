from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


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
