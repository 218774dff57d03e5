"""The 10 things shortlisted from hot topics: the candidate keeps its topic, the round page and
the campaign history show the topic's figures, the topic page links to what came from it."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from chuangwen.api.services import issue_api_token
from chuangwen.citizens import selectors, services
from chuangwen.citizens.choices import CampaignKind
from chuangwen.citizens.models import Candidate, Topic
from chuangwen.citizens.voice import services as voice_services
from chuangwen.citizens.voice.models import TopicStatus
from chuangwen.core.errors import InvalidInput, InvalidTransition, PermissionDenied
from chuangwen.org.actors import PUBLIC, SYSTEM

from .conftest import voter

pytestmark = pytest.mark.django_db


def _topics(cc) -> tuple[Topic, Topic]:
    cache.clear()
    now = timezone.now()
    for i in range(4):
        s = voice_services.submit_suggestion(
            cc.city,
            text=f"幸福小区门口烧烤摊油烟扰民，晚上噪音很大{i}",
            contact_phone=f"1390000010{i}",
            submitted_at=now - timedelta(days=i),
            acting_user=PUBLIC,
        )
        voice_services.like_suggestion(s, device=f"device-like-{i:04d}", acting_user=PUBLIC)
    for i in range(3):
        voice_services.submit_suggestion(
            cc.city,
            text=f"光明路公交站没有遮雨棚，下雨天等车淋雨{i}",
            contact_phone=f"1390000020{i}",
            submitted_at=now - timedelta(days=i),
            acting_user=PUBLIC,
        )
    voice_services.recompute_topics(cc.city, acting_user=cc.office.user)
    smoke, bus = Topic.objects.filter(city=cc.city).order_by("-heat")
    assert smoke.messages == 4 and smoke.people == 4 and smoke.likes == 4 and bus.people == 3
    return smoke, bus


def test_a_topic_becomes_a_candidate_and_survives_a_recompute(cc):
    smoke, bus = _topics(cc)
    r = cc.round(n=2, open_=False, select_count=2)
    c = services.add_candidate_from_topic(r, smoke, acting_user=cc.office.user)
    assert c.topic_id == smoke.pk and c.title == smoke.name
    assert "群众留言 4 条，提出 4 人，点赞 4 次" in c.source_note
    smoke.refresh_from_db()
    assert smoke.locked  # kept by the next recompute
    with pytest.raises(InvalidInput, match="已是本轮候选"):
        services.add_candidate_from_topic(r, smoke, acting_user=cc.office.user)
    with pytest.raises(PermissionDenied):
        services.add_candidate_from_topic(r, bus, acting_user=cc.liaison_a.user)
    voice_services.discard_topic(bus, acting_user=cc.office.user)
    with pytest.raises(InvalidInput, match="已忽略"):
        services.add_candidate_from_topic(r, bus, acting_user=cc.office.user)
    voice_services.recompute_topics(cc.city, acting_user=cc.office.user)
    c.refresh_from_db()
    assert c.topic_id == smoke.pk and Topic.objects.get(pk=smoke.pk).messages == 4
    assert r.candidates.filter(topic__isnull=False).count() == 1
    services.open_round(r, acting_user=SYSTEM)
    other = Topic.objects.create(city=cc.city, name="另一个话题", people=1, messages=1)
    with pytest.raises(InvalidTransition):
        services.add_candidate_from_topic(r, other, acting_user=cc.office.user)


def test_round_page_lists_hot_topics_and_shows_the_candidates_figures(cc, client_for):
    smoke, bus = _topics(cc)
    r = cc.round(n=1, open_=False)
    office = client_for(cc.office)
    page = office.get(f"/citizens/rounds/{r.pk}/").content.decode()
    assert 'data-testid="hot-topics"' in page and smoke.name in page and bus.name in page
    resp = office.post(f"/citizens/rounds/{r.pk}/topic/", {"topic": smoke.pk}, follow=True)
    page = resp.content.decode()
    assert "已将热点话题" in page
    assert 'data-testid="candidate-topic"' in page and "留言 4 条 · 提出 4 人 · 点赞 4" in page
    assert Candidate.objects.get(round=r, topic=smoke).title == smoke.name
    # twice: refused with a message, nothing added
    page = office.post(
        f"/citizens/rounds/{r.pk}/topic/", {"topic": smoke.pk}, follow=True
    ).content.decode()
    assert "已是本轮候选" in page and Candidate.objects.filter(topic=smoke).count() == 1
    # the hot-topic list no longer offers it
    listed = office.get(f"/citizens/rounds/{r.pk}/").context["hot_topics"]
    assert smoke not in listed and bus in listed
    # a topic of another city or a bad id: 404; a unit may not
    assert office.post(f"/citizens/rounds/{r.pk}/topic/", {"topic": "x"}).status_code == 404
    assert office.post(f"/citizens/rounds/{r.pk}/topic/", {"topic": 999999}).status_code == 404
    unit = client_for(cc.liaison_a)
    assert unit.post(f"/citizens/rounds/{r.pk}/topic/", {"topic": bus.pk}).status_code in (
        302,
        403,
        404,
    )
    assert not Candidate.objects.filter(topic=bus).exists()


def test_topic_page_adds_to_a_round_and_links_to_round_candidate_and_campaign(cc, client_for):
    smoke, _bus = _topics(cc)
    r = cc.round(n=10, open_=False, unverified_alert=100)
    office = client_for(cc.office)
    page = office.get(f"/citizens/topics/{smoke.pk}/").content.decode()
    assert f"/citizens/rounds/{r.pk}/topic/" in page  # offered for the draft round
    resp = office.post(
        f"/citizens/rounds/{r.pk}/topic/", {"topic": smoke.pk, "back": "topic"}, follow=False
    )
    assert resp.status_code == 302 and resp["Location"] == f"/citizens/topics/{smoke.pk}/"
    candidate = Candidate.objects.get(round=r, topic=smoke)
    page = office.get(f"/citizens/topics/{smoke.pk}/").content.decode()
    assert 'data-testid="topic-origins"' in page and f"/citizens/rounds/{r.pk}/" in page
    assert f"/citizens/rounds/{r.pk}/topic/" not in page  # already on that ballot
    # votes, publication, campaign: the topic page links to it, its history shows the figures
    r = services.open_round(r, acting_user=SYSTEM)
    services.cast_vote(r, voter(), {candidate.pk: None}, acting_user=SYSTEM)
    r = services.close_round(r, acting_user=SYSTEM)
    services.publish_round(r, acting_user=SYSTEM)
    candidate.refresh_from_db()
    assert candidate.selected and candidate.rank == 1
    campaign = cc.campaign(kind=CampaignKind.TOP10, candidate=candidate, title=candidate.title)
    page = office.get(f"/citizens/topics/{smoke.pk}/").content.decode()
    assert f"/citizens/campaigns/{campaign.pk}/" in page and "第 1 名，1 票" in page
    page = office.get(f"/citizens/campaigns/{campaign.pk}/").content.decode()
    assert f"热点话题「{smoke.name}」" in page
    assert "群众留言 4 条，提出 4 人，点赞 4 次" in page
    history = selectors.campaign_history(campaign)
    assert history[0].kind == "message" and "提出 4 人" in history[0].text
    assert smoke.status == TopicStatus.ACTIVE


def test_api_adds_a_candidate_from_a_topic(cc):
    smoke, _bus = _topics(cc)
    r = cc.round(n=1, open_=False)
    _token, raw = issue_api_token(cc.office.user, name="测试", acting_user=cc.office.user)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    url = f"/api/citizens/rounds/{r.pk}/candidates/from-topic"
    resp = api.post(url, {"topic_id": smoke.pk}, content_type="application/json")
    assert resp.status_code == 201, resp.content
    assert resp.json()["topic_id"] == smoke.pk
    again = api.post(url, {"topic_id": smoke.pk}, content_type="application/json")
    assert again.status_code == 400
    missing = api.post(url, {"topic_id": 999999}, content_type="application/json")
    assert missing.status_code == 404
    assert api.post(url, {"topic_id": 0}, content_type="application/json").status_code in (
        400,
        422,
    )
