"""One FilterSet per list: the page and the API share it.

Part B: rounds, campaigns, rankings, commitments.
"""

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chuangwen.core.filtering import BooleanFilter

from .choices import CampaignKind, CampaignStatus, CommitmentStatus, RoundKind, RoundStatus, Sector
from .models import Campaign, Commitment, Round


class RoundFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label=_("名称"))
    kind = django_filters.ChoiceFilter(choices=RoundKind.choices, label=_("类型"))
    status = django_filters.ChoiceFilter(choices=RoundStatus.choices, label=_("状态"))

    class Meta:
        model = Round
        fields = ["q", "kind", "status"]


class CampaignFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("名称/牵头单位"))
    kind = django_filters.ChoiceFilter(choices=CampaignKind.choices, label=_("类型"))
    sector = django_filters.ChoiceFilter(choices=Sector.choices, label=_("行业"))
    status = django_filters.ChoiceFilter(choices=CampaignStatus.choices, label=_("状态"))

    class Meta:
        model = Campaign
        fields = ["q", "kind", "sector", "status"]

    def search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(Q(title__icontains=value) | Q(lead_unit__name__icontains=value))


class CommitmentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("内容/单位"))
    status = django_filters.ChoiceFilter(choices=CommitmentStatus.choices, label=_("状态"))
    overdue = BooleanFilter(method="only_overdue", label=_("已逾期"))

    class Meta:
        model = Commitment
        fields = ["q", "status", "overdue"]

    def search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(Q(content__icontains=value) | Q(unit__name__icontains=value))

    def only_overdue(self, qs: QuerySet, name: str, value: bool) -> QuerySet:
        if value:
            return qs.exclude(status=CommitmentStatus.DONE).filter(due_on__lt=timezone.localdate())
        return qs
