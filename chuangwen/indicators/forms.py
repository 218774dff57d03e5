from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import CityLevel, CityTitle, Level, SystemKind
from .services.parsing import NodeRow, ParsedSystem, _clauses_and_methods
from .widgets import IndicatorPicker

MAX_UPLOAD = 20 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(label=_("文件（.xlsx 模板或 .docx 操作手册）"))
    name = forms.CharField(label=_("版本名称"), max_length=200)
    version_year = forms.IntegerField(label=_("版本年份"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("体系"), choices=SystemKind.choices)
    title = forms.ChoiceField(
        label=_("创建称号"),
        choices=CityTitle.choices,
        initial=CityTitle.CIVILIZED,
        required=False,
        help_text=_("不选则为全国文明城市"),
    )
    title_other = forms.CharField(
        label=_("其他称号名称（称号选“其他”时填写）"), max_length=50, required=False
    )
    city_level = forms.ChoiceField(label=_("适用城市层级"), choices=CityLevel.choices)
    source = forms.CharField(
        label=_("来源说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > MAX_UPLOAD:
            raise forms.ValidationError(_("文件超过 20 MB 上限"))
        suffix = f.name.lower().rsplit(".", 1)[-1]
        if suffix not in {"xlsx", "docx"}:
            raise forms.ValidationError(_("文件类型不符，需要 .xlsx 或 .docx"))
        f.fmt = suffix
        return f


class IndicatorForm(forms.Form):
    code = forms.CharField(label=_("编号"), max_length=40)
    title = forms.CharField(label=_("名称"), max_length=300)
    level = forms.ChoiceField(label=_("层级"), choices=Level.choices)
    level_name = forms.CharField(label=_("层级名称"), max_length=20, required=False)
    text = forms.CharField(
        label=_("内容"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    clauses = forms.CharField(
        label=_("子条款（每行一条：1）…）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    methods = forms.CharField(
        label=_("测评方法（如：实地考察、材料审核；或逐条：1）实地观察）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    points = forms.DecimalField(label=_("分值"), required=False, max_digits=7, decimal_places=2)
    weight = forms.DecimalField(label=_("权数"), required=False, max_digits=7, decimal_places=3)
    negative = forms.BooleanField(label=_("负面清单相关"), required=False)
    veto = forms.BooleanField(label=_("一票否决"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        out = ParsedSystem()
        node = NodeRow(None, "", code=data.get("code", ""), text=data.get("text", ""))
        _clauses_and_methods(
            out,
            node,
            data.get("clauses", ""),
            data.get("methods", ""),
            (None, "", "子条款", "测评方法"),
        )
        for error in out.errors:
            self.add_error("methods", error.message)
        data["text"], data["clauses"], data["methods"] = node.text, node.clauses, node.methods
        return data


class MoveForm(forms.Form):
    parent_code = forms.CharField(
        label=_("新的上级（留空移到顶层）"), max_length=40, required=False
    )

    def __init__(self, *args: Any, system_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        params = {"system": str(system_id)} if system_id else {}
        self.fields["parent_code"].widget = IndicatorPicker(**params)


class RetireForm(forms.Form):
    reason = forms.CharField(label=_("停用原因"), max_length=300)


class TitleForm(forms.Form):
    title = forms.ChoiceField(label=_("创建称号"), choices=CityTitle.choices)
    title_other = forms.CharField(label=_("其他称号名称"), max_length=50, required=False)


class LinkForm(forms.Form):
    """The two standards come from the search pickers (radio buttons named a and b)."""

    a = forms.IntegerField(min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)
    b = forms.IntegerField(min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class PickForm(forms.Form):
    q = forms.CharField(max_length=50, required=False)
    name = forms.ChoiceField(choices=[("a", "a"), ("b", "b"), ("standards", "standards")])
    system = forms.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
    exclude = forms.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
    multiple = forms.BooleanField(required=False)
