"""The citizens app's JSON API (mounted at /api/citizens). Part B: rounds, ballots from a
logged-in citizen app, campaigns, budgets, compound rankings, 问政 commitments. The public
portal's pages are the way without an account."""

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from chuangwen.core import ratelimit
from chuangwen.core.endpoints import act, created
from chuangwen.core.errors import InvalidInput, NotFound
from chuangwen.core.filtering import filter_doc, filtered
from chuangwen.core.schemas import Paged
from chuangwen.inspections.services import decode_photo
from chuangwen.org.models import City, Person, Unit
from chuangwen.org.scope import Scope, scope_of
from chuangwen.sites.models import Site

from . import selectors, services
from .choices import RoundStatus
from .filters import CampaignFilter, CommitmentFilter, RoundFilter
from .models import BudgetChange, Campaign, Candidate, CompoundScore, Exposure, Milestone, Topic
from .progress import progress_of, rollup
from .schemas import (
    BallotIn,
    BallotOut,
    BudgetChangeIn,
    BudgetChangeOut,
    BudgetDecisionIn,
    BudgetEntryIn,
    BudgetEntryOut,
    BudgetLineOut,
    CampaignDetailOut,
    CampaignIn,
    CampaignMilestoneIn,
    CampaignMilestoneOut,
    CampaignOut,
    CampaignProgressPartOut,
    CampaignReportIn,
    CampaignReportOut,
    CommitmentFollowUpIn,
    CommitmentFollowUpOut,
    CommitmentIn,
    CommitmentOut,
    CompoundRankingOut,
    CompoundScoreOut,
    VoteCandidateFromTopicIn,
    VoteCandidateIn,
    VoteCandidateOut,
    VoteIntegrityOut,
    VotePublishIn,
    VoteRoundDetailOut,
    VoteRoundIn,
    VoteRoundOut,
    VoteTallyOut,
    WenzhengEpisodeIn,
    WenzhengEpisodeOut,
)

router = Router(tags=["群众参与"])
BALLOT_LIMIT = (30, 3600)  # ballots per account per hour


def _city(scope: Scope) -> City:
    if scope.city_id is None:
        raise NotFound()
    return City.objects.get(pk=scope.city_id)


def _city_id(scope: Scope) -> int:
    if scope.city_id is None:
        raise NotFound()
    return scope.city_id


def _unit(scope: Scope, pk: int) -> Unit:
    unit = Unit.objects.filter(city_id=_city_id(scope), pk=pk).first()
    if unit is None:
        raise InvalidInput(_("单位 %(pk)d 不存在") % {"pk": pk}, code="bad_unit")
    return unit


# --- rounds -----------------------------------------------------------------------------------


@router.get(
    "/rounds",
    response=list[VoteRoundOut],
    summary="投票轮次（10件事、小区评选、满意度回访）",
    openapi_extra=filter_doc(RoundFilter),
)
@paginate(Paged)
def list_rounds(request: HttpRequest):
    qs = selectors.rounds_for_user(scope_of(request))
    return filtered(RoundFilter, request, qs).order_by("-id")


def _round_detail(round_: Any) -> VoteRoundDetailOut:
    figures = services.integrity(round_)
    return VoteRoundDetailOut(
        **VoteRoundOut.from_orm(round_).dict(),
        description=round_.description,
        publish_note=round_.publish_note,
        candidates=[VoteCandidateOut.from_orm(c) for c in round_.candidates.all()],
        tally=[
            VoteTallyOut(
                candidate_id=r.candidate.pk,
                title=r.candidate.title,
                votes=r.votes,
                score=r.score,
                satisfaction=r.satisfaction,
            )
            for r in services.tally(round_)
        ],
        integrity=VoteIntegrityOut(
            total=figures.total,
            counted=figures.counted,
            flagged=figures.flagged,
            void=figures.void,
            unverified=figures.unverified,
            unverified_share=figures.unverified_share,
            unverified_alarm=figures.unverified_alarm,
            late=figures.late,
        ),
    )


@router.get(
    "/rounds/{round_id}", response=VoteRoundDetailOut, summary="投票详情：候选、计票、选票核查"
)
def get_round(request: HttpRequest, round_id: int):
    return _round_detail(selectors.get_round_for_user(scope_of(request), round_id))


@router.post("/rounds", response={201: VoteRoundOut}, summary="新建“10件事”投票（创建办）")
def create_round(request: HttpRequest, payload: VoteRoundIn):
    return created(request, services.create_round, _city(scope_of(request)), **payload.dict())


def _round(request: HttpRequest, round_id: int) -> Any:
    return selectors.get_round_for_user(scope_of(request), round_id)


@router.post(
    "/rounds/{round_id}/candidates",
    response={201: VoteCandidateOut},
    summary="添加候选事项（来自热点问题；投票开始前）",
)
def add_candidate(request: HttpRequest, round_id: int, payload: VoteCandidateIn):
    return created(request, services.add_candidate, _round(request, round_id), **payload.dict())


@router.post(
    "/rounds/{round_id}/candidates/from-topic",
    response={201: VoteCandidateOut},
    summary="把热点话题列为候选事项（投票开始前）",
)
def add_candidate_from_topic(
    request: HttpRequest, round_id: int, payload: VoteCandidateFromTopicIn
):
    round_ = _round(request, round_id)
    topic = Topic.objects.filter(city_id=round_.city_id, pk=payload.topic_id).first()
    if topic is None:
        raise NotFound()
    return created(request, services.add_candidate_from_topic, round_, topic)


@router.post("/rounds/{round_id}/open", response=VoteRoundOut, summary="开始投票")
def open_round(request: HttpRequest, round_id: int):
    return act(request, services.open_round, _round(request, round_id))


@router.post("/rounds/{round_id}/close", response=VoteRoundOut, summary="结束投票")
def close_round(request: HttpRequest, round_id: int):
    return act(request, services.close_round, _round(request, round_id))


@router.post("/rounds/{round_id}/publish", response=VoteRoundDetailOut, summary="公布结果")
def publish_round(request: HttpRequest, round_id: int, payload: VotePublishIn):
    round_ = _round(request, round_id)
    selected = None
    if payload.selected is not None:
        selected = list(Candidate.objects.filter(round=round_, pk__in=payload.selected))
        if len(selected) != len(set(payload.selected)):
            raise InvalidInput(_("入选事项必须是本轮的候选事项"), code="bad_selection")
    act(
        request,
        services.publish_round,
        round_,
        **payload.dict(exclude={"selected"}),
        selected=selected,
    )
    round_.refresh_from_db()
    return _round_detail(round_)


@router.post(
    "/rounds/{round_id}/ballots",
    response={201: BallotOut},
    summary="投票（市民应用，登录账号；手机号与账号一致时为已验证票）",
)
def cast_ballot(request: HttpRequest, round_id: int, payload: BallotIn):
    scope = scope_of(request)
    city = _city(scope)
    round_ = selectors.get_public_round(city, round_id)
    if not ratelimit.hit([f"citizens:api-vote:{request.auth.pk}"], *BALLOT_LIMIT):  # type: ignore[attr-defined]
        raise InvalidInput(_("提交过于频繁，请稍后再试"), code="rate_limited")
    person = Person.objects.filter(user_id=request.auth.pk, active=True).first()  # type: ignore[attr-defined]
    voter = services.Voter(
        phone=payload.phone,
        device=payload.device_id,
        network=request.META.get("REMOTE_ADDR", ""),
        person=person,
    )
    choices = {c.candidate_id: c.score for c in payload.choices}
    if len(choices) != len(payload.choices):
        raise InvalidInput(_("同一事项不能重复选择"), code="duplicate_choice")
    vote = act(request, services.cast_vote, round_, voter, choices)
    return Status(
        201, BallotOut(id=vote.pk, round_id=round_.pk, verified=vote.verified, status=vote.status)
    )


# --- campaigns --------------------------------------------------------------------------------


@router.get(
    "/campaigns",
    response=list[CampaignOut],
    summary="专项整治（含计算出的进度）",
    openapi_extra=filter_doc(CampaignFilter),
)
@paginate(Paged)
def list_campaigns(request: HttpRequest):
    qs = selectors.campaigns_for_user(scope_of(request))
    return _WithProgress(filtered(CampaignFilter, request, qs).order_by("-id"))


class _WithProgress:
    """A campaign queryset whose page gets its progress in three queries when sliced."""

    def __init__(self, qs: Any) -> None:
        self.qs = qs

    def __len__(self) -> int:
        return self.qs.count()

    def count(self) -> int:
        return self.qs.count()

    def __getitem__(self, item: slice) -> list[Campaign]:
        rows = list(self.qs[item])
        progress = rollup(rows)
        for c in rows:
            c.progress = progress[c.pk].percent
        return rows


def _campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    return selectors.get_campaign_for_user(scope_of(request), campaign_id)


@router.get("/campaigns/{campaign_id}", response=CampaignDetailOut, summary="专项整治详情")
def get_campaign(request: HttpRequest, campaign_id: int):
    c = _campaign(request, campaign_id)
    p = progress_of(c)
    c.progress = p.percent  # type: ignore[attr-defined]
    return CampaignDetailOut(
        **CampaignOut.from_orm(c).dict(),
        description=c.description,
        supporting_unit_ids=list(c.supports.values_list("unit_id", flat=True)),
        milestones=[CampaignMilestoneOut.from_orm(m) for m in c.milestones.all()],
        parts=[
            CampaignProgressPartOut(
                label=x.label,
                weight=x.weight,
                percent=x.percent,
                basis=x.basis,
                milestone_id=x.milestone_id,
            )
            for x in p.parts
        ],
        budget=[
            BudgetLineOut(
                id=line.pk,
                source=line.source,
                allocated=line.allocated,
                adjusted=line.adjusted,
                available=line.available,
                committed=line.committed,
                spent=line.spent,
            )
            for line in c.budget_lines.all()
        ],
    )


# the fields of CampaignIn that create_campaign takes as rows (or a Decimal) found here
CAMPAIGN_ROWS = {"lead_unit_id", "supporting_unit_ids", "target_value", "candidate_id", "site_id"}


@router.post("/campaigns", response={201: CampaignOut}, summary="设立专项整治（创建办）")
def create_campaign(request: HttpRequest, payload: CampaignIn):
    scope = scope_of(request)
    city = _city(scope)
    candidate = None
    if payload.candidate_id:
        candidate = Candidate.objects.filter(round__city=city, pk=payload.candidate_id).first()
        if candidate is None:
            raise InvalidInput(_("投票事项不存在"), code="bad_candidate")
    site = None
    if payload.site_id:
        site = Site.objects.filter(city=city, pk=payload.site_id).first()
        if site is None:
            raise InvalidInput(_("点位不存在"), code="bad_site")
    return created(
        request,
        services.create_campaign,
        city,
        **payload.dict(exclude=CAMPAIGN_ROWS),
        lead_unit=_unit(scope, payload.lead_unit_id),
        supporting_units=[_unit(scope, pk) for pk in payload.supporting_unit_ids],
        target_value=Decimal(str(payload.target_value)),
        candidate=candidate,
        site=site,
    )


@router.post(
    "/campaigns/{campaign_id}/milestones",
    response={201: CampaignMilestoneOut},
    summary="添加里程碑（牵头单位或创建办）",
)
def add_milestone(request: HttpRequest, campaign_id: int, payload: CampaignMilestoneIn):
    return created(
        request, services.add_milestone, _campaign(request, campaign_id), **payload.dict()
    )


@router.post(
    "/campaigns/{campaign_id}/reports",
    response={201: CampaignReportOut},
    summary="上报进展（照片为 base64 或 data URL，最多 6 张）",
)
def submit_report(request: HttpRequest, campaign_id: int, payload: CampaignReportIn):
    campaign = _campaign(request, campaign_id)
    milestone = None
    if payload.milestone_id:
        milestone = get_object_or_404(Milestone, campaign=campaign, pk=payload.milestone_id)
    return created(
        request,
        services.submit_report,
        campaign,
        **payload.dict(exclude={"milestone_id", "photos"}),
        milestone=milestone,
        photos=[decode_photo(p) for p in payload.photos],
    )


@router.post(
    "/campaigns/{campaign_id}/budget-entries",
    response={201: BudgetEntryOut},
    summary="登记承诺或支出（超出预算即拒绝，须先经批准的预算调整）",
)
def record_entry(request: HttpRequest, campaign_id: int, payload: BudgetEntryIn):
    return created(
        request, services.record_budget_entry, _campaign(request, campaign_id), **payload.dict()
    )


@router.post(
    "/campaigns/{campaign_id}/budget-changes",
    response={201: BudgetChangeOut},
    summary="申请预算调整",
)
def request_change(request: HttpRequest, campaign_id: int, payload: BudgetChangeIn):
    return created(
        request, services.request_budget_change, _campaign(request, campaign_id), **payload.dict()
    )


@router.post(
    "/budget-changes/{change_id}/decision",
    response=BudgetChangeOut,
    summary="审批预算调整（创建办；不能审批自己的申请）",
)
def decide_change(request: HttpRequest, change_id: int, payload: BudgetDecisionIn):
    scope = scope_of(request)
    change = BudgetChange.objects.filter(
        pk=change_id, campaign__in=selectors.campaigns_for_user(scope)
    ).first()
    if change is None:
        raise NotFound()
    return act(request, services.decide_budget_change, change, **payload.dict())


# --- compounds --------------------------------------------------------------------------------


@router.get("/rankings", response=list[CompoundRankingOut], summary="最佳最差小区评选")
@paginate(Paged)
def list_rankings(request: HttpRequest):
    return selectors.rankings_for_user(scope_of(request)).order_by("-period_end", "-id")


@router.get(
    "/rankings/{ranking_id}/scores",
    response=list[CompoundScoreOut],
    summary="各小区得分（公布后为公布结果，之前为按当前数据试算）",
)
def ranking_scores(request: HttpRequest, ranking_id: int):
    ranking = selectors.get_ranking_for_user(scope_of(request), ranking_id)
    if ranking.round.status == RoundStatus.PUBLISHED:
        rows: Any = CompoundScore.objects.filter(ranking=ranking).select_related("site")
    else:
        rows = services.compute_scores(ranking)
    return [
        CompoundScoreOut(
            site_id=r.site.pk,
            name=r.site.name,
            checks=r.checks,
            check_rate=r.check_rate,
            votes=r.votes,
            vote_rate=r.vote_rate,
            cases=r.cases,
            closed=r.closed,
            closure_rate=r.closure_rate,
            score=r.score,
            eligible=r.eligible,
            rank=r.rank,
            verdict=r.verdict,
            was_worst=r.was_worst,
        )
        for r in rows
    ]


# --- 问政 -----------------------------------------------------------------------------------


@router.get(
    "/commitments",
    response=list[CommitmentOut],
    summary="问政承诺（本单位的，或创建办全部）",
    openapi_extra=filter_doc(CommitmentFilter),
)
@paginate(Paged)
def list_commitments(request: HttpRequest):
    qs = selectors.commitments_for_user(scope_of(request))
    return filtered(CommitmentFilter, request, qs).order_by("status", "due_on", "id")


@router.post("/episodes", response={201: WenzhengEpisodeOut}, summary="登记问政节目（创建办）")
def create_episode(request: HttpRequest, payload: WenzhengEpisodeIn):
    return created(request, services.create_episode, _city(scope_of(request)), **payload.dict())


@router.post(
    "/episodes/{episode_id}/commitments",
    response={201: CommitmentOut},
    summary="登记现场承诺（必须有完成时限）",
)
def make_commitment(request: HttpRequest, episode_id: int, payload: CommitmentIn):
    scope = scope_of(request)
    episode = selectors.get_episode_for_user(scope, episode_id)
    exposure = None
    if payload.exposure_id:
        exposure = get_object_or_404(Exposure, episode=episode, pk=payload.exposure_id)
    return created(
        request,
        services.make_commitment,
        episode,
        **payload.dict(exclude={"unit_id", "exposure_id"}),
        unit=_unit(scope, payload.unit_id),
        exposure=exposure,
    )


@router.post(
    "/commitments/{commitment_id}/follow-ups",
    response={201: CommitmentFollowUpOut},
    summary="跟踪承诺（承诺单位报进展；创建办确认兑现）",
)
def follow_up(request: HttpRequest, commitment_id: int, payload: CommitmentFollowUpIn):
    commitment = selectors.get_commitment_for_user(scope_of(request), commitment_id)
    return created(request, services.follow_up, commitment, **payload.dict())
