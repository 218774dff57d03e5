"""Rounds of public votes (part B): the 10 things citizens most dislike, residents' scores of
their compounds and the satisfaction re-vote when a campaign closes share one mechanism.

One ballot per person per round: the phone number and the device each may vote once, held by
the two UNIQUE constraints on ``Vote`` — two identical ballots sent at the same moment meet at
the index and the second is refused, on PostgreSQL and SQLite alike. Neither number is stored:
only a digest keyed per round (so a voter cannot be followed from round to round) and the
masked phone number the office sees when it reviews.

A ballot from a network that has sent ``burst_limit`` ballots in the last ten minutes is stored
as 待复核 (flagged): it is not counted until the office accepts it, and a round with flagged
ballots cannot be published. A round whose share of unverified ballots (no account confirming
the phone number) passes ``unverified_alert`` is published only after the office confirms it
has looked at them.

Votes are the record themselves: casting one writes no audit row (it would double the write of
a busy round); every act of the office on a round does.

Re-exported from ``chuangwen.citizens.services``.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from chuangwen.core import audit
from chuangwen.core import services as core_services
from chuangwen.core.errors import InvalidInput, InvalidTransition
from chuangwen.core.text import is_mobile, mask_phone
from chuangwen.org.actors import actor_user, require_office
from chuangwen.org.choices import Role
from chuangwen.org.models import City, Membership, Person

from .choices import (
    ROUND_TRANSITIONS,
    SATISFIED_FROM,
    FlagReason,
    RoundKind,
    RoundStatus,
    VoteStatus,
)
from .models import Candidate, Round, Vote, VoteChoice
from .voice.models import Topic, TopicStatus

BURST_WINDOW = timedelta(minutes=10)
MAX_TITLE = 200
MAX_TEXT = 2000
MAX_CHOICES = 30
ROUND_FIELDS = ["status", "title", "opens_at", "closes_at", "max_choices", "select_count"]


def clean_text(text: str, limit: int, label: str, *, required: bool = False) -> str:
    """Trimmed text within ``limit`` characters, or a Chinese refusal naming the field."""
    value = (text or "").strip()
    if "\x00" in value:
        raise InvalidInput(_("「%(f)s」含有无效字符") % {"f": label}, code="bad_text")
    if required and not value:
        raise InvalidInput(_("请填写「%(f)s」") % {"f": label}, code="required")
    if len(value) > limit:
        raise InvalidInput(
            _("「%(f)s」不能超过 %(n)d 字（现为 %(m)d 字）")
            % {"f": label, "n": limit, "m": len(value)},
            code="too_long",
        )
    return value


def city_ref(city_id: int) -> City:
    """The city as a reference for an audit row's foreign key, without a query."""
    return City(pk=city_id)


def _transition(round_: Round, to: str) -> None:
    if to not in ROUND_TRANSITIONS[round_.status]:
        raise InvalidTransition(
            _("投票当前状态为「%(s)s」，不能改为「%(t)s」")
            % {"s": RoundStatus(round_.status).label, "t": RoundStatus(to).label}
        )


def locked_round(round_: Round) -> Round:
    return Round.objects.select_for_update().get(pk=round_.pk)


# --- the office: rounds and candidates -----------------------------------------------------


@transaction.atomic
def create_round(
    city: City,
    *,
    kind: str,
    title: str,
    closes_at: datetime,
    description: str = "",
    opens_at: datetime | None = None,
    max_choices: int = 10,
    select_count: int = 10,
    burst_limit: int = 20,
    unverified_alert: int = 60,
    campaign: Any = None,
    acting_user: Any,
) -> Round:
    require_office(acting_user, city)
    if kind not in RoundKind.values:
        raise InvalidInput(_("投票类型无效"), code="bad_kind")
    if opens_at is not None and opens_at >= closes_at:
        raise InvalidInput(_("投票截止时间必须晚于开始时间"), code="bad_dates")
    if not 1 <= max_choices <= MAX_CHOICES:
        raise InvalidInput(
            _("每人最多选择数应在 1–%(n)d 之间") % {"n": MAX_CHOICES}, code="bad_choices"
        )
    if not 1 <= select_count <= 100:
        raise InvalidInput(_("公布入选数应在 1–100 之间"), code="bad_select")
    if not 1 <= burst_limit <= 10_000 or not 0 <= unverified_alert <= 100:
        raise InvalidInput(_("集中投票上限或未验证占比提示线超出范围"), code="bad_limits")
    round_ = Round.objects.create(
        city=city,
        kind=kind,
        title=clean_text(title, MAX_TITLE, _("名称"), required=True),
        description=clean_text(description, MAX_TEXT, _("说明")),
        opens_at=opens_at,
        closes_at=closes_at,
        max_choices=max_choices,
        select_count=select_count,
        burst_limit=burst_limit,
        unverified_alert=unverified_alert,
        campaign=campaign,
        created_by=actor_user(acting_user),
    )
    audit.record(
        "citizens.round.created",
        round_,
        actor=acting_user,
        after=audit.snapshot(round_, ROUND_FIELDS),
        summary=round_.title,
    )
    return round_


@transaction.atomic
def add_candidate(
    round_: Round,
    *,
    title: str,
    description: str = "",
    source_note: str = "",
    site: Any = None,
    topic: Topic | None = None,
    acting_user: Any,
) -> Candidate:
    """Shortlist one candidate (from hot topics: ``source_note`` says where it came from,
    ``topic`` is the hot topic itself); only while the round is being prepared — nobody
    changes the ballot during the vote."""
    require_office(acting_user, round_.city_id)
    round_ = locked_round(round_)
    if round_.status != RoundStatus.DRAFT:
        raise InvalidTransition(_("投票已开始，不能再增加候选事项"), code="round_started")
    if site is not None and site.city_id != round_.city_id:
        raise InvalidInput(_("点位不属于本城市"), code="bad_site")
    if topic is not None:
        topic = _locked_topic(topic, round_)
    last = round_.candidates.order_by("-sort").values_list("sort", flat=True).first() or 0
    candidate = Candidate.objects.create(
        round=round_,
        title=clean_text(title, MAX_TITLE, _("名称"), required=True),
        description=clean_text(description, MAX_TEXT, _("说明")),
        source_note=clean_text(source_note, 300, _("来源")),
        site=site,
        topic=topic,
        sort=last + 1,
    )
    audit.record(
        "citizens.candidate.added",
        candidate,
        actor=acting_user,
        city=city_ref(round_.city_id),
        after={
            "round": round_.pk,
            "title": candidate.title,
            "source_note": candidate.source_note,
            "topic": topic.pk if topic is not None else None,
        },
        summary=candidate.title,
    )
    return candidate


def _locked_topic(topic: Topic, round_: Round) -> Topic:
    """The topic row, locked; an active topic of the round's city, not yet on its ballot. It is
    marked as adjusted by hand (``locked``) so that recomputing the topics keeps it."""
    row = Topic.objects.select_for_update().filter(pk=topic.pk, city_id=round_.city_id).first()
    if row is None:
        raise InvalidInput(_("热点话题不属于本城市"), code="bad_topic")
    if row.status != TopicStatus.ACTIVE:
        raise InvalidInput(_("该热点话题已合并或已忽略，不能作为候选事项"), code="topic_inactive")
    if Candidate.objects.filter(round_id=round_.pk, topic_id=row.pk).exists():
        raise InvalidInput(_("该热点话题已是本轮候选事项"), code="topic_twice")
    if not row.locked:
        row.locked = True
        row.save(update_fields=["locked", "updated_at"])
    return row


def topic_note(topic: Topic) -> str:
    """The figures a candidate shortlisted from ``topic`` records as its source."""
    return _("热点话题「%(n)s」：群众留言 %(m)d 条，提出 %(p)d 人，点赞 %(l)d 次") % {
        "n": topic.name,
        "m": topic.messages,
        "p": topic.people,
        "l": topic.likes,
    }


@transaction.atomic
def add_candidate_from_topic(round_: Round, topic: Topic, *, acting_user: Any) -> Candidate:
    """Shortlist a hot topic: its name becomes the candidate's title, its figures (messages,
    people, likes) the source note, and the candidate keeps a link to the topic."""
    require_office(acting_user, round_.city_id)
    keywords = "、".join(str(k) for k in (topic.keywords or [])[:8])
    return add_candidate(
        round_,
        title=topic.name,
        description=_("关键词：%(k)s") % {"k": keywords} if keywords else "",
        source_note=topic_note(topic)[:300],
        topic=topic,
        acting_user=acting_user,
    )


@transaction.atomic
def remove_candidate(candidate: Candidate, *, acting_user: Any) -> None:
    round_ = locked_round(candidate.round)
    require_office(acting_user, round_.city_id)
    if round_.status != RoundStatus.DRAFT:
        raise InvalidTransition(_("投票已开始，不能再撤下候选事项"), code="round_started")
    audit.record(
        "citizens.candidate.removed",
        candidate,
        actor=acting_user,
        city=city_ref(round_.city_id),
        before={"round": round_.pk, "title": candidate.title},
        summary=candidate.title,
    )
    candidate.delete()


@transaction.atomic
def open_round(round_: Round, *, acting_user: Any) -> Round:
    require_office(acting_user, round_.city_id)
    round_ = locked_round(round_)
    _transition(round_, RoundStatus.OPEN)
    n = round_.candidates.filter(withdrawn=False).count()
    needed = 1 if round_.kind == RoundKind.SATISFACTION else 2
    if n < needed:
        raise InvalidInput(
            _("候选事项不足（至少 %(n)d 个），不能开始投票") % {"n": needed}, code="too_few"
        )
    if round_.kind == RoundKind.TOP10 and n < round_.select_count:
        raise InvalidInput(
            _("候选事项（%(n)d 个）少于公布入选数（%(k)d 个）")
            % {"n": n, "k": round_.select_count},
            code="too_few",
        )
    if round_.closes_at <= timezone.now():
        raise InvalidInput(_("投票截止时间已过，请先修改截止时间"), code="bad_dates")
    round_.status = RoundStatus.OPEN
    round_.save(update_fields=["status", "updated_at"])
    audit.record(
        "citizens.round.opened",
        round_,
        actor=acting_user,
        after={"candidates": n},
        summary=round_.title,
    )
    return round_


@transaction.atomic
def close_round(round_: Round, *, acting_user: Any) -> Round:
    """End the vote now (or record the end that ``closes_at`` already set)."""
    require_office(acting_user, round_.city_id)
    round_ = locked_round(round_)
    _transition(round_, RoundStatus.CLOSED)
    now = timezone.now()
    round_.status = RoundStatus.CLOSED
    round_.closed_at = min(now, round_.closes_at)
    round_.save(update_fields=["status", "closed_at", "updated_at"])
    audit.record(
        "citizens.round.closed",
        round_,
        actor=acting_user,
        after={"closed_at": round_.closed_at},
        summary=round_.title,
    )
    return round_


# --- citizens: casting a ballot -------------------------------------------------------------


def _key(round_id: int, what: str, value: str) -> str:
    return salted_hmac(
        f"chuangwen.citizens.vote.{what}.{round_id}", value, algorithm="sha256"
    ).hexdigest()


def device_key(round_: Round, device: str) -> str:
    """The stored digest of a device cookie in a round (to find the device's own ballot)."""
    return _key(round_.pk, "device", device)


def normalise_phone(phone: str) -> str:
    digits = re.sub(r"[\s\-]", "", phone or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if not is_mobile(digits) or len(digits) != 11:
        raise InvalidInput(_("请输入正确的 11 位手机号码"), code="bad_phone")
    return digits


@dataclass(frozen=True)
class Voter:
    """Who casts a ballot, as the request shows them: the phone number typed in, the device
    cookie, the client's network, and the logged-in person if any."""

    phone: str
    device: str
    network: str
    person: Person | None = None


# the candidates of open rounds: fixed once voting starts (add/remove refuse then), so each
# process keeps them instead of asking the database on every ballot; keyed by the round's id
# and creation time (a test database may hand an id out again)
_BALLOTS: dict[tuple[int, datetime], frozenset[int]] = {}


def _ballot(round_: Round) -> frozenset[int]:
    key = (round_.pk, round_.created_at)
    ids = _BALLOTS.get(key)
    if ids is None:
        ids = frozenset(
            Candidate.objects.filter(round_id=round_.pk, withdrawn=False).values_list(
                "pk", flat=True
            )
        )
        if round_.status == RoundStatus.OPEN:
            if len(_BALLOTS) > 256:
                _BALLOTS.clear()
            _BALLOTS[key] = ids
    return ids


def _choices(round_: Round, choices: Mapping[int, int | None]) -> list[tuple[int, int | None]]:
    if not choices:
        raise InvalidInput(_("请至少选择一项"), code="no_choice")
    if len(choices) > round_.max_choices:
        raise InvalidInput(
            _("每人最多选择 %(n)d 项，您选了 %(m)d 项")
            % {"n": round_.max_choices, "m": len(choices)},
            code="too_many",
        )
    valid = _ballot(round_)
    if not set(choices) <= valid:
        raise InvalidInput(_("所选事项不在本轮候选中，请刷新页面后重选"), code="bad_choice")
    out: list[tuple[int, int | None]] = []
    for pk, score in choices.items():
        if round_.scored:
            if score is None or not 1 <= int(score) <= 5:
                raise InvalidInput(_("请为所选事项打分（1–5 分）"), code="bad_score")
            out.append((pk, int(score)))
        else:
            out.append((pk, None))
    return out


def cast_vote(
    round_: Round, voter: Voter, choices: Mapping[int, int | None], *, acting_user: Any
) -> Vote:
    """One ballot. ``choices``: candidate id → score (1–5 in scored rounds, else ``None``).
    Refused with a Chinese message when the round is not open (not yet, or closed), when this
    phone number or device has voted in the round, or on bad choices."""
    now = timezone.now()
    if round_.status == RoundStatus.DRAFT or (round_.opens_at and now < round_.opens_at):
        raise InvalidTransition(_("本轮投票尚未开始"), code="not_open")
    if round_.status != RoundStatus.OPEN or now >= round_.vote_deadline:
        deadline = timezone.localtime(round_.vote_deadline)
        raise InvalidTransition(
            _("本轮投票已于 %(t)s 截止，不能再投票") % {"t": f"{deadline:%Y-%m-%d %H:%M}"},
            code="closed",
        )
    phone = normalise_phone(voter.phone)
    if not voter.device or len(voter.device) > 200:
        raise InvalidInput(
            _("无法识别您的设备，请允许浏览器保存 Cookie 后刷新页面重试"), code="no_device"
        )
    rows = _choices(round_, choices)
    person = voter.person
    verified = bool(
        person is not None
        and person.city_id == round_.city_id
        and re.sub(r"\D", "", person.phone or "")[-11:] == phone
    )
    if person is not None and not verified:
        person = None  # a stranger's phone typed by a logged-in user: an ordinary public ballot
    network_key = _key(round_.pk, "net", voter.network or "")
    vote = Vote(
        round_id=round_.pk,
        phone_key=_key(round_.pk, "phone", phone),
        device_key=_key(round_.pk, "device", voter.device),
        network_key=network_key,
        phone_masked=mask_phone(phone),
        person=person,
        verified=verified,
        cast_at=now,
    )
    try:
        with transaction.atomic():
            recent = Vote.objects.filter(
                round_id=round_.pk, network_key=network_key, cast_at__gte=now - BURST_WINDOW
            ).count()
            if recent >= round_.burst_limit:
                vote.status, vote.flag_reason = VoteStatus.FLAGGED, FlagReason.BURST
            Vote.objects.bulk_create([vote])  # one INSERT … RETURNING, no save() machinery
            VoteChoice.objects.bulk_create(
                [
                    VoteChoice(vote=vote, round_id=round_.pk, candidate_id=pk, score=score)
                    for pk, score in rows
                ]
            )
            if recent == round_.burst_limit:  # the first ballot over the limit: tell the office
                _alert_burst(round_)
    except IntegrityError:
        raise _already_voted(round_, vote) from None
    return vote


def _alert_burst(round_: Round) -> None:
    """Notify the office (once per network and burst window) that ballots wait for review."""
    office = Membership.objects.filter(
        unit__city_id=round_.city_id, role=Role.OFFICE_ADMIN, person__active=True
    ).values_list("person__user_id", flat=True)
    core_services.notify(
        list(office),
        _("「%(t)s」出现同一网络短时间内集中投票，相关选票已标记为待复核，复核前不计入结果")
        % {"t": round_.title},
        url=reverse("citizens:round", args=[round_.pk]),
        topic="citizens",
    )


def _already_voted(round_: Round, vote: Vote) -> InvalidInput:
    if Vote.objects.filter(round_id=round_.pk, phone_key=vote.phone_key).exists():
        return InvalidInput(
            _("手机号 %(p)s 已在本轮投过票，每人每轮只能投一次") % {"p": vote.phone_masked},
            code="already_voted",
        )
    if (
        vote.person_id
        and Vote.objects.filter(round_id=round_.pk, person_id=vote.person_id).exists()
    ):
        return InvalidInput(_("您已在本轮投过票，每人每轮只能投一次"), code="already_voted")
    if Vote.objects.filter(round_id=round_.pk, device_key=vote.device_key).exists():
        return InvalidInput(
            _("这台设备已在本轮投过票，每人每轮只能投一次"), code="already_voted_device"
        )
    return InvalidInput(_("投票未成功，请刷新页面后重试"), code="vote_failed")


# --- the office: reviewing, counting, publishing --------------------------------------------


@transaction.atomic
def review_votes(round_: Round, vote_ids: Sequence[int], *, accept: bool, acting_user: Any) -> int:
    """Count (accept) or void flagged ballots; returns how many were decided."""
    require_office(acting_user, round_.city_id)
    round_ = locked_round(round_)
    if round_.status == RoundStatus.PUBLISHED:
        raise InvalidTransition(_("结果已公布，不能再复核选票"), code="published")
    status = VoteStatus.COUNTED if accept else VoteStatus.VOID
    ids = list(
        Vote.objects.filter(
            round=round_, status=VoteStatus.FLAGGED, pk__in=list(vote_ids)
        ).values_list("pk", flat=True)
    )
    if not ids:
        raise InvalidInput(_("请选择待复核的选票"), code="nothing_selected")
    Vote.objects.filter(pk__in=ids).update(
        status=status, reviewed_by=actor_user(acting_user), reviewed_at=timezone.now()
    )
    audit.record(
        "citizens.votes.reviewed",
        round_,
        actor=acting_user,
        after={"votes": ids, "status": status},
        summary=_("复核选票 %(n)d 张：%(s)s") % {"n": len(ids), "s": VoteStatus(status).label},
    )
    return len(ids)


@dataclass(frozen=True)
class Integrity:
    """What the office checks before publishing: how many ballots of each kind."""

    total: int
    counted: int
    flagged: int
    void: int
    unverified: int
    late: int  # stored after the vote ended (a closing race): never counted
    alert: int  # the round's unverified-share threshold (%)

    @property
    def unverified_share(self) -> float:
        return round(100 * self.unverified / self.counted, 1) if self.counted else 0.0

    @property
    def unverified_alarm(self) -> bool:
        return self.counted > 0 and self.unverified_share > self.alert


def _in_time(round_: Round) -> Q:
    return Q(cast_at__lt=round_.vote_deadline)


def integrity(round_: Round) -> Integrity:
    rows = dict(
        Vote.objects.filter(round=round_, cast_at__lt=round_.vote_deadline)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    unverified = Vote.objects.filter(
        _in_time(round_), round=round_, status=VoteStatus.COUNTED, verified=False
    ).count()
    late = Vote.objects.filter(round=round_, cast_at__gte=round_.vote_deadline).count()
    return Integrity(
        total=sum(rows.values()),
        counted=rows.get(VoteStatus.COUNTED, 0),
        flagged=rows.get(VoteStatus.FLAGGED, 0),
        void=rows.get(VoteStatus.VOID, 0),
        unverified=unverified,
        late=late,
        alert=round_.unverified_alert,
    )


@dataclass
class TallyRow:
    candidate: Candidate
    votes: int
    score: float | None  # average 1–5 in scored rounds
    satisfied: int  # ballots scoring SATISFIED_FROM or more

    @property
    def satisfaction(self) -> float | None:
        return round(100 * self.satisfied / self.votes, 1) if self.votes else None


def tally(round_: Round) -> list[TallyRow]:
    """Counted ballots cast before the vote ended, per candidate, most votes first (scored
    rounds: best average first)."""
    counted = VoteChoice.objects.filter(
        round=round_,
        vote__status=VoteStatus.COUNTED,
        vote__cast_at__lt=round_.vote_deadline,
    )
    figures = {
        r["candidate_id"]: r
        for r in counted.values("candidate_id")
        .annotate(
            n=Count("id"),
            avg=Avg("score"),
            satisfied=Count("id", filter=Q(score__gte=SATISFIED_FROM)),
        )
        .order_by()
    }
    rows = []
    for c in round_.candidates.filter(withdrawn=False).select_related("site", "topic"):
        f: Mapping[str, Any] = figures.get(c.pk) or {}
        avg = f.get("avg")
        rows.append(
            TallyRow(
                c, f.get("n", 0), round(avg, 2) if avg is not None else None, f.get("satisfied", 0)
            )
        )
    if round_.scored:
        rows.sort(key=lambda r: (r.score is None, -(r.score or 0), -r.votes, r.candidate.sort))
    else:
        rows.sort(key=lambda r: (-r.votes, r.candidate.sort, r.candidate.pk))
    return rows


def check_publishable(round_: Round, *, confirm_unverified: bool, note: str) -> Integrity:
    """The locked round may be published: the vote has ended (a round past its deadline is
    closed here), no ballot waits for review, unverified ballots confirmed when too many."""
    if round_.status == RoundStatus.OPEN and timezone.now() >= round_.closes_at:
        round_.status, round_.closed_at = RoundStatus.CLOSED, round_.closes_at
        round_.save(update_fields=["status", "closed_at", "updated_at"])
    _transition(round_, RoundStatus.PUBLISHED)
    figures = integrity(round_)
    if figures.flagged:
        raise InvalidInput(
            _("还有 %(n)d 张待复核的选票，请先复核再公布") % {"n": figures.flagged},
            code="flagged_pending",
        )
    if figures.unverified_alarm and not (confirm_unverified and note):
        raise InvalidInput(
            _(
                "未验证身份的选票占 %(s)s%%，超过提示线 %(a)d%%："
                "请复核后勾选确认，并在公布说明中写明"
            )
            % {"s": figures.unverified_share, "a": round_.unverified_alert},
            code="unverified_alarm",
        )
    return figures


@transaction.atomic
def publish_round(
    round_: Round,
    *,
    selected: Iterable[Candidate] | None = None,
    note: str = "",
    confirm_unverified: bool = False,
    acting_user: Any,
) -> list[TallyRow]:
    """公布: freeze each candidate's votes, average and rank; mark the ``select_count`` chosen
    (by default the top of the tally; another choice needs the reason in ``note``). Compound
    rankings are published by ``compounds.publish_ranking`` (ranked by their combined score)."""
    require_office(acting_user, round_.city_id)
    round_ = locked_round(round_)
    if round_.kind == RoundKind.COMPOUND:
        raise InvalidInput(_("小区评选请在评选页面公布（按综合得分排名）"), code="use_ranking")
    note = clean_text(note, MAX_TEXT, _("公布说明"))
    figures = check_publishable(round_, confirm_unverified=confirm_unverified, note=note)
    rows = tally(round_)
    top = [r.candidate.pk for r in rows[: round_.select_count]]
    chosen = top if selected is None else [c.pk for c in selected]
    known = {r.candidate.pk for r in rows}
    if len(set(chosen)) != len(chosen) or not set(chosen) <= known:
        raise InvalidInput(_("入选事项必须是本轮的候选事项，且不能重复"), code="bad_selection")
    if len(chosen) > round_.select_count:
        raise InvalidInput(
            _("最多入选 %(n)d 项") % {"n": round_.select_count}, code="bad_selection"
        )
    if set(chosen) != set(top) and not note:
        raise InvalidInput(
            _("入选事项与得票排名不一致，请在公布说明中写明理由"), code="reason_required"
        )
    freeze_result(round_, rows, set(chosen), note, figures, acting_user=acting_user)
    return rows


def freeze_result(
    round_: Round,
    rows: Sequence[TallyRow],
    chosen: set[int],
    note: str,
    figures: Integrity,
    *,
    acting_user: Any,
) -> None:
    """Write the published result (the round is locked and checked by the caller)."""
    for rank, r in enumerate(rows, start=1):
        c = r.candidate
        c.votes, c.score, c.rank, c.selected = r.votes, r.score, rank, c.pk in chosen
        c.save(update_fields=["votes", "score", "rank", "selected", "updated_at"])
    round_.status, round_.published_at, round_.publish_note = (
        RoundStatus.PUBLISHED,
        timezone.now(),
        note,
    )
    round_.save(update_fields=["status", "published_at", "publish_note", "updated_at"])
    audit.record(
        "citizens.round.published",
        round_,
        actor=acting_user,
        after={
            "selected": sorted(chosen),
            "counted": figures.counted,
            "unverified_share": figures.unverified_share,
            "void": figures.void,
            "late": figures.late,
        },
        summary=round_.title,
    )
