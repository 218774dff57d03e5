import django_filters
from django.utils.translation import gettext_lazy as _

from chuangwen.core.filtering import YearFilter

from .choices import RoundStatus
from .models import MockEvaluation


class RoundFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label=_("名称"))
    year = YearFilter(label=_("年度"))
    status = django_filters.ChoiceFilter(choices=RoundStatus.choices, label=_("状态"))

    class Meta:
        model = MockEvaluation
        fields = ["q", "year", "status"]
