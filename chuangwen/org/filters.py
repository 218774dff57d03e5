"""One FilterSet per list: the page, the API and the Excel export share it."""

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from chuangwen.core.filtering import IdFilter

from .choices import Axis, Role, UnitKind
from .models import Grid, Person, Unit
from .widgets import UnitPicker


class UnitFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("名称/编码"))
    kind = django_filters.ChoiceFilter(choices=UnitKind.choices, label=_("类型"))
    axis = django_filters.ChoiceFilter(choices=Axis.choices, label=_("条/块"))

    class Meta:
        model = Unit
        fields = ["q", "kind", "axis"]

    def search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(Q(name__icontains=value) | Q(code__icontains=value))


class PersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("姓名/登录名"))
    role = django_filters.ChoiceFilter(
        choices=Role.choices, field_name="memberships__role", label=_("角色"), distinct=True
    )
    unit = IdFilter(method="in_unit", label=_("单位（含下级）"), widget=UnitPicker())

    class Meta:
        model = Person
        fields = ["q", "role", "unit"]

    def search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(Q(name__icontains=value) | Q(user__username__icontains=value))

    def in_unit(self, qs: QuerySet, name: str, value: int) -> QuerySet:
        unit = Unit.objects.filter(pk=value).values_list("path", flat=True).first()
        if unit is None:
            return qs.none()
        return qs.filter(memberships__unit__path__startswith=unit).distinct()


class GridFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("网格编码/名称"))
    unit = IdFilter(method="in_unit", label=_("单位（含下级）"), widget=UnitPicker())

    class Meta:
        model = Grid
        fields = ["q", "unit"]

    def search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(Q(code__icontains=value) | Q(name__icontains=value))

    def in_unit(self, qs: QuerySet, name: str, value: int) -> QuerySet:
        unit = Unit.objects.filter(pk=value).values_list("path", flat=True).first()
        if unit is None:
            return qs.none()
        return qs.filter(unit__path__startswith=unit)
