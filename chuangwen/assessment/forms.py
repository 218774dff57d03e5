from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chuangwen.cases.forms import MultiPhotoField
from chuangwen.indicators.models import NegativeListItem
from chuangwen.indicators.widgets import NegativeItemPicker
from chuangwen.org.models import Unit
from chuangwen.org.widgets import UnitPicker, UnitsPicker

from .choices import (
    AccountabilityKind,
    BulletinKind,
    Disclosure,
    FindingSource,
    ItemKind,
    ListMode,
    PeriodKind,
    ReportPeriod,
    UnitGroup,
    UnitSanction,
)


def _none() -> Any:
    """An empty queryset: the form's ``__init__`` sets the real, scoped one."""
    return Unit.objects.none()


class UnitChoiceField(forms.ModelChoiceField):
    """A unit picked with the search picker (no list of hundreds of options)."""

    widget = UnitPicker()

    def label_from_instance(self, obj: Any) -> str:
        return f"{'　' * max(0, obj.depth - 1)}{obj.name}"


class UnitsChoiceField(forms.ModelMultipleChoiceField):
    widget = UnitsPicker()

    def label_from_instance(self, obj: Any) -> str:
        return f"{'　' * max(0, obj.depth - 1)}{obj.name}"


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


# --- unit assessment ---


class SchemeForm(forms.Form):
    """A scheme's settings (a new scheme also picks its period kind)."""

    name = forms.CharField(label=_("方案名称"), max_length=100)
    period_kind = forms.ChoiceField(label=_("考核周期"), choices=PeriodKind.choices)
    total = forms.DecimalField(
        label=_("满分"), min_value=1, max_value=10000, decimal_places=2, initial=100
    )
    groups = forms.MultipleChoiceField(
        label=_("考核对象（各自排名）"),
        choices=UnitGroup.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    list_mode = forms.ChoiceField(label=_("红黑榜规则"), choices=ListMode.choices)
    list_size = forms.IntegerField(label=_("前/后 N 名"), min_value=0, max_value=100, initial=3)
    red_threshold = forms.DecimalField(
        label=_("红榜分数线（不低于）"), required=False, min_value=0, max_value=10000
    )
    black_threshold = forms.DecimalField(
        label=_("黑榜分数线（低于）"), required=False, min_value=0, max_value=10000
    )
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def settings(self) -> dict[str, Any]:
        d = dict(self.cleaned_data)
        d.pop("period_kind", None)
        return d


class ItemForm(forms.Form):
    code = forms.CharField(label=_("编号"), max_length=20)
    name = forms.CharField(label=_("考核项目"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=ItemKind.choices)
    formula = forms.CharField(label=_("计算公式"), max_length=1000, required=False)
    weight = forms.DecimalField(label=_("分值"), min_value=0, max_value=10000, decimal_places=2)
    min_volume = forms.IntegerField(
        label=_("最低样本量"), min_value=0, max_value=1_000_000, initial=0, required=False
    )
    description = forms.CharField(label=_("口径说明"), max_length=2000, required=False)


ItemFormSet = forms.formset_factory(ItemForm, extra=2, can_delete=True, max_num=50)


def item_specs(formset: Any) -> list[Any]:
    from .services import ItemSpec

    return [
        ItemSpec(
            code=f.cleaned_data["code"],
            name=f.cleaned_data["name"],
            kind=f.cleaned_data["kind"],
            weight=f.cleaned_data["weight"],
            formula=f.cleaned_data.get("formula") or "",
            min_volume=f.cleaned_data.get("min_volume") or 0,
            description=f.cleaned_data.get("description") or "",
        )
        for f in formset.forms
        if f.cleaned_data and f.cleaned_data.get("code") and not f.cleaned_data.get("DELETE")
    ]


class PeriodForm(forms.Form):
    kind = forms.ChoiceField(label=_("考核周期"), choices=PeriodKind.choices)
    year = forms.IntegerField(label=_("年份"), min_value=2000, max_value=2100)
    number = forms.IntegerField(
        label=_("月份/季度"), min_value=1, max_value=12, required=False, help_text=_("年度考核不填")
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=500, required=False)


class PublishForm(forms.Form):
    disclosure = forms.ChoiceField(label=_("公开范围"), choices=Disclosure.choices)


class AdjustmentForm(forms.Form):
    item = forms.ModelChoiceField(label=_("加减分项"), queryset=_none())
    unit = UnitChoiceField(label=_("单位"), queryset=_none())
    points = forms.DecimalField(
        label=_("分数（正为加分，负为减分）"), min_value=-10000, max_value=10000, decimal_places=2
    )
    reason = forms.CharField(
        label=_("理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    file = forms.FileField(label=_("佐证材料"), required=False)

    def __init__(self, *args: Any, items: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items  # type: ignore[attr-defined]
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class NoteFileForm(forms.Form):
    note = forms.CharField(
        label=_("整改情况"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    file = forms.FileField(label=_("佐证材料"), required=False)


class VerifyForm(forms.Form):
    approved = forms.TypedChoiceField(
        label=_("核查结果"),
        choices=[("1", _("通过")), ("0", _("不通过"))],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label=_("核查意见"), max_length=500, required=False)


class FindingForm(forms.Form):
    unit = UnitChoiceField(label=_("责任单位"), queryset=_none())
    item = forms.ModelChoiceField(
        label=_("负面清单条目"),
        queryset=NegativeListItem.objects.none(),
        widget=NegativeItemPicker(),
    )
    source = forms.ChoiceField(label=_("发现途径"), choices=FindingSource.choices)
    found_on = forms.DateField(label=_("认定日期"), widget=forms.DateInput(attrs={"type": "date"}))
    sanction = forms.ChoiceField(label=_("处理措施"), choices=UnitSanction.choices)
    points = forms.DecimalField(
        label=_("扣分"),
        required=False,
        min_value=0,
        max_value=1000,
        decimal_places=2,
        help_text=_("处理措施为扣分时不填则按条目分值"),
    )
    rectify_by = forms.DateField(
        label=_("整改时限"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    description = forms.CharField(
        label=_("问题情况"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    file = forms.FileField(label=_("问题佐证"), required=False)

    def __init__(self, *args: Any, units: Any, system: Any, **kwargs: Any) -> None:
        """``system``: the evaluation system whose negative list the items come from."""
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        if system is not None:
            item = self.fields["item"]
            item.queryset = NegativeListItem.objects.filter(system=system)  # type: ignore[attr-defined]
            item.widget.params = {"system": str(system.pk)}


class AnnualForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("考核周期"), choices=PeriodKind.choices, initial="month")
    weight = forms.DecimalField(
        label=_("创建工作在绩效考核中的分值"),
        min_value=Decimal("0.01"),
        max_value=1000,
        decimal_places=2,
        initial=10,
    )


# --- accountability, submissions, bulletins ---------------------------------------------------

TEXTAREA = forms.Textarea(attrs={"rows": 3, "class": "form-control"})
DATE = forms.DateInput(attrs={"type": "date"})


class AccountabilityForm(forms.Form):
    unit = UnitChoiceField(label=_("对象单位"), queryset=Unit.objects.none())
    kind = forms.ChoiceField(label=_("类型"), choices=AccountabilityKind.choices)
    title = forms.CharField(label=_("事由"), max_length=200)
    reason = forms.CharField(label=_("情况说明"), widget=TEXTAREA, required=False, max_length=20000)
    facts = forms.MultipleChoiceField(
        label=_("依据事实"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, units: Any = None, facts: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Unit.objects.none()  # type: ignore[attr-defined]
        self.fields["facts"].choices = list(facts)  # type: ignore[attr-defined]


class DecideForm(forms.Form):
    decision = forms.CharField(label=_("决定意见"), widget=TEXTAREA, max_length=20000)
    response_due = forms.DateField(label=_("反馈时限"), required=False, widget=DATE)
    referral_to = forms.CharField(label=_("移送机关（问责建议）"), required=False, max_length=100)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("说明"), widget=TEXTAREA, max_length=20000, required=False)


class ReportTemplateForm(forms.Form):
    title = forms.CharField(label=_("名称"), max_length=200)
    period = forms.ChoiceField(label=_("周期"), choices=ReportPeriod.choices)
    due_day = forms.IntegerField(
        label=_("报送截止日（次月几日）"), min_value=1, max_value=28, initial=5
    )
    sections = forms.CharField(
        label=_("栏目（每行一栏，可用“｜”分隔填写提示）"),
        widget=forms.Textarea(attrs={"rows": 5, "class": "form-control"}),
        max_length=5000,
    )
    units = UnitsChoiceField(label=_("报送单位"), queryset=Unit.objects.none())
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = units if units is not None else Unit.objects.none()  # type: ignore[attr-defined]

    def section_list(self) -> list[dict[str, str]]:
        out = []
        for line in self.cleaned_data["sections"].splitlines():
            title, _sep, hint = line.replace("|", "｜").partition("｜")
            if title.strip():
                out.append({"title": title.strip(), "hint": hint.strip()})
        return out

    @staticmethod
    def sections_text(sections: list[dict[str, str]]) -> str:
        return "\n".join(
            f"{s['title']}｜{s['hint']}" if s.get("hint") else s["title"] for s in sections
        )


class ReportForm(forms.Form):
    """A unit's report: the period and one text per section of the template."""

    unit = UnitChoiceField(label=_("报送单位"), queryset=Unit.objects.none())
    period_start = forms.ChoiceField(label=_("报告期"))

    def __init__(self, *args: Any, template: Any, units: Any, periods: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["period_start"].choices = periods  # type: ignore[attr-defined]
        for i, s in enumerate(template.sections):
            self.fields[f"s{i}"] = forms.CharField(
                label=s["title"],
                help_text=s.get("hint", ""),
                widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
                max_length=20000,
            )
        self.n_sections = len(template.sections)

    def texts(self) -> list[str]:
        return [self.cleaned_data[f"s{i}"] for i in range(self.n_sections)]


class InfoForm(forms.Form):
    unit = UnitChoiceField(label=_("报送单位"), queryset=Unit.objects.none())
    title = forms.CharField(label=_("标题"), max_length=200)
    body = forms.CharField(
        label=_("正文"),
        widget=forms.Textarea(attrs={"rows": 6, "class": "form-control"}),
        max_length=20000,
    )
    photos = MultiPhotoField(label=_("照片（最多 6 张）"), required=False)

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Unit.objects.none()  # type: ignore[attr-defined]
        self.fields["photos"].widget.attrs.pop(
            "capture", None
        )  # the gallery too, not only the camera


class InfoEditForm(InfoForm):
    """A returned 信息 corrected: same fields, the unit stays."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["unit"]


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("点评结果"),
        choices=[("approve", _("采用（打分）")), ("return", _("退回修改"))],
        widget=forms.RadioSelect,
        initial="approve",
    )
    score = forms.IntegerField(
        label=_("点评得分（0–100）"), min_value=0, max_value=100, required=False
    )
    comment = forms.CharField(label=_("点评意见"), widget=TEXTAREA, max_length=20000)


class BulletinDraftForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=BulletinKind.choices)
    start = forms.DateField(label=_("统计期起"), widget=DATE)
    end = forms.DateField(label=_("统计期止"), widget=DATE)
    title = forms.CharField(label=_("标题（可不填，自动生成）"), max_length=200, required=False)


class BulletinTitleForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200)


class SectionForm(forms.Form):
    title = forms.CharField(label=_("栏目标题"), max_length=200)
    text = forms.CharField(
        label=_("正文"),
        widget=forms.Textarea(attrs={"rows": 8, "class": "form-control"}),
        max_length=20000,
    )
    included = forms.BooleanField(label=_("印发时包含本栏目"), required=False)
    photos = forms.MultipleChoiceField(
        label=_("印发的照片"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, offered: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["photos"].choices = list(offered)  # type: ignore[attr-defined]


class IssueForm(forms.Form):
    prefix = forms.CharField(label=_("发文机关代字"), max_length=20)  # type: ignore[assignment]
    seq = forms.IntegerField(
        label=_("序号（不填则取下一个）"), min_value=1, max_value=99999, required=False
    )
    issuer = forms.CharField(label=_("发文机关"), max_length=100)
    recipients = UnitsChoiceField(label=_("主送单位"), queryset=Unit.objects.none())

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recipients"].queryset = units if units is not None else Unit.objects.none()  # type: ignore[attr-defined]
