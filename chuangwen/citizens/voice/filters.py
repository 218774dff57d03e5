"""One FilterSet of suggestions serves the list page, the API and the Excel export."""

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .models import Suggestion, SuggestionSource, SuggestionStatus


class SuggestionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("关键词"), method="search", max_length=50)
    source = django_filters.ChoiceFilter(
        label=_("来源"), choices=SuggestionSource.choices, empty_label=_("全部")
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=SuggestionStatus.choices, empty_label=_("全部")
    )
    since = django_filters.DateFilter(
        label=_("起始日期"), field_name="submitted_at", lookup_expr="date__gte"
    )
    until = django_filters.DateFilter(
        label=_("截止日期"), field_name="submitted_at", lookup_expr="date__lte"
    )

    class Meta:
        model = Suggestion
        fields = ["q", "source", "status", "since", "until"]

    def search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(Q(text__icontains=value) | Q(place__icontains=value) | Q(number=value))
