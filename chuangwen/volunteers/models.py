"""Volunteer service (志愿服务) and the moral bank (道德银行).

Two blocks, each kept apart: volunteers, teams, activities, check-ins and the service-hours
ledger (below); the moral bank, moral models and civility selections (their own block).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chuangwen.core.models import AppendOnly, CityOwned, TimeStamped
from chuangwen.core.text import mask_name

from .choices import (
    DEFAULT_STAR_HOURS,
    ActivityStatus,
    Channel,
    OrganiserKind,
    RecordKind,
    SignupStatus,
)
from .moral.choices import (
    NON_NEGATIVE,
    AccountKind,
    DeedStatus,
    HolderMode,
    HonourCategory,
    HonourKind,
    HonourLevel,
    HonourStatus,
    NominatedBy,
    ObjectionStatus,
    ProposalStatus,
    RevocationSource,
    RuleKind,
    SelectionCategory,
    SelectionStatus,
    TxnKind,
)

# ==== volunteers: volunteers, teams, activities, check-ins, service hours ====================


def _default_star_hours() -> list[int]:
    return list(DEFAULT_STAR_HOURS)


class VolunteerSettings(CityOwned):
    """A city's volunteer rules: the resident population (for the registered share), the star
    thresholds, how far from the place a check-in may be, how long a QR code stays valid."""

    resident_population = models.PositiveBigIntegerField(_("常住人口（人）"), default=0)
    star_hours = models.JSONField(_("星级门槛（小时）"), default=_default_star_hours)
    checkin_radius_m = models.PositiveIntegerField(_("签到半径（米）"), default=300)
    qr_minutes = models.PositiveSmallIntegerField(_("二维码有效期（分钟）"), default=10)
    certificate_seq = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("志愿服务设置")
        verbose_name_plural = _("志愿服务设置")
        constraints = [
            models.UniqueConstraint(fields=["city"], name="volunteer_settings_one_per_city")
        ]

    def __str__(self) -> str:
        return f"{self.city_id}"


class Issuer(CityOwned):
    """The organisation issuing service certificates (志愿服务证明), with the people the
    certificate names and its seal image (if none is uploaded, a drawn text seal is used)."""

    name = models.CharField(_("出具组织名称"), max_length=100)
    unit = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("对应单位"),
    )
    person_in_charge = models.CharField(_("负责人"), max_length=50)
    handler = models.CharField(_("经办人"), max_length=50)
    contact = models.CharField(_("联系方式"), max_length=50)
    seal = models.ImageField(_("印章图片"), upload_to="volunteers/seals/", blank=True)

    class Meta:
        verbose_name = _("证明出具组织")
        verbose_name_plural = _("证明出具组织")
        constraints = [models.UniqueConstraint(fields=["city"], name="issuer_one_per_city")]

    def __str__(self) -> str:
        return self.name


class Team(CityOwned):
    """志愿服务队: a team under a unit (a department, a street, a community, a school …)."""

    name = models.CharField(_("服务队名称"), max_length=100)
    unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        related_name="volunteer_teams",
        verbose_name=_("所属单位"),
    )
    leader = models.CharField(_("队长"), max_length=50, blank=True)
    contact = models.CharField(_("联系电话"), max_length=20, blank=True)
    description = models.TextField(_("简介"), blank=True)
    active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("志愿服务队")
        verbose_name_plural = _("志愿服务队")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["city", "name"], name="team_name_unique_per_city")
        ]

    def __str__(self) -> str:
        return self.name


class Volunteer(CityOwned):
    """A registered volunteer: a person (who logs in with the volunteer role) with their ID
    card number encrypted at rest (``id_cipher``; ``id_digest`` a keyed digest for look-ups,
    ``id_masked`` for display), skills, the area they serve and their teams."""

    person = models.OneToOneField(
        "org.Person", on_delete=models.PROTECT, related_name="volunteer", verbose_name=_("人员")
    )
    id_cipher = models.TextField(_("身份证号（密文）"), editable=False)
    id_digest = models.CharField(max_length=64, editable=False)
    id_masked = models.CharField(_("身份证号"), max_length=18, editable=False)
    gender = models.CharField(_("性别"), max_length=2, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    area = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        related_name="volunteers",
        verbose_name=_("服务区域"),
    )
    skills = models.JSONField(_("技能特长"), default=list, blank=True)
    teams = models.ManyToManyField(
        Team, blank=True, related_name="members", verbose_name=_("志愿服务队")
    )
    channel = models.CharField(_("登记方式"), max_length=10, choices=Channel.choices)
    active = models.BooleanField(_("有效"), default=True)
    total_minutes = models.IntegerField(_("累计服务时长（分钟）"), default=0, editable=False)

    class Meta:
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["city", "id_digest"], name="volunteer_id_unique")
        ]

    def __str__(self) -> str:
        return self.person.name

    @property
    def hours(self) -> float:
        return round(self.total_minutes / 60, 1)


class Activity(CityOwned):
    """志愿服务项目/活动, organised by a team, a unit or a community, at a place (a point)."""

    title = models.CharField(_("活动名称"), max_length=200)
    description = models.TextField(_("服务内容"), blank=True)
    organiser_kind = models.CharField(_("组织方类型"), max_length=10, choices=OrganiserKind.choices)
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("志愿服务队"),
    )
    unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        related_name="volunteer_activities",
        verbose_name=_("组织单位"),
    )
    place = models.CharField(_("活动地点"), max_length=200)
    lon = models.FloatField(_("经度"))
    lat = models.FloatField(_("纬度"))
    radius_m = models.PositiveIntegerField(_("签到半径（米）"), null=True, blank=True)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    capacity = models.PositiveIntegerField(_("招募人数"))
    contact = models.CharField(_("联系方式"), max_length=50, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=ActivityStatus.choices,
        default=ActivityStatus.PUBLISHED,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("发布人"),
    )

    class Meta:
        verbose_name = _("志愿服务活动")
        verbose_name_plural = _("志愿服务活动")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["city", "starts_at"], name="activity_city_start")]

    def __str__(self) -> str:
        return self.title

    @property
    def organiser_name(self) -> str:
        return self.team.name if self.team_id and self.team else self.unit.name


class Signup(TimeStamped):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signups")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="signups")
    status = models.CharField(
        _("状态"), max_length=10, choices=SignupStatus.choices, default=SignupStatus.SIGNED_UP
    )

    class Meta:
        verbose_name = _("活动报名")
        verbose_name_plural = _("活动报名")
        constraints = [
            models.UniqueConstraint(fields=["activity", "volunteer"], name="signup_unique")
        ]

    def __str__(self) -> str:
        return f"{self.volunteer_id}@{self.activity_id}"


class Attendance(TimeStamped):
    """One volunteer's on-site time at an activity: check-in and check-out by QR code, each
    with the position and its distance from the place. ``minutes`` (check-in to check-out) is
    set at check-out; the organiser's confirmation turns it into a ServiceRecord."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="attendances")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="attendances")
    checked_in_at = models.DateTimeField(_("签到时间"))
    in_lon = models.FloatField(null=True)
    in_lat = models.FloatField(null=True)
    in_distance_m = models.FloatField(_("签到距离（米）"), null=True)
    checked_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    out_lon = models.FloatField(null=True)
    out_lat = models.FloatField(null=True)
    out_distance_m = models.FloatField(_("签退距离（米）"), null=True)
    minutes = models.PositiveIntegerField(_("服务时长（分钟）"), null=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("签到记录")
        verbose_name_plural = _("签到记录")
        ordering = ["checked_in_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "volunteer"], name="attendance_unique")
        ]

    def __str__(self) -> str:
        return f"{self.volunteer_id}@{self.activity_id}"


class ServiceRecord(CityOwned):
    """The service-hours ledger: append-only. A confirmed attendance gives one ``service``
    row; a correction is a new ``correction`` row of plus or minus minutes pointing at the row
    it corrects, with its reason. A volunteer's hours are the sum of their rows."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="records")
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.PROTECT, related_name="records"
    )
    attendance = models.ForeignKey(
        Attendance, null=True, blank=True, on_delete=models.PROTECT, related_name="records"
    )
    kind = models.CharField(_("类型"), max_length=10, choices=RecordKind.choices)
    minutes = models.IntegerField(_("时长（分钟）"))
    started_at = models.DateTimeField(_("开始"), null=True, blank=True)
    ended_at = models.DateTimeField(_("结束"), null=True, blank=True)
    corrects = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
        verbose_name=_("更正的记录"),
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("确认人"),
    )

    class Meta:
        verbose_name = _("服务时长记录")
        verbose_name_plural = _("服务时长记录")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["attendance"],
                condition=models.Q(kind="service"),
                name="service_record_once_per_attendance",
            )
        ]
        indexes = [models.Index(fields=["city", "created_at"], name="service_record_city_at")]

    def __str__(self) -> str:
        return f"{self.volunteer_id} {self.minutes:+d}"

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 2)


class Training(CityOwned):
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="trainings")
    title = models.CharField(_("培训内容"), max_length=200)
    organiser = models.CharField(_("培训组织"), max_length=100, blank=True)
    held_on = models.DateField(_("培训日期"))
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=1, default=0)

    class Meta:
        verbose_name = _("培训记录")
        verbose_name_plural = _("培训记录")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.title


class Award(CityOwned):
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="awards")
    title = models.CharField(_("表彰奖励"), max_length=200)
    issuer = models.CharField(_("授予机关"), max_length=100, blank=True)
    awarded_on = models.DateField(_("授予日期"))

    class Meta:
        verbose_name = _("表彰奖励")
        verbose_name_plural = _("表彰奖励")
        ordering = ["-awarded_on", "-id"]

    def __str__(self) -> str:
        return self.title


class Evaluation(CityOwned):
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="evaluations")
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.PROTECT, related_name="evaluations"
    )
    rating = models.PositiveSmallIntegerField(_("评价等级（1–5）"))
    comment = models.CharField(_("评价意见"), max_length=300, blank=True)
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("评价人"),
    )

    class Meta:
        verbose_name = _("服务评价")
        verbose_name_plural = _("服务评价")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.volunteer_id} {self.rating}"


class RecordConsent(CityOwned):
    """The volunteer's consent that their record (the five parts) may be given to a named
    third party for a purpose; revocable. Without an active consent it is not given out."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="consents")
    recipient = models.CharField(_("接收方"), max_length=100)
    purpose = models.CharField(_("用途"), max_length=200)
    revoked_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("档案提供同意")
        verbose_name_plural = _("档案提供同意")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.recipient


class Certificate(CityOwned):
    """志愿服务证明: what it certified is kept as issued (``content``), so the PDF shows the same
    thing every time it is downloaded; the serial number is unique per city."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="certificates")
    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="certificates")
    serial = models.CharField(_("证明编号"), max_length=40)
    issued_on = models.DateField(_("出具日期"))
    total_minutes = models.IntegerField(_("服务时长（分钟）"))
    content = models.JSONField(_("证明内容"), default=dict)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("申请人"),
    )

    class Meta:
        verbose_name = _("志愿服务证明")
        verbose_name_plural = _("志愿服务证明")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["city", "serial"], name="certificate_serial_unique")
        ]

    def __str__(self) -> str:
        return self.serial


# ==== end of volunteers ======================================================================


# ==== part B: moral bank (道德银行) ============================================================


class MoralBankConfig(TimeStamped):
    """The city's choices for all its moral banks: who holds an account, the earning rules of
    volunteer hours and valid 随手拍 reports, the life of a holder's code, the 公示 period."""

    city = models.OneToOneField("org.City", on_delete=models.CASCADE, related_name="+")
    holder_mode = models.CharField(
        _("开户方式"), max_length=10, choices=HolderMode.choices, default=HolderMode.PERSON
    )
    points_per_hour = models.DecimalField(
        _("每小时志愿服务积分"), max_digits=6, decimal_places=2, default=1
    )
    points_per_report = models.PositiveIntegerField(_("每件有效随手拍积分"), default=1)
    notice_days = models.PositiveSmallIntegerField(_("好人好事公示天数"), default=5)

    class Meta:
        verbose_name = _("道德银行设置")
        verbose_name_plural = _("道德银行设置")

    def __str__(self) -> str:
        return str(self.city_id)


class MoralBank(CityOwned):
    """A community's moral bank: its accounts, council, outlets and ledger."""

    community = models.OneToOneField(
        "org.Unit", on_delete=models.PROTECT, related_name="moral_bank", verbose_name=_("社区")
    )
    name = models.CharField(_("名称"), max_length=100)
    active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("道德银行")
        verbose_name_plural = _("道德银行")
        ordering = ["community__path"]

    def __str__(self) -> str:
        return self.name


class BankCouncilMember(TimeStamped):
    """A member of the community's review council (道德评议会): reviews good deeds and
    deductions of the bank."""

    bank = models.ForeignKey(MoralBank, on_delete=models.CASCADE, related_name="council")
    person = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("评议会成员")
        verbose_name_plural = _("评议会成员")
        constraints = [
            models.UniqueConstraint(fields=["bank", "person"], name="moral_council_unique")
        ]

    def __str__(self) -> str:
        return f"{self.bank_id}:{self.person_id}"


class Household(CityOwned):
    """A household of the bank's community (按家庭开户): its members share one account."""

    bank = models.ForeignKey(MoralBank, on_delete=models.PROTECT, related_name="households")
    name = models.CharField(_("户名"), max_length=100)
    address = models.CharField(_("住址"), max_length=200, blank=True)
    members = models.ManyToManyField(
        "org.Person", blank=True, related_name="households", verbose_name=_("家庭成员")
    )

    class Meta:
        verbose_name = _("家庭")
        verbose_name_plural = _("家庭")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Outlet(CityOwned):
    """A partner outlet (兑换点: a shop, a supermarket, a service point) where points are spent."""

    bank = models.ForeignKey(
        MoralBank, on_delete=models.PROTECT, related_name="outlets", verbose_name=_("所属银行")
    )
    name = models.CharField(_("名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    active = models.BooleanField(_("有效"), default=True)
    staff = models.ManyToManyField(
        "org.Person",
        through="OutletMember",
        blank=True,
        related_name="moral_outlets",
        verbose_name=_("店员"),
    )

    class Meta:
        verbose_name = _("兑换点")
        verbose_name_plural = _("兑换点")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class OutletMember(TimeStamped):
    """A person who redeems points for the outlet (scans holders' codes)."""

    outlet = models.ForeignKey(Outlet, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("兑换点店员")
        verbose_name_plural = _("兑换点店员")
        constraints = [
            models.UniqueConstraint(fields=["outlet", "person"], name="moral_outlet_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.outlet_id}:{self.person_id}"


class MoralRule(CityOwned):
    """A published rule: points earned for a kind of good deed, or deducted for a kind of
    uncivil conduct. The office writes them; the city's own rules, nothing official."""

    kind = models.CharField(_("类型"), max_length=10, choices=RuleKind.choices)
    code = models.CharField(_("编号"), max_length=20)
    name = models.CharField(_("名称"), max_length=200)
    points = models.PositiveIntegerField(_("分值"))
    active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("积分规则")
        verbose_name_plural = _("积分规则")
        ordering = ["kind", "code"]
        constraints = [
            models.UniqueConstraint(fields=["city", "code"], name="moral_rule_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class MoralAccount(CityOwned):
    """An account of the ledger. ``balance`` is kept in step with the sum of its entries inside
    the posting's transaction (the row is locked first), so reading it is one row; a check
    constraint keeps holders' and outlets' balances from ever going below zero."""

    bank = models.ForeignKey(MoralBank, on_delete=models.PROTECT, related_name="accounts")
    kind = models.CharField(_("类型"), max_length=10, choices=AccountKind.choices)
    person = models.ForeignKey(
        "org.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="moral_accounts",
        verbose_name=_("持有人"),
    )
    household = models.OneToOneField(
        Household,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="account",
        verbose_name=_("家庭"),
    )
    outlet = models.OneToOneField(
        Outlet, null=True, blank=True, on_delete=models.PROTECT, related_name="account"
    )
    balance = models.BigIntegerField(_("余额"), default=0)
    code_version = models.PositiveIntegerField(default=1, editable=False)
    active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("积分账户")
        verbose_name_plural = _("积分账户")
        ordering = ["bank", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(balance__gte=0) | ~Q(kind__in=NON_NEGATIVE),
                name="moral_account_never_negative",
            ),
            models.UniqueConstraint(
                fields=["city", "person"],
                condition=Q(person__isnull=False),
                name="moral_account_one_per_person",
            ),
            models.UniqueConstraint(
                fields=["bank", "kind"],
                condition=Q(kind__in=[AccountKind.ISSUE, AccountKind.PENALTY]),
                name="moral_account_one_system_account",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.holder_name}"

    @property
    def number(self) -> str:
        """账号: bank and account ids."""
        return f"DY{self.bank_id:04d}{self.pk or 0:06d}"

    @property
    def holder_name(self) -> str:
        holder = self.person or self.household or self.outlet
        return holder.name if holder is not None else str(AccountKind(self.kind).label)

    @property
    def masked_name(self) -> str:
        if self.household is not None:
            return mask_name(self.household.name)
        return mask_name(self.holder_name)


class MoralTransaction(CityOwned):
    """One posting: points moved between two accounts (its entries sum to zero). ``key`` makes
    every posting idempotent: the same key again answers the first posting."""

    bank = models.ForeignKey(MoralBank, on_delete=models.PROTECT, related_name="transactions")
    kind = models.CharField(_("类型"), max_length=10, choices=TxnKind.choices)
    key = models.CharField(_("幂等键"), max_length=150)
    holder = models.ForeignKey(
        MoralAccount, on_delete=models.PROTECT, related_name="+", verbose_name=_("持有人账户")
    )
    outlet = models.ForeignKey(
        Outlet, null=True, blank=True, on_delete=models.PROTECT, related_name="transactions"
    )
    rule = models.ForeignKey(
        MoralRule, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amount = models.PositiveBigIntegerField(_("积分"))
    ref = models.CharField(_("来源"), max_length=100, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("积分交易")
        verbose_name_plural = _("积分交易")
        ordering = ["-at", "-id"]
        constraints = [models.UniqueConstraint(fields=["city", "key"], name="moral_txn_key_unique")]
        indexes = [
            models.Index(fields=["bank", "at"], name="moral_txn_bank_at"),
            models.Index(fields=["holder", "at"], name="moral_txn_holder_at"),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def kind_label(self) -> str:
        return str(TxnKind(self.kind).label)

    @property
    def receipt_number(self) -> str:
        return f"{timezone.localtime(self.at):%Y%m%d}{self.pk or 0:08d}"


class MoralBankEntry(AppendOnly):
    """One side of a posting: ``amount`` signed (credit positive). Append-only."""

    txn = models.ForeignKey(MoralTransaction, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(MoralAccount, on_delete=models.PROTECT, related_name="entries")
    amount = models.BigIntegerField(_("积分"))
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("积分分录")
        verbose_name_plural = _("积分分录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["account", "at"], name="moral_entry_account_at")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.amount:+d}"


class GoodDeed(CityOwned):
    """A good deed nominated for points: reviewed by the bank's council, posted publicly (公示)
    for the notice period, credited when the period has passed without an upheld objection."""

    bank = models.ForeignKey(MoralBank, on_delete=models.PROTECT, related_name="deeds")
    account = models.ForeignKey(
        MoralAccount, on_delete=models.PROTECT, related_name="deeds", verbose_name=_("积分账户")
    )
    rule = models.ForeignKey(
        MoralRule, on_delete=models.PROTECT, related_name="+", verbose_name=_("积分规则")
    )
    title = models.CharField(_("事迹"), max_length=200)
    description = models.TextField(_("详细说明"), blank=True)
    points = models.PositiveIntegerField(_("积分"))
    status = models.CharField(
        _("状态"), max_length=10, choices=DeedStatus.choices, default=DeedStatus.NOMINATED
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_note = models.CharField(_("评议意见"), max_length=300, blank=True)
    notice_until = models.DateField(_("公示截止"), null=True, blank=True)
    txn = models.OneToOneField(
        MoralTransaction, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("好人好事")
        verbose_name_plural = _("好人好事")
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "notice_until"], name="moral_deed_due")]

    def __str__(self) -> str:
        return self.title


# === part B: moral models and good people (道德模范, 身边好人) =================================


class MoralModel(CityOwned):
    """A nominee for 道德模范 or 身边好人: nominated by a unit or a citizen, screened, reviewed,
    posted publicly (公示) for objections, then published on the 好人榜."""

    kind = models.CharField(_("类别"), max_length=12, choices=HonourKind.choices)
    category = models.CharField(_("类型"), max_length=12, choices=HonourCategory.choices)
    level = models.CharField(
        _("级别"), max_length=10, choices=HonourLevel.choices, default=HonourLevel.CITY
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    name = models.CharField(_("姓名"), max_length=50)
    unit = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所在单位或社区"),
    )
    title = models.CharField(_("事迹标题"), max_length=200)
    story = models.TextField(_("事迹"))
    photo = models.ImageField(_("照片"), upload_to="moral/models/%Y/", blank=True, max_length=200)
    status = models.CharField(
        _("状态"), max_length=10, choices=HonourStatus.choices, default=HonourStatus.NOMINATED
    )
    nominated_by = models.CharField(_("推荐方式"), max_length=10, choices=NominatedBy.choices)
    nominator_unit = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("推荐单位"),
    )
    nominator_name = models.CharField(_("推荐人"), max_length=50, blank=True)
    nominator_phone = models.CharField(_("推荐人电话"), max_length=20, blank=True)
    review_note = models.CharField(_("审核意见"), max_length=300, blank=True)
    notice_starts = models.DateField(_("公示开始"), null=True, blank=True)
    notice_ends = models.DateField(_("公示截止"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("道德模范与身边好人")
        verbose_name_plural = _("道德模范与身边好人")
        ordering = ["-year", "-id"]
        indexes = [models.Index(fields=["city", "status", "year"], name="moral_model_status")]

    def __str__(self) -> str:
        return self.name


class PublicObjection(CityOwned):
    """An objection raised during a 公示 (against a moral model nominee, a good deed or a
    civility selection); refused once the notice period has ended."""

    honour = models.ForeignKey(
        MoralModel, null=True, blank=True, on_delete=models.PROTECT, related_name="objections"
    )
    deed = models.ForeignKey(
        GoodDeed, null=True, blank=True, on_delete=models.PROTECT, related_name="objections"
    )
    selection = models.ForeignKey(
        "Selection", null=True, blank=True, on_delete=models.PROTECT, related_name="objections"
    )
    text = models.TextField(_("异议内容"))
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20)
    status = models.CharField(
        _("处理结果"), max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handled_note = models.CharField(_("处理意见"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.text[:30]


# === part B: civility selections (文明单位, 文明校园, 文明村镇, 文明社区, 文明家庭) ==============


class SelectionKind(CityOwned):
    """A kind of civility selection; it points at a site type whose checklist (indicators'
    CheckItem rows of the active system) it is assessed against."""

    category = models.CharField(_("类别"), max_length=10, choices=SelectionCategory.choices)
    name = models.CharField(_("名称"), max_length=100)
    site_type = models.ForeignKey(
        "indicators.SiteType",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("测评清单（点位类型）"),
    )
    pass_score = models.DecimalField(_("合格分"), max_digits=5, decimal_places=2, default=80)
    term_years = models.PositiveSmallIntegerField(_("复查周期（年）"), default=3)
    notice_days = models.PositiveSmallIntegerField(_("公示天数"), default=7)
    active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("评选类别")
        verbose_name_plural = _("评选类别")
        ordering = ["category", "id"]

    def __str__(self) -> str:
        return self.name


class Selection(CityOwned):
    """One application for a civility title, through assessment, 公示 and award, then
    re-examined every ``term_years`` and managed dynamically (revocation by decision)."""

    kind = models.ForeignKey(
        SelectionKind, on_delete=models.PROTECT, related_name="selections", verbose_name=_("类别")
    )
    unit = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("申报单位"),
    )
    household = models.ForeignKey(
        Household,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("家庭"),
    )
    family_name = models.CharField(_("家庭名称"), max_length=100, blank=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    level = models.CharField(
        _("级别"), max_length=10, choices=HonourLevel.choices, default=HonourLevel.CITY
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=SelectionStatus.choices, default=SelectionStatus.APPLIED
    )
    statement = models.TextField(_("申报材料说明"), blank=True)
    score = models.DecimalField(_("测评得分"), max_digits=6, decimal_places=2, null=True)
    assessment = models.JSONField(_("测评明细"), default=dict, blank=True)
    notice_starts = models.DateField(_("公示开始"), null=True, blank=True)
    notice_ends = models.DateField(_("公示截止"), null=True, blank=True)
    awarded_on = models.DateField(_("授予日期"), null=True, blank=True)
    next_review_on = models.DateField(_("下次复查"), null=True, blank=True)
    revoked_on = models.DateField(_("撤销日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("文明创建评选")
        verbose_name_plural = _("文明创建评选")
        ordering = ["-year", "-id"]
        indexes = [models.Index(fields=["city", "status", "year"], name="selection_status")]

    def __str__(self) -> str:
        return f"{self.holder_name} {self.kind.name}"

    @property
    def holder_name(self) -> str:
        return self.unit.name if self.unit is not None else self.family_name


class SelectionReview(TimeStamped):
    """A re-examination (复查) of an awarded title."""

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField(_("复查日期"))
    score = models.DecimalField(_("复查得分"), max_digits=6, decimal_places=2)
    passed = models.BooleanField(_("复查合格"))
    note = models.CharField(_("说明"), max_length=300, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("复查记录")
        verbose_name_plural = _("复查记录")
        ordering = ["-reviewed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.selection_id} {self.reviewed_on}"


class RevocationProposal(CityOwned):
    """A proposal to revoke an awarded title (dynamic management): made by a scan or a finding,
    decided by a person of the office. One per (selection, source, ref)."""

    selection = models.ForeignKey(Selection, on_delete=models.PROTECT, related_name="proposals")
    source = models.CharField(_("来源"), max_length=20, choices=RevocationSource.choices)
    ref = models.CharField(_("依据"), max_length=100)
    reason = models.CharField(_("理由"), max_length=300)
    status = models.CharField(
        _("状态"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decision_note = models.CharField(_("决定意见"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("撤销建议")
        verbose_name_plural = _("撤销建议")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["selection", "source", "ref"], name="revocation_proposal_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.selection_id} {self.source} {self.ref}"


__all__ = [
    "BankCouncilMember",
    "GoodDeed",
    "Household",
    "MoralAccount",
    "MoralBank",
    "MoralBankConfig",
    "MoralBankEntry",
    "MoralModel",
    "MoralRule",
    "MoralTransaction",
    "Outlet",
    "OutletMember",
    "PublicObjection",
    "RevocationProposal",
    "Selection",
    "SelectionKind",
    "SelectionReview",
]


# ==== 六联 activities of pairs (their own subpackage) =====================================

from .pairs.models import PairActivity, PairActivityPhoto, PairSettings  # noqa: E402, F401
