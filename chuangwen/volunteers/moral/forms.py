"""Forms of part B. Choices are always picked from the city's own rows (no typed ids)."""

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chuangwen.core.forms import StyledForm
from chuangwen.indicators.models import SiteType
from chuangwen.org.choices import UnitKind
from chuangwen.org.models import Person, Unit
from chuangwen.org.widgets import PeoplePicker, PersonPicker, UnitPicker

from ..models import MoralRule, Outlet
from .choices import (
    HolderMode,
    HonourCategory,
    HonourKind,
    HonourLevel,
    RuleKind,
    SelectionCategory,
)


def people(city_id: int) -> QuerySet[Person]:
    return Person.objects.filter(city_id=city_id, active=True).order_by("name", "id")


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.masked_phone}）" if obj.phone else obj.name


class ConfigForm(StyledForm):
    holder_mode = forms.ChoiceField(label=_("开户方式"), choices=HolderMode.choices)
    points_per_hour = forms.DecimalField(
        label=_("每小时志愿服务积分"), min_value=0, max_value=1000, decimal_places=2
    )
    points_per_report = forms.IntegerField(
        label=_("每件有效随手拍积分"), min_value=0, max_value=1000
    )
    notice_days = forms.IntegerField(label=_("好人好事公示天数"), min_value=1, max_value=60)


class BankForm(StyledForm):
    community = forms.ModelChoiceField(
        label=_("社区"), queryset=Unit.objects.none(), widget=UnitPicker(kind="community")
    )
    name = forms.CharField(label=_("名称"), max_length=100, required=False)

    def __init__(self, *args: Any, city_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = Unit.objects.filter(  # type: ignore[attr-defined]
            city_id=city_id, kind=UnitKind.COMMUNITY, active=True, moral_bank__isnull=True
        ).order_by("path")


class RuleForm(StyledForm):
    kind = forms.ChoiceField(label=_("类型"), choices=RuleKind.choices)
    code = forms.CharField(label=_("编号"), max_length=20)
    name = forms.CharField(label=_("名称"), max_length=200)
    points = forms.IntegerField(label=_("分值"), min_value=1, max_value=1_000_000)


class PersonForm(StyledForm):
    person = PersonChoice(label=_("人员"), queryset=Person.objects.none(), widget=PersonPicker())

    def __init__(self, *args: Any, city_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people(city_id)  # type: ignore[attr-defined]


class HouseholdForm(StyledForm):
    name = forms.CharField(label=_("户名"), max_length=100)
    address = forms.CharField(label=_("住址"), max_length=200, required=False)
    members = forms.ModelMultipleChoiceField(
        label=_("家庭成员"), queryset=Person.objects.none(), widget=PeoplePicker()
    )

    def __init__(self, *args: Any, city_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = people(city_id)  # type: ignore[attr-defined]


class OutletForm(StyledForm):
    name = forms.CharField(label=_("兑换点名称"), max_length=100)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)


class OutletMemberForm(PersonForm):
    outlet = forms.ModelChoiceField(label=_("兑换点"), queryset=Outlet.objects.none())

    def __init__(self, *args: Any, city_id: int, outlets: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, city_id=city_id, **kwargs)
        self.fields["outlet"].queryset = outlets  # type: ignore[attr-defined]


def _rules(city_id: int, kind: str) -> QuerySet[MoralRule]:
    return MoralRule.objects.filter(city_id=city_id, kind=kind, active=True).order_by("code")


class RuleChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        sign = "+" if obj.kind == RuleKind.EARN else "-"
        return f"{obj.code} {obj.name}（{sign}{obj.points} 分）"


class DeedForm(StyledForm):
    rule = RuleChoice(label=_("加分规则"), queryset=MoralRule.objects.none())
    title = forms.CharField(label=_("事迹"), max_length=200)
    description = forms.CharField(
        label=_("详细说明"), max_length=2000, required=False, widget=forms.Textarea({"rows": 3})
    )

    def __init__(self, *args: Any, city_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rule"].queryset = _rules(city_id, RuleKind.EARN)  # type: ignore[attr-defined]


class DeductForm(StyledForm):
    rule = RuleChoice(label=_("扣分规则"), queryset=MoralRule.objects.none())
    note = forms.CharField(label=_("说明"), max_length=200, required=False)
    key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args: Any, city_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rule"].queryset = _rules(city_id, RuleKind.DEDUCT)  # type: ignore[attr-defined]


class ReviewForm(StyledForm):
    note = forms.CharField(label=_("意见"), max_length=300, required=False)


class RedeemForm(StyledForm):
    code = forms.CharField(
        label=_("积分码"),
        max_length=40,
        widget=forms.TextInput(
            {"autocomplete": "off", "autocapitalize": "characters", "placeholder": "DY…-…"}
        ),
    )
    points = forms.IntegerField(
        label=_("兑换积分"), min_value=1, max_value=1_000_000, widget=forms.NumberInput(
            {"inputmode": "numeric"}
        )
    )  # fmt: skip
    note = forms.CharField(label=_("兑换内容"), max_length=200, required=False)
    key = forms.CharField(widget=forms.HiddenInput, max_length=100)


class MonthForm(forms.Form):
    month = forms.DateField(
        label=_("月份"), input_formats=["%Y-%m"], required=False,
        widget=forms.DateInput({"type": "month", "class": "form-control"}, format="%Y-%m"),
    )  # fmt: skip

    @classmethod
    def of(cls, query: Any) -> "MonthForm":
        """The month picker of a page: the month asked for, else this month shown filled in."""
        if query.get("month"):
            return cls(query)
        return cls(initial={"month": timezone.localdate().replace(day=1)})

    def month_or_current(self) -> dt.date:
        if self.is_valid() and self.cleaned_data.get("month"):
            return self.cleaned_data["month"].replace(day=1)
        return timezone.localdate().replace(day=1)


# --- moral models ---------------------------------------------------------------------------------


def _year_choices() -> list[tuple[int, int]]:
    this = timezone.localdate().year
    return [(y, y) for y in range(this, this - 6, -1)]


class HonourForm(StyledForm):
    kind = forms.ChoiceField(label=_("类别"), choices=HonourKind.choices)
    category = forms.ChoiceField(label=_("类型"), choices=HonourCategory.choices)
    year = forms.TypedChoiceField(label=_("年度"), coerce=int, choices=_year_choices)
    name = forms.CharField(label=_("被推荐人姓名"), max_length=50)
    unit = forms.ModelChoiceField(
        label=_("所在单位或社区"), queryset=Unit.objects.none(), required=False, widget=UnitPicker()
    )
    title = forms.CharField(label=_("事迹标题"), max_length=200)
    story = forms.CharField(label=_("事迹"), max_length=5000, widget=forms.Textarea({"rows": 6}))
    photo = forms.ImageField(label=_("照片"), required=False)

    def __init__(self, *args: Any, city_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(  # type: ignore[attr-defined]
            city_id=city_id, active=True
        ).order_by("path")


class UnitHonourForm(HonourForm):
    level = forms.ChoiceField(label=_("级别"), choices=HonourLevel.choices)
    nominator_unit = forms.ModelChoiceField(
        label=_("推荐单位"), queryset=Unit.objects.none(), widget=UnitPicker()
    )

    def __init__(self, *args: Any, city_id: int, units: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, city_id=city_id, **kwargs)
        self.fields["nominator_unit"].queryset = units  # type: ignore[attr-defined]


class PublicHonourForm(HonourForm):
    nominator_name = forms.CharField(label=_("推荐人姓名"), max_length=50)
    nominator_phone = forms.CharField(label=_("推荐人手机号"), max_length=20)
    token = forms.CharField(widget=forms.HiddenInput)


class NoticeDaysForm(StyledForm):
    days = forms.IntegerField(label=_("公示天数"), min_value=5, max_value=30, initial=7)


class ObjectionForm(StyledForm):
    text = forms.CharField(label=_("异议内容"), max_length=1000, widget=forms.Textarea({"rows": 3}))
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("手机号"), max_length=20)
    token = forms.CharField(widget=forms.HiddenInput)


class DecisionForm(StyledForm):
    decision = forms.ChoiceField(choices=[("yes", _("成立")), ("no", _("不成立"))])
    note = forms.CharField(label=_("意见"), max_length=300)


# --- selections -----------------------------------------------------------------------------------


class SelectionKindForm(StyledForm):
    category = forms.ChoiceField(label=_("类别"), choices=SelectionCategory.choices)
    name = forms.CharField(label=_("名称"), max_length=100)
    site_type = forms.ModelChoiceField(
        label=_("测评清单（点位类型）"), queryset=SiteType.objects.none(), required=False
    )
    pass_score = forms.DecimalField(label=_("合格分"), min_value=0, max_value=100, initial=80)
    term_years = forms.IntegerField(label=_("复查周期（年）"), min_value=1, max_value=10, initial=3)
    notice_days = forms.IntegerField(label=_("公示天数"), min_value=1, max_value=30, initial=7)

    def __init__(self, *args: Any, city_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site_type"].queryset = SiteType.objects.filter(  # type: ignore[attr-defined]
            city_id=city_id, active=True
        )


class ApplyForm(StyledForm):
    kind = forms.ModelChoiceField(label=_("评选类别"), queryset=SiteType.objects.none())
    year = forms.TypedChoiceField(label=_("年度"), coerce=int, choices=_year_choices)
    unit = forms.ModelChoiceField(
        label=_("申报单位（家庭类不填）"),
        queryset=Unit.objects.none(),
        required=False,
        widget=UnitPicker(),
    )
    family_name = forms.CharField(label=_("家庭名称（家庭类）"), max_length=100, required=False)
    statement = forms.CharField(
        label=_("申报材料说明"), max_length=5000, required=False, widget=forms.Textarea({"rows": 3})
    )

    def __init__(self, *args: Any, kinds: QuerySet, units: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = kinds  # type: ignore[attr-defined]
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class ScoreForm(StyledForm):
    score = forms.DecimalField(label=_("得分"), min_value=0, max_value=100, decimal_places=2)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)
