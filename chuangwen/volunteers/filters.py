"""One FilterSet per list: the page, the API and the Excel export share it."""

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from chuangwen.core.filtering import IdFilter
from chuangwen.org.models import Unit

from .choices import ActivityStatus, OrganiserKind
from .models import Activity, Team, Volunteer

# ==== volunteers ==============================================================================


def _in_unit(qs: QuerySet, field: str, unit_id: int) -> QuerySet:
    path = Unit.objects.filter(pk=unit_id).values_list("path", flat=True).first()
    if path is None:
        return qs.none()
    return qs.filter(**{f"{field}__path__startswith": path})


class VolunteerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("姓名/手机号"))
    area = IdFilter(method="by_area", label=_("服务区域（含下级）"))
    team = IdFilter(field_name="teams", label=_("志愿服务队"))
    skill = django_filters.CharFilter(method="by_skill", label=_("技能特长"))
    min_hours = django_filters.NumberFilter(
        method="by_hours", min_value=0, max_value=1_000_000, label=_("累计时长不少于（小时）")
    )

    class Meta:
        model = Volunteer
        fields = ["q", "area", "team", "skill", "min_hours"]

    def search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()[:50]
        return qs.filter(Q(person__name__icontains=value) | Q(person__phone__contains=value))

    def by_area(self, qs: QuerySet, name: str, value: int) -> QuerySet:
        return _in_unit(qs, "area", value)

    def by_skill(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        # JSON list of strings: a containment test that works on SQLite and PostgreSQL alike
        return qs.filter(skills__icontains=f'"{value.strip()[:20]}"')

    def by_hours(self, qs: QuerySet, name: str, value: float) -> QuerySet:
        return qs.filter(total_minutes__gte=int(value * 60))


class ActivityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label=_("活动名称"))
    status = django_filters.ChoiceFilter(choices=ActivityStatus.choices, label=_("状态"))
    organiser_kind = django_filters.ChoiceFilter(
        choices=OrganiserKind.choices, label=_("组织方类型")
    )
    unit = IdFilter(method="by_unit", label=_("组织单位（含下级）"))
    team = IdFilter(field_name="team", label=_("志愿服务队"))
    since = django_filters.DateFilter(
        field_name="starts_at", lookup_expr="date__gte", label=_("开始日期起")
    )
    until = django_filters.DateFilter(
        field_name="starts_at", lookup_expr="date__lte", label=_("开始日期止")
    )

    class Meta:
        model = Activity
        fields = ["q", "status", "organiser_kind", "unit", "team", "since", "until"]

    def by_unit(self, qs: QuerySet, name: str, value: int) -> QuerySet:
        return _in_unit(qs, "unit", value)


class TeamFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("名称"))
    unit = IdFilter(method="by_unit", label=_("所属单位（含下级）"))

    class Meta:
        model = Team
        fields = ["q", "unit"]

    def by_unit(self, qs: QuerySet, name: str, value: int) -> QuerySet:
        return _in_unit(qs, "unit", value)


# ==== end of volunteers ========================================================================
