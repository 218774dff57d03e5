"""One FilterSet per list: the task list, the battle map, the API and the Excel export share it."""

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chuangwen.core.filtering import IdFilter
from chuangwen.indicators.choices import CityTitle
from chuangwen.indicators.widgets import IndicatorPicker
from chuangwen.org.models import Unit
from chuangwen.org.widgets import UnitPicker

from .choices import OVERDUE, STATUS_FILTER_CHOICES
from .models import Task
from .selectors import overdue_q, title_q, unit_tasks_q


class TaskFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("指标编号/名称"))
    indicator = django_filters.CharFilter(
        method="by_indicator", label=_("指标（含下级）"), widget=IndicatorPicker()
    )
    unit = IdFilter(method="by_unit", label=_("单位（牵头或配合，含下级）"), widget=UnitPicker())
    status = django_filters.ChoiceFilter(
        choices=STATUS_FILTER_CHOICES, method="by_status", label=_("状态")
    )
    title = django_filters.ChoiceFilter(
        choices=CityTitle.choices, method="by_title", label=_("创建称号"), empty_label=_("全部")
    )
    due_after = django_filters.DateFilter(
        field_name="deadline", lookup_expr="gte", label=_("时限不早于")
    )
    due_before = django_filters.DateFilter(
        field_name="deadline", lookup_expr="lte", label=_("时限不晚于")
    )

    class Meta:
        model = Task
        fields = ["q", "indicator", "unit", "status", "title", "due_after", "due_before"]

    def search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(
            Q(indicator__code__startswith=value)
            | Q(indicator__title__icontains=value)
            | Q(content__icontains=value)
        )

    def by_indicator(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip().rstrip(".")
        return qs.filter(Q(indicator__code=value) | Q(indicator__code__startswith=value + "."))

    def by_unit(self, qs: QuerySet, name: str, value: int) -> QuerySet:
        path = Unit.objects.filter(pk=value).values_list("path", flat=True).first()
        if path is None:
            return qs.none()
        return qs.filter(unit_tasks_q([path]))

    def by_status(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        if value == OVERDUE:
            return qs.filter(overdue_q(timezone.localdate()))
        return qs.filter(status=value)

    def by_title(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        """Tasks serving the title: by their own standard or one they also serve."""
        return qs.filter(title_q(value))
