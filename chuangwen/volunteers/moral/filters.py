"""One FilterSet per list of part B: the page, the API and the export share it."""

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from chuangwen.core.filtering import IdFilter, YearFilter

from ..models import MoralAccount, MoralModel, MoralTransaction, Selection
from .choices import (
    HonourKind,
    HonourLevel,
    HonourStatus,
    SelectionCategory,
    SelectionStatus,
    TxnKind,
)


class AccountFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("持有人"))
    bank = IdFilter(field_name="bank_id", label=_("道德银行"))

    class Meta:
        model = MoralAccount
        fields = ["q", "bank"]

    def search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(Q(person__name__icontains=value) | Q(household__name__icontains=value))


class TransactionFilter(django_filters.FilterSet):
    bank = IdFilter(field_name="bank_id", label=_("道德银行"))
    kind = django_filters.ChoiceFilter(choices=TxnKind.choices, label=_("类型"))
    since = django_filters.DateFilter(field_name="at", lookup_expr="date__gte", label=_("起始日期"))
    until = django_filters.DateFilter(field_name="at", lookup_expr="date__lte", label=_("截止日期"))

    class Meta:
        model = MoralTransaction
        fields = ["bank", "kind", "since", "until"]


class PublicHonourFilter(django_filters.FilterSet):
    """The 好人榜 search (published nominees only: no workflow status)."""

    q = django_filters.CharFilter(method="search", label=_("姓名/事迹"))
    kind = django_filters.ChoiceFilter(choices=HonourKind.choices, label=_("类别"))
    level = django_filters.ChoiceFilter(choices=HonourLevel.choices, label=_("级别"))
    year = YearFilter(label=_("年度"))

    class Meta:
        model = MoralModel
        fields = ["q", "kind", "level", "year"]

    def search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(Q(name__icontains=value) | Q(title__icontains=value))


class HonourFilter(PublicHonourFilter):
    status = django_filters.ChoiceFilter(choices=HonourStatus.choices, label=_("状态"))

    class Meta:
        model = MoralModel
        fields = ["q", "kind", "status", "level", "year"]


class SelectionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("单位/家庭"))
    category = django_filters.ChoiceFilter(
        field_name="kind__category", choices=SelectionCategory.choices, label=_("类别")
    )
    status = django_filters.ChoiceFilter(choices=SelectionStatus.choices, label=_("状态"))
    year = YearFilter(label=_("年度"))

    class Meta:
        model = Selection
        fields = ["q", "category", "status", "year"]

    def search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(Q(unit__name__icontains=value) | Q(family_name__icontains=value))
