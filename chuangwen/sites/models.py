"""The registry of inspection sites (点位) of the evaluation system's site types."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from chuangwen.core.models import CityOwned, TimeStamped

from .choices import AssignmentRole, GeometryKind


class Site(CityOwned):
    """A site of a site type: geometry (GeoJSON, WGS-84), the grid of its representative point,
    the 块 unit and 区县 it lies in, its owning unit and the units that 包保 it."""

    code = models.CharField(_("点位编码"), max_length=40)
    name = models.CharField(_("点位名称"), max_length=200)
    site_type = models.ForeignKey(
        "indicators.SiteType",
        on_delete=models.PROTECT,
        related_name="sites",
        verbose_name=_("点位类型"),
    )
    geometry = models.JSONField(_("位置 (GeoJSON)"))
    geometry_kind = models.CharField(_("几何类型"), max_length=10, choices=GeometryKind.choices)
    lon = models.FloatField(_("代表点经度"))
    lat = models.FloatField(_("代表点纬度"))
    length_m = models.FloatField(_("长度（米）"), default=0)
    area_m2 = models.FloatField(_("面积（平方米）"), default=0)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    grid = models.ForeignKey(
        "org.Grid",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
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
    district = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所在区县"),
    )
    owner = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_sites",
        verbose_name=_("责任单位"),
    )
    owner_path = models.CharField(max_length=255, blank=True, editable=False)
    attributes = models.JSONField(_("属性"), default=dict, blank=True)
    active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("点位")
        verbose_name_plural = _("点位")
        ordering = ["site_type__sort", "code"]
        constraints = [
            models.UniqueConstraint(fields=["city", "code"], name="site_code_unique_per_city")
        ]
        indexes = [
            models.Index(fields=["city", "site_type", "active"], name="site_city_type"),
            models.Index(
                fields=["area_path"], name="site_area_path", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(
                fields=["owner_path"], name="site_owner_path", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class SiteAssignment(TimeStamped):
    """包保: a unit answerable for a site (several per site)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="site_assignments")
    unit_path = models.CharField(max_length=255, editable=False)
    role = models.CharField(
        _("包保角色"), max_length=10, choices=AssignmentRole.choices, default=AssignmentRole.LEAD
    )

    class Meta:
        verbose_name = _("点位包保")
        verbose_name_plural = _("点位包保")
        ordering = ["role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["site", "unit"], name="site_assignment_unique")
        ]
        indexes = [
            models.Index(
                fields=["unit_path"], name="site_assign_path", opclasses=["varchar_pattern_ops"]
            )
        ]

    def __str__(self) -> str:
        return f"{self.site_id} ← {self.unit_id} ({self.role})"


__all__ = ["Site", "SiteAssignment"]
