"""One FilterSet for the tree: the page, the API and the export share it."""

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from chuangwen.core.filtering import BooleanFilter, IdFilter

from .choices import CityTitle, Level, Method
from .models import Indicator, StandardLink
from .widgets import SiteTypePicker


class IndicatorFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("关键词"))
    method = django_filters.ChoiceFilter(
        choices=Method.choices, method="by_method", label=_("测评方法")
    )
    site_type = IdFilter(method="by_site_type", label=_("点位类型"), widget=SiteTypePicker())
    level = django_filters.ChoiceFilter(choices=Level.choices, label=_("层级"))
    negative = BooleanFilter(method="by_negative", label=_("负面清单相关"))
    city_added = BooleanFilter(label=_("本市增补"))
    retired = BooleanFilter(label=_("已停用"))

    class Meta:
        model = Indicator
        fields = ["q", "method", "site_type", "level", "negative", "city_added", "retired"]

    def search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        """Chinese full-text search: every whitespace-separated term must appear in the code,
        title, text or a sub-clause (``search_text``; icontains works on SQLite and PostgreSQL)."""
        for term in value.split():
            qs = qs.filter(search_text__icontains=term)
        return qs

    def by_method(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(method_tags__contains=f"|{value}|")

    def by_site_type(self, qs: QuerySet, name: str, value: int) -> QuerySet:
        return qs.filter(check_items__site_type_id=value).distinct()

    def by_negative(self, qs: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return qs
        flagged = Q(negative=True) | Q(veto=True)
        return qs.filter(flagged) if value else qs.exclude(flagged)


class LinkFilter(django_filters.FilterSet):
    """跨体系标准对应: the page and the API share it."""

    q = django_filters.CharFilter(method="search", max_length=50, label=_("编号/名称"))
    system = IdFilter(method="by_system", label=_("测评体系"))
    title = django_filters.ChoiceFilter(
        choices=CityTitle.choices, method="by_title", label=_("创建称号"), empty_label=_("全部")
    )

    class Meta:
        model = StandardLink
        fields = ["q", "system", "title"]

    def search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(
            Q(a__code__startswith=value)
            | Q(b__code__startswith=value)
            | Q(a__title__icontains=value)
            | Q(b__title__icontains=value)
        )

    def by_system(self, qs: QuerySet, name: str, value: int) -> QuerySet:
        return qs.filter(Q(a__system_id=value) | Q(b__system_id=value))

    def by_title(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(Q(a__system__title=value) | Q(b__system__title=value))
