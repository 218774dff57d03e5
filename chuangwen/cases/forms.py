from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from .choices import NoLocationPolicy, Resolution, Source
from .models import Category
from .widgets import CategoryPicker

MAX_PHOTOS = 6
PHOTO_WIDGET = forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"})


class MultiPhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiPhotoField(forms.FileField):
    widget = MultiPhotoInput(attrs={"accept": "image/*", "capture": "environment"})

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(_("最多上传 6 张照片"))
        if self.required and not files:
            raise forms.ValidationError(_("请拍摄或选择照片"))
        return [super(MultiPhotoField, self).clean(f, initial) for f in files]


class CoordinatesMixin(forms.Form):
    lon = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    crs = forms.ChoiceField(
        required=False, choices=[("wgs84", "WGS-84"), ("gcj02", "GCJ-02")], widget=forms.HiddenInput
    )
    address = forms.CharField(label=_("地址"), max_length=300, required=False)

    def clean(self):
        data = super().clean() or {}
        if (data.get("lon") is None) != (data.get("lat") is None):
            raise forms.ValidationError(_("经纬度不完整"))
        if data.get("lon") is None and not data.get("address"):
            raise forms.ValidationError(_("请获取定位或填写地址"))
        return data


class CaseIntakeForm(CoordinatesMixin):
    """The office / inspector / grid-worker form (phone camera and GPS)."""

    source = forms.ChoiceField(label=_("来源"), choices=[])
    category = forms.ModelChoiceField(
        label=_("类别"),
        queryset=Category.objects.none(),
        to_field_name="code",
        required=False,
        widget=CategoryPicker(placeholder=_("（由创建办判定）")),
    )
    description = forms.CharField(
        label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    photos = MultiPhotoField(label=_("现场照片"), required=False)

    def __init__(self, *args, categories=None, sources=(), **kwargs):
        """``categories``: the city's categories one may choose (a queryset); ``sources``: what
        the intake service lets this actor claim (the default first)."""
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [(s, Source(s).label) for s in sources]  # type: ignore[attr-defined]
        self.fields["category"].queryset = categories  # type: ignore[attr-defined]

    def clean_category(self) -> str:
        category = self.cleaned_data.get("category")
        return category.code if category else ""


class PublicReportForm(CoordinatesMixin):
    """随手拍 without an account: strict validation, the phone is required (masked when shown)."""

    description = forms.CharField(
        label=_("问题描述"),
        min_length=5,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    phone = forms.CharField(
        label=_("手机号"),
        validators=[RegexValidator(r"^1\d{10}$", _("请输入 11 位手机号"))],
    )
    name = forms.CharField(label=_("称呼（可不填）"), max_length=20, required=False)
    photos = MultiPhotoField(label=_("照片"), required=False)
    # chosen from the model's suggestions (optional; the office decides at registration)
    category = forms.CharField(required=False, max_length=10, widget=forms.HiddenInput)
    website = forms.CharField(required=False, widget=forms.HiddenInput)  # honeypot
    token = forms.CharField(required=False, widget=forms.HiddenInput)  # one-time, see views

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("bot"))
        return ""


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("满意度"),
        coerce=int,
        choices=[
            (5, _("非常满意")),
            (4, _("满意")),
            (3, _("基本满意")),
            (2, _("不满意")),
            (1, _("非常不满意")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("意见"),
        max_length=300,
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 2, "class": "form-control", "placeholder": _("说说您的意见（可不填）")}
        ),
    )


class ActionForm(forms.Form):
    """All the transition forms of the detail page in one: each action reads what it needs."""

    note = forms.CharField(required=False, max_length=1000)
    unit = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    person = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    category = forms.CharField(required=False)
    deadline = forms.DateTimeField(required=False)
    resolution = forms.ChoiceField(required=False, choices=[("", ""), *Resolution.choices])
    passed = forms.BooleanField(required=False)
    until = forms.DateTimeField(required=False)
    lon = forms.FloatField(required=False)
    lat = forms.FloatField(required=False)
    no_location_reason = forms.CharField(required=False, max_length=300)
    extension = forms.IntegerField(required=False)
    approve = forms.BooleanField(required=False)
    duplicate_of = forms.IntegerField(required=False)
    photos = MultiPhotoField(required=False)


class CaseSettingsForm(forms.Form):
    """The office's case rules for the city: duplicates and verification without a location."""

    radius_m = forms.IntegerField(label=_("重复判定距离（米）"), min_value=1, max_value=5000)
    days = forms.IntegerField(label=_("重复判定时间窗口（天）"), min_value=0, max_value=365)
    similarity = forms.FloatField(label=_("文本相似度阈值（0–1）"), min_value=0, max_value=1)
    verify_without_location = forms.ChoiceField(
        label=_("无定位核查"), choices=NoLocationPolicy.choices
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("12345 工单 Excel 文件（.xlsx）"))

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("需要 .xlsx 文件"))
        return f
