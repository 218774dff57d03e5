from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chuangwen.core.schemas import MAX_YEAR, MIN_YEAR
from chuangwen.org.choices import PAIR_COMMUNITY_KINDS, Mechanism
from chuangwen.org.models import Unit

from .models import MAX_PARTICIPANTS


class BoundedDateField(forms.DateField):
    def clean(self, value: Any) -> Any:
        day = super().clean(value)
        if day is not None and not MIN_YEAR <= day.year <= MAX_YEAR:
            raise forms.ValidationError(_("日期超出范围"))
        return day


class PairForm(forms.Form):
    """The two parties are picked with the search picker (radio buttons of the answers), never
    from a list of every unit; the fields only check that the picked ids are the city's."""

    unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(), label=_("共建单位"), widget=forms.HiddenInput
    )
    community = forms.ModelChoiceField(
        queryset=Unit.objects.none(), label=_("结对社区/村"), widget=forms.HiddenInput
    )
    mechanisms = forms.MultipleChoiceField(
        choices=Mechanism.choices,
        required=False,
        label=_("六联机制"),
        widget=forms.CheckboxSelectMultiple,
    )
    started_on = BoundedDateField(
        required=False,
        label=_("开始日期"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    note = forms.CharField(
        required=False, max_length=2000, label=_("备注"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, city_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = Unit.objects.filter(city_id=city_id, active=True)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["community"].queryset = units.filter(  # type: ignore[attr-defined]
            kind__in=PAIR_COMMUNITY_KINDS
        )
        self.fields["unit"].error_messages["invalid_choice"] = _("请从搜索结果中选择共建单位")
        self.fields["community"].error_messages["invalid_choice"] = _(
            "请从搜索结果中选择社区或行政村"
        )
        self.fields["unit"].error_messages["required"] = _("请搜索并选择共建单位")
        self.fields["community"].error_messages["required"] = _("请搜索并选择结对社区/村")


class EndPairForm(forms.Form):
    ended_on = BoundedDateField(
        required=False,
        label=_("结束日期"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    reason = forms.CharField(max_length=300, label=_("结束原因"))


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(
        choices=Mechanism.choices,
        label=_("六联类别"),
        error_messages={"invalid_choice": _("未知的六联类别")},
    )
    held_on = BoundedDateField(
        label=_("活动日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    title = forms.CharField(max_length=200, label=_("活动名称"))
    participants = forms.IntegerField(min_value=1, max_value=MAX_PARTICIPANTS, label=_("参与人数"))
    result = forms.CharField(
        required=False,
        max_length=2000,
        label=_("活动成效"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PairSettingsForm(forms.Form):
    inactive_months = forms.IntegerField(
        min_value=1, max_value=24, label=_("多少个月无活动视为不活跃")
    )
