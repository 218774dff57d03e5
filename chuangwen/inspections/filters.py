"""One FilterSet per list: the page, the API and the export share it."""

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from chuangwen.core.filtering import BooleanFilter, YearFilter

from .choices import ActionStatus, MeetingKind, NoticeStatus, PlanKind, PlanStatus
from .models import ActionItem, InspectionPlan, Meeting, Notice


class PlanFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label=_("名称"))
    kind = django_filters.ChoiceFilter(choices=PlanKind.choices, label=_("类型"))
    status = django_filters.ChoiceFilter(choices=PlanStatus.choices, label=_("状态"))

    class Meta:
        model = InspectionPlan
        fields = ["q", "kind", "status"]


class NoticeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("标题/单位"))
    status = django_filters.ChoiceFilter(choices=NoticeStatus.choices, label=_("状态"))
    year = YearFilter(label=_("年份"))

    class Meta:
        model = Notice
        fields = ["q", "status", "year"]

    def search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(Q(title__icontains=value) | Q(unit__name__icontains=value))


class MeetingFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label=_("名称"))
    kind = django_filters.ChoiceFilter(choices=MeetingKind.choices, label=_("类型"))

    class Meta:
        model = Meeting
        fields = ["q", "kind"]


class ActionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="text", lookup_expr="icontains", label=_("事项"))
    status = django_filters.ChoiceFilter(choices=ActionStatus.choices, label=_("状态"))
    overdue = BooleanFilter(method="only_overdue", label=_("已逾期"))

    class Meta:
        model = ActionItem
        fields = ["q", "status", "overdue"]

    def only_overdue(self, qs: QuerySet, name: str, value: bool) -> QuerySet:
        from django.utils import timezone

        if value:
            return qs.filter(status=ActionStatus.OPEN, deadline__lt=timezone.localdate())
        return qs
