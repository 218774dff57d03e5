"""The evaluation system: versions, the indicator tree of any depth, and its methods."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from chuangwen.core.models import TimeStamped

from .choices import Level, SystemKind, SystemStatus

PATH_WIDTH = 8


class EvaluationSystem(TimeStamped):
    """One version of a 测评体系 for a city (its own copy, so the city may add to it)."""

    city = models.ForeignKey("org.City", on_delete=models.PROTECT, verbose_name=_("城市"))
    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(
        _("体系"), max_length=20, choices=SystemKind.choices, default=SystemKind.MAIN
    )
    version_year = models.PositiveSmallIntegerField(_("版本年份"))
    city_level = models.CharField(
        _("适用城市层级"),
        max_length=20,
        choices=[("prefecture", _("地级及以上城市")), ("county", _("县级市"))],
        default="prefecture",
    )
    source = models.TextField(_("来源说明"), blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=SystemStatus.choices, default=SystemStatus.DRAFT
    )
    level_names = models.JSONField(_("层级名称"), default=list, blank=True)

    class Meta:
        verbose_name = _("测评体系版本")
        verbose_name_plural = _("测评体系版本")
        ordering = ["-version_year", "-id"]

    def __str__(self) -> str:
        return self.name


class Indicator(TimeStamped):
    """A node of the indicator tree: 测评项目 → (指标) → 测评内容 → 测评标准 → sub-clauses."""

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
    methods = models.JSONField(_("测评方法"), default=list, blank=True)
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

    @staticmethod
    def make_path(parent_path: str, pk: int) -> str:
        return f"{parent_path}{pk:0{PATH_WIDTH}d}."
