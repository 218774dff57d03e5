"""Scoped reads of the citizens app (404 alike for missing and forbidden), and what the public
portal may show.

Part B: rounds and rankings are the office's (leaders read them); a campaign is seen by the
office, leaders, its lead unit and its supporting units (their subtrees); a commitment by the
office, leaders and the unit that made it. The public sees rounds once they open, campaigns
once they start, published rankings and every commitment — with free text masked
(``core.text.public_text``) and no person named.
"""

import datetime as dt
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any, TypeVar

from django.db.models import Exists, Model, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangwen.core.errors import NotFound
from chuangwen.core.selectors import one
from chuangwen.core.text import public_text
from chuangwen.org.models import City
from chuangwen.org.scope import Scope

from .choices import (
    PUBLIC_CAMPAIGN_STATUSES,
    CampaignStatus,
    CommitmentStatus,
    MilestoneStatus,
    RoundKind,
    RoundStatus,
)
from .models import (
    Campaign,
    CampaignPhoto,
    CampaignReport,
    CampaignSupport,
    Candidate,
    Commitment,
    CommitmentUpdate,
    CompoundRanking,
    Episode,
    Round,
    Topic,
)
from .voice.models import TopicStatus

M = TypeVar("M", bound=Model)

# --- part B: the office and the units -------------------------------------------------------


def _prefix(field: str, paths: tuple[str, ...]) -> Q:
    return reduce(or_, (Q(**{f"{field}__startswith": p}) for p in paths))


def campaigns_for_user(scope: Scope) -> QuerySet[Campaign]:
    if scope.city_id is None:
        return Campaign.objects.none()
    qs = Campaign.objects.filter(city_id=scope.city_id)
    if scope.see_all:
        return qs
    if not scope.unit_paths:
        return qs.none()
    supporting = CampaignSupport.objects.filter(campaign=OuterRef("pk")).filter(
        _prefix("unit_path", scope.unit_paths)
    )
    return qs.filter(_prefix("lead_path", scope.unit_paths) | Q(Exists(supporting)))


def get_campaign_for_user(scope: Scope, pk: int) -> Campaign:
    return one(
        campaigns_for_user(scope).select_related("lead_unit", "candidate__round", "site"), pk
    )


def _office_rows(model: type[M], scope: Scope) -> QuerySet[M]:
    """The city's rows of what the office runs: the office and leaders read them, nobody else."""
    if scope.city_id is None or not scope.see_all:
        return model._default_manager.none()
    return model._default_manager.filter(city_id=scope.city_id)


def rounds_for_user(scope: Scope) -> QuerySet[Round]:
    """Rounds are run by the office; leaders read them."""
    return _office_rows(Round, scope)


def get_round_for_user(scope: Scope, pk: int) -> Round:
    return one(rounds_for_user(scope), pk)


def rankings_for_user(scope: Scope) -> QuerySet[CompoundRanking]:
    return _office_rows(CompoundRanking, scope).select_related("round", "site_type")


def get_ranking_for_user(scope: Scope, pk: int) -> CompoundRanking:
    return one(rankings_for_user(scope), pk)


def episodes_for_user(scope: Scope) -> QuerySet[Episode]:
    return _office_rows(Episode, scope)


def get_episode_for_user(scope: Scope, pk: int) -> Episode:
    return one(episodes_for_user(scope), pk)


def commitments_for_user(scope: Scope) -> QuerySet[Commitment]:
    if scope.city_id is None:
        return Commitment.objects.none()
    qs = Commitment.objects.filter(city_id=scope.city_id)
    if scope.see_all:
        return qs
    if not scope.unit_paths:
        return qs.none()
    return qs.filter(_prefix("unit_path", scope.unit_paths))


def get_commitment_for_user(scope: Scope, pk: int) -> Commitment:
    return one(commitments_for_user(scope).select_related("episode", "unit", "exposure"), pk)


# --- part B: the public portal ----------------------------------------------------------------


def public_city(code: str) -> City:
    city = City.objects.filter(code=(code or "")[:20]).first()
    if city is None:
        raise NotFound(_("城市不存在"))
    return city


def public_rounds(city: City) -> QuerySet[Round]:
    """Rounds the public may see: open (or ended) and published; the satisfaction re-votes
    are reached from their campaign's page."""
    return Round.objects.filter(city=city).exclude(status=RoundStatus.DRAFT)


def get_public_round(city: City, pk: int) -> Round:
    return one(public_rounds(city).select_related("campaign"), pk)


def public_campaigns(city: City) -> QuerySet[Campaign]:
    return Campaign.objects.filter(city=city, status__in=PUBLIC_CAMPAIGN_STATUSES)


def get_public_campaign(city: City, pk: int) -> Campaign:
    return one(public_campaigns(city).select_related("lead_unit", "candidate__round", "site"), pk)


def public_rankings(city: City) -> QuerySet[CompoundRanking]:
    return CompoundRanking.objects.filter(
        city=city, round__status=RoundStatus.PUBLISHED
    ).select_related("round", "site_type")


def public_commitments(city: City) -> QuerySet[Commitment]:
    """The exposure board: open commitments first, the soonest due first."""
    return (
        Commitment.objects.filter(city=city)
        .select_related("episode", "unit")
        .prefetch_related(
            Prefetch("updates", queryset=CommitmentUpdate.objects.order_by("at", "id"))
        )
        .order_by("status", "due_on", "id")
    )


def shortlist_topics(round_: Round, limit: int = 15) -> list[Topic]:
    """The hottest active topics of the round's city not yet on its ballot (the office picks
    the 10 things' candidates from them while the round is being prepared)."""
    if round_.status != RoundStatus.DRAFT or round_.kind != RoundKind.TOP10:
        return []
    return list(
        Topic.objects.filter(city_id=round_.city_id, status=TopicStatus.ACTIVE)
        .exclude(candidates__round=round_)
        .order_by("-heat", "id")[:limit]
    )


def topic_candidates(topic: Topic) -> list[Candidate]:
    """The candidates shortlisted from ``topic``, with their round and campaign (if any)."""
    rows = list(
        Candidate.objects.filter(topic=topic)
        .select_related("round", "campaign")
        .order_by("-round__created_at", "id")
    )
    return rows


def draft_rounds(city_id: int) -> list[Round]:
    """Rounds of the 10 things still being prepared (a topic can be added to them)."""
    return list(
        Round.objects.filter(
            city_id=city_id, kind=RoundKind.TOP10, status=RoundStatus.DRAFT
        ).order_by("-created_at")[:20]
    )


@dataclass(frozen=True)
class Step:
    """One line of a campaign's public history, from the citizens' votes to what was done."""

    on: dt.date
    label: str
    text: str
    kind: str  # message | vote | start | milestone | report | acceptance | closed
    photos: tuple[CampaignPhoto, ...] = ()


def _day(value: Any) -> dt.date:
    return timezone.localtime(value).date() if isinstance(value, dt.datetime) else value


def campaign_history(campaign: Campaign) -> list[Step]:
    """Oldest first: the round it came from (its votes and rank), the start, each report (its
    text masked, its photos), milestones done, the acceptance and the re-vote's result."""
    steps: list[Step] = []
    candidate = campaign.candidate
    if candidate is not None:
        round_ = candidate.round
        topic = candidate.topic
        if topic is not None:
            # the hot topic it was shortlisted from: its figures as they are now
            steps.append(
                Step(
                    _day(topic.first_at or round_.created_at),
                    _("群众反映"),
                    public_text(
                        _(
                            "热点话题「%(n)s」：%(a)s 至 %(b)s，群众留言 %(m)d 条，"
                            "提出 %(p)d 人，点赞 %(l)d 次"
                        )
                        % {
                            "n": topic.name,
                            "a": _day(topic.first_at or round_.created_at).isoformat(),
                            "b": _day(topic.last_at or round_.created_at).isoformat(),
                            "m": topic.messages,
                            "p": topic.people,
                            "l": topic.likes,
                        }
                    ),
                    "message",
                )
            )
        elif candidate.source_note or candidate.description:
            # where the thing came from: the citizens' messages (hot topic) it was shortlisted from
            steps.append(
                Step(
                    _day(round_.created_at),
                    _("群众反映"),
                    public_text(
                        "；".join(x for x in (candidate.source_note, candidate.description) if x)
                    ),
                    "message",
                )
            )
        if round_.opens_at or round_.created_at:
            steps.append(
                Step(
                    _day(round_.opens_at or round_.created_at),
                    _("群众投票"),
                    _("“%(r)s”开始投票，本事项为候选之一") % {"r": round_.title},
                    "vote",
                )
            )
        if round_.published_at:
            steps.append(
                Step(
                    _day(round_.published_at),
                    _("投票结果公布"),
                    _("得票 %(v)d，排名第 %(k)d，列入群众最不满意的10件事")
                    % {"v": candidate.votes, "k": candidate.rank or 0},
                    "vote",
                )
            )
    steps.append(
        Step(
            campaign.starts_on,
            _("整治启动"),
            _("牵头单位：%(u)s；目标：%(t)s")
            % {"u": campaign.lead_unit.name, "t": campaign.target_text},
            "start",
        )
    )
    reports = (
        CampaignReport.objects.filter(campaign=campaign)
        .select_related("unit", "milestone")
        .prefetch_related("photos")
        .order_by("reported_at", "id")
    )
    for r in reports:
        label = r.unit.name if r.unit else _("进展")
        if r.milestone is not None:
            label = f"{label} · {r.milestone.title}"
        steps.append(
            Step(_day(r.reported_at), label, public_text(r.text), "report", tuple(r.photos.all()))
        )
    for m in campaign.milestones.filter(status=MilestoneStatus.DONE, done_at__isnull=False):
        steps.append(Step(_day(m.done_at), _("里程碑完成"), m.title, "milestone"))
    if (
        campaign.status in (CampaignStatus.CLOSING, CampaignStatus.CLOSED)
        and campaign.closing_summary
    ):
        accepted = campaign.satisfaction_rounds.order_by("-id").first()
        when = accepted.created_at if accepted else campaign.updated_at
        steps.append(
            Step(_day(when), _("申请验收"), public_text(campaign.closing_summary), "acceptance")
        )
    for round_ in campaign.satisfaction_rounds.filter(status=RoundStatus.PUBLISHED):
        c = round_.candidates.first()
        if c is not None and round_.published_at:
            steps.append(
                Step(
                    _day(round_.published_at),
                    _("群众满意度回访结果"),
                    _("参与 %(v)d 人，平均 %(s)s 分（满分 5 分）")
                    % {"v": c.votes, "s": c.score if c.score is not None else "—"},
                    "vote",
                )
            )
    if campaign.closed_at:
        steps.append(Step(_day(campaign.closed_at), _("整治完成"), campaign.title, "closed"))
    steps.sort(key=lambda s: s.on)
    return steps


def board_counts(city: City) -> dict[str, int]:
    today = timezone.localdate()
    qs = Commitment.objects.filter(city=city)
    return {
        "total": qs.count(),
        "done": qs.filter(status=CommitmentStatus.DONE).count(),
        "overdue": qs.exclude(status=CommitmentStatus.DONE).filter(due_on__lt=today).count(),
    }


def open_top10_round(city: City) -> Round | None:
    now = timezone.now()
    return (
        Round.objects.filter(
            city=city, kind=RoundKind.TOP10, status=RoundStatus.OPEN, closes_at__gt=now
        )
        .order_by("closes_at")
        .first()
    )
