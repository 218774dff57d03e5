import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from chuangwen.core.filtering import YearFilter

from .choices import (
    FindingSource,
    FindingStatus,
    PeriodKind,
    PeriodStatus,
    RoundStatus,
    SchemeStatus,
    UnitSanction,
)
from .models import AssessmentPeriod, AssessmentScheme, MockEvaluation, NegativeFinding


class RoundFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label=_("名称"))
    year = YearFilter(label=_("年度"))
    status = django_filters.ChoiceFilter(choices=RoundStatus.choices, label=_("状态"))

    class Meta:
        model = MockEvaluation
        fields = ["q", "year", "status"]


# --- unit assessment ---


class SchemeFilter(django_filters.FilterSet):
    period_kind = django_filters.ChoiceFilter(choices=PeriodKind.choices, label=_("考核周期"))
    status = django_filters.ChoiceFilter(choices=SchemeStatus.choices, label=_("状态"))

    class Meta:
        model = AssessmentScheme
        fields = ["period_kind", "status"]


class PeriodFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=PeriodKind.choices, label=_("考核周期"))
    status = django_filters.ChoiceFilter(choices=PeriodStatus.choices, label=_("状态"))
    year = YearFilter(field_name="starts_on", lookup_expr="year", label=_("年度"))

    class Meta:
        model = AssessmentPeriod
        fields = ["kind", "status", "year"]


class FindingFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("单位/问题"))
    status = django_filters.ChoiceFilter(choices=FindingStatus.choices, label=_("状态"))
    sanction = django_filters.ChoiceFilter(choices=UnitSanction.choices, label=_("处理措施"))
    source = django_filters.ChoiceFilter(choices=FindingSource.choices, label=_("发现途径"))
    since = django_filters.DateFilter(
        field_name="found_on", lookup_expr="gte", label=_("认定日期起")
    )
    until = django_filters.DateFilter(
        field_name="found_on", lookup_expr="lte", label=_("认定日期止")
    )

    class Meta:
        model = NegativeFinding
        fields = ["q", "status", "sanction", "source", "since", "until"]

    def search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(
            Q(unit__name__icontains=value)
            | Q(description__icontains=value)
            | Q(item__code__icontains=value)
        )
