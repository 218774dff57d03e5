"""Citizens' voice.

Part B — rounds of public votes (the 10 things, compound rankings, the satisfaction re-vote),
campaigns (专项整治) with milestones, links, reports, photos and budgets, compound rankings and
问政 episodes with their exposures and commitments.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chuangwen.core.models import BY_RANK, CityOwned, StoredPhoto, TimeStamped

from .choices import (
    SCORED_KINDS,
    BudgetChangeStatus,
    BudgetEntryKind,
    BudgetSource,
    CampaignKind,
    CampaignStatus,
    CommitmentStatus,
    FlagReason,
    MilestoneStatus,
    PhotoKind,
    ProgressMode,
    ReviewVerdict,
    RoundKind,
    RoundStatus,
    Sector,
    Verdict,
    VoteStatus,
)

# --- part B: rounds and votes ---------------------------------------------------------------


class Round(CityOwned):
    """A public vote: the office shortlists candidates (draft), citizens vote while it is open,
    the office publishes the result. ``closes_at`` ends it by itself: a vote cast later is
    refused even before anyone has pressed "close"."""

    kind = models.CharField(_("类型"), max_length=20, choices=RoundKind.choices)
    title = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=RoundStatus.choices, default=RoundStatus.DRAFT
    )
    opens_at = models.DateTimeField(_("投票开始"), null=True, blank=True)
    closes_at = models.DateTimeField(_("投票截止"))
    closed_at = models.DateTimeField(_("实际截止时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    max_choices = models.PositiveSmallIntegerField(_("每人最多选择"), default=10)
    select_count = models.PositiveSmallIntegerField(_("公布入选数"), default=10)
    burst_limit = models.PositiveSmallIntegerField(
        _("同一网络 10 分钟内票数上限"),
        default=20,
        help_text=_("超过后该网络的选票标记为“待复核”，复核前不计入结果"),
    )
    unverified_alert = models.PositiveSmallIntegerField(
        _("未验证票占比提示线（%）"),
        default=60,
        help_text=_("未验证身份的选票超过此比例时，公布前须确认已复核"),
    )
    publish_note = models.TextField(_("公布说明"), blank=True)
    campaign = models.ForeignKey(
        "citizens.Campaign",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="satisfaction_rounds",
        verbose_name=_("回访的整治项目"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("投票轮次")
        verbose_name_plural = _("投票轮次")
        ordering = ["-id"]
        indexes = [models.Index(fields=["city", "kind", "status"], name="round_city_kind")]

    def __str__(self) -> str:
        return self.title

    @property
    def scored(self) -> bool:
        return self.kind in SCORED_KINDS

    def accepting_votes(self, now=None) -> bool:
        now = now or timezone.now()
        started = self.opens_at is None or self.opens_at <= now
        return self.status == RoundStatus.OPEN and started and now < self.closes_at

    @property
    def vote_deadline(self):
        """When voting ended or ends: the manual close if earlier than the set deadline."""
        if self.closed_at is not None and self.closed_at < self.closes_at:
            return self.closed_at
        return self.closes_at


class Candidate(TimeStamped):
    """One thing citizens can vote for: a shortlisted problem (from hot topics), a compound,
    or the campaign a satisfaction re-vote is about."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="candidates")
    title = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    source_note = models.CharField(
        _("来源"), max_length=300, blank=True, help_text=_("如：热点问题「…」，群众留言 N 条")
    )
    site = models.ForeignKey(
        "sites.Site",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("小区"),
    )
    topic = models.ForeignKey(
        "citizens.Topic",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="candidates",
        verbose_name=_("来自热点话题"),
    )
    sort = models.PositiveIntegerField(_("排序"), default=0)
    votes = models.PositiveIntegerField(_("得票（公布时）"), default=0)
    score = models.FloatField(_("平均评分（公布时）"), null=True, blank=True)
    rank = models.PositiveSmallIntegerField(_("名次"), null=True, blank=True)
    selected = models.BooleanField(_("入选"), default=False)
    withdrawn = models.BooleanField(_("已撤下"), default=False)

    class Meta:
        verbose_name = _("候选事项")
        verbose_name_plural = _("候选事项")
        ordering = ["round", "sort", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "site"],
                condition=models.Q(site__isnull=False),
                name="candidate_site_once",
            ),
            models.UniqueConstraint(
                fields=["round", "topic"],
                condition=models.Q(topic__isnull=False),
                name="candidate_topic_once",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Vote(models.Model):
    """One ballot: one per phone number and one per device in a round, held by the two UNIQUE
    constraints so no race counts a person twice. The phone number is not stored: only a keyed
    digest per round (``phone_key``) and the masked number the office sees when it reviews."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="votes")
    phone_key = models.CharField(max_length=64)
    device_key = models.CharField(max_length=64)
    network_key = models.CharField(max_length=64)
    phone_masked = models.CharField(_("手机号"), max_length=20)
    person = models.ForeignKey(
        "org.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified = models.BooleanField(_("已验证身份"), default=False)
    status = models.CharField(
        _("状态"), max_length=10, choices=VoteStatus.choices, default=VoteStatus.COUNTED
    )
    flag_reason = models.CharField(
        _("标记原因"), max_length=20, choices=FlagReason.choices, blank=True
    )
    cast_at = models.DateTimeField(_("投票时间"), default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("复核时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("选票")
        verbose_name_plural = _("选票")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "phone_key"], name="vote_one_per_phone"),
            models.UniqueConstraint(fields=["round", "device_key"], name="vote_one_per_device"),
            models.UniqueConstraint(
                fields=["round", "person"],
                condition=models.Q(person__isnull=False),
                name="vote_one_per_person",
            ),
        ]
        indexes = [
            models.Index(fields=["round", "network_key", "cast_at"], name="vote_network_burst"),
            models.Index(fields=["round", "status"], name="vote_round_status"),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.phone_masked}"


class VoteChoice(models.Model):
    """A candidate ticked (or scored 1–5) on a ballot."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="choices")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+")
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="choices")
    score = models.PositiveSmallIntegerField(_("评分"), null=True, blank=True)

    class Meta:
        verbose_name = _("投票选项")
        verbose_name_plural = _("投票选项")
        constraints = [
            models.UniqueConstraint(fields=["vote", "candidate"], name="vote_choice_once")
        ]
        indexes = [models.Index(fields=["round", "candidate"], name="vote_choice_tally")]

    def __str__(self) -> str:
        return f"{self.vote_id}→{self.candidate_id}"


# --- part B: campaigns ------------------------------------------------------------------------


class Campaign(CityOwned):
    """专项整治: one of the ten things, a sector campaign or a worst compound's rectification.
    Lead unit and supporting units, a measurable target, milestones, budget lines, linked cases,
    tasks and sites, progress reports. Its progress is computed, never typed in
    (``citizens.progress``)."""

    kind = models.CharField(_("类型"), max_length=20, choices=CampaignKind.choices)
    sector = models.CharField(_("行业"), max_length=20, choices=Sector.choices, blank=True)
    title = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("整治内容"), blank=True)
    candidate = models.OneToOneField(
        Candidate,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="campaign",
        verbose_name=_("来自投票事项"),
    )
    site = models.ForeignKey(
        "sites.Site",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("整改小区"),
    )
    lead_unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("牵头单位")
    )
    lead_path = models.CharField(max_length=255, editable=False)
    target_text = models.CharField(_("整治目标"), max_length=300)
    target_value = models.DecimalField(_("目标值"), max_digits=14, decimal_places=2)
    target_unit = models.CharField(_("计量单位"), max_length=20)
    baseline_value = models.DecimalField(
        _("基线值"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    current_value = models.DecimalField(
        _("当前值"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("计划完成日期"))
    progress_mode = models.CharField(
        _("进度计算"), max_length=10, choices=ProgressMode.choices, default=ProgressMode.AVERAGE
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    closing_summary = models.TextField(_("验收总结"), blank=True)
    closed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("专项整治")
        verbose_name_plural = _("专项整治")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["city", "status"], name="campaign_city_status"),
            models.Index(
                fields=["lead_path"], name="campaign_lead_path", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CampaignSupport(models.Model):
    """A supporting unit (配合单位) of a campaign, with a copy of its path for scope filters."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="supports")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255, editable=False)

    class Meta:
        verbose_name = _("配合单位")
        verbose_name_plural = _("配合单位")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit"], name="campaign_support_once")
        ]
        indexes = [
            models.Index(
                fields=["unit_path"],
                name="campaign_support_path",
                opclasses=["varchar_pattern_ops"],
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}+{self.unit_id}"


class Milestone(TimeStamped):
    """A step of a campaign with its deadline. Its progress: the average of its linked cases and
    tasks by their states when it has any, else what was last reported, else its status's
    default (``choices.MILESTONE_PROGRESS``)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("名称"), max_length=200)
    deadline = models.DateField(_("完成时限"))
    weight = models.DecimalField(_("权重"), max_digits=6, decimal_places=2, default=1)
    status = models.CharField(
        _("状态"), max_length=20, choices=MilestoneStatus.choices, default=MilestoneStatus.PLANNED
    )
    progress = models.PositiveSmallIntegerField(_("上报进度（%）"), null=True, blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    sort = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("里程碑")
        verbose_name_plural = _("里程碑")
        ordering = ["campaign", "sort", "deadline", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        if self.status in (MilestoneStatus.DONE, MilestoneStatus.DROPPED):
            return False
        return timezone.localdate() > self.deadline


class CampaignCase(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="case_links")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    milestone = models.ForeignKey(
        Milestone, null=True, blank=True, on_delete=models.SET_NULL, related_name="case_links"
    )

    class Meta:
        verbose_name = _("关联案件")
        verbose_name_plural = _("关联案件")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "case"], name="campaign_case_once")
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.case_id}"


class CampaignTask(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="task_links")
    task = models.ForeignKey("tasks.Task", on_delete=models.PROTECT, related_name="+")
    milestone = models.ForeignKey(
        Milestone, null=True, blank=True, on_delete=models.SET_NULL, related_name="task_links"
    )

    class Meta:
        verbose_name = _("关联任务")
        verbose_name_plural = _("关联任务")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "task"], name="campaign_task_once")
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.task_id}"


class CampaignSite(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="site_links")
    site = models.ForeignKey("sites.Site", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("关联点位")
        verbose_name_plural = _("关联点位")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "site"], name="campaign_site_once")
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.site_id}"


class CampaignReport(CityOwned):
    """A progress report of the lead or a supporting unit (or the office), with photos; it may
    move a milestone's progress. Shown on the public page masked."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="reports")
    milestone = models.ForeignKey(
        Milestone, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("进展情况"))
    progress = models.PositiveSmallIntegerField(_("里程碑进度（%）"), null=True, blank=True)
    reported_at = models.DateTimeField(_("上报时间"), default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("整治进展")
        verbose_name_plural = _("整治进展")
        ordering = ["-reported_at", "-id"]

    def __str__(self) -> str:
        return self.text[:40]


def _photo_path(instance: "CampaignPhoto", filename: str) -> str:
    return f"campaigns/{instance.campaign_id}/{filename}"


class CampaignPhoto(StoredPhoto):
    """A checked image (``cases.photos.check_photo``): the original kept, a copy without EXIF
    shown — on the public page too."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="photos")
    report = models.ForeignKey(
        CampaignReport, null=True, blank=True, on_delete=models.SET_NULL, related_name="photos"
    )
    kind = models.CharField(_("类型"), max_length=10, choices=PhotoKind.choices)
    original = models.FileField(_("原图"), upload_to=_photo_path, max_length=200)
    public = models.FileField(_("公开图"), upload_to=_photo_path, max_length=200)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("整治照片")
        verbose_name_plural = _("整治照片")
        ordering = ["id"]


class BudgetLine(TimeStamped):
    """The money of a campaign from one source: allocated, plus approved changes; what was
    committed and spent so far is kept here by the services (under the row's lock)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="budget_lines")
    source = models.CharField(_("资金来源"), max_length=20, choices=BudgetSource.choices)
    allocated = models.DecimalField(_("安排金额（元）"), max_digits=14, decimal_places=2)
    adjusted = models.DecimalField(
        _("已批准调整（元）"), max_digits=14, decimal_places=2, default=0
    )
    committed = models.DecimalField(_("已承诺（元）"), max_digits=14, decimal_places=2, default=0)
    spent = models.DecimalField(_("已支出（元）"), max_digits=14, decimal_places=2, default=0)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("预算")
        verbose_name_plural = _("预算")
        ordering = ["campaign", "source"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "source"], name="budget_line_per_source")
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.get_source_display()}"

    @property
    def available(self):
        """The budget in force: allocated plus approved changes."""
        return self.allocated + self.adjusted

    @property
    def remaining(self):
        """What is left to spend."""
        return self.available - self.spent


class BudgetEntry(models.Model):
    """One commitment or payment against a budget line: append-only."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="budget_entries")
    line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("类型"), max_length=10, choices=BudgetEntryKind.choices)
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    on = models.DateField(_("日期"))
    note = models.CharField(_("用途"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("预算执行")
        verbose_name_plural = _("预算执行")
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


class BudgetChange(models.Model):
    """A request to change a budget line (追加/调减), decided by the office: only an approved
    change moves the budget in force, and with it the limit on spending."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="budget_changes")
    line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="changes")
    amount = models.DecimalField(_("调整金额（元）"), max_digits=14, decimal_places=2)
    reason = models.CharField(_("理由"), max_length=500)
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=BudgetChangeStatus.choices,
        default=BudgetChangeStatus.PENDING,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("预算调整")
        verbose_name_plural = _("预算调整")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.line_id} {self.amount:+}"


# --- part B: compound rankings ----------------------------------------------------------------


class CompoundRanking(CityOwned):
    """最佳最差小区评选 of one period: residents vote in ``round`` (a compound round, one
    candidate per compound); at publication every compound of ``site_type`` is scored from the
    period's check results, the residents' scores and its cases. A compound needs
    ``min_votes`` and ``min_checks`` to be ranked."""

    round = models.OneToOneField(Round, on_delete=models.PROTECT, related_name="ranking")
    site_type = models.ForeignKey(
        "indicators.SiteType",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("小区类型"),
    )
    period_start = models.DateField(_("考察期开始"))
    period_end = models.DateField(_("考察期结束"))
    min_votes = models.PositiveIntegerField(_("最少票数"), default=10)
    min_checks = models.PositiveIntegerField(_("最少检查次数"), default=3)
    weight_checks = models.PositiveSmallIntegerField(_("检查结果权重（%）"), default=50)
    weight_votes = models.PositiveSmallIntegerField(_("居民评价权重（%）"), default=30)
    weight_cases = models.PositiveSmallIntegerField(_("案件办结率权重（%）"), default=20)
    best_n = models.PositiveSmallIntegerField(_("最佳小区数"), default=5)
    worst_n = models.PositiveSmallIntegerField(_("最差小区数"), default=5)
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("上一轮评选"),
    )

    class Meta:
        verbose_name = _("小区评选")
        verbose_name_plural = _("小区评选")
        ordering = ["-period_end", "-id"]

    def __str__(self) -> str:
        return self.round.title


class CompoundScore(models.Model):
    """One compound's figures in a published ranking, and what came of it."""

    ranking = models.ForeignKey(CompoundRanking, on_delete=models.CASCADE, related_name="scores")
    site = models.ForeignKey("sites.Site", on_delete=models.PROTECT, related_name="+")
    checks = models.PositiveIntegerField(_("检查次数"), default=0)
    check_rate = models.FloatField(_("检查得分率（%）"), null=True, blank=True)
    votes = models.PositiveIntegerField(_("居民票数"), default=0)
    vote_rate = models.FloatField(_("居民评价（%）"), null=True, blank=True)
    cases = models.PositiveIntegerField(_("案件数"), default=0)
    closed = models.PositiveIntegerField(_("已办结"), default=0)
    closure_rate = models.FloatField(_("办结率（%）"), null=True, blank=True)
    score = models.FloatField(_("综合得分"), null=True, blank=True)
    eligible = models.BooleanField(_("参与排名"), default=False)
    rank = models.PositiveIntegerField(_("名次"), null=True, blank=True)
    verdict = models.CharField(_("结果"), max_length=10, choices=Verdict.choices, blank=True)
    was_worst = models.BooleanField(_("上轮最差（复查）"), default=False)
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("小区得分")
        verbose_name_plural = _("小区得分")
        ordering = ["ranking", BY_RANK, "id"]
        constraints = [
            models.UniqueConstraint(fields=["ranking", "site"], name="compound_score_once")
        ]

    def __str__(self) -> str:
        return f"{self.ranking_id}:{self.site_id}"


# --- part B: 问政 -----------------------------------------------------------------------------


class Episode(CityOwned):
    """One 问政 programme (电视问政 / 阳光问廉): the problems it exposed and the commitments made
    on air; later episodes review earlier commitments."""

    aired_on = models.DateField(_("播出日期"))
    programme = models.CharField(_("栏目"), max_length=100)
    topic = models.CharField(_("本期主题"), max_length=200)
    note = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("问政节目")
        verbose_name_plural = _("问政节目")
        ordering = ["-aired_on", "-id"]

    def __str__(self) -> str:
        return f"{self.programme} {self.aired_on:%Y-%m-%d}"


class Exposure(CityOwned):
    """A problem exposed on air: a case with source 媒体曝光 dispatched to the unit questioned."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="exposures")
    title = models.CharField(_("问题"), max_length=200)
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("被问政单位")
    )
    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, related_name="+", verbose_name=_("案件")
    )

    class Meta:
        verbose_name = _("曝光问题")
        verbose_name_plural = _("曝光问题")
        ordering = ["episode", "id"]

    def __str__(self) -> str:
        return self.title


class Commitment(CityOwned):
    """What an official promised on air, by when; followed up until done, in public."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="commitments")
    exposure = models.ForeignKey(
        Exposure, null=True, blank=True, on_delete=models.PROTECT, related_name="commitments"
    )
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("承诺单位")
    )
    unit_path = models.CharField(max_length=255, editable=False)
    official = models.CharField(_("表态人职务"), max_length=100)
    content = models.TextField(_("承诺内容"))
    due_on = models.DateField(_("承诺完成时限"))
    status = models.CharField(
        _("状态"), max_length=20, choices=CommitmentStatus.choices, default=CommitmentStatus.OPEN
    )
    done_at = models.DateTimeField(_("兑现时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("问政承诺")
        verbose_name_plural = _("问政承诺")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["city", "status", "due_on"], name="commitment_due"),
            models.Index(
                fields=["unit_path"], name="commitment_unit_path", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return self.content[:40]

    @property
    def is_overdue(self) -> bool:
        if self.status == CommitmentStatus.DONE:
            return (
                self.done_at is not None and timezone.localtime(self.done_at).date() > self.due_on
            )
        return timezone.localdate() > self.due_on


class CommitmentUpdate(models.Model):
    """A follow-up of a commitment: the unit's progress, the office's confirmation, or a review
    on a later episode (with its verdict). Append-only."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="updates")
    episode = models.ForeignKey(
        Episode,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reviews",
        verbose_name=_("复查节目"),
    )
    verdict = models.CharField(
        _("复查结论"), max_length=20, choices=ReviewVerdict.choices, blank=True
    )
    text = models.TextField(_("进展/结论"))
    status_after = models.CharField(_("之后状态"), max_length=20, choices=CommitmentStatus.choices)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("承诺跟踪")
        verbose_name_plural = _("承诺跟踪")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.commitment_id} {self.status_after}"


# ==== suggestions, hot topics and the category model: their own subpackage ====================

from .voice.models import (  # noqa: E402, F401
    CategoryModel,
    Suggestion,
    SuggestionLike,
    Topic,
    TopicItem,
)
