from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chuangwen.core.forms import bootstrap
from chuangwen.org.widgets import UnitPicker

from .choices import MeetingKind, PlanKind

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"})


class PlanForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=PlanKind.choices)
    title = forms.CharField(label=_("名称"), max_length=200)
    seed = forms.IntegerField(
        label=_("随机种子"), required=False, min_value=0, help_text=_("留空则随机生成并记录")
    )
    stratify = forms.BooleanField(label=_("按区县分层"), required=False, initial=True)
    auto_dispatch = forms.BooleanField(label=_("问题自动立案派遣"), required=False, initial=True)
    rectify_days = forms.IntegerField(label=_("整改时限（天）"), min_value=1, initial=7)
    starts_on = forms.DateField(label=_("开始日期"), required=False, widget=DATE)
    ends_on = forms.DateField(label=_("结束日期"), required=False, widget=DATE)
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, site_types: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.type_fields = []
        for t in site_types:
            name = f"size_{t.code}"
            self.fields[name] = forms.IntegerField(
                label=t.name, required=False, min_value=0, initial=0
            )
            self.type_fields.append((t.code, name))
        bootstrap(self.fields.values(), small=True)

    def sample_sizes(self) -> dict[str, int]:
        return {
            code: self.cleaned_data[name]
            for code, name in self.type_fields
            if self.cleaned_data.get(name)
        }


class NoticeDeadlineForm(forms.Form):
    deadline = forms.DateField(label=_("整改时限"), widget=DATE)


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("会议名称"), max_length=200)
    held_at = forms.DateTimeField(
        label=_("召开时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    location = forms.CharField(label=_("地点"), required=False)
    agenda = forms.CharField(
        label=_("议程"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class MinutesForm(forms.Form):
    minutes = forms.CharField(label=_("会议纪要"), widget=forms.Textarea(attrs={"rows": 6}))


class ActionForm(forms.Form):
    text = forms.CharField(label=_("议定事项"), widget=forms.Textarea(attrs={"rows": 2}))
    unit = forms.IntegerField(label=_("责任单位"), widget=UnitPicker())
    deadline = forms.DateField(label=_("完成时限"), widget=DATE)


class ActionUpdateForm(forms.Form):
    status = forms.CharField(required=False)
    progress = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
