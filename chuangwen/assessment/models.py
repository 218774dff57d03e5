"""Mock evaluation (模拟测评): rounds with their weights (data the office edits), survey results,
negative-list findings, and the computed per-indicator, per-unit and per-site-type scores."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chuangwen.core.models import CityOwned, TimeStamped

from .choices import RoundStatus, ScoreLevel


class MockEvaluation(CityOwned):
    """A round of mock evaluation: the predicted city score as the national evaluation computes
    it, from the latest inspections (field), the evidence ledger (materials) and the survey."""

    title = models.CharField(_("名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("测评年度"))
    as_of = models.DateTimeField(_("截至时间"), default=timezone.now)
    system = models.ForeignKey(
        "indicators.EvaluationSystem",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("测评体系"),
    )
    minors_system = models.ForeignKey(
        "indicators.EvaluationSystem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("未成年人测评体系"),
    )
    plans = models.ManyToManyField(
        "inspections.InspectionPlan",
        blank=True,
        related_name="+",
        verbose_name=_("采用的督查计划"),
        help_text=_("不选则采用截至时间前窗口期内的全部检查结果"),
    )
    window_days = models.PositiveIntegerField(_("实地数据窗口（天）"), default=120)
    weights = models.JSONField(_("权重与分值构成"), default=dict, blank=True)
    materials = models.JSONField(
        _("材料审核得分率（按标准编号）"),
        default=dict,
        blank=True,
        help_text=_("台账审核结果之外的人工录入，标准编号 → 0–1"),
    )
    minors_input = models.FloatField(_("未成年人测评得分（录入）"), null=True, blank=True)
    prior_scores = models.JSONField(
        _("往年成绩"), default=dict, blank=True, help_text=_("年度 → 年度总成绩，缺省取往年测算")
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=RoundStatus.choices, default=RoundStatus.DRAFT
    )
    field_ratio = models.FloatField(null=True, blank=True)
    materials_ratio = models.FloatField(null=True, blank=True)
    survey_ratio = models.FloatField(null=True, blank=True)
    field_score = models.FloatField(_("实地考察得分"), null=True, blank=True)
    materials_score = models.FloatField(_("材料审核得分"), null=True, blank=True)
    survey_score = models.FloatField(_("问卷调查得分"), null=True, blank=True)
    deductions = models.FloatField(_("负面清单扣分"), default=0)
    annual_score = models.FloatField(_("年度测评成绩"), null=True, blank=True)
    minors_score = models.FloatField(_("未成年人测评成绩"), null=True, blank=True)
    overall_score = models.FloatField(_("综合成绩"), null=True, blank=True)
    cycle_score = models.FloatField(_("创建周期成绩"), null=True, blank=True)
    eligible = models.BooleanField(_("具备申报资格"), default=True)
    n_observations = models.PositiveIntegerField(_("观测数"), default=0)
    computed_at = models.DateTimeField(_("测算时间"), null=True, blank=True)
    detail = models.JSONField(_("测算说明"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("模拟测评")
        verbose_name_plural = _("模拟测评")
        ordering = ["-year", "-as_of", "-id"]

    def __str__(self) -> str:
        return self.title


class IndicatorScore(models.Model):
    """A node of the tree in a round: its field / materials / combined ratio and its points.
    (History: it keeps pointing at the version that was scored, it is not moved on adoption.)"""

    round = models.ForeignKey(MockEvaluation, on_delete=models.CASCADE, related_name="scores")
    indicator = models.ForeignKey(
        "indicators.Indicator", on_delete=models.CASCADE, related_name="+"
    )
    field_ratio = models.FloatField(null=True, blank=True)
    materials_ratio = models.FloatField(null=True, blank=True)
    ratio = models.FloatField(null=True, blank=True)
    share = models.FloatField(_("占总分比重"), default=0)
    points = models.FloatField(_("可得分"), default=0)
    earned = models.FloatField(_("得分"), default=0)
    n_obs = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "indicator"], name="indicator_score_unique")
        ]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.indicator_id} {self.ratio}"


class UnitScore(models.Model):
    """文明程度指数 (0–100) of a 区县, 街道 or responsible / 包保 unit in a round, and its rank."""

    round = models.ForeignKey(MockEvaluation, on_delete=models.CASCADE, related_name="unit_scores")
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    level = models.CharField(max_length=20, choices=ScoreLevel.choices)
    index = models.FloatField(_("文明程度指数"))
    rank = models.PositiveIntegerField(_("排名"))
    n_obs = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["level", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["round", "unit", "level"], name="unit_score_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.level} {self.index:.2f}"


class SiteTypeScore(models.Model):
    round = models.ForeignKey(
        MockEvaluation, on_delete=models.CASCADE, related_name="site_type_scores"
    )
    site_type = models.ForeignKey("indicators.SiteType", on_delete=models.CASCADE, related_name="+")
    ratio = models.FloatField()
    n_obs = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "site_type"], name="site_type_score_unique")
        ]

    def __str__(self) -> str:
        return f"{self.site_type_id} {self.ratio:.3f}"


class SurveyResult(TimeStamped):
    """问卷调查: 知晓率, 支持率, 满意率 (percent) for the city (no unit) or a 区县."""

    round = models.ForeignKey(MockEvaluation, on_delete=models.CASCADE, related_name="surveys")
    unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    awareness = models.FloatField(_("知晓率（%）"))
    support = models.FloatField(_("支持率（%）"))
    satisfaction = models.FloatField(_("满意率（%）"))
    respondents = models.PositiveIntegerField(_("样本量"), default=0)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.unit_id or '全市'} {self.awareness}/{self.support}/{self.satisfaction}"


class NegativeFinding(TimeStamped):
    """A negative-list item found against the city in a round (its sanction applies)."""

    round = models.ForeignKey(MockEvaluation, on_delete=models.CASCADE, related_name="negatives")
    item = models.ForeignKey(
        "indicators.NegativeListItem", on_delete=models.PROTECT, related_name="+"
    )
    points = models.FloatField(_("扣分"), null=True, blank=True)
    note = models.TextField(_("情况说明"), blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.item_id}"
