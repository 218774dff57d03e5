"""One FilterSet per list: the page, the API and the Excel export share it."""

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from chuangwen.core.filtering import BooleanFilter, IdFilter
from chuangwen.indicators.widgets import SiteTypePicker
from chuangwen.org.models import Unit
from chuangwen.org.widgets import UnitPicker

from .choices import GeometryKind
from .models import Site, SiteAssignment


class SiteFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("编码/名称/地址"))
    site_type = IdFilter(field_name="site_type_id", label=_("点位类型"), widget=SiteTypePicker())
    geometry_kind = django_filters.ChoiceFilter(choices=GeometryKind.choices, label=_("几何"))
    district = IdFilter(
        field_name="district_id", label=_("区县"), widget=UnitPicker(kind="district")
    )
    unit = IdFilter(method="in_unit", label=_("单位（属地/责任/包保）"), widget=UnitPicker())
    active = BooleanFilter(label=_("有效"))

    class Meta:
        model = Site
        fields = ["q", "site_type", "geometry_kind", "district", "unit", "active"]

    def search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(
            Q(code__icontains=value) | Q(name__icontains=value) | Q(address__icontains=value)
        )

    def in_unit(self, qs: QuerySet, name: str, value: int) -> QuerySet:
        path = Unit.objects.filter(pk=value).values_list("path", flat=True).first()
        if path is None:
            return qs.none()
        assigned = SiteAssignment.objects.filter(site=OuterRef("pk"), unit_path__startswith=path)
        return qs.filter(
            Q(area_path__startswith=path) | Q(owner_path__startswith=path) | Q(Exists(assigned))
        )
