from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chuangwen.core.forms import bootstrap
from chuangwen.indicators.choices import Method
from chuangwen.indicators.models import SiteType
from chuangwen.indicators.widgets import IndicatorPicker
from chuangwen.org.choices import UnitKind
from chuangwen.org.models import Unit
from chuangwen.org.widgets import UnitPicker, UnitsPicker

from .choices import LeadMode, SupportFromSites


class RuleForm(forms.Form):
    """A decomposition rule; the service validates the combination (criteria, lead)."""

    name = forms.CharField(label=_("规则名称"), max_length=200)
    site_type = forms.ModelChoiceField(
        label=_("点位类型"), queryset=SiteType.objects.none(), required=False
    )
    code_prefix = forms.CharField(
        label=_("指标（含下级）"), max_length=40, required=False, widget=IndicatorPicker()
    )
    method = forms.ChoiceField(
        label=_("测评方法"), choices=[("", "—"), *Method.choices], required=False
    )
    lead_mode = forms.ChoiceField(label=_("牵头方式"), choices=LeadMode.choices)
    lead_unit = forms.ModelChoiceField(
        label=_("牵头单位"), queryset=Unit.objects.none(), required=False, widget=UnitPicker()
    )
    lead_kind = forms.ChoiceField(
        label=_("牵头单位类型"), choices=[("", "—"), *UnitKind.choices], required=False
    )
    supporting_units = forms.ModelMultipleChoiceField(
        label=_("配合单位"), queryset=Unit.objects.none(), required=False, widget=UnitsPicker()
    )
    support_from_sites = forms.ChoiceField(
        label=_("按点位推导配合单位"), choices=SupportFromSites.choices, required=False
    )
    content = forms.CharField(
        label=_("工作要求"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    target = forms.CharField(label=_("目标"), max_length=300, required=False)
    deadline = forms.DateField(
        label=_("完成时限"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, city_id: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = Unit.objects.filter(city_id=city_id, active=True).order_by("path")
        self.fields["site_type"].queryset = SiteType.objects.filter(city_id=city_id)  # type: ignore[attr-defined]
        self.fields["lead_unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["supporting_units"].queryset = units  # type: ignore[attr-defined]
        bootstrap(self.fields.values(), small=True)


class MetricForm(forms.Form):
    """A quantified target; the indicator comes from the search picker (its id as a radio
    button), the formula is checked by the service."""

    indicator = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    name = forms.CharField(label=_("名称"), max_length=200)
    formula = forms.CharField(
        label=_("计算公式"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
    )
    target = forms.DecimalField(label=_("目标值"), max_digits=12, decimal_places=3, required=False)
    unit_label = forms.CharField(label=_("单位"), max_length=20, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].error_messages["required"] = _("请搜索并选择所属指标")
        bootstrap(f for name, f in self.fields.items() if name != "indicator")


class FormulaCheckForm(forms.Form):
    formula = forms.CharField(max_length=1000, required=False)
