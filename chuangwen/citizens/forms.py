"""Forms of the citizens app. Units, cases, tasks and sites are picked from searchable lists
(never typed in as ids); the services check everything again.

Part B: rounds, candidates, publication, campaigns and their parts, budgets, rankings, 问政,
and the public ballot.
"""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chuangwen.cases.forms import MultiPhotoField
from chuangwen.core.forms import StyledForm
from chuangwen.indicators.models import SiteType
from chuangwen.org.models import Unit
from chuangwen.org.widgets import UnitPicker, UnitsPicker

from .choices import (
    SCORE_LABELS,
    BudgetEntryKind,
    BudgetSource,
    CampaignKind,
    MilestoneStatus,
    PhotoKind,
    ProgressMode,
    ReviewVerdict,
    RoundKind,
    Sector,
)
from .models import Candidate, Exposure, Milestone

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
TEXT = 2000
MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2, "min_value": 0}


def _units(city_id: int) -> Any:
    return Unit.objects.filter(city_id=city_id, active=True).order_by("path")


class IdListField(forms.Field):
    """The ids of rows ticked in a list (cases, tasks, sites, ballots): whole numbers within the
    database's range, at most ``limit``."""

    widget = forms.MultipleHiddenInput

    def __init__(self, *args: Any, limit: int = 500, **kwargs: Any) -> None:
        self.limit = limit
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> list[int]:
        values = value if isinstance(value, list | tuple) else ([value] if value else [])
        if len(values) > self.limit:
            raise forms.ValidationError(_("一次最多选择 %(n)d 项") % {"n": self.limit})
        out = []
        for v in values:
            try:
                n = int(v)
            except (TypeError, ValueError):
                raise forms.ValidationError(_("编号无效")) from None
            if not 1 <= n <= 2**63 - 1:
                raise forms.ValidationError(_("编号无效"))
            out.append(n)
        return out


class Styled(StyledForm):
    small = True


# --- rounds --------------------------------------------------------------------------------


class RoundForm(Styled):
    kind = forms.ChoiceField(
        label=_("类型"),
        choices=[(RoundKind.TOP10, RoundKind.TOP10.label)],
        initial=RoundKind.TOP10,
    )
    title = forms.CharField(label=_("名称"), max_length=200)
    description = forms.CharField(
        label=_("说明"), required=False, max_length=TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )
    opens_at = forms.DateTimeField(label=_("投票开始"), required=False, widget=DATETIME)
    closes_at = forms.DateTimeField(label=_("投票截止"), widget=DATETIME)
    max_choices = forms.IntegerField(label=_("每人最多选择"), min_value=1, max_value=30, initial=10)
    select_count = forms.IntegerField(label=_("公布入选数"), min_value=1, max_value=100, initial=10)
    burst_limit = forms.IntegerField(
        label=_("同一网络 10 分钟内票数上限"), min_value=1, max_value=10_000, initial=20
    )
    unverified_alert = forms.IntegerField(
        label=_("未验证票占比提示线（%）"), min_value=0, max_value=100, initial=60
    )


class CandidateForm(Styled):
    title = forms.CharField(label=_("事项"), max_length=200)
    description = forms.CharField(
        label=_("说明"), required=False, max_length=TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )
    source_note = forms.CharField(
        label=_("来源（热点问题）"),
        required=False,
        max_length=300,
        help_text=_("如：热点问题「占道经营」，群众留言 126 条"),
    )


class PublishForm(Styled):
    selected = forms.ModelMultipleChoiceField(
        label=_("入选事项"),
        queryset=Candidate.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("公布说明"),
        required=False,
        max_length=TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    confirm_unverified = forms.BooleanField(
        label=_("已复核未验证身份的选票，确认公布"), required=False
    )

    def __init__(self, *args: Any, candidates: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["selected"].queryset = candidates  # type: ignore[attr-defined]


class ReviewVotesForm(forms.Form):
    votes = IdListField(limit=5000, error_messages={"required": _("请选择待复核的选票")})
    accept = forms.TypedChoiceField(coerce=lambda v: v == "1", choices=[("1", "1"), ("0", "0")])


# --- campaigns -----------------------------------------------------------------------------


class CampaignForm(Styled):
    kind = forms.ChoiceField(label=_("类型"), choices=CampaignKind.choices)
    sector = forms.ChoiceField(
        label=_("行业"), choices=[("", "—"), *Sector.choices], required=False
    )
    title = forms.CharField(label=_("名称"), max_length=200)
    description = forms.CharField(
        label=_("整治内容"),
        required=False,
        max_length=TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    lead_unit = forms.ModelChoiceField(
        label=_("牵头单位"), queryset=Unit.objects.none(), widget=UnitPicker()
    )
    supporting_units = forms.ModelMultipleChoiceField(
        label=_("配合单位"), queryset=Unit.objects.none(), required=False, widget=UnitsPicker()
    )
    target_text = forms.CharField(
        label=_("整治目标"), max_length=300, help_text=_("可衡量：如“占道经营点位减少 80%”")
    )
    baseline_value = forms.DecimalField(
        label=_("基线值"), required=False, max_digits=14, decimal_places=2
    )
    target_value = forms.DecimalField(label=_("目标值"), max_digits=14, decimal_places=2)
    target_unit = forms.CharField(label=_("计量单位"), max_length=20, help_text=_("如 %、处、家"))
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("计划完成日期"), widget=DATE)
    progress_mode = forms.ChoiceField(label=_("进度计算"), choices=ProgressMode.choices)

    def __init__(self, *args: Any, city_id: int = 0, edit: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = _units(city_id)
        self.fields["lead_unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["supporting_units"].queryset = units  # type: ignore[attr-defined]
        if edit:
            del self.fields["kind"], self.fields["sector"]


class MilestoneForm(Styled):
    title = forms.CharField(label=_("里程碑"), max_length=200)
    deadline = forms.DateField(label=_("完成时限"), widget=DATE)
    weight = forms.DecimalField(
        label=_("权重"), initial=1, max_digits=6, decimal_places=2, min_value=0.01, max_value=1000
    )


class MilestoneStatusForm(forms.Form):
    milestone = forms.IntegerField(min_value=1)
    status = forms.ChoiceField(choices=MilestoneStatus.choices)


class LinkForm(forms.Form):
    kind = forms.ChoiceField(choices=[("case", "case"), ("task", "task"), ("site", "site")])
    ids = IdListField(error_messages={"required": _("请先勾选要关联的对象")})
    milestone = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


class UnlinkForm(forms.Form):
    kind = forms.ChoiceField(choices=[("case", "case"), ("task", "task"), ("site", "site")])
    object_id = forms.IntegerField(min_value=1, max_value=2**63 - 1)


class ReportForm(Styled):
    text = forms.CharField(
        label=_("进展情况"), max_length=TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )
    milestone = forms.ModelChoiceField(
        label=_("对应里程碑"), queryset=Milestone.objects.none(), required=False
    )
    progress = forms.IntegerField(
        label=_("里程碑进度（%）"), required=False, min_value=0, max_value=100
    )
    current_value = forms.DecimalField(
        label=_("目标当前值"), required=False, max_digits=14, decimal_places=2
    )
    photo_kind = forms.ChoiceField(label=_("照片类型"), choices=PhotoKind.choices)
    photos = MultiPhotoField(label=_("照片"), required=False)

    def __init__(self, *args: Any, milestones: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["milestone"].queryset = milestones  # type: ignore[attr-defined]


class BudgetForm(Styled):
    source = forms.ChoiceField(label=_("资金来源"), choices=BudgetSource.choices)
    allocated = forms.DecimalField(label=_("安排金额（元）"), **MONEY)
    note = forms.CharField(label=_("说明"), required=False, max_length=300)


class EntryForm(Styled):
    source = forms.ChoiceField(label=_("资金来源"), choices=BudgetSource.choices)
    kind = forms.ChoiceField(label=_("类型"), choices=BudgetEntryKind.choices)
    amount = forms.DecimalField(label=_("金额（元）"), **MONEY)
    on = forms.DateField(label=_("日期"), widget=DATE)
    note = forms.CharField(label=_("用途"), max_length=300)


class ChangeForm(Styled):
    source = forms.ChoiceField(label=_("资金来源"), choices=BudgetSource.choices)
    amount = forms.DecimalField(
        label=_("调整金额（元，调减填负数）"), max_digits=14, decimal_places=2
    )
    reason = forms.CharField(label=_("理由"), max_length=500)


class DecideForm(forms.Form):
    change = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    approve = forms.TypedChoiceField(coerce=lambda v: v == "1", choices=[("1", "1"), ("0", "0")])
    note = forms.CharField(required=False, max_length=300)


class AcceptanceForm(Styled):
    summary = forms.CharField(
        label=_("验收总结"), max_length=TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )
    before_photos = MultiPhotoField(label=_("整治前照片"), required=False)
    after_photos = MultiPhotoField(label=_("整治后照片"), required=False)
    vote_days = forms.IntegerField(label=_("满意度回访天数"), min_value=1, max_value=90, initial=14)


class ReasonForm(Styled):
    reason = forms.CharField(label=_("理由"), max_length=500)


# --- compounds -----------------------------------------------------------------------------


class RankingForm(Styled):
    title = forms.CharField(label=_("名称"), max_length=200)
    site_type = forms.ModelChoiceField(label=_("小区点位类型"), queryset=SiteType.objects.none())
    period_start = forms.DateField(label=_("考察期开始"), widget=DATE)
    period_end = forms.DateField(label=_("考察期结束"), widget=DATE)
    opens_at = forms.DateTimeField(label=_("居民投票开始"), required=False, widget=DATETIME)
    closes_at = forms.DateTimeField(label=_("居民投票截止"), widget=DATETIME)
    min_votes = forms.IntegerField(
        label=_("最少票数"), min_value=0, max_value=1_000_000, initial=10
    )
    min_checks = forms.IntegerField(
        label=_("最少检查次数"), min_value=0, max_value=10_000, initial=3
    )
    weight_checks = forms.IntegerField(
        label=_("检查结果权重（%）"), min_value=0, max_value=100, initial=50
    )
    weight_votes = forms.IntegerField(
        label=_("居民评价权重（%）"), min_value=0, max_value=100, initial=30
    )
    weight_cases = forms.IntegerField(
        label=_("案件办结率权重（%）"), min_value=0, max_value=100, initial=20
    )
    best_n = forms.IntegerField(label=_("最佳小区数"), min_value=0, max_value=100, initial=5)
    worst_n = forms.IntegerField(label=_("最差小区数"), min_value=0, max_value=100, initial=5)

    def __init__(self, *args: Any, site_types: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site_type"].queryset = site_types  # type: ignore[attr-defined]


class RankingPublishForm(Styled):
    note = forms.CharField(
        label=_("公布说明"),
        required=False,
        max_length=TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    confirm_unverified = forms.BooleanField(
        label=_("已复核未验证身份的选票，确认公布"), required=False
    )
    rectify_days = forms.IntegerField(
        label=_("最差小区整改期限（天）"), min_value=7, max_value=366, initial=60
    )


# --- 问政 ----------------------------------------------------------------------------------


class EpisodeForm(Styled):
    aired_on = forms.DateField(label=_("播出日期"), widget=DATE)
    programme = forms.CharField(
        label=_("栏目"), max_length=100, help_text=_("如：阳光问廉、电视问政")
    )
    topic = forms.CharField(label=_("本期主题"), max_length=200)
    note = forms.CharField(
        label=_("说明"), required=False, max_length=TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExposureForm(Styled):
    title = forms.CharField(label=_("曝光问题"), max_length=200)
    description = forms.CharField(
        label=_("问题描述"),
        required=False,
        max_length=TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    unit = forms.ModelChoiceField(
        label=_("被问政单位"), queryset=Unit.objects.none(), widget=UnitPicker()
    )
    address = forms.CharField(label=_("地点"), required=False, max_length=300)
    deadline = forms.DateField(label=_("整改时限"), widget=DATE)
    photos = MultiPhotoField(label=_("节目截图/现场照片"), required=False)

    def __init__(self, *args: Any, city_id: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units(city_id)  # type: ignore[attr-defined]


class CommitmentForm(Styled):
    unit = forms.ModelChoiceField(
        label=_("承诺单位"), queryset=Unit.objects.none(), widget=UnitPicker()
    )
    official = forms.CharField(
        label=_("表态人职务"), max_length=100, help_text=_("如：区城管局局长")
    )
    content = forms.CharField(
        label=_("承诺内容"), max_length=TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )
    due_on = forms.DateField(
        label=_("承诺完成时限"),
        widget=DATE,
        error_messages={
            "required": _("承诺必须写明完成时限（哪一天之前做到），没有时限的承诺不予登记")
        },
    )
    exposure = forms.ModelChoiceField(
        label=_("对应曝光问题"), queryset=Exposure.objects.none(), required=False
    )

    def __init__(self, *args: Any, city_id: int = 0, exposures: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units(city_id)  # type: ignore[attr-defined]
        self.fields["exposure"].queryset = exposures  # type: ignore[attr-defined]


class FollowUpForm(Styled):
    text = forms.CharField(
        label=_("进展情况"), max_length=TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )
    done = forms.BooleanField(label=_("确认已兑现（创建办）"), required=False)


class ReviewForm(Styled):
    commitment = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    verdict = forms.ChoiceField(label=_("复查结论"), choices=ReviewVerdict.choices)
    text = forms.CharField(label=_("复查情况"), max_length=TEXT)


# --- the public ballot ---------------------------------------------------------------------


class BallotForm(forms.Form):
    """The public ballot: the phone number, and the choices (ticks, or one compound and a score
    in scored rounds). Nothing of it is shown to anyone else."""

    phone = forms.CharField(
        label=_("手机号"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "tel", "class": "form-control"}
        ),
    )
    choice = forms.TypedMultipleChoiceField(label=_("选择"), coerce=int, choices=[])
    score = forms.TypedChoiceField(
        label=_("评分"),
        coerce=int,
        required=False,
        choices=[(k, v) for k, v in SCORE_LABELS.items()],
        widget=forms.RadioSelect,
    )
    token = forms.CharField(required=False, widget=forms.HiddenInput)
    website = forms.CharField(required=False, widget=forms.HiddenInput)  # honeypot

    def __init__(
        self, *args: Any, candidates: Any = (), scored: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.scored = scored
        self.fields["choice"].choices = [(c.pk, c.title) for c in candidates]  # type: ignore[attr-defined]
        if scored:
            self.fields["score"].required = True
            self.fields["score"].error_messages["required"] = _("请选择评分")
        self.fields["choice"].error_messages.update(
            {
                "required": _("请至少选择一项"),
                "invalid_choice": _("所选事项不在本轮候选中，请刷新页面后重选"),
            }
        )

    def clean_website(self) -> str:
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("bot"))
        return ""

    def choices(self) -> dict[int, int | None]:
        score = self.cleaned_data.get("score") if self.scored else None
        return {pk: score for pk in self.cleaned_data["choice"]}
