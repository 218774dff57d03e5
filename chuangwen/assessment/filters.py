import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from chuangwen.core.filtering import IdFilter, YearFilter
from chuangwen.org.models import Unit

from .choices import (
    AccountabilityKind,
    AccountabilityState,
    BulletinKind,
    BulletinStatus,
    FindingSource,
    FindingStatus,
    PeriodKind,
    PeriodStatus,
    RoundStatus,
    SchemeStatus,
    SubmissionKind,
    SubmissionStatus,
    UnitSanction,
)
from .models import (
    AccountabilityRecord,
    AssessmentPeriod,
    AssessmentScheme,
    Bulletin,
    BulletinSection,
    MockEvaluation,
    NegativeFinding,
    Submission,
)


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


# --- accountability, submissions, bulletins ---------------------------------------------------


def _in_unit(qs: QuerySet, value: int) -> QuerySet:
    """Rows whose unit is ``value`` or below it."""
    path = Unit.objects.filter(pk=value).values_list("path", flat=True).first()
    if path is None:
        return qs.none()
    return qs.filter(unit_path__startswith=path)


class AccountabilityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("事由/单位"))
    kind = django_filters.ChoiceFilter(choices=AccountabilityKind.choices, label=_("类型"))
    state = django_filters.ChoiceFilter(choices=AccountabilityState.choices, label=_("状态"))
    unit = IdFilter(method="by_unit", label=_("对象单位（含下级）"))
    year = YearFilter(field_name="created_at__year", label=_("年度"))

    class Meta:
        model = AccountabilityRecord
        fields = ["q", "kind", "state", "unit", "year"]

    def search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(Q(title__icontains=value) | Q(unit__name__icontains=value))

    def by_unit(self, qs: QuerySet, name: str, value: int) -> QuerySet:
        return _in_unit(qs, value)


class SubmissionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("标题/单位"))
    kind = django_filters.ChoiceFilter(choices=SubmissionKind.choices, label=_("类型"))
    status = django_filters.ChoiceFilter(choices=SubmissionStatus.choices, label=_("状态"))
    unit = IdFilter(method="by_unit", label=_("报送单位（含下级）"))
    since = django_filters.DateFilter(
        field_name="submitted_at", lookup_expr="date__gte", label=_("报送起")
    )
    until = django_filters.DateFilter(
        field_name="submitted_at", lookup_expr="date__lte", label=_("报送止")
    )

    class Meta:
        model = Submission
        fields = ["q", "kind", "status", "unit", "since", "until"]

    def search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(Q(title__icontains=value) | Q(unit__name__icontains=value))

    def by_unit(self, qs: QuerySet, name: str, value: int) -> QuerySet:
        return _in_unit(qs, value)


class BulletinFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("标题/文号/内容"))
    kind = django_filters.ChoiceFilter(choices=BulletinKind.choices, label=_("类型"))
    status = django_filters.ChoiceFilter(choices=BulletinStatus.choices, label=_("状态"))
    year = YearFilter(field_name="period_end__year", label=_("年度"))

    class Meta:
        model = Bulletin
        fields = ["q", "kind", "status", "year"]

    def search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        q = Q(title__icontains=value) | Q(prefix__icontains=value)
        in_text = BulletinSection.objects.filter(bulletin_id=OuterRef("pk")).filter(
            Q(text__icontains=value) | Q(title__icontains=value)
        )
        number = value.removesuffix("号").split("〕")[-1]
        if number.isdigit() and len(number) < 10:
            q |= Q(seq=int(number))
        return qs.filter(q | Q(Exists(in_text)))
