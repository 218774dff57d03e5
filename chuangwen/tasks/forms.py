from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

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
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", f"{css} form-control-sm")
