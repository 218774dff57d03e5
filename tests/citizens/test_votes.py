"""Rounds of public votes: one ballot per person, refusals in Chinese, flagged bursts, the
unverified share, publication."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chuangwen.citizens import services
from chuangwen.citizens.choices import RoundKind, RoundStatus, VoteStatus
from chuangwen.citizens.models import Candidate, Vote
from chuangwen.core.errors import InvalidInput, InvalidTransition, PermissionDenied
from chuangwen.core.models import AuditEvent, Notification
from chuangwen.org.actors import SYSTEM

from .conftest import voter

pytestmark = pytest.mark.django_db


def ids(round_, *positions):
    cs = list(round_.candidates.order_by("sort"))
    return {cs[p].pk: None for p in positions}


def test_a_ballot_is_counted_once_per_phone_and_per_device(cc):
    r = cc.round()
    services.cast_vote(r, voter(1), ids(r, 0, 1), acting_user=SYSTEM)
    with pytest.raises(InvalidInput) as exc:
        services.cast_vote(r, voter(2, phone="13700000001"), ids(r, 2), acting_user=SYSTEM)
    assert exc.value.code == "already_voted"
    assert "137****0001 已在本轮投过票" in str(exc.value.message)
    with pytest.raises(InvalidInput) as exc:
        services.cast_vote(r, voter(3, device="dev-1"), ids(r, 2), acting_user=SYSTEM)
    assert exc.value.code == "already_voted_device"
    assert "这台设备已在本轮投过票" in str(exc.value.message)
    # the same number written another way is the same person
    with pytest.raises(InvalidInput):
        services.cast_vote(r, voter(4, phone="+86 137-0000-0001"), ids(r, 3), acting_user=SYSTEM)
    assert Vote.objects.filter(round=r).count() == 1
    rows = services.tally(r)
    assert [x.votes for x in rows[:3]] == [1, 1, 0]


def test_the_phone_number_is_not_stored(cc):
    r = cc.round()
    vote = services.cast_vote(r, voter(phone="13812345678"), ids(r, 0), acting_user=SYSTEM)
    row = Vote.objects.filter(pk=vote.pk).values().get()
    assert "13812345678" not in str(row)
    assert row["phone_masked"] == "138****5678"


def test_votes_before_the_opening_and_after_the_close_are_refused(cc):
    draft = cc.round(open_=False)
    with pytest.raises(InvalidTransition, match="尚未开始"):
        services.cast_vote(draft, voter(), ids(draft, 0), acting_user=SYSTEM)
    r = cc.round()
    r = services.close_round(r, acting_user=SYSTEM)
    r.refresh_from_db()
    with pytest.raises(InvalidTransition, match="截止，不能再投票") as exc:
        services.cast_vote(r, voter(), ids(r, 0), acting_user=SYSTEM)
    assert exc.value.code == "closed"
    # the deadline closes a round by itself, before anyone presses "close"
    late = cc.round()
    late.closes_at = timezone.now() - timedelta(seconds=1)
    late.save()
    with pytest.raises(InvalidTransition, match="截止"):
        services.cast_vote(late, voter(), ids(late, 0), acting_user=SYSTEM)
    assert not Vote.objects.exists()


def test_bad_ballots_are_refused_with_a_reason(cc):
    r = cc.round(max_choices=2)
    with pytest.raises(InvalidInput, match="最多选择 2 项"):
        services.cast_vote(r, voter(), ids(r, 0, 1, 2), acting_user=SYSTEM)
    with pytest.raises(InvalidInput, match="至少选择一项"):
        services.cast_vote(r, voter(), {}, acting_user=SYSTEM)
    with pytest.raises(InvalidInput, match="不在本轮候选"):
        services.cast_vote(r, voter(), {10**9: None}, acting_user=SYSTEM)
    with pytest.raises(InvalidInput, match="11 位手机号码"):
        services.cast_vote(r, voter(phone="12345"), ids(r, 0), acting_user=SYSTEM)
    with pytest.raises(InvalidInput, match="Cookie"):
        services.cast_vote(r, voter(device=""), ids(r, 0), acting_user=SYSTEM)
    other = cc.round(title="另一轮")
    with pytest.raises(InvalidInput, match="不在本轮候选"):
        services.cast_vote(r, voter(), ids(other, 0), acting_user=SYSTEM)
    assert not Vote.objects.exists()


@pytest.mark.django_db(transaction=True)  # the notification is written on commit
def test_a_burst_from_one_network_is_flagged_not_counted_until_reviewed(cc):
    r = cc.round(burst_limit=3)
    for i in range(5):
        services.cast_vote(r, voter(100 + i, network="1.2.3.0"), ids(r, 5), acting_user=SYSTEM)
    services.cast_vote(r, voter(200, network="9.9.9.0"), ids(r, 0), acting_user=SYSTEM)
    statuses = list(Vote.objects.filter(round=r).order_by("id").values_list("status", flat=True))
    assert statuses == ["counted"] * 3 + ["flagged"] * 2 + ["counted"]
    # the office is told once (at the first ballot over the limit), not at every ballot
    alerts = Notification.objects.filter(user=cc.office.user, text__contains="集中投票")
    assert alerts.count() == 1 and f"/citizens/rounds/{r.pk}/" in alerts.get().url
    rows = {x.candidate.title: x.votes for x in services.tally(r)}
    assert rows["问题6"] == 3 and rows["问题1"] == 1
    r = services.close_round(r, acting_user=SYSTEM)
    with pytest.raises(InvalidInput, match="2 张待复核的选票"):
        services.publish_round(r, confirm_unverified=True, note="已复核", acting_user=SYSTEM)
    flagged = list(
        Vote.objects.filter(round=r, status=VoteStatus.FLAGGED).values_list("pk", flat=True)
    )
    assert services.review_votes(r, flagged[:1], accept=True, acting_user=cc.office.user) == 1
    assert services.review_votes(r, flagged[1:], accept=False, acting_user=cc.office.user) == 1
    assert {x.candidate.title: x.votes for x in services.tally(r)}["问题6"] == 4
    figures = services.integrity(r)
    assert (figures.counted, figures.flagged, figures.void) == (5, 0, 1)


def test_a_high_share_of_unverified_ballots_needs_the_office_to_confirm(cc):
    r = cc.round(unverified_alert=50)
    services.cast_vote(r, voter(1), ids(r, 0), acting_user=SYSTEM)
    # a logged-in citizen whose account phone is the one typed: verified
    citizen = cc.citizen
    vote = services.cast_vote(
        r, voter(2, phone=citizen.phone, person=citizen), ids(r, 1), acting_user=citizen.user
    )
    assert vote.verified and vote.person_id == citizen.pk
    services.cast_vote(r, voter(3), ids(r, 1), acting_user=SYSTEM)
    r = services.close_round(r, acting_user=SYSTEM)
    figures = services.integrity(r)
    assert figures.unverified_share == 66.7 and figures.unverified_alarm
    with pytest.raises(InvalidInput) as exc:
        services.publish_round(r, acting_user=SYSTEM)
    assert exc.value.code == "unverified_alarm"
    services.publish_round(r, confirm_unverified=True, note="已电话抽查", acting_user=SYSTEM)
    r.refresh_from_db()
    assert r.status == RoundStatus.PUBLISHED


def test_a_person_votes_once_even_with_two_numbers(cc):
    r = cc.round()
    citizen = cc.citizen
    services.cast_vote(
        r, voter(1, phone=citizen.phone, person=citizen), ids(r, 0), acting_user=SYSTEM
    )
    # another phone typed by the same account is just a public ballot (not verified)
    other = services.cast_vote(r, voter(2, person=citizen), ids(r, 0), acting_user=SYSTEM)
    assert not other.verified and other.person_id is None


def test_publication_selects_the_top_and_a_different_choice_needs_a_reason(cc):
    r = cc.round(n=5, select_count=2, unverified_alert=100)
    votes = {0: 3, 1: 1, 2: 5, 3: 0, 4: 2}
    n = 0
    cs = list(r.candidates.order_by("sort"))
    for pos, k in votes.items():
        for _ in range(k):
            n += 1
            services.cast_vote(
                r, voter(500 + n, network=f"net{n}"), {cs[pos].pk: None}, acting_user=SYSTEM
            )
    r = services.close_round(r, acting_user=SYSTEM)
    with pytest.raises(InvalidInput, match="写明理由"):
        services.publish_round(r, selected=[cs[2], cs[4]], acting_user=SYSTEM)
    with pytest.raises(PermissionDenied):
        services.publish_round(r, acting_user=cc.liaison_a.user)
    rows = services.publish_round(r, acting_user=cc.office.user)
    assert [x.candidate.title for x in rows[:2]] == ["问题3", "问题1"]
    chosen = Candidate.objects.filter(round=r, selected=True).order_by("rank")
    assert [(c.title, c.votes, c.rank) for c in chosen] == [("问题3", 5, 1), ("问题1", 3, 2)]
    assert AuditEvent.objects.filter(code="citizens.round.published", object_id=str(r.pk)).exists()
    with pytest.raises(InvalidTransition, match="截止"):
        services.cast_vote(r, voter(), {cs[0].pk: None}, acting_user=SYSTEM)


def test_scored_rounds_need_a_score_per_choice(cc):
    r = cc.round(n=2, kind=RoundKind.SATISFACTION, select_count=1, max_choices=1)
    c = r.candidates.first()
    with pytest.raises(InvalidInput, match="1–5"):
        services.cast_vote(r, voter(), {c.pk: None}, acting_user=SYSTEM)
    with pytest.raises(InvalidInput, match="1–5"):
        services.cast_vote(r, voter(), {c.pk: 6}, acting_user=SYSTEM)
    services.cast_vote(r, voter(), {c.pk: 4}, acting_user=SYSTEM)
    services.cast_vote(r, voter(), {c.pk: 2}, acting_user=SYSTEM)
    row = services.tally(r)[0]
    assert (row.votes, row.score, row.satisfaction) == (2, 3.0, 50.0)


def test_the_ballot_is_fixed_once_voting_starts(cc):
    r = cc.round()
    with pytest.raises(InvalidTransition, match="不能再增加"):
        services.add_candidate(r, title="新问题", acting_user=SYSTEM)
    with pytest.raises(InvalidTransition, match="不能再撤下"):
        services.remove_candidate(r.candidates.first(), acting_user=SYSTEM)
    with pytest.raises(PermissionDenied):
        services.close_round(r, acting_user=cc.leader.user)


def test_a_round_needs_enough_candidates_to_open(cc):
    r = cc.round(n=5, open_=False, select_count=10)
    with pytest.raises(InvalidInput, match="少于公布入选数"):
        services.open_round(r, acting_user=SYSTEM)
