from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.core.validators import RegexValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from chuangwen.core.widgets import MultiPicker

from .models import MAX_TEXT, SuggestionStatus, Topic


class PublicSuggestionForm(forms.Form):
    """意见建议 without an account: phone first, bounded text (escaped when shown)."""

    phone = forms.CharField(
        label=_("手机号"),
        max_length=11,
        validators=[RegexValidator(r"^1\d{10}$", _("请输入 11 位手机号"))],
    )
    text = forms.CharField(
        label=_("您的意见建议"),
        min_length=5,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
    )
    place = forms.CharField(
        label=_("涉及地点（可不填）"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    name = forms.CharField(
        label=_("称呼（可不填）"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    website = forms.CharField(required=False, widget=forms.HiddenInput)  # honeypot

    def clean_website(self) -> str:
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("bot"))
        return ""


class LikeForm(forms.Form):
    device = forms.CharField(min_length=8, max_length=100)
    phone = forms.CharField(max_length=11, required=False)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=SuggestionStatus.choices)
    reply = forms.CharField(
        label=_("答复"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件"))


class RenameForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)


class SplitForm(forms.Form):
    name = forms.CharField(label=_("新话题名称"), max_length=100)
    items = forms.TypedMultipleChoiceField(coerce=int, choices=[])

    def __init__(self, *args: Any, items: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["items"])
        field.choices = [(i.pk, str(i.pk)) for i in items]


class MergeForm(forms.Form):
    """The topics to merge into ``target``: searched by name (``citizens:pick_topics``), the
    target itself left out; ``topics`` are those the office may merge (the city's active ones)."""

    others = forms.ModelMultipleChoiceField(
        label=_("合并其他话题"),
        queryset=Topic.objects.none(),
        widget=MultiPicker(
            "citizens:pick_topics",
            placeholder=_("输入话题名称搜索"),
            attrs={"class": "form-select form-select-sm"},
        ),
    )

    def __init__(self, *args: Any, target: Topic, topics: QuerySet[Topic], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelMultipleChoiceField, self.fields["others"])
        field.queryset = topics.exclude(pk=target.pk)
        field.widget.params = {"exclude": str(target.pk)}
