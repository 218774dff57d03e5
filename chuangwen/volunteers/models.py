"""Volunteer service (志愿服务) and the moral bank (道德银行).

Two blocks, each kept apart: volunteers, teams, activities, check-ins and the service-hours
ledger (below); the moral bank, moral models and civility selections (their own block).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chuangwen.core.models import CityOwned, TimeStamped

from .choices import (
    DEFAULT_STAR_HOURS,
    ActivityStatus,
    Channel,
    OrganiserKind,
    RecordKind,
    SignupStatus,
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
