from django import forms
from django.utils.translation import gettext_lazy as _

from chuangwen.org.choices import UnitKind
from chuangwen.org.models import Unit
from chuangwen.org.widgets import AreaPicker, UnitPicker

from .choices import SKILLS, OrganiserKind
from .widgets import TeamPicker

# ==== volunteers ==============================================================================

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local", "class": "form-control"})
DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"})


def _skill_choices() -> list[tuple[str, str]]:
    return [(str(s), str(s)) for s in SKILLS]


class RegisterForm(forms.Form):
    """The public self-registration page (a phone)."""

    token = forms.CharField(widget=forms.HiddenInput)
    name = forms.CharField(label=_("真实姓名"), max_length=50, widget=forms.TextInput(TEXT))
    phone = forms.CharField(
        label=_("手机号（登录账号）"),
        max_length=20,
        widget=forms.TextInput({**TEXT, "inputmode": "tel", "autocomplete": "tel"}),
    )
    id_number = forms.CharField(
        label=_("身份证号码"),
        max_length=30,
        widget=forms.TextInput({**TEXT, "autocomplete": "off"}),
    )
    area = forms.ModelChoiceField(
        label=_("服务区域（所在社区）"), queryset=Unit.objects.none(), widget=AreaPicker()
    )
    skills = forms.MultipleChoiceField(
        label=_("技能特长"), required=False, widget=forms.CheckboxSelectMultiple
    )
    password = forms.CharField(
        label=_("设置密码"),
        max_length=128,
        widget=forms.PasswordInput({**TEXT, "autocomplete": "new-password"}),
        help_text=_("至少 10 位，含大小写字母、数字和符号中的三类"),
    )
    agree = forms.BooleanField(
        label=_(
            "我同意平台按《志愿服务条例》记录我的个人信息和志愿服务信息，未经本人同意不向第三方提供"
        ),
    )

    def __init__(self, *args, city, **kwargs):
        super().__init__(*args, **kwargs)
        area = self.fields["area"]
        area.queryset = Unit.objects.filter(  # type: ignore[attr-defined]
            city=city, active=True, kind__in=[UnitKind.STREET, UnitKind.COMMUNITY]
        )
        area.widget.params = {"city": city.code}
        self.fields["skills"].choices = _skill_choices()  # type: ignore[attr-defined]


class CheckForm(forms.Form):
    lon = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)


class ActivityForm(forms.Form):
    title = forms.CharField(label=_("活动名称"), max_length=200, widget=forms.TextInput(TEXT))
    organiser_kind = forms.ChoiceField(
        label=_("组织方"), choices=OrganiserKind.choices, widget=forms.Select(SELECT)
    )
    team = forms.ChoiceField(label=_("志愿服务队"), required=False, widget=TeamPicker(managed="1"))
    unit = forms.ChoiceField(label=_("组织单位/社区"), required=False, widget=UnitPicker())
    description = forms.CharField(
        label=_("服务内容"),
        required=False,
        max_length=5000,
        widget=forms.Textarea({**TEXT, "rows": 3}),
    )
    place = forms.CharField(label=_("活动地点"), max_length=200, widget=forms.TextInput(TEXT))
    lon = forms.FloatField(
        label=_("经度"),
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput({**TEXT, "step": "any"}),
    )
    lat = forms.FloatField(
        label=_("纬度"),
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput({**TEXT, "step": "any"}),
    )
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=DATETIME)
    capacity = forms.IntegerField(
        label=_("招募人数"), min_value=1, max_value=100_000, widget=forms.NumberInput(TEXT)
    )
    radius_m = forms.IntegerField(
        label=_("签到半径（米，空则用全市设置）"),
        required=False,
        min_value=10,
        max_value=5000,
        widget=forms.NumberInput(TEXT),
    )
    contact = forms.CharField(
        label=_("联系方式"), required=False, max_length=50, widget=forms.TextInput(TEXT)
    )

    def __init__(self, *args, teams=(), units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", "—")] + [(str(t.pk), t.name) for t in teams]  # type: ignore[attr-defined]
        self.fields["unit"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (str(u.pk), f"{'　' * u.depth}{u.name}") for u in units
        ]


class CorrectionForm(forms.Form):
    minutes = forms.IntegerField(label=_("更正（分钟，可为负）"), min_value=-1440, max_value=1440)
    reason = forms.CharField(label=_("更正原因"), max_length=300)


class TeamForm(forms.Form):
    name = forms.CharField(label=_("服务队名称"), max_length=100, widget=forms.TextInput(TEXT))
    unit = forms.ChoiceField(label=_("所属单位"), widget=UnitPicker())
    leader = forms.CharField(
        label=_("队长"), required=False, max_length=50, widget=forms.TextInput(TEXT)
    )
    contact = forms.CharField(
        label=_("联系电话"), required=False, max_length=20, widget=forms.TextInput(TEXT)
    )
    description = forms.CharField(
        label=_("简介"), required=False, max_length=2000, widget=forms.Textarea({**TEXT, "rows": 2})
    )

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("请选择"))] + [  # type: ignore[attr-defined]
            (str(u.pk), f"{'　' * u.depth}{u.name}") for u in units
        ]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))


class SettingsForm(forms.Form):
    resident_population = forms.IntegerField(
        label=_("常住人口（人）"),
        min_value=0,
        max_value=100_000_000,
        widget=forms.NumberInput(TEXT),
    )
    star_hours = forms.CharField(
        label=_("星级门槛（小时，一星到五星，用逗号分隔）"),
        max_length=100,
        widget=forms.TextInput(TEXT),
    )
    checkin_radius_m = forms.IntegerField(
        label=_("签到半径（米）"), min_value=10, max_value=5000, widget=forms.NumberInput(TEXT)
    )
    qr_minutes = forms.IntegerField(
        label=_("二维码有效期（分钟）"), min_value=1, max_value=240, widget=forms.NumberInput(TEXT)
    )


class IssuerForm(forms.Form):
    name = forms.CharField(label=_("出具组织名称"), max_length=100, widget=forms.TextInput(TEXT))
    person_in_charge = forms.CharField(
        label=_("负责人"), max_length=50, widget=forms.TextInput(TEXT)
    )
    handler = forms.CharField(label=_("经办人"), max_length=50, widget=forms.TextInput(TEXT))
    contact = forms.CharField(label=_("联系方式"), max_length=50, widget=forms.TextInput(TEXT))
    seal = forms.FileField(
        label=_("印章图片（PNG/JPEG，透明背景为佳）"),
        required=False,
        widget=forms.ClearableFileInput(
            {"class": "form-control", "accept": "image/png,image/jpeg"}
        ),
    )
    remove_seal = forms.BooleanField(label=_("删除已上传的印章"), required=False)


class TrainingForm(forms.Form):
    title = forms.CharField(label=_("培训内容"), max_length=200, widget=forms.TextInput(TEXT))
    organiser = forms.CharField(
        label=_("培训组织"), required=False, max_length=100, widget=forms.TextInput(TEXT)
    )
    held_on = forms.DateField(label=_("日期"), widget=DATE)
    hours = forms.DecimalField(
        label=_("学时"),
        min_value=0,
        max_value=1000,
        decimal_places=1,
        widget=forms.NumberInput(TEXT),
    )


class AwardForm(forms.Form):
    title = forms.CharField(label=_("表彰奖励"), max_length=200, widget=forms.TextInput(TEXT))
    issuer = forms.CharField(
        label=_("授予机关"), required=False, max_length=100, widget=forms.TextInput(TEXT)
    )
    awarded_on = forms.DateField(label=_("日期"), widget=DATE)


class EvaluationForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("评价等级"),
        coerce=int,
        choices=[(5, "5 优秀"), (4, "4 良好"), (3, "3 合格"), (2, "2 较差"), (1, "1 差")],
        widget=forms.Select(SELECT),
    )
    comment = forms.CharField(
        label=_("评价意见"), required=False, max_length=300, widget=forms.TextInput(TEXT)
    )


class ConsentForm(forms.Form):
    recipient = forms.CharField(
        label=_("接收方"),
        max_length=100,
        widget=forms.TextInput({**TEXT, "placeholder": _("接收方，如某某大学")}),
    )
    purpose = forms.CharField(
        label=_("用途"),
        max_length=200,
        widget=forms.TextInput({**TEXT, "placeholder": _("用途，如入学综合评价")}),
    )


class RevealForm(forms.Form):
    reason = forms.CharField(label=_("查看事由"), max_length=200, widget=forms.TextInput(TEXT))


class PeriodForm(forms.Form):
    since = forms.DateField(label=_("期间起"), required=False, widget=DATE)
    until = forms.DateField(label=_("期间止"), required=False, widget=DATE)
