from collections.abc import Callable
from typing import Annotated, Any, Literal

from django.db.models import F
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router
from ninja.files import UploadedFile
from ninja.pagination import paginate

from chuangwen.core.endpoints import act, created
from chuangwen.core.errors import (
    InvalidInput,
    InvalidParameters,
    NotFound,
    PermissionDenied,
    ServiceError,
)
from chuangwen.core.filtering import filter_doc, filtered
from chuangwen.core.models import BY_RANK
from chuangwen.core.schemas import DB_INT_MAX, DbId, JobOut, Paged, PageLimit
from chuangwen.indicators.models import NegativeListItem
from chuangwen.org.models import City, Unit
from chuangwen.org.scope import scope_of

from . import jobs, quantities, selectors, services
from .choices import PeriodKind, ScoreLevel, UnitGroup
from .filters import (
    AccountabilityFilter,
    BulletinFilter,
    FindingFilter,
    PeriodFilter,
    RoundFilter,
    SchemeFilter,
    SubmissionFilter,
)
from .models import AssessmentResult, SchemeItem
from .schemas import (
    AccountabilityDecideIn,
    AccountabilityIn,
    AccountabilityNoteIn,
    AccountabilityOut,
    AssessmentAdjustmentIn,
    AssessmentAdjustmentOut,
    AssessmentComputeIn,
    AssessmentDate,
    AssessmentFindingDetailOut,
    AssessmentFindingIn,
    AssessmentFindingOut,
    AssessmentItemIn,
    AssessmentListEntryOut,
    AssessmentNoteIn,
    AssessmentPeriodIn,
    AssessmentPeriodOut,
    AssessmentPublishIn,
    AssessmentQuantityOut,
    AssessmentRectifyIn,
    AssessmentResultOut,
    AssessmentSchemeDetailOut,
    AssessmentSchemeIn,
    AssessmentSchemeOut,
    AssessmentTrendOut,
    AssessmentUnitScoresOut,
    AssessmentVerifyIn,
    BulletinDetailOut,
    BulletinDraftIn,
    BulletinIssueIn,
    BulletinOut,
    BulletinSectionOut,
    BulletinSectionPatch,
    BulletinSignOut,
    CompareOut,
    IndicatorScoreOut,
    ReportTemplateOut,
    ReportTimelinessOut,
    RiskOut,
    RoundOut,
    SubmissionOut,
    SubmissionReportIn,
    SubmissionReviewIn,
    UnitScoreOut,
)

MAX_COMPARED = 50

router = Router(tags=["考核评价"])


@router.get(
    "/rounds",
    response=list[RoundOut],
    summary="模拟测评轮次",
    openapi_extra=filter_doc(RoundFilter),
)
@paginate(Paged)
def list_rounds(request: HttpRequest):
    qs = selectors.rounds_for_user(scope_of(request))
    return filtered(RoundFilter, request, qs).order_by("-as_of", "-id")


@router.get("/rounds/{round_id}", response=RoundOut, summary="模拟测评结果（预测得分）")
def get_round(request: HttpRequest, round_id: int):
    return selectors.get_round_for_user(scope_of(request), round_id)


@router.get(
    "/rounds/{round_id}/risks", response=list[RiskOut], summary="失分风险：按可挽回分值排序"
)
def list_risks(request: HttpRequest, round_id: int, limit: PageLimit = 100):
    rnd = selectors.get_round_for_user(scope_of(request), round_id)
    return services.points_at_risk(rnd, limit=limit)


@router.get("/rounds/{round_id}/indicators", response=list[IndicatorScoreOut], summary="各指标得分")
@paginate(Paged)
def list_indicator_scores(request: HttpRequest, round_id: int):
    rnd = selectors.get_round_for_user(scope_of(request), round_id)
    return rnd.scores.order_by("indicator__path")


@router.get("/rounds/{round_id}/units", response=list[UnitScoreOut], summary="文明程度指数与排名")
@paginate(Paged)
def list_unit_scores(request: HttpRequest, round_id: int, level: ScoreLevel = ScoreLevel.DISTRICT):
    rnd = selectors.get_round_for_user(scope_of(request), round_id)
    return rnd.unit_scores.filter(level=level).order_by("rank")


def _round_ids(rounds: str) -> list[int]:
    """``rounds`` as a list of ids: comma-separated positive whole numbers, at most 50."""
    try:
        ids = [int(x) for x in rounds.split(",") if x.strip()]
    except ValueError:
        ids = []
    if not ids or len(ids) > MAX_COMPARED or not all(1 <= i <= DB_INT_MAX for i in ids):
        raise InvalidParameters(
            {"rounds": _("应为逗号分隔的轮次编号（正整数，最多 %(n)d 个）") % {"n": MAX_COMPARED}}
        )
    return ids


@router.get(
    "/compare",
    response=CompareOut,
    summary="多轮对比（indicator / district / street / responsible / site_type）",
)
def compare(
    request: HttpRequest,
    rounds: Annotated[str, Field(pattern=r"^\d+(,\d+)*$", description="轮次编号，逗号分隔")],
    by: Literal["indicator", "district", "street", "responsible", "site_type"] = "indicator",
):
    ids = _round_ids(rounds)
    qs = selectors.rounds_for_user(scope_of(request)).filter(pk__in=ids).order_by("as_of", "id")
    return services.compare_rounds(list(qs), by=by)


# --- unit assessment ---------------------------------------------------------------------------


def _city_of(request: HttpRequest, missing: type[ServiceError] = NotFound) -> City:
    """The caller's city; ``missing`` (not found unless said) for an account of no city."""
    scope = scope_of(request)
    if scope.city_id is None:
        raise missing()
    return City.objects.get(pk=scope.city_id)


@router.get("/quantities", response=list[AssessmentQuantityOut], summary="考核公式可用的计算量")
def list_quantities(request: HttpRequest):
    return [
        {
            "name": q.name,
            "call": q.call,
            "label": q.label,
            "definition": q.definition,
            "doc": q.doc,
            "is_rate": q.is_rate,
        }
        for q in quantities.registered()
    ]


@router.get(
    "/schemes",
    response=list[AssessmentSchemeOut],
    summary="考核方案（各版本）",
    openapi_extra=filter_doc(SchemeFilter),
)
@paginate(Paged)
def list_schemes(request: HttpRequest):
    qs = selectors.schemes_for_user(scope_of(request))
    return filtered(SchemeFilter, request, qs).order_by("period_kind", "-version")


@router.post("/schemes", response={201: AssessmentSchemeDetailOut}, summary="新建考核方案（草稿）")
def create_scheme(request: HttpRequest, payload: AssessmentSchemeIn):
    data = payload.dict()
    return created(
        request,
        services.create_scheme,
        _city_of(request, PermissionDenied),
        **{**data, "groups": [str(g) for g in data["groups"]]},
    )


@router.get("/schemes/{scheme_id}", response=AssessmentSchemeDetailOut, summary="考核方案及其项目")
def get_scheme(request: HttpRequest, scheme_id: int):
    return selectors.get_scheme_for_user(scope_of(request), scheme_id)


@router.put(
    "/schemes/{scheme_id}/items",
    response=AssessmentSchemeDetailOut,
    summary="替换草稿方案的全部考核项目（计分项分值合计须等于满分）",
)
def put_scheme_items(request: HttpRequest, scheme_id: int, payload: list[AssessmentItemIn]):
    if len(payload) > 50:
        raise InvalidParameters({"body": _("考核项目最多 50 个")})
    scheme = selectors.get_scheme_for_user(scope_of(request), scheme_id)
    specs = [services.ItemSpec(**i.dict()) for i in payload]
    act(request, services.save_scheme_items, scheme, specs)
    return scheme


@router.post(
    "/schemes/{scheme_id}/activate", response=AssessmentSchemeDetailOut, summary="启用方案"
)
def activate_scheme(request: HttpRequest, scheme_id: int):
    scheme = selectors.get_scheme_for_user(scope_of(request), scheme_id)
    return act(request, services.activate_scheme, scheme)


@router.post(
    "/schemes/{scheme_id}/versions",
    response={201: AssessmentSchemeDetailOut},
    summary="以此方案为底生成新版本（草稿）",
)
def new_scheme_version(request: HttpRequest, scheme_id: int):
    scheme = selectors.get_scheme_for_user(scope_of(request), scheme_id)
    return created(request, services.new_scheme_version, scheme)


@router.get(
    "/periods",
    response=list[AssessmentPeriodOut],
    summary="考核期",
    openapi_extra=filter_doc(PeriodFilter),
)
@paginate(Paged)
def list_periods(request: HttpRequest):
    qs = selectors.periods_for_user(scope_of(request))
    return filtered(PeriodFilter, request, qs).order_by("-starts_on", "kind")


@router.post("/periods", response={201: AssessmentPeriodOut}, summary="新建考核期")
def create_period(request: HttpRequest, payload: AssessmentPeriodIn):
    return created(
        request, services.create_period, _city_of(request, PermissionDenied), **payload.dict()
    )


@router.get("/periods/{period_id}", response=AssessmentPeriodOut, summary="考核期")
def get_period(request: HttpRequest, period_id: int):
    return selectors.get_period_for_user(scope_of(request), period_id)


@router.post(
    "/periods/{period_id}/compute",
    response=AssessmentPeriodOut,
    summary="计算得分（已计算的须填理由重新计算；已发布的不能再算）",
)
def compute_period(request: HttpRequest, period_id: int, payload: AssessmentComputeIn):
    period = selectors.get_period_for_user(scope_of(request), period_id)
    return act(request, services.compute_period, period, **payload.dict())


@router.post(
    "/periods/{period_id}/publish", response=AssessmentPeriodOut, summary="发布（冻结）考核结果"
)
def publish_period(request: HttpRequest, period_id: int, payload: AssessmentPublishIn):
    period = selectors.get_period_for_user(scope_of(request), period_id)
    return act(request, services.publish_period, period, **payload.dict())


@router.post(
    "/periods/{period_id}/adjustments",
    response={201: AssessmentAdjustmentOut},
    summary="登记加减分（附理由；下次计算时计入）",
)
def add_adjustment(request: HttpRequest, period_id: int, payload: AssessmentAdjustmentIn):
    period = selectors.get_period_for_user(scope_of(request), period_id)
    item = SchemeItem.objects.filter(scheme_id=period.scheme_id, pk=payload.item_id).first()
    unit = Unit.objects.filter(city_id=period.city_id, pk=payload.unit_id).first()
    if item is None or unit is None:
        raise InvalidParameters(
            {k: _("不存在") for k, v in (("item_id", item), ("unit_id", unit)) if v is None}
        )
    return created(
        request,
        services.add_adjustment,
        period,
        **payload.dict(exclude={"item_id", "unit_id"}),
        item=item,
        unit=unit,
    )


@router.get(
    "/periods/{period_id}/results",
    response=list[AssessmentResultOut],
    summary="排名与总分（按考核对象）",
)
@paginate(Paged)
def list_results(request: HttpRequest, period_id: int, group: UnitGroup | None = None):
    scope = scope_of(request)
    period = selectors.get_period_for_user(scope, period_id)
    qs = selectors.results_for_user(scope, period)
    if group is not None:
        qs = qs.filter(group=group)
    return qs.order_by("group", F("rank").asc(nulls_last=True), "unit__path")


@router.get(
    "/periods/{period_id}/units/{unit_id}",
    response=AssessmentUnitScoresOut,
    summary="单位得分明细（每项的计算依据和说明）",
)
def get_unit_scores(request: HttpRequest, period_id: int, unit_id: int):
    scope = scope_of(request)
    period = selectors.get_period_for_user(scope, period_id)
    unit = selectors.get_unit_for_period(scope, period, unit_id)
    return {
        "period_id": period.pk,
        "unit_id": unit.pk,
        "unit_name": unit.name,
        "results": list(
            AssessmentResult.objects.filter(period=period, unit=unit)
            .select_related("unit")
            .order_by("group")
        ),
        "scores": list(selectors.unit_scores(period, unit)),
    }


@router.get(
    "/periods/{period_id}/lists",
    response=list[AssessmentListEntryOut],
    summary="红黑榜",
)
@paginate(Paged)
def list_entries(request: HttpRequest, period_id: int):
    scope = scope_of(request)
    period = selectors.get_period_for_user(scope, period_id)
    return (
        selectors.list_entries_for_user(scope)
        .filter(period=period)
        .order_by("group", "kind", BY_RANK, "id")
    )


@router.post(
    "/list-entries/{entry_id}/rectification",
    response=AssessmentListEntryOut,
    summary="黑榜单位提交整改情况",
)
def rectify_entry(request: HttpRequest, entry_id: int, payload: AssessmentRectifyIn):
    entry = selectors.get_list_entry_for_user(scope_of(request), entry_id)
    return act(request, services.submit_list_rectification, entry, note=payload.text)


@router.post(
    "/list-entries/{entry_id}/verify",
    response=AssessmentListEntryOut,
    summary="核查黑榜整改（通过即退出黑榜）",
)
def verify_entry(request: HttpRequest, entry_id: int, payload: AssessmentVerifyIn):
    entry = selectors.get_list_entry_for_user(scope_of(request), entry_id)
    return act(request, services.verify_list_exit, entry, **payload.dict())


@router.get(
    "/units/{unit_id}/trend",
    response=list[AssessmentTrendOut],
    summary="单位得分趋势（最近 12 期）",
)
def unit_trend(request: HttpRequest, unit_id: int, kind: PeriodKind = PeriodKind.MONTH):
    scope = scope_of(request)
    unit = Unit.objects.filter(city_id=scope.city_id or 0, pk=unit_id).first()
    if unit is None or not (scope.see_all or scope.covers_path(unit.path)):
        raise NotFound()
    return [
        {
            "period_id": r.period_id,
            "label": r.period.label,
            "group": r.group,
            "total": r.total,
            "rank": r.rank,
            "ranked_count": r.ranked_count,
        }
        for r in selectors.unit_trend(scope, unit, kind)
    ]


@router.get(
    "/findings",
    response=list[AssessmentFindingOut],
    summary="负面清单问题（单位）",
    openapi_extra=filter_doc(FindingFilter),
)
@paginate(Paged)
def list_findings(request: HttpRequest):
    return filtered(FindingFilter, request, selectors.finding_list_qs(scope_of(request)))


@router.post("/findings", response={201: AssessmentFindingDetailOut}, summary="认定负面清单问题")
def create_finding(request: HttpRequest, payload: AssessmentFindingIn):
    city = _city_of(request, PermissionDenied)
    unit = Unit.objects.filter(city=city, pk=payload.unit_id).first()
    item = (
        NegativeListItem.objects.select_related("system")
        .filter(system__city=city, pk=payload.item_id)
        .first()
    )
    if unit is None or item is None:
        raise InvalidParameters(
            {k: _("不存在") for k, v in (("unit_id", unit), ("item_id", item)) if v is None}
        )
    return created(
        request,
        services.record_finding,
        city,
        **payload.dict(exclude={"unit_id", "item_id"}),
        unit=unit,
        item=item,
    )


@router.get("/findings/{finding_id}", response=AssessmentFindingDetailOut, summary="负面清单问题")
def get_finding(request: HttpRequest, finding_id: int):
    return selectors.get_finding_for_user(scope_of(request), finding_id)


@router.post(
    "/findings/{finding_id}/submit",
    response=AssessmentFindingDetailOut,
    summary="责任单位提交整改",
)
def submit_finding(request: HttpRequest, finding_id: int, payload: AssessmentNoteIn):
    finding = selectors.get_finding_for_user(scope_of(request), finding_id)
    return act(request, services.submit_finding_rectification, finding, **payload.dict())


@router.post(
    "/findings/{finding_id}/verify",
    response=AssessmentFindingDetailOut,
    summary="核查整改（通过即销号，不通过退回重新整改）",
)
def verify_finding(request: HttpRequest, finding_id: int, payload: AssessmentVerifyIn):
    finding = selectors.get_finding_for_user(scope_of(request), finding_id)
    return act(request, services.verify_finding, finding, **payload.dict())


@router.post(
    "/findings/{finding_id}/withdraw",
    response=AssessmentFindingDetailOut,
    summary="撤销认定（须填理由）",
)
def withdraw_finding(request: HttpRequest, finding_id: int, payload: AssessmentNoteIn):
    finding = selectors.get_finding_for_user(scope_of(request), finding_id)
    return act(request, services.withdraw_finding, finding, reason=payload.note)


# --- accountability, submissions, bulletins ---------------------------------------------------


def _unit_of(city_id: DbId, unit_id: DbId) -> Unit:
    unit = Unit.objects.filter(city_id=city_id, pk=unit_id).first()
    if unit is None:
        raise InvalidInput(_("单位不存在"), code="bad_unit")
    return unit


@router.get(
    "/accountability",
    response=list[AccountabilityOut],
    summary="奖惩问责记录（单位只见对本单位已决定的）",
    openapi_extra=filter_doc(AccountabilityFilter),
)
@paginate(Paged)
def list_accountability(request: HttpRequest):
    qs = selectors.record_list_qs(scope_of(request))
    return filtered(AccountabilityFilter, request, qs)


@router.post("/accountability", response={201: AccountabilityOut}, summary="提出奖惩问责建议")
def propose_accountability(request: HttpRequest, payload: AccountabilityIn):
    city = _city_of(request)
    return created(
        request,
        services.propose_accountability,
        city,
        **payload.dict(exclude={"unit_id"}),  # the facts as dicts
        unit=_unit_of(city.pk, payload.unit_id),
    )


@router.get("/accountability/{record_id}", response=AccountabilityOut, summary="奖惩问责记录")
def get_accountability(request: HttpRequest, record_id: int):
    return selectors.get_record_for_user(scope_of(request), record_id)


@router.post("/accountability/{record_id}/decide", response=AccountabilityOut, summary="作出决定")
def decide_accountability(request: HttpRequest, record_id: int, payload: AccountabilityDecideIn):
    record = selectors.get_record_for_user(scope_of(request), record_id)
    return act(request, services.decide_accountability, record, **payload.dict())


# each later step of a record: its service and the name under which it takes the note
STEPS: dict[str, tuple[Callable[..., Any], str]] = {
    "dismiss": (services.dismiss_accountability, "reason"),
    "respond": (services.respond_accountability, "response"),
    "follow-up": (services.follow_up_accountability, "note"),
    "close": (services.close_accountability, "note"),
}


@router.post(
    "/accountability/{record_id}/{step}",
    response=AccountabilityOut,
    summary="不予处理（dismiss）/ 单位反馈（respond）/ 跟踪问效（follow-up）/ 办结（close）",
)
def accountability_step(
    request: HttpRequest,
    record_id: int,
    step: Literal["dismiss", "respond", "follow-up", "close"],
    payload: AccountabilityNoteIn,
):
    record = selectors.get_record_for_user(scope_of(request), record_id)
    service, note = STEPS[step]
    return act(request, service, record, **{note: payload.note})


@router.get(
    "/report-templates",
    response=list[ReportTemplateOut],
    summary="汇报模板（单位只见本单位应报的）",
)
def list_report_templates(request: HttpRequest):
    return selectors.templates_for_user(scope_of(request)).prefetch_related("units")


@router.get(
    "/report-timeliness",
    response=list[ReportTimelinessOut],
    summary="各单位汇报按时报送数 / 应报数（时限在区间内且已到期的）",
)
def report_timeliness(request: HttpRequest, start: AssessmentDate, end: AssessmentDate):
    scope = scope_of(request)
    if scope.city_id is None or not scope.see_all:
        raise NotFound()
    data = selectors.report_timeliness(scope.city_id, start, end)
    return [
        ReportTimelinessOut(unit_id=u, on_time=on_time, due=due)
        for u, (on_time, due) in sorted(data.items())
    ]


@router.get(
    "/submissions",
    response=list[SubmissionOut],
    summary="汇报与信息",
    openapi_extra=filter_doc(SubmissionFilter),
)
@paginate(Paged)
def list_submissions(request: HttpRequest):
    qs = selectors.submission_list_qs(scope_of(request)).prefetch_related("photos")
    return filtered(SubmissionFilter, request, qs)


@router.post(
    "/submissions/reports", response={201: SubmissionOut}, summary="报送（或重新报送）工作汇报"
)
def submit_report(request: HttpRequest, payload: SubmissionReportIn):
    city = _city_of(request)
    template = (
        selectors.templates_for_user(scope_of(request)).filter(pk=payload.template_id).first()
    )
    if template is None:
        raise InvalidInput(_("汇报模板不存在"), code="bad_template")
    return created(
        request,
        services.submit_report,
        template,
        **payload.dict(exclude={"template_id", "unit_id"}),
        unit=_unit_of(city.pk, payload.unit_id),
    )


@router.post(
    "/submissions/info", response={201: SubmissionOut}, summary="报送信息（multipart，照片可选）"
)
def submit_info(
    request: HttpRequest,
    unit_id: Form[DbId],
    title: Form[Annotated[str, Field(max_length=200)]],
    body: Form[Annotated[str, Field(max_length=20000)]],
    photos: File[list[UploadedFile]] = None,  # type: ignore[assignment]
):
    city = _city_of(request)
    return created(
        request,
        services.submit_info,
        city,
        unit=_unit_of(city.pk, unit_id),
        title=title,
        body=body,
        photos=photos or [],
    )


@router.get("/submissions/{submission_id}", response=SubmissionOut, summary="汇报或信息")
def get_submission(request: HttpRequest, submission_id: int):
    return selectors.get_submission_for_user(scope_of(request), submission_id)


@router.post(
    "/submissions/{submission_id}/review", response=SubmissionOut, summary="点评（采用打分或退回）"
)
def review_submission(request: HttpRequest, submission_id: int, payload: SubmissionReviewIn):
    sub = selectors.get_submission_for_user(scope_of(request), submission_id)
    return act(request, services.review_submission, sub, **payload.dict())


@router.get(
    "/bulletins",
    response=list[BulletinOut],
    summary="通报（检索标题、文号、内容）",
    openapi_extra=filter_doc(BulletinFilter),
)
@paginate(Paged)
def list_bulletins(request: HttpRequest):
    return filtered(BulletinFilter, request, selectors.bulletin_list_qs(scope_of(request)))


@router.post("/bulletins", response={201: JobOut}, summary="起草通报（后台任务，完成后见任务结果）")
def draft_bulletin(request: HttpRequest, payload: BulletinDraftIn):
    return created(request, jobs.submit_draft, _city_of(request), **payload.dict())


@router.get(
    "/bulletins/{bulletin_id}", response=BulletinDetailOut, summary="通报（含栏目、数据来源）"
)
def get_bulletin(request: HttpRequest, bulletin_id: int):
    return selectors.get_bulletin_for_user(scope_of(request), bulletin_id)


@router.patch(
    "/bulletins/{bulletin_id}/sections/{section_id}",
    response=BulletinSectionOut,
    summary="改写通报栏目（草稿）",
)
def edit_section(
    request: HttpRequest, bulletin_id: int, section_id: int, payload: BulletinSectionPatch
):
    bulletin = selectors.get_bulletin_for_user(scope_of(request), bulletin_id)
    section = bulletin.sections.filter(pk=section_id).first()
    if section is None:
        raise NotFound()
    return act(request, services.edit_bulletin_section, section, **payload.dict())


@router.post(
    "/bulletins/{bulletin_id}/issue", response=BulletinDetailOut, summary="印发通报（编文号）"
)
def issue_bulletin(request: HttpRequest, bulletin_id: int, payload: BulletinIssueIn):
    bulletin = selectors.get_bulletin_for_user(scope_of(request), bulletin_id)
    recipients = None
    if payload.recipient_ids is not None:
        recipients = list(
            Unit.objects.filter(city_id=bulletin.city_id, pk__in=payload.recipient_ids)
        )
        if len(recipients) != len(set(payload.recipient_ids)):
            raise InvalidInput(_("主送单位不存在"), code="bad_unit")
    return act(
        request,
        services.issue_bulletin,
        bulletin,
        **payload.dict(exclude={"recipient_ids"}),
        recipients=recipients,
    )


@router.post("/bulletins/{bulletin_id}/sign", response=BulletinSignOut, summary="签收通报")
def sign_bulletin(request: HttpRequest, bulletin_id: int):
    bulletin = selectors.get_bulletin_for_user(scope_of(request), bulletin_id)
    return BulletinSignOut(signed=act(request, services.sign_bulletin, bulletin))
