"""The evaluation system: versions, the indicator tree of any depth, its methods, the site-type
checklists, the negative list, metrics, and the old → new mapping between versions."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chuangwen.core.models import CityOwned, TimeStamped

from .choices import (
    CityLevel,
    CityTitle,
    Level,
    MatchKind,
    Method,
    Sanction,
    ScoringRule,
    SystemKind,
    SystemStatus,
)


class EvaluationSystem(TimeStamped):
    """One version of a 测评体系 for a city (its own copy, so the city may add to it)."""

    city = models.ForeignKey("org.City", on_delete=models.PROTECT, verbose_name=_("城市"))
    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(
        _("体系"), max_length=20, choices=SystemKind.choices, default=SystemKind.MAIN
    )
    title = models.CharField(
        _("创建称号"), max_length=20, choices=CityTitle.choices, default=CityTitle.CIVILIZED
    )
    title_other = models.CharField(
        _("其他称号名称"), max_length=50, blank=True, help_text=_("创建称号为“其他”时填写")
    )
    version_year = models.PositiveSmallIntegerField(_("版本年份"))
    city_level = models.CharField(
        _("适用城市层级"),
        max_length=20,
        choices=CityLevel.choices,
        default=CityLevel.PREFECTURE,
    )
    source = models.TextField(_("来源说明"), blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=SystemStatus.choices, default=SystemStatus.DRAFT
    )
    level_names = models.JSONField(_("层级名称"), default=list, blank=True)
    unofficial = models.BooleanField(
        _("非官方整理版"),
        default=False,
        help_text=_("由公开摘录整理的种子版本，不是官方文本"),
    )
    weights = models.JSONField(_("权重与分值构成"), default=dict, blank=True)
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="successors",
        verbose_name=_("对比的上一版本"),
    )
    adopted_at = models.DateTimeField(_("启用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("测评体系版本")
        verbose_name_plural = _("测评体系版本")
        ordering = ["-version_year", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["city", "title", "title_other", "kind"],
                condition=Q(status="active"),
                name="one_active_system_per_city_title_kind",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def title_label(self) -> str:
        if self.title == CityTitle.OTHER and self.title_other:
            return self.title_other
        return str(self.get_title_display())


class Indicator(TimeStamped):
    """A node of the indicator tree: 测评项目 → (指标) → 测评内容 → 测评标准.

    A standard's numbered sub-clauses live in ``clauses`` (``[{"no": "1", "text": …,
    "methods": ["field", …]}]``); ``methods`` is the node's own list (the union of its
    clauses' methods when they have any) and ``method_tags`` a "|field|document|" index of
    the methods and their families, so filtering works on SQLite and PostgreSQL alike.
    """

    system = models.ForeignKey(
        EvaluationSystem,
        on_delete=models.CASCADE,
        related_name="indicators",
        verbose_name=_("体系版本"),
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
        verbose_name=_("上级"),
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    sort = models.PositiveIntegerField(_("排序"), default=0)
    level = models.CharField(_("层级"), max_length=20, choices=Level.choices)
    level_name = models.CharField(_("层级名称"), max_length=20, blank=True)
    code = models.CharField(_("编号"), max_length=40)
    title = models.CharField(_("名称"), max_length=300)
    text = models.TextField(_("内容"), blank=True)
    clauses = models.JSONField(_("子条款"), default=list, blank=True)
    methods = models.JSONField(_("测评方法"), default=list, blank=True)
    method_tags = models.CharField(max_length=300, blank=True, editable=False, db_index=True)
    search_text = models.TextField(blank=True, editable=False)
    points = models.DecimalField(_("分值"), max_digits=7, decimal_places=2, null=True, blank=True)
    weight = models.DecimalField(_("权数"), max_digits=7, decimal_places=3, null=True, blank=True)
    grade_rule = models.JSONField(_("等级规则"), default=dict, blank=True)
    negative = models.BooleanField(_("负面清单相关"), default=False)
    veto = models.BooleanField(_("一票否决"), default=False)
    city_added = models.BooleanField(_("本市增补"), default=False)
    retired = models.BooleanField(_("已停用"), default=False)

    class Meta:
        verbose_name = _("测评指标")
        verbose_name_plural = _("测评指标")
        ordering = ["system", "path"]
        constraints = [
            models.UniqueConstraint(fields=["system", "code"], name="indicator_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def ancestor_ids(self) -> list[int]:
        return [int(p) for p in self.path.strip(".").split(".")[:-1] if p]

    def method_labels(self) -> list[str]:
        labels = dict(Method.choices)
        return [str(labels.get(m, m)) for m in self.methods]

    def clause_rows(self) -> list[dict]:
        labels = dict(Method.choices)
        return [
            {**c, "method_labels": [str(labels.get(m, m)) for m in c.get("methods") or []]}
            for c in self.clauses
        ]

    def display_level(self) -> str:
        return self.level_name or str(self.get_level_display())


class SiteType(CityOwned):
    """点位类型: a city's catalogue of inspection-site types (stable across versions, so the
    sites registry can point at it); each version carries its own checklist items."""

    code = models.CharField(_("类型编码"), max_length=40)
    name = models.CharField(_("类型名称"), max_length=100)
    sort = models.PositiveIntegerField(_("排序"), default=0)
    description = models.TextField(_("说明"), blank=True)
    city_added = models.BooleanField(_("本市增补"), default=False)
    active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("点位类型")
        verbose_name_plural = _("点位类型")
        ordering = ["sort", "code"]
        constraints = [
            models.UniqueConstraint(fields=["city", "code"], name="site_type_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class CheckItem(TimeStamped):
    """One line of a site type's checklist, with its scoring rule and the standards it evidences.

    Rules: ``pass_fail`` (all ``points`` or none), ``ratio`` (``points`` × a 0–1 value),
    ``deduct`` (``deduct`` points per missing ``unit_label``, at most ``cap``).
    """

    system = models.ForeignKey(
        EvaluationSystem,
        on_delete=models.CASCADE,
        related_name="check_items",
        verbose_name=_("体系版本"),
    )
    site_type = models.ForeignKey(
        SiteType, on_delete=models.PROTECT, related_name="check_items", verbose_name=_("点位类型")
    )
    code = models.CharField(_("编号"), max_length=40)
    text = models.TextField(_("检查内容"))
    rule = models.CharField(
        _("评分方式"), max_length=20, choices=ScoringRule.choices, default=ScoringRule.PASS_FAIL
    )
    points = models.DecimalField(_("分值"), max_digits=7, decimal_places=2, null=True, blank=True)
    deduct = models.DecimalField(
        _("每处扣分"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    cap = models.DecimalField(_("扣分上限"), max_digits=7, decimal_places=2, null=True, blank=True)
    unit_label = models.CharField(_("计量单位"), max_length=20, blank=True)
    standards = models.ManyToManyField(
        Indicator, blank=True, related_name="check_items", verbose_name=_("关联标准")
    )
    sort = models.PositiveIntegerField(_("排序"), default=0)
    city_added = models.BooleanField(_("本市增补"), default=False)
    retired = models.BooleanField(_("已停用"), default=False)

    class Meta:
        verbose_name = _("点位检查项")
        verbose_name_plural = _("点位检查项")
        ordering = ["site_type__sort", "sort", "code"]
        constraints = [
            models.UniqueConstraint(fields=["system", "code"], name="check_item_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:30]}"

    def rule_summary(self) -> str:
        if self.rule == ScoringRule.DEDUCT:
            deduct = f"{self.deduct.normalize():f}" if self.deduct is not None else "?"
            parts = [f"每缺 1 {self.unit_label or '处'}扣 {deduct} 分"]
            if self.cap is not None:
                parts.append(f"最多扣 {self.cap.normalize():f} 分")
            return "，".join(parts)
        return str(self.get_rule_display())


class NegativeListItem(TimeStamped):
    """负面清单: not an indicator; each item carries a graded sanction."""

    system = models.ForeignKey(
        EvaluationSystem,
        on_delete=models.CASCADE,
        related_name="negative_items",
        verbose_name=_("体系版本"),
    )
    code = models.CharField(_("编号"), max_length=40)
    text = models.TextField(_("内容"))
    sanction = models.CharField(_("处理措施"), max_length=30, choices=Sanction.choices)
    points = models.DecimalField(_("扣分"), max_digits=7, decimal_places=2, null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    sort = models.PositiveIntegerField(_("排序"), default=0)
    city_added = models.BooleanField(_("本市增补"), default=False)

    class Meta:
        verbose_name = _("负面清单条目")
        verbose_name_plural = _("负面清单条目")
        ordering = ["sort", "code"]
        constraints = [
            models.UniqueConstraint(fields=["system", "code"], name="negative_item_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:30]}"


class Metric(CityOwned):
    """量化指标: a quantified target attached to an indicator (moves with it on adoption)."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="metrics", verbose_name=_("指标")
    )
    name = models.CharField(_("名称"), max_length=200)
    formula = models.TextField(_("计算方法"), blank=True)
    unit_label = models.CharField(_("单位"), max_length=20, blank=True)
    target = models.DecimalField(_("目标值"), max_digits=12, decimal_places=3, null=True)

    class Meta:
        verbose_name = _("量化指标")
        verbose_name_plural = _("量化指标")
        ordering = ["indicator__path", "id"]

    def __str__(self) -> str:
        return self.name


class IndicatorMapping(TimeStamped):
    """Old indicator (of ``system.previous``) → its node in the new ``system``, or none."""

    system = models.ForeignKey(
        EvaluationSystem,
        on_delete=models.CASCADE,
        related_name="mappings",
        verbose_name=_("新版本"),
    )
    old = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="mapped_to", verbose_name=_("原指标")
    )
    new = models.ForeignKey(
        Indicator,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mapped_from",
        verbose_name=_("新指标"),
    )
    match = models.CharField(_("匹配方式"), max_length=20, choices=MatchKind.choices)
    score = models.FloatField(_("相似度"), default=0)
    reviewed = models.BooleanField(_("已人工确认"), default=False)

    class Meta:
        verbose_name = _("版本映射")
        verbose_name_plural = _("版本映射")
        ordering = ["old__path"]
        constraints = [models.UniqueConstraint(fields=["system", "old"], name="mapping_old_unique")]

    def __str__(self) -> str:
        return f"{self.old_id} → {self.new_id}"


class StandardLink(CityOwned):
    """多城联创: a standard of one evaluation system that overlaps a standard of another (e.g. a
    卫生城市 standard on markets and a 文明城市 one), so one piece of work serves both.

    Stored once per pair with ``a_id < b_id``; not the version mapping (IndicatorMapping), which
    follows one system from an old version to a new one."""

    a = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="links_a", verbose_name=_("标准甲")
    )
    b = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="links_b", verbose_name=_("标准乙")
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("创建人"),
    )

    class Meta:
        verbose_name = _("跨体系标准对应")
        verbose_name_plural = _("跨体系标准对应")
        ordering = ["a__system_id", "a__path", "b__path"]
        constraints = [
            models.UniqueConstraint(fields=["a", "b"], name="standard_link_unique"),
            models.CheckConstraint(condition=Q(a__lt=models.F("b")), name="standard_link_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.a_id} ↔ {self.b_id}"

    def other(self, indicator_id: int) -> Indicator:
        return self.b if indicator_id == self.a_id else self.a


class IndicatorMove(models.Model):
    """History of adoption: an attached object moved from an old indicator to its new node."""

    city = models.ForeignKey("org.City", on_delete=models.PROTECT, verbose_name=_("城市"))
    system = models.ForeignKey(
        EvaluationSystem, on_delete=models.PROTECT, related_name="+", verbose_name=_("新版本")
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    object_type = models.CharField(_("对象类型"), max_length=64)
    object_id = models.CharField(_("对象编号"), max_length=64)
    field = models.CharField(_("字段"), max_length=64)
    old = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="moves_out", verbose_name=_("原指标")
    )
    new = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="moves_in", verbose_name=_("新指标")
    )

    class Meta:
        verbose_name = _("指标迁移记录")
        verbose_name_plural = _("指标迁移记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.object_type}#{self.object_id}: {self.old_id} → {self.new_id}"
