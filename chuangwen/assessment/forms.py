from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class RoundForm(forms.Form):
    title = forms.CharField(label=_("名称"), max_length=200)
    window_days = forms.IntegerField(label=_("实地数据窗口（天）"), min_value=1, initial=120)
    plans = forms.MultipleChoiceField(label=_("采用的督查计划"), required=False)

    def __init__(self, *args: Any, plans: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plans"].choices = [(p.pk, p.title) for p in plans]  # type: ignore[attr-defined]


class WeightsForm(forms.Form):
    materials = forms.FloatField(label=_("网上申报材料审核"), min_value=0)
    field = forms.FloatField(label=_("实地考察"), min_value=0)
    survey = forms.FloatField(label=_("问卷调查"), min_value=0)
    year1 = forms.FloatField(label=_("周期第一年 %"), min_value=0)
    year2 = forms.FloatField(label=_("周期第二年 %"), min_value=0)
    year3 = forms.FloatField(label=_("周期第三年 %"), min_value=0)
    minors_threshold = forms.FloatField(label=_("未成年人测评前置分数"), min_value=0)
    minors_share_percent = forms.FloatField(
        label=_("未成年人测评占比 %"), min_value=0, max_value=100
    )
    minors_input = forms.FloatField(label=_("未成年人测评得分（录入）"), required=False)

    @classmethod
    def initial_from(cls, rnd: Any) -> dict[str, Any]:
        w = rnd.weights or {}
        c = w.get("components") or {}
        years = w.get("cycle_year_weights") or [15, 25, 60]
        return {
            "materials": c.get("materials", 40),
            "field": c.get("field", 40),
            "survey": c.get("survey", 20),
            "year1": years[0],
            "year2": years[1],
            "year3": years[2],
            "minors_threshold": w.get("minors_threshold", 85),
            "minors_share_percent": w.get("minors_share_percent", 20),
            "minors_input": rnd.minors_input,
        }

    def weights(self, current: dict[str, Any]) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            **current,
            "components": {"materials": d["materials"], "field": d["field"], "survey": d["survey"]},
            "cycle_year_weights": [d["year1"], d["year2"], d["year3"]],
            "minors_threshold": d["minors_threshold"],
            "minors_share_percent": d["minors_share_percent"],
        }


class SurveyForm(forms.Form):
    file = forms.FileField(label=_("问卷调查结果（Excel）"))
