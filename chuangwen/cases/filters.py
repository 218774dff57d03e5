"""One FilterSet for the case list: the page, the API and the Excel export share it."""

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from chuangwen.core.filtering import IdFilter
from chuangwen.core.filtering import checked_filter as checked
from chuangwen.core.schemas import DB_INT_MAX
from chuangwen.org.models import Unit
from chuangwen.org.widgets import GridPicker, UnitPicker

from .choices import Family, Source, State
from .models import Case
from .selectors import open_overdue_q, overdue_q
from .widgets import CategoryPicker


def search_cases(qs: QuerySet, value: str) -> QuerySet:
    """Cases whose number, id, description, address or 12345 work-order number matches."""
    value = value.strip()
    q = Q(description__icontains=value) | Q(address__icontains=value)
    if value.isdigit():
        # 案件编号 = yyyymmdd + id; a shorter number is the id itself
        pk = int(value[8:] or 0) if len(value) >= 8 else int(value)
        if pk <= DB_INT_MAX:
            q |= Q(pk=pk)
    return qs.filter(q | Q(external_id=value))


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("编号/描述/地址"))
    state = django_filters.ChoiceFilter(choices=State.choices, label=_("状态"))
    source = django_filters.ChoiceFilter(choices=Source.choices, label=_("来源"))
    family = django_filters.ChoiceFilter(
        choices=Family.choices, field_name="category__family", label=_("部件/事件")
    )
    category = django_filters.CharFilter(
        method="by_category", label=_("类别"), widget=CategoryPicker()
    )
    unit = IdFilter(method="in_unit", label=_("责任单位（含下级）"), widget=UnitPicker())
    grid = django_filters.CharFilter(method="by_grid", label=_("网格"), widget=GridPicker())
    overdue = django_filters.ChoiceFilter(
        choices=[("open", _("超期未处置")), ("any", _("超期（含超期处置）"))],
        method="by_overdue",
        label=_("超期"),
    )
    since = django_filters.DateFilter(
        field_name="reported_at", lookup_expr="date__gte", label=_("上报起")
    )
    until = django_filters.DateFilter(
        field_name="reported_at", lookup_expr="date__lte", label=_("上报止")
    )

    class Meta:
        model = Case
        fields = ["q", "state", "source", "family", "category", "unit", "grid", "overdue"]

    def search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return search_cases(qs, value)

    def by_category(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip().upper()
        if len(value) == 4:  # a 大类 prefix such as SJ01
            return qs.filter(category__code__startswith=value)
        return qs.filter(category__code=value)

    def in_unit(self, qs: QuerySet, name: str, value: int) -> QuerySet:
        path = Unit.objects.filter(pk=value).values_list("path", flat=True).first()
        if path is None:
            return qs.none()
        return qs.filter(unit_path__startswith=path)

    def by_grid(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(grid__code=value.strip())

    def by_overdue(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(open_overdue_q() if value == "open" else overdue_q())


def checked_filter(data: Any, queryset: QuerySet) -> CaseFilter:
    """The case filter over ``data``, refusing bad values (each field's message) instead of
    quietly ignoring them: for the API and the background export."""
    return checked(CaseFilter, data, queryset)
