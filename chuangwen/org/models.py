"""Organisation: the city (tenant), the unit tree, grids, people and their roles, pairs."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chuangwen.core.models import CityOwned, TimeStamped

from .choices import Axis, Mechanism, Role, UnitKind


class City(TimeStamped):
    code = models.CharField(_("代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    level = models.CharField(
        _("城市层级"),
        max_length=20,
        choices=[("prefecture", _("地级及以上城市")), ("county", _("县级市"))],
        default="prefecture",
    )
    center_lon = models.FloatField(_("中心经度"), null=True, blank=True)
    center_lat = models.FloatField(_("中心纬度"), null=True, blank=True)
    grid_version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("城市")
        verbose_name_plural = _("城市")

    def __str__(self) -> str:
        return self.name


class Unit(CityOwned):
    """A node of the unit tree: parent link plus a materialized path for subtree queries."""

    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("上级单位"),
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)

    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    code = models.CharField(_("单位编码"), max_length=40)
    name = models.CharField(_("单位名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=UnitKind.choices)
    axis = models.CharField(_("条/块"), max_length=10, choices=Axis.choices, blank=True)
    active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["city", "code"], name="unit_code_unique_per_city")
        ]

    def __str__(self) -> str:
        return self.name

    def is_descendant_of(self, other: "Unit") -> bool:
        return self.path.startswith(other.path)


class Person(CityOwned):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="person"
    )
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("手机号"), max_length=20, blank=True, db_index=True)
    title = models.CharField(_("职务"), max_length=50, blank=True)
    active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_phone(self) -> str:
        from chuangwen.core.text import mask_phone

        return mask_phone(self.phone)


class Membership(TimeStamped):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("任职")
        verbose_name_plural = _("任职")
        constraints = [
            models.UniqueConstraint(fields=["person", "unit", "role"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.unit} ({self.get_role_display()})"


class Grid(CityOwned):
    """A grid cell (万米单元网格): a GeoJSON polygon in WGS-84 owned by a 块 unit."""

    code = models.CharField(_("网格编码"), max_length=40)
    name = models.CharField(_("网格名称"), max_length=100, blank=True)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="grids", verbose_name=_("所属单位")
    )
    geometry = models.JSONField(_("边界 (GeoJSON)"))
    area_m2 = models.FloatField(_("面积（平方米）"), default=0)
    centroid_lon = models.FloatField(null=True, blank=True)
    centroid_lat = models.FloatField(null=True, blank=True)
    workers = models.ManyToManyField(
        Person, blank=True, related_name="grids", verbose_name=_("网格员")
    )

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = _("网格")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["city", "code"], name="grid_code_unique_per_city")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()


class Pair(CityOwned):
    """结对共建: a unit paired with a community, with the 六联 mechanisms they run."""

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="pairs", verbose_name=_("共建单位")
    )
    community = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="paired_with", verbose_name=_("结对社区/村")
    )
    mechanisms = models.JSONField(_("六联机制"), default=list)
    started_on = models.DateField(_("开始日期"), null=True, blank=True)
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    end_reason = models.CharField(_("结束原因"), max_length=300, blank=True)
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("结对共建")
        verbose_name_plural = _("结对共建")
        # one running pair per unit and community; an ended pair stays on record
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "community"],
                condition=models.Q(ended_on__isnull=True),
                name="pair_unique_running",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} ↔ {self.community}"

    @property
    def is_ended(self) -> bool:
        return self.ended_on is not None

    def mechanism_labels(self) -> list[str]:
        labels = dict(Mechanism.choices)
        return [str(labels.get(m, m)) for m in self.mechanisms]


__all__ = ["Axis", "City", "Grid", "Membership", "Pair", "Person", "Role", "Unit", "UnitKind"]
