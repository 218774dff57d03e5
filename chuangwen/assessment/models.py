"""Mock evaluation (模拟测评): rounds with their weights (data the office edits), survey results,
negative-list items against the city, and the computed per-indicator, per-unit and per-site-type
scores. Below them, unit assessment (考核): schemes, periods, explainable scores, rankings,
red/black lists and negative-list findings against units."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chuangwen.core.models import BY_RANK, CityOwned, StoredPhoto, TimeStamped

from .choices import (
    AccountabilityKind,
    AccountabilityState,
    BulletinKind,
    BulletinStatus,
    Disclosure,
    FindingAction,
    FindingSource,
    FindingStatus,
    ItemKind,
    ListEntryStatus,
    ListKind,
    ListMode,
    PeriodKind,
    PeriodStatus,
    ReportPeriod,
    ResultStatus,
    RoundStatus,
    SchemeStatus,
    ScoreLevel,
    ScoreStatus,
    SubmissionKind,
    SubmissionStatus,
    UnitGroup,
    UnitSanction,
)


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


class RoundNegative(TimeStamped):
    """A negative-list item found against the city in a mock round (its sanction applies)."""

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


# --- unit assessment (考核): schemes, periods, scores, rankings, red/black lists -------------


class AssessmentScheme(CityOwned):
    """How units are assessed for one kind of period (month, quarter, year): which units (each
    group ranked on its own), the weighted items with their formulas, the red/black list rule.
    Versioned: a draft is edited; activating it retires the previous version of the same kind;
    an active or retired version never changes (its periods keep pointing at it)."""

    name = models.CharField(_("名称"), max_length=100)
    period_kind = models.CharField(_("考核周期"), max_length=10, choices=PeriodKind.choices)
    version = models.PositiveIntegerField(_("版本"), default=1)
    status = models.CharField(
        _("状态"), max_length=10, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT
    )
    total = models.DecimalField(_("满分"), max_digits=7, decimal_places=2, default=100)
    groups = models.JSONField(_("考核对象（各自排名）"), default=list, blank=True)
    list_mode = models.CharField(
        _("红黑榜规则"), max_length=10, choices=ListMode.choices, default=ListMode.COUNT
    )
    list_size = models.PositiveSmallIntegerField(_("红黑榜各取名次数"), default=3)
    red_threshold = models.DecimalField(
        _("红榜分数线（不低于）"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    black_threshold = models.DecimalField(
        _("黑榜分数线（低于）"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    note = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    activated_at = models.DateTimeField(_("启用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")
        ordering = ["period_kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["city", "period_kind", "version"], name="scheme_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（第 {self.version} 版）"

    @property
    def editable(self) -> bool:
        return self.status == SchemeStatus.DRAFT

    @property
    def group_labels(self) -> list[str]:
        labels = dict(UnitGroup.choices)
        return [str(labels.get(g, g)) for g in self.groups or []]


class SchemeItem(models.Model):
    """A weighted item of a scheme: its formula names registered quantities
    (``chuangwen.assessment.quantities``), shown to everyone who reads a score."""

    scheme = models.ForeignKey(AssessmentScheme, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("编号"), max_length=20)
    name = models.CharField(_("考核项目"), max_length=100)
    kind = models.CharField(_("类型"), max_length=10, choices=ItemKind.choices)
    formula = models.CharField(_("计算公式"), max_length=1000, blank=True)
    weight = models.DecimalField(_("分值"), max_digits=7, decimal_places=2)
    min_volume = models.PositiveIntegerField(
        _("最低样本量"),
        default=0,
        help_text=_("公式所用比率的分母（如应结案数）低于此数时记为样本不足，该单位不参与排名"),
    )
    description = models.TextField(_("口径说明"), blank=True)
    sort = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("考核项目")
        verbose_name_plural = _("考核项目")
        ordering = ["sort", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="scheme_item_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class AssessmentPeriod(CityOwned):
    """One month, quarter or year assessed under one scheme version. Computed scores are stored;
    a recompute is an explicit, audited action; a published period is frozen."""

    scheme = models.ForeignKey(
        AssessmentScheme, on_delete=models.PROTECT, related_name="periods", verbose_name=_("方案")
    )
    kind = models.CharField(_("考核周期"), max_length=10, choices=PeriodKind.choices)
    starts_on = models.DateField(_("起始日期"))
    ends_on = models.DateField(_("截止日期"))
    label = models.CharField(_("考核期"), max_length=40)
    status = models.CharField(
        _("状态"), max_length=10, choices=PeriodStatus.choices, default=PeriodStatus.DRAFT
    )
    disclosure = models.CharField(
        _("公开范围"), max_length=10, choices=Disclosure.choices, default=Disclosure.OWN
    )
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    compute_count = models.PositiveIntegerField(_("计算次数"), default=0)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    n_units = models.PositiveIntegerField(_("考核单位数"), default=0)

    class Meta:
        verbose_name = _("考核期")
        verbose_name_plural = _("考核期")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["city", "kind", "starts_on"], name="assessment_period_unique"
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def frozen(self) -> bool:
        return self.status == PeriodStatus.PUBLISHED


class AssessmentScore(models.Model):
    """One unit's score on one item of a period, with the inputs that produced it and the
    sentence that explains it ("按期结案率 82.4% = 412/500，得 16.48/20")."""

    period = models.ForeignKey(AssessmentPeriod, on_delete=models.CASCADE, related_name="scores")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(SchemeItem, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=15, choices=ScoreStatus.choices)
    value = models.DecimalField(_("公式值"), max_digits=18, decimal_places=6, null=True, blank=True)
    points = models.DecimalField(_("得分"), max_digits=8, decimal_places=2, default=0)
    max_points = models.DecimalField(_("分值"), max_digits=8, decimal_places=2)
    volume = models.DecimalField(
        _("样本量"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    inputs = models.JSONField(_("计算依据"), default=list, blank=True)
    explanation = models.TextField(_("得分说明"))

    class Meta:
        verbose_name = _("考核得分")
        verbose_name_plural = _("考核得分")
        ordering = ["item__sort", "item_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "unit", "item"], name="assessment_score_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.period_id}:{self.unit_id}:{self.item_id} {self.points}"


class AssessmentResult(models.Model):
    """A unit's total in a period and its place in one group's ranking (a unit in two groups,
    e.g. a department that is also a 包保单位, has two rows with the same total)."""

    period = models.ForeignKey(AssessmentPeriod, on_delete=models.CASCADE, related_name="results")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    group = models.CharField(_("考核对象"), max_length=20, choices=UnitGroup.choices)
    status = models.CharField(_("状态"), max_length=15, choices=ResultStatus.choices)
    base = models.DecimalField(
        _("计分项得分（折算）"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    adjustments = models.DecimalField(_("加减分"), max_digits=8, decimal_places=2, default=0)
    deductions = models.DecimalField(_("扣分"), max_digits=8, decimal_places=2, default=0)
    total = models.DecimalField(_("总分"), max_digits=8, decimal_places=2, null=True, blank=True)
    vetoed = models.BooleanField(_("一票否决"), default=False)
    rank = models.PositiveIntegerField(_("名次"), null=True, blank=True)
    ranked_count = models.PositiveIntegerField(_("参与排名单位数"), default=0)
    list_kind = models.CharField(_("红黑榜"), max_length=10, choices=ListKind.choices, blank=True)
    explanation = models.TextField(_("总分说明"), blank=True)

    class Meta:
        verbose_name = _("考核结果")
        verbose_name_plural = _("考核结果")
        ordering = ["group", BY_RANK, "unit__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "unit", "group"], name="assessment_result_unique"
            )
        ]
        indexes = [models.Index(fields=["unit", "group"], name="assessment_result_unit")]

    def __str__(self) -> str:
        return f"{self.period_id}:{self.unit_id} {self.group} {self.total}"


def _assessment_file_path(instance: models.Model, filename: str) -> str:
    return f"assessment/{instance._meta.model_name}/{timezone.localdate():%Y%m}/{filename}"


class ScoreAdjustment(TimeStamped):
    """A manual bonus or penalty (加减分) of a unit in a period, with its reason and evidence."""

    period = models.ForeignKey(
        AssessmentPeriod, on_delete=models.CASCADE, related_name="adjustments"
    )
    item = models.ForeignKey(
        SchemeItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("加减分项")
    )
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("单位")
    )
    points = models.DecimalField(_("分数（正为加分，负为减分）"), max_digits=7, decimal_places=2)
    reason = models.TextField(_("理由"))
    evidence = models.FileField(
        _("佐证材料"), upload_to=_assessment_file_path, max_length=255, blank=True
    )
    evidence_name = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    withdraw_reason = models.CharField(_("撤销理由"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("加减分")
        verbose_name_plural = _("加减分")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.points:+}"


class ListEntry(TimeStamped):
    """A unit on a period's 红榜 or 黑榜. A black-list entry leaves only by a rectification the
    unit submits and the office verifies (recorded here and in the audit trail)."""

    period = models.ForeignKey(
        AssessmentPeriod, on_delete=models.CASCADE, related_name="list_entries"
    )
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255, editable=False)
    group = models.CharField(_("考核对象"), max_length=20, choices=UnitGroup.choices)
    kind = models.CharField(_("榜单"), max_length=10, choices=ListKind.choices)
    rank = models.PositiveIntegerField(_("名次"), null=True, blank=True)
    total = models.DecimalField(_("总分"), max_digits=8, decimal_places=2, null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=ListEntryStatus.choices, default=ListEntryStatus.LISTED
    )
    rectification = models.TextField(_("整改情况"), blank=True)
    rectification_file = models.FileField(
        _("整改佐证"), upload_to=_assessment_file_path, max_length=255, blank=True
    )
    rectification_name = models.CharField(max_length=200, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(_("核查时间"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verify_note = models.CharField(_("核查意见"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("红黑榜")
        verbose_name_plural = _("红黑榜")
        ordering = ["kind", "group", BY_RANK, "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "unit", "group", "kind"], name="list_entry_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.period_id}:{self.unit_id} {self.kind}"


class NegativeFinding(CityOwned):
    """负面清单: an item of the evaluation system's negative list found against a unit, with the
    graded sanction it carries and its rectification, tracked through states like a case."""

    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("责任单位")
    )
    unit_path = models.CharField(max_length=255, editable=False)
    item = models.ForeignKey(
        "indicators.NegativeListItem",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("负面清单条目"),
    )
    source = models.CharField(_("发现途径"), max_length=20, choices=FindingSource.choices)
    found_on = models.DateField(_("认定日期"))
    description = models.TextField(_("问题情况"))
    sanction = models.CharField(_("处理措施"), max_length=20, choices=UnitSanction.choices)
    points = models.DecimalField(_("扣分"), max_digits=7, decimal_places=2, default=0)
    status = models.CharField(
        _("状态"), max_length=15, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    rectify_by = models.DateField(_("整改时限"), null=True, blank=True)
    evidence = models.FileField(
        _("问题佐证"), upload_to=_assessment_file_path, max_length=255, blank=True
    )
    evidence_name = models.CharField(max_length=200, blank=True)
    rectified_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("负面清单问题")
        verbose_name_plural = _("负面清单问题")
        ordering = ["-found_on", "-id"]
        indexes = [
            models.Index(fields=["city", "found_on"], name="finding_city_found"),
            models.Index(
                fields=["unit_path"], name="finding_unit_path", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.item_id} {self.found_on}"

    @property
    def is_overdue(self) -> bool:
        return (
            self.rectify_by is not None
            and self.status in (FindingStatus.OPEN, FindingStatus.REWORK)
            and timezone.localdate() > self.rectify_by
        )


class FindingEvent(models.Model):
    """Append-only history of a finding: who did what, when, with which note and file."""

    finding = models.ForeignKey(NegativeFinding, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("操作"), max_length=15, choices=FindingAction.choices)
    from_state = models.CharField(max_length=15, blank=True)
    to_state = models.CharField(max_length=15, blank=True)
    note = models.TextField(_("说明"), blank=True)
    file = models.FileField(_("附件"), upload_to=_assessment_file_path, max_length=255, blank=True)
    file_name = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("负面清单处理记录")
        verbose_name_plural = _("负面清单处理记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.finding_id} {self.action}"


# --- accountability, submissions, bulletins ---------------------------------------------------


class AccountabilityRecord(CityOwned):
    """奖惩问责: a commendation or a measure against a unit, with the facts that triggered it
    (references to cases, tasks, notices, scores, findings …), the decision of an authorised
    person, the unit's response and the office's follow-up.

    ``facts`` is a list of ``{"type": "case", "id": 12, "label": "…"}``: the type names an
    entry of ``accountability.FACT_TYPES`` (which renders it as a link), the label is what the
    fact said when it was recorded."""

    kind = models.CharField(_("类型"), max_length=20, choices=AccountabilityKind.choices)
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("对象单位")
    )
    unit_path = models.CharField(max_length=255, editable=False)
    title = models.CharField(_("事由"), max_length=200)
    reason = models.TextField(_("情况说明"), blank=True)
    facts = models.JSONField(_("依据事实"), default=list, blank=True)
    state = models.CharField(
        _("状态"),
        max_length=20,
        choices=AccountabilityState.choices,
        default=AccountabilityState.PROPOSED,
    )
    rule = models.CharField(_("提出规则"), max_length=40, blank=True)
    rule_key = models.CharField(max_length=120, blank=True, editable=False)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.TextField(_("决定意见"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    referral_to = models.CharField(_("移送机关"), max_length=100, blank=True)
    response_due = models.DateField(_("反馈时限"), null=True, blank=True)
    response = models.TextField(_("单位反馈"), blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responded_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    follow_up = models.TextField(_("跟踪问效"), blank=True)
    followed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    followed_up_at = models.DateTimeField(_("跟踪时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("奖惩问责记录")
        verbose_name_plural = _("奖惩问责记录")
        ordering = ["-id"]
        indexes = [models.Index(fields=["city", "state", "-id"], name="accountability_state")]
        constraints = [
            # a rule proposes a record once per fact (a dismissed proposal is not made again)
            models.UniqueConstraint(
                fields=["city", "rule_key"],
                condition=~models.Q(rule_key=""),
                name="accountability_rule_key_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.title}"


class ReportTemplate(CityOwned):
    """The office's template of a periodic work report (汇报): its sections, how often, the
    day of the following month it is due, and which units owe it."""

    title = models.CharField(_("名称"), max_length=200)
    period = models.CharField(_("周期"), max_length=20, choices=ReportPeriod.choices)
    sections = models.JSONField(
        _("栏目"), default=list, help_text=_("每栏：标题与填写提示（title, hint）")
    )
    due_day = models.PositiveSmallIntegerField(_("报送截止日（次月几日）"), default=5)
    units = models.ManyToManyField("org.Unit", related_name="+", verbose_name=_("报送单位"))
    active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("汇报模板")
        verbose_name_plural = _("汇报模板")
        ordering = ["-active", "title", "id"]

    def __str__(self) -> str:
        return self.title


class Submission(CityOwned):
    """What a unit sends in: a periodic work report (to a template, for a period) or a piece
    of 信息 (work news with photos); reviewed by the office or a leader with a score and a
    comment (点评). Approved 信息 may be picked into a bulletin."""

    kind = models.CharField(_("类型"), max_length=10, choices=SubmissionKind.choices)
    template = models.ForeignKey(
        ReportTemplate,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("汇报模板"),
    )
    period_start = models.DateField(_("报告期起"), null=True, blank=True)
    period_end = models.DateField(_("报告期止"), null=True, blank=True)
    due_on = models.DateField(_("报送时限"), null=True, blank=True)
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("报送单位")
    )
    unit_path = models.CharField(max_length=255, editable=False)
    title = models.CharField(_("标题"), max_length=200)
    sections = models.JSONField(_("汇报内容"), default=list, blank=True)
    body = models.TextField(_("正文"), blank=True)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=SubmissionStatus.choices,
        default=SubmissionStatus.SUBMITTED,
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    first_submitted_at = models.DateTimeField(_("首次报送时间"), default=timezone.now)
    submitted_at = models.DateTimeField(_("报送时间"), default=timezone.now)
    score = models.PositiveSmallIntegerField(_("点评得分"), null=True, blank=True)
    comment = models.TextField(_("点评意见"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("点评时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("报送")
        verbose_name_plural = _("报送")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["city", "kind", "status", "-id"], name="submission_kind_status"),
            models.Index(fields=["template", "due_on"], name="submission_template_due"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "unit", "period_start"],
                condition=models.Q(template__isnull=False),
                name="submission_report_unique",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def on_time(self) -> bool | None:
        """A report counts as on time when first sent by the end of its due day."""
        if self.due_on is None:
            return None
        return timezone.localtime(self.first_submitted_at).date() <= self.due_on


def _submission_photo_path(instance: "SubmissionPhoto", filename: str) -> str:
    return f"assessment/submissions/{instance.submission_id}/{filename}"


class SubmissionPhoto(StoredPhoto):
    """A validated image of a 信息: the original kept, a re-encoded copy without EXIF shown."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="photos")
    original = models.FileField(_("原图"), upload_to=_submission_photo_path, max_length=200)
    public = models.FileField(_("展示图"), upload_to=_submission_photo_path, max_length=200)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    size = models.PositiveIntegerField(default=0)
    caption = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("信息照片")
        verbose_name_plural = _("信息照片")
        ordering = ["id"]


def _bulletin_path(instance: "Bulletin", filename: str) -> str:
    return f"assessment/bulletins/{instance.city_id}/{instance.pk}/{filename}"


class Bulletin(CityOwned):
    """通报: drafted from the data (weekly, monthly or special), edited by the office, numbered
    from the office's 文号 sequence (shared with the 督查通知书), issued as Word and PDF and
    signed for by the units it is sent to. Issued bulletins are archived unchanged."""

    kind = models.CharField(_("类型"), max_length=10, choices=BulletinKind.choices)
    title = models.CharField(_("标题"), max_length=200)
    period_start = models.DateField(_("统计期起"))
    period_end = models.DateField(_("统计期止"))
    status = models.CharField(
        _("状态"), max_length=10, choices=BulletinStatus.choices, default=BulletinStatus.DRAFT
    )
    auto = models.BooleanField(_("定时起草"), default=False)
    prefix = models.CharField(_("发文机关代字"), max_length=20, blank=True)
    year = models.PositiveSmallIntegerField(_("年份"), null=True, blank=True)
    seq = models.PositiveIntegerField(_("序号"), null=True, blank=True)
    issuer = models.CharField(_("发文机关"), max_length=100, blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("印发时间"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    docx = models.FileField(_("Word 文件"), upload_to=_bulletin_path, max_length=200, blank=True)
    pdf = models.FileField(_("PDF 文件"), upload_to=_bulletin_path, max_length=200, blank=True)

    class Meta:
        verbose_name = _("通报")
        verbose_name_plural = _("通报")
        ordering = ["-period_end", "-id"]
        indexes = [models.Index(fields=["city", "kind", "period_start"], name="bulletin_period")]
        constraints = [
            models.UniqueConstraint(
                fields=["city", "prefix", "year", "seq"],
                condition=models.Q(seq__isnull=False),
                name="bulletin_number_unique",
            )
        ]

    def __str__(self) -> str:
        return self.number or self.title

    @property
    def number(self) -> str:
        """文号, e.g. 创文办通〔2026〕12号 (empty while a draft)."""
        return f"{self.prefix}〔{self.year}〕{self.seq}号" if self.seq else ""


class BulletinSection(models.Model):
    """One part of a bulletin, made by a registered section builder: the text (which the
    office may rewrite), the figures each with the query that produced it and a link to the
    filtered list, a table, and the photos offered (``chosen`` ones are printed)."""

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="sections")
    code = models.CharField(_("栏目代码"), max_length=40)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    title = models.CharField(_("栏目标题"), max_length=200)
    included = models.BooleanField(_("印发时包含"), default=True)
    text = models.TextField(_("正文"), blank=True)
    generated_text = models.TextField(_("生成的正文"), blank=True, editable=False)
    figures = models.JSONField(_("数据及来源"), default=list, blank=True)
    table = models.JSONField(_("表格"), default=dict, blank=True)
    photos = models.JSONField(_("照片"), default=list, blank=True)

    class Meta:
        verbose_name = _("通报栏目")
        verbose_name_plural = _("通报栏目")
        ordering = ["bulletin", "order", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def rewritten(self) -> bool:
        return self.text != self.generated_text


class BulletinReceipt(models.Model):
    """A unit a bulletin was sent to, and its 签收."""

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="receipts")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255, editable=False)
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("通报签收")
        verbose_name_plural = _("通报签收")
        ordering = ["unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["bulletin", "unit"], name="bulletin_receipt_unique")
        ]

    def __str__(self) -> str:
        return f"{self.bulletin_id} → {self.unit_id}"
