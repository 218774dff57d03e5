"""One FilterSet per list: the pair list page, the API and the Excel export share it."""

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from chuangwen.core.filtering import BooleanFilter, IdFilter
from chuangwen.org.choices import Mechanism
from chuangwen.org.models import Pair, Unit

from .models import PairActivity

RUNNING, ENDED = "running", "ended"
STATUS_CHOICES = [(RUNNING, _("共建中")), (ENDED, _("已结束"))]


class PairFilter(django_filters.FilterSet):
    """Over ``selectors.with_stats`` (``inactive`` is an annotation)."""

    q = django_filters.CharFilter(method="search", max_length=50, label=_("单位/社区名称"))
    status = django_filters.ChoiceFilter(
        choices=STATUS_CHOICES, method="by_status", label=_("状态"), empty_label=_("全部")
    )
    inactive = BooleanFilter(method="by_inactive", label=_("长期无活动"))
    unit = IdFilter(method="by_unit", label=_("单位（任一方，含下级）"))

    class Meta:
        model = Pair
        fields = ["q", "status", "inactive", "unit"]

    def search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(Q(unit__name__icontains=value) | Q(community__name__icontains=value))

    def by_status(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(ended_on__isnull=(value == RUNNING))

    def by_inactive(self, qs: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return qs
        return qs.filter(inactive=value)

    def by_unit(self, qs: QuerySet, name: str, value: int) -> QuerySet:
        path = Unit.objects.filter(pk=value).values_list("path", flat=True).first()
        if path is None:
            return qs.none()
        return qs.filter(Q(unit__path__startswith=path) | Q(community__path__startswith=path))


class ActivityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        field_name="title", lookup_expr="icontains", max_length=50, label=_("活动名称")
    )
    pair = IdFilter(field_name="pair_id", label=_("结对编号"))
    kind = django_filters.ChoiceFilter(
        choices=Mechanism.choices, label=_("六联类别"), empty_label=_("全部")
    )
    since = django_filters.DateFilter(field_name="held_on", lookup_expr="gte", label=_("起始日期"))
    until = django_filters.DateFilter(field_name="held_on", lookup_expr="lte", label=_("截止日期"))

    class Meta:
        model = PairActivity
        fields = ["q", "pair", "kind", "since", "until"]
