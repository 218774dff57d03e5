"""Tasks and responsibility: tasks decomposed from the standards of the evaluation system,
decomposition rules, progress reports with evidence files, pledges (责任书), computed metric
values and outgoing webhooks. (In-app notifications are core's:
``chuangwen.core.models.Notification``.)"""

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chuangwen.core.models import CityOwned, TimeStamped
from chuangwen.indicators.choices import Method
from chuangwen.org.choices import UnitKind

from .choices import (
    OPEN_STATUSES,
    OVERDUE,
    OVERDUE_LABEL,
    EvidenceKind,
    LeadMode,
    ReportStatus,
    SupportFromSites,
    TaskSource,
    TaskStatus,
    WebhookKind,
)


class DecompositionRule(CityOwned):
    """A rule the office writes once and applies to the whole indicator tree.

    Standards match when they satisfy every criterion given: checked at ``site_type`` (through
    the checklist items of the version), code starting with ``code_prefix``, evaluated by
    ``method``. Each match becomes a task led by ``lead_unit`` (or by every unit of
    ``lead_kind``), supported by ``supporting_units`` and, when ``support_from_sites`` says so,
    by the units of the sites of that type.
    """

    name = models.CharField(_("规则名称"), max_length=200)
    sort = models.PositiveIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("有效"), default=True)
    site_type = models.ForeignKey(
        "indicators.SiteType",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("点位类型"),
    )
    code_prefix = models.CharField(_("指标编号前缀"), max_length=40, blank=True)
    method = models.CharField(_("测评方法"), max_length=30, blank=True, choices=Method.choices)
    lead_mode = models.CharField(
        _("牵头方式"), max_length=20, choices=LeadMode.choices, default=LeadMode.FIXED
    )
    lead_unit = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("牵头单位"),
    )
    lead_kind = models.CharField(
        _("牵头单位类型"), max_length=20, blank=True, choices=UnitKind.choices
    )
    supporting_units = models.ManyToManyField(
        "org.Unit", blank=True, related_name="+", verbose_name=_("配合单位")
    )
    support_from_sites = models.CharField(
        _("按点位推导配合单位"),
        max_length=20,
        choices=SupportFromSites.choices,
        blank=True,
        default=SupportFromSites.NONE,
    )
    content = models.TextField(_("工作要求"), blank=True)
    target = models.CharField(_("目标"), max_length=300, blank=True)
    deadline = models.DateField(_("完成时限"), null=True, blank=True)

    class Meta:
        verbose_name = _("分解规则")
        verbose_name_plural = _("分解规则")
        ordering = ["sort", "id"]

    def __str__(self) -> str:
        return self.name


class Task(CityOwned):
    """工作到人、责任到位: one standard × one lead unit, what to do, the target, the deadline."""

    indicator = models.ForeignKey(
        "indicators.Indicator",
        on_delete=models.PROTECT,
        related_name="tasks",
        verbose_name=_("测评标准"),
    )
    lead_unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="led_tasks", verbose_name=_("牵头单位")
    )
    supporting_units = models.ManyToManyField(
        "org.Unit",
        through="TaskSupport",
        blank=True,
        related_name="supported_tasks",
        verbose_name=_("配合单位"),
    )
    content = models.TextField(_("工作要求"), blank=True)
    target = models.CharField(_("目标"), max_length=300, blank=True)
    deadline = models.DateField(_("完成时限"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED
    )
    source = models.CharField(
        _("来源"), max_length=10, choices=TaskSource.choices, default=TaskSource.MANUAL
    )
    rule = models.ForeignKey(
        DecompositionRule,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
        verbose_name=_("分解规则"),
    )
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    closed_reason = models.CharField(_("撤销原因"), max_length=300, blank=True)
    last_reminded_on = models.DateField(_("最近提醒日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("任务")
        verbose_name_plural = _("任务")
        ordering = ["deadline", "id"]
        indexes = [
            models.Index(fields=["city", "status", "deadline"], name="task_city_status_deadline"),
            models.Index(fields=["indicator", "lead_unit"], name="task_indicator_lead"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} / {self.lead_unit_id}"

    @property
    def is_overdue(self) -> bool:
        return (
            self.status in OPEN_STATUSES
            and self.deadline is not None
            and self.deadline < timezone.localdate()
        )

    @property
    def display_status(self) -> str:
        return OVERDUE if self.is_overdue else self.status

    @property
    def display_status_label(self) -> str:
        return str(OVERDUE_LABEL) if self.is_overdue else str(self.get_status_display())

    def days_left(self, today: date | None = None) -> int | None:
        if self.deadline is None:
            return None
        return (self.deadline - (today or timezone.localdate())).days


class TaskSupport(models.Model):
    """A supporting unit (配合单位) of a task."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="supports")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="task_supports")

    class Meta:
        verbose_name = _("配合单位")
        verbose_name_plural = _("配合单位")
        constraints = [models.UniqueConstraint(fields=["task", "unit"], name="task_support_unique")]

    def __str__(self) -> str:
        return f"{self.task_id} ← {self.unit_id}"


class TaskStandard(models.Model):
    """多城联创: another system's standard the task also serves (its ``indicator`` stays the
    primary link). Proposed from the standard links between systems, edited by the office."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="extra_standards")
    indicator = models.ForeignKey(
        "indicators.Indicator",
        on_delete=models.CASCADE,
        related_name="extra_tasks",
        verbose_name=_("兼顾的测评标准"),
    )
    from_link = models.BooleanField(_("按对应关系自动关联"), default=False)

    class Meta:
        verbose_name = _("任务兼顾的标准")
        verbose_name_plural = _("任务兼顾的标准")
        constraints = [
            models.UniqueConstraint(fields=["task", "indicator"], name="task_standard_unique")
        ]

    def __str__(self) -> str:
        return f"{self.task_id} + {self.indicator_id}"


class ProgressReport(CityOwned):
    """A unit's report of progress on a task, with files; the office accepts or returns it."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reports")
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("报送单位")
    )
    text = models.TextField(_("进展说明"))
    complete = models.BooleanField(_("申请完成"), default=False)
    status = models.CharField(
        _("审核状态"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.SUBMITTED
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_comment = models.CharField(_("审核意见"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("进展报送")
        verbose_name_plural = _("进展报送")
        ordering = ["-id"]
        indexes = [models.Index(fields=["city", "status"], name="progress_city_status")]

    def __str__(self) -> str:
        return f"{self.task_id} #{self.pk}"


def _evidence_path(instance: "Evidence", filename: str) -> str:
    return f"tasks/evidence/{instance.task_id}/{filename}"


class Evidence(TimeStamped):
    """A validated evidence file of a progress report, kept against its indicator (台账)."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="files")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="evidence")
    indicator = models.ForeignKey(
        "indicators.Indicator",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("测评标准"),
    )
    file = models.FileField(_("文件"), upload_to=_evidence_path, max_length=255)
    original_name = models.CharField(_("原文件名"), max_length=200)
    kind = models.CharField(_("类型"), max_length=10, choices=EvidenceKind.choices)
    size = models.PositiveIntegerField(_("大小（字节）"), default=0)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


def _pledge_path(instance: "Pledge", filename: str) -> str:
    return f"tasks/pledges/{instance.year}/{instance.unit_id}/{filename}"


class Pledge(CityOwned):
    """责任书 / 军令状 of a unit for a year: the generated document and the signed scan."""

    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="pledges", verbose_name=_("单位")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("标题"), max_length=200)
    document = models.FileField(_("责任书"), upload_to=_pledge_path, max_length=255, blank=True)
    generated_at = models.DateTimeField(_("生成时间"), null=True, blank=True)
    task_count = models.PositiveIntegerField(_("任务数"), default=0)
    signed_scan = models.FileField(
        _("签署扫描件"), upload_to=_pledge_path, max_length=255, blank=True
    )
    signed_at = models.DateTimeField(_("签署上传时间"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("责任书")
        verbose_name_plural = _("责任书")
        ordering = ["-year", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="pledge_unit_year_unique")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_signed(self) -> bool:
        return bool(self.signed_scan)


class MetricValue(models.Model):
    """A value of an ``indicators.Metric`` computed at a moment (the trend), or why it failed."""

    metric = models.ForeignKey("indicators.Metric", on_delete=models.CASCADE, related_name="values")
    at = models.DateTimeField(_("计算时间"), default=timezone.now)
    value = models.DecimalField(_("数值"), max_digits=18, decimal_places=4, null=True, blank=True)
    error = models.CharField(_("错误"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("量化指标值")
        verbose_name_plural = _("量化指标值")
        ordering = ["metric", "-at", "-id"]
        indexes = [models.Index(fields=["metric", "-at"], name="metric_value_metric_at")]

    def __str__(self) -> str:
        return f"{self.metric_id} {self.at:%Y-%m-%d %H:%M} {self.value}"


class Webhook(CityOwned):
    """An outgoing group-robot webhook (WeCom or DingTalk) for a unit, or the whole city."""

    name = models.CharField(_("名称"), max_length=100)
    unit = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("单位（空 = 全市）"),
    )
    kind = models.CharField(_("格式"), max_length=20, choices=WebhookKind.choices)
    url = models.URLField(_("地址"), max_length=500)
    secret = models.CharField(
        _("加签密钥"), max_length=200, blank=True, help_text=_("钉钉机器人“加签”安全设置的密钥")
    )
    active = models.BooleanField(_("有效"), default=True)
    last_sent_at = models.DateTimeField(_("最近发送"), null=True, blank=True)
    last_status = models.CharField(_("最近结果"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("群机器人")
        verbose_name_plural = _("群机器人")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name
