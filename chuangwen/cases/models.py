"""Cases: categories, the case and its reports, the append-only event log, photos, extension
requests, the working-day calendar overrides, duplicate settings and the maintained per-unit
state counts. (In-app notifications are core's: ``chuangwen.core.models.Notification``.)"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chuangwen.core.models import AppendOnly, CityOwned, StoredPhoto, TimeStamped
from chuangwen.core.text import mask_name, mask_phone

from .choices import (
    FAMILY_PREFIX,
    RATEABLE,
    TO_DISPATCH,
    WITH_UNIT,
    Action,
    DeadlineUnit,
    ExtensionStatus,
    Family,
    NoLocationPolicy,
    PhotoKind,
    Resolution,
    Source,
    State,
)


class Category(CityOwned):
    """A 数字城管 category (大类 + 小类) with its defaults: deadline, department, indicators."""

    family = models.CharField(_("类型"), max_length=10, choices=Family.choices)
    major_code = models.CharField(_("大类代码"), max_length=2)
    major_name = models.CharField(_("大类名称"), max_length=50)
    minor_code = models.CharField(_("小类代码"), max_length=2)
    name = models.CharField(_("小类名称"), max_length=100)
    code = models.CharField(_("编码"), max_length=10, editable=False)
    deadline_value = models.PositiveIntegerField(_("处置时限"), default=3)
    deadline_unit = models.CharField(
        _("时限单位"), max_length=10, choices=DeadlineUnit.choices, default=DeadlineUnit.DAYS
    )
    deadline_working = models.BooleanField(_("按工作日/工作时计算"), default=True)
    department = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("默认责任部门（条）"),
    )
    owner_first = models.BooleanField(
        _("先属主"), default=False, help_text=_("部件默认先属主、后属地；事件默认先属地、后属主")
    )
    indicators = models.ManyToManyField(
        "indicators.Indicator", blank=True, related_name="+", verbose_name=_("对应测评指标")
    )
    city_added = models.BooleanField(_("本市增补"), default=False)
    active = models.BooleanField(_("有效"), default=True)
    sort = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("案件类别")
        verbose_name_plural = _("案件类别")
        ordering = ["family", "major_code", "minor_code"]
        constraints = [
            models.UniqueConstraint(fields=["city", "code"], name="case_category_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.major_name}/{self.name}"

    @staticmethod
    def make_code(family: str, major: str, minor: str) -> str:
        return f"{FAMILY_PREFIX[Family(family)]}{major}{minor}"

    @property
    def deadline_label(self) -> str:
        kind = ("工作" if self.deadline_working else "自然") + (
            "时" if self.deadline_unit == DeadlineUnit.HOURS else "日"
        )
        return f"{self.deadline_value} 个{kind}"


class DuplicateSettings(TimeStamped):
    """Per-city duplicate rule: same category, within R metres and T days, similar text."""

    city = models.OneToOneField("org.City", on_delete=models.CASCADE, related_name="+")
    radius_m = models.PositiveIntegerField(_("距离（米）"), default=50)
    days = models.PositiveIntegerField(_("时间窗口（天）"), default=7)
    similarity = models.FloatField(_("文本相似度阈值"), default=0.3)
    # verification is on site: without a location (GPS or photo EXIF) a recorded reason is
    # needed, or it is refused outright
    verify_without_location = models.CharField(
        _("无定位核查"),
        max_length=10,
        choices=NoLocationPolicy.choices,
        default=NoLocationPolicy.REASON,
    )

    class Meta:
        verbose_name = _("重复案件规则")
        verbose_name_plural = _("重复案件规则")


class CalendarOverride(CityOwned):
    """An office-made exception to the national calendar (a local holiday, an extra 调休)."""

    date = models.DateField(_("日期"))
    is_workday = models.BooleanField(_("是否工作日"))
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("工作日调整")
        verbose_name_plural = _("工作日调整")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["city", "date"], name="calendar_override_unique")
        ]

    def __str__(self) -> str:
        return f"{self.date} {'班' if self.is_workday else '休'}"


class AddressEntry(CityOwned):
    """The address book: a place name (site, street, road …) and where it belongs."""

    keyword = models.CharField(_("地名关键词"), max_length=100)
    grid = models.ForeignKey(
        "org.Grid", null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("网格")
    )
    unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("单位")
    )
    lon = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = _("地址簿")
        verbose_name_plural = _("地址簿")
        constraints = [
            models.UniqueConstraint(fields=["city", "keyword"], name="address_keyword_unique")
        ]

    def __str__(self) -> str:
        return self.keyword


_STATE_BADGE: dict[str, str] = {
    State.CLOSED: "success",
    State.RATED: "success",
    State.REJECTED: "secondary",
    State.REWORK: "warning",
    State.RETURNED: "warning",
}


class Case(CityOwned):
    """One problem, driven to closure. Many reports may point at it (并单)."""

    source = models.CharField(_("来源"), max_length=20, choices=Source.choices)
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("类别"),
    )
    indicator = models.ForeignKey(
        "indicators.Indicator",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("测评指标"),
    )
    description = models.TextField(_("问题描述"), blank=True)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    # the point in words from the city's own data (sites.places), set with the point
    place = models.CharField(_("位置描述"), max_length=300, blank=True)
    cell = models.BigIntegerField(null=True, blank=True, editable=False)  # duplicate-check cell
    grid = models.ForeignKey(
        "org.Grid",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("网格"),
    )
    area_unit = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("属地单位"),
    )
    area_path = models.CharField(max_length=255, blank=True, editable=False)
    unit = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("责任单位"),
    )
    unit_path = models.CharField(max_length=255, blank=True, editable=False)
    # 下派: the responsible unit (a street) may pass the handling down to one of its units (a
    # community) or to a grid worker; it stays responsible (counts, deadline, return)
    handler_unit = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("承办单位"),
    )
    handler_path = models.CharField(max_length=255, blank=True, editable=False)
    handler = models.ForeignKey(
        "org.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("承办人"),
    )
    state = models.CharField(
        _("状态"), max_length=20, choices=State.choices, default=State.REPORTED
    )
    resolution = models.CharField(
        _("办结结果"), max_length=20, choices=Resolution.choices, blank=True
    )
    duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("重复于"),
    )
    external_id = models.CharField(_("外部编号"), max_length=64, blank=True)
    reported_at = models.DateTimeField(_("上报时间"), default=timezone.now)
    registered_at = models.DateTimeField(_("立案时间"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("派遣时间"), null=True, blank=True)
    deadline = models.DateTimeField(_("处置时限"), null=True, blank=True)
    deadline_overridden = models.BooleanField(default=False)
    handled_at = models.DateTimeField(_("处置时间"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(_("核查时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    rework_count = models.PositiveSmallIntegerField(_("返工次数"), default=0)
    report_count = models.PositiveIntegerField(_("上报次数"), default=1)
    rating = models.PositiveSmallIntegerField(_("满意度"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("案件")
        verbose_name_plural = _("案件")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["city", "-id"], name="case_city_id"),
            models.Index(fields=["city", "state", "-id"], name="case_city_state"),
            # prefix (LIKE 'path%') lookups of the scope: pattern opclasses on PostgreSQL
            models.Index(
                fields=["unit_path", "state"],
                name="case_unit_path_state",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
            models.Index(
                fields=["area_path", "state"],
                name="case_area_path_state",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
            models.Index(
                fields=["handler_path", "state"],
                name="case_handler_path_state",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
            models.Index(fields=["handler", "state"], name="case_handler_state"),
            models.Index(fields=["city", "category", "cell", "reported_at"], name="case_dupe"),
            models.Index(fields=["city", "state", "deadline"], name="case_deadline"),
            # recent cases by unit (the workbench's and the cockpit's closure figures) counted
            # from the index alone on PostgreSQL (ignored elsewhere)
            models.Index(
                fields=["city", "reported_at"],
                name="case_reported_at",
                include=["unit_path", "state", "deadline", "dispatched_at", "handled_at"],
            ),
            models.Index(fields=["grid", "state"], name="case_grid_state"),
            models.Index(fields=["city", "external_id"], name="case_external_id"),
            # the inbox tabs: small partial indexes in the tabs' own order, so the first page of
            # a few thousand open cases never walks the million closed ones
            models.Index(
                fields=["city", "id"],
                name="case_inbox_dispatch",
                condition=models.Q(state__in=sorted(TO_DISPATCH)),
            ),
            models.Index(
                fields=["city", "deadline", "id"],
                name="case_inbox_with_unit",
                condition=models.Q(state__in=sorted(WITH_UNIT)),
            ),
            # a unit's own open cases (its 待处置 and 已超期 tabs) without the closed ones
            models.Index(
                fields=["city", "unit_path", "deadline"],
                name="case_with_unit_path",
                opclasses=["int8_ops", "varchar_pattern_ops", "timestamptz_ops"],
                condition=models.Q(state__in=sorted(WITH_UNIT)),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        """案件编号: date of report + id."""
        return f"{timezone.localtime(self.reported_at):%Y%m%d}{self.pk or 0:07d}"

    # labels by enum lookup: get_FOO_display hashes every (lazy) choice label on each call,
    # which was a third of the time the case rows took to render
    @property
    def state_label(self) -> str:
        return str(State(self.state).label)

    @property
    def source_label(self) -> str:
        return str(Source(self.source).label)

    @property
    def state_badge(self) -> str:
        """Bootstrap colour of the state badge."""
        return _STATE_BADGE.get(self.state, "primary")

    @property
    def is_overdue(self) -> bool:
        if self.deadline is None:
            return False
        if self.state in WITH_UNIT:
            return timezone.now() > self.deadline
        return self.handled_at is not None and self.handled_at > self.deadline

    @property
    def is_fixed(self) -> bool:
        return self.resolution == Resolution.FIXED


class Report(CityOwned):
    """One report of a problem (a call, a photo, a work order). Reporters are told the outcome
    through their tracking code; names and phone numbers are masked wherever shown."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reports")
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices)
    tracking_code = models.CharField(_("查询码"), max_length=12, unique=True)
    description = models.TextField(_("描述"), blank=True)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    lon = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    external_id = models.CharField(_("外部编号"), max_length=64, blank=True)
    reporter_name = models.CharField(_("上报人"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    reporter_email = models.CharField(_("电子邮箱"), max_length=100, blank=True)
    reporter = models.ForeignKey(
        "org.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reported_at = models.DateTimeField(_("上报时间"), default=timezone.now)
    rating = models.PositiveSmallIntegerField(_("满意度"), null=True, blank=True)
    rating_comment = models.CharField(_("评价意见"), max_length=300, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("上报记录")
        verbose_name_plural = _("上报记录")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["reporter"], name="report_reporter"),
            models.Index(fields=["city", "external_id"], name="report_external_id"),
        ]

    def __str__(self) -> str:
        return self.tracking_code

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.reporter_phone)

    @property
    def masked_name(self) -> str:
        return mask_name(self.reporter_name)

    @property
    def awaits_rating(self) -> bool:
        """The case is closed and this report has not rated it yet (reads ``case``)."""
        return self.rating is None and self.case.state in RATEABLE


class CaseEvent(AppendOnly):
    """Append-only history of a case: never updated, never deleted."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("操作"), max_length=30, choices=Action.choices)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("案件记录")
        verbose_name_plural = _("案件记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="case_event_case_at")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action}"


def _photo_path(instance: "CasePhoto", filename: str) -> str:
    return f"cases/{instance.case_id}/{filename}"


class CasePhoto(StoredPhoto):
    """A validated image: the original kept as evidence (office only), a re-encoded copy without
    EXIF shown everywhere else."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos")
    report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="photos"
    )
    kind = models.CharField(_("类型"), max_length=10, choices=PhotoKind.choices)
    original = models.FileField(_("原图"), upload_to=_photo_path, max_length=200)
    public = models.FileField(_("公开图"), upload_to=_photo_path, max_length=200)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    size = models.PositiveIntegerField(default=0)
    exif_lon = models.FloatField(null=True, blank=True)
    exif_lat = models.FloatField(null=True, blank=True)
    taken_at = models.DateTimeField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("案件照片")
        verbose_name_plural = _("案件照片")
        ordering = ["id"]


class Extension(TimeStamped):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extensions")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    old_deadline = models.DateTimeField(_("原时限"), null=True, blank=True)
    requested_deadline = models.DateTimeField(_("申请延至"))
    reason = models.TextField(_("理由"))
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=ExtensionStatus.choices,
        default=ExtensionStatus.PENDING,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "case"], name="extension_status")]


class StateCount(models.Model):
    """Maintained count of cases per (city, responsible unit, state): the summary answers from
    here instead of a GROUP BY over every case. ``unit_id`` 0 = no responsible unit yet.
    Kept by the services; ``rebuild_state_counts`` recomputes it from the cases."""

    city = models.ForeignKey("org.City", on_delete=models.CASCADE, related_name="+")
    unit_id = models.BigIntegerField(default=0)
    state = models.CharField(max_length=20, choices=State.choices)
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["city", "unit_id", "state"], name="state_count_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.state} {self.n}"


__all__ = [
    "AddressEntry",
    "CalendarOverride",
    "Case",
    "CaseEvent",
    "CasePhoto",
    "Category",
    "DuplicateSettings",
    "Extension",
    "ExtensionStatus",
    "Report",
    "StateCount",
]
