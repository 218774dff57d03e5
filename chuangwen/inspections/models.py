"""Inspections: plans with recorded sampling, check results (observations), notices (督查
通知书), meetings and their action items."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chuangwen.core.models import CityOwned, StoredPhoto

from .choices import ActionStatus, MeetingKind, NoticeStatus, PlanKind, PlanStatus


class InspectionPlan(CityOwned):
    """A round of inspection: which sites (sampled per type, stratified by 区县, from a seed)
    are checked against the check items of the evaluation system's site types."""

    kind = models.CharField(_("类型"), max_length=20, choices=PlanKind.choices)
    title = models.CharField(_("名称"), max_length=200)
    system = models.ForeignKey(
        "indicators.EvaluationSystem",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("测评体系版本"),
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    seed = models.BigIntegerField(_("抽样随机种子"))
    sample_sizes = models.JSONField(
        _("各类型抽样数量"), default=dict, blank=True, help_text=_("点位类型编码 → 数量")
    )
    stratify = models.BooleanField(_("按区县分层"), default=True)
    sampling = models.JSONField(_("抽样记录"), default=dict, blank=True, editable=False)
    sampled_at = models.DateTimeField(_("抽样时间"), null=True, blank=True)
    starts_on = models.DateField(_("开始日期"), null=True, blank=True)
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    auto_dispatch = models.BooleanField(
        _("问题自动立案派遣"), default=True, help_text=_("不合格项按案件规则立案并派遣")
    )
    rectify_days = models.PositiveSmallIntegerField(_("整改时限（天）"), default=7)
    inspectors = models.ManyToManyField(
        "org.Person", blank=True, related_name="+", verbose_name=_("督查员")
    )
    note = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("督查计划")
        verbose_name_plural = _("督查计划")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.title


class PlanSample(models.Model):
    """A site drawn for a plan, with the stratum it was drawn from and its draw order."""

    plan = models.ForeignKey(InspectionPlan, on_delete=models.CASCADE, related_name="samples")
    site = models.ForeignKey("sites.Site", on_delete=models.PROTECT, related_name="+")
    site_type = models.ForeignKey("indicators.SiteType", on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    stratum = models.CharField(_("层"), max_length=80)
    rank = models.PositiveIntegerField(_("抽取顺序"))

    class Meta:
        verbose_name = _("抽样点位")
        verbose_name_plural = _("抽样点位")
        ordering = ["plan", "site_type__sort", "rank"]
        constraints = [models.UniqueConstraint(fields=["plan", "site"], name="plan_sample_unique")]

    def __str__(self) -> str:
        return f"{self.plan_id}:{self.site_id}"


class CheckResult(CityOwned):
    """One observation: site × check item × time. ``uuid`` is made by the phone, so a check sent
    twice (weak connection, retry) is stored once.

    ``score`` is the observation scored 0–1 by the item's rule: pass/fail → 1 or 0; ratio → the
    value; deduct → 1 − min(missing × deduct, cap) / points. Counted observations (e.g. red-light
    crossings in 5 minutes) give ``count`` of ``total`` observed in ``duration_min``.
    """

    uuid = models.UUIDField(_("观测编号"), unique=True, default=uuid.uuid4)
    plan = models.ForeignKey(InspectionPlan, on_delete=models.PROTECT, related_name="results")
    sample = models.ForeignKey(PlanSample, on_delete=models.PROTECT, related_name="results")
    site = models.ForeignKey("sites.Site", on_delete=models.PROTECT, related_name="+")
    check_item = models.ForeignKey(
        "indicators.CheckItem", on_delete=models.PROTECT, related_name="+"
    )
    standard = models.ForeignKey(
        "indicators.Indicator",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("测评标准"),
    )
    inspector = models.ForeignKey(
        "org.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    observed_at = models.DateTimeField(_("观测时间"), default=timezone.now)
    passed = models.BooleanField(_("达标"), null=True, blank=True)
    value = models.FloatField(_("比例值（0–1）"), null=True, blank=True)
    missing = models.PositiveIntegerField(_("缺项数"), null=True, blank=True)
    count = models.PositiveIntegerField(_("计数"), null=True, blank=True)
    total = models.PositiveIntegerField(_("观测总数"), null=True, blank=True)
    duration_min = models.FloatField(_("观测时长（分钟）"), null=True, blank=True)
    score = models.FloatField(_("得分率（0–1）"))
    failed = models.BooleanField(_("发现问题"), default=False)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    place = models.CharField(_("位置描述"), max_length=300, blank=True)  # sites.places
    note = models.TextField(_("说明"), blank=True)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("检查结果")
        verbose_name_plural = _("检查结果")
        ordering = ["-observed_at", "-id"]
        indexes = [
            models.Index(fields=["plan", "check_item"], name="result_plan_item"),
            models.Index(fields=["city", "observed_at"], name="result_city_at"),
            models.Index(fields=["sample"], name="result_sample"),
        ]

    def __str__(self) -> str:
        return str(self.uuid)


def _photo_path(instance: "CheckPhoto", filename: str) -> str:
    return f"inspections/{instance.result_id}/{filename}"


class CheckPhoto(StoredPhoto):
    result = models.ForeignKey(CheckResult, on_delete=models.CASCADE, related_name="photos")
    original = models.FileField(_("原图"), upload_to=_photo_path, max_length=200)
    public = models.FileField(_("公开图"), upload_to=_photo_path, max_length=200)
    exif_lon = models.FloatField(null=True, blank=True)
    exif_lat = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = _("检查照片")
        verbose_name_plural = _("检查照片")
        ordering = ["id"]


class NoticeCounter(models.Model):
    """The last 文号 sequence number per city, prefix and year (locked when a notice is issued)."""

    city = models.ForeignKey("org.City", on_delete=models.CASCADE, related_name="+")
    prefix = models.CharField(max_length=20)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["city", "prefix", "year"], name="notice_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}〔{self.year}〕{self.last}"


class Notice(CityOwned):
    """督查通知书: to a unit, listing its cases and a rectification deadline, numbered (文号)."""

    plan = models.ForeignKey(
        InspectionPlan, null=True, blank=True, on_delete=models.PROTECT, related_name="notices"
    )
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("主送单位")
    )
    unit_path = models.CharField(max_length=255, editable=False)
    prefix = models.CharField(_("发文机关代字"), max_length=20)
    year = models.PositiveSmallIntegerField(_("年份"))
    seq = models.PositiveIntegerField(_("序号"))
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"), blank=True)
    issuer = models.CharField(_("发文机关"), max_length=100)
    deadline = models.DateField(_("整改时限"))
    cases = models.ManyToManyField("cases.Case", related_name="+", verbose_name=_("问题案件"))
    status = models.CharField(
        _("状态"), max_length=20, choices=NoticeStatus.choices, default=NoticeStatus.ISSUED
    )
    issued_at = models.DateTimeField(_("下发时间"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("督查通知书")
        verbose_name_plural = _("督查通知书")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["city", "prefix", "year", "seq"], name="notice_number_unique"
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        """文号, e.g. 示创督〔2026〕12号."""
        return f"{self.prefix}〔{self.year}〕{self.seq}号"


class Meeting(CityOwned):
    """专题会 / 调度会 / 汇报点评会: agenda, attendees, minutes; decisions become action items."""

    kind = models.CharField(_("类型"), max_length=20, choices=MeetingKind.choices)
    title = models.CharField(_("会议名称"), max_length=200)
    held_at = models.DateTimeField(_("召开时间"))
    location = models.CharField(_("地点"), max_length=200, blank=True)
    agenda = models.TextField(_("议程"), blank=True)
    minutes = models.TextField(_("会议纪要"), blank=True)
    chair = models.ForeignKey(
        "org.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("主持人"),
    )
    attendees = models.ManyToManyField(
        "org.Person", blank=True, related_name="+", verbose_name=_("参会人员")
    )
    attendee_units = models.ManyToManyField(
        "org.Unit", blank=True, related_name="+", verbose_name=_("参会单位")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["-held_at", "-id"]

    def __str__(self) -> str:
        return self.title


class ActionItem(CityOwned):
    """A meeting decision to carry out: owner unit (and person), deadline, followed up."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    text = models.TextField(_("议定事项"))
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("责任单位")
    )
    unit_path = models.CharField(max_length=255, editable=False)
    owner = models.ForeignKey(
        "org.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("责任人"),
    )
    deadline = models.DateField(_("完成时限"))
    status = models.CharField(
        _("状态"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    done_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    progress = models.TextField(_("办理情况"), blank=True)

    class Meta:
        verbose_name = _("议定事项")
        verbose_name_plural = _("议定事项")
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["city", "status", "deadline"], name="action_due")]

    def __str__(self) -> str:
        return self.text[:40]

    @property
    def is_overdue(self) -> bool:
        if self.status == ActionStatus.OPEN:
            return timezone.localdate() > self.deadline
        return (
            self.status == ActionStatus.DONE
            and self.done_at is not None
            and timezone.localtime(self.done_at).date() > self.deadline
        )
