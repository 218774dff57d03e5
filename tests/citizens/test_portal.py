"""The public portal through HTTP, as a phone's browser uses it: no account, clear Chinese
answers, nobody's personal data shown, rate limits."""

import re
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from chuangwen.cases.models import Report
from chuangwen.citizens import services
from chuangwen.citizens.models import Vote
from chuangwen.org.actors import SYSTEM

from .conftest import IN_A, jpeg

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


def token_of(client, url):
    body = client.get(url).content.decode()
    return re.search(r'name="token" value="([^"]+)"', body).group(1)


def report_form(client, cc, description):
    """The 随手拍 page's address and what a phone posts to it (a fresh token, a point in 甲区)."""
    url = reverse("cases:public_report", args=[cc.city.code])
    data = {
        "token": token_of(client, url),
        "description": description,
        "phone": "13912345678",
        "lon": IN_A[0],
        "lat": IN_A[1],
    }
    return url, data


def test_the_portal_links_every_part_and_needs_no_account(cc):
    r = Client().get(reverse("citizens:p_portal", args=[cc.city.code]))
    body = r.content.decode()
    assert r.status_code == 200
    for name in ("p_my", "p_votes", "p_campaigns", "p_rankings", "p_board"):
        assert reverse(f"citizens:{name}", args=[cc.city.code]) in body
    assert reverse("cases:public_report", args=[cc.city.code]) in body
    assert reverse("citizens:public_suggestions", args=[cc.city.code]) in body
    assert Client().get("/citizens/p/NOPE/").status_code == 404


def test_a_citizen_votes_once_and_a_second_ballot_is_refused_in_chinese(cc):
    r = cc.round()
    cs = list(r.candidates.order_by("sort"))
    url = reverse("citizens:p_vote", args=[cc.city.code, r.pk])
    phone = Client()
    resp = phone.post(
        url, {"token": token_of(phone, url), "phone": "138 1234 5678", "choice": [cs[0].pk]}
    )
    assert resp.status_code == 302 and "cw_device" in phone.cookies
    assert Vote.objects.filter(round=r).count() == 1
    page = phone.get(url).content.decode()  # this phone sees that it has voted
    assert "您已在本轮投票" in page and 'data-testid="ballot"' not in page
    # the same phone number from another phone
    other = Client()
    resp = other.post(
        url, {"token": token_of(other, url), "phone": "13812345678", "choice": [cs[1].pk]}
    )
    body = resp.content.decode()
    assert resp.status_code == 400 and "138****5678 已在本轮投过票" in body
    assert "13812345678" not in body.replace('value="13812345678"', "")
    # the same phone (its device cookie) with another number, sent by a script (the page
    # itself no longer shows this phone a ballot)
    resp = phone.post(
        url, {"token": token_of(Client(), url), "phone": "13900001111", "choice": [cs[1].pk]}
    )
    assert resp.status_code == 400 and "这台设备已在本轮投过票" in resp.content.decode()
    assert Vote.objects.filter(round=r).count() == 1


def test_a_double_tap_of_one_ballot_is_one_vote_and_both_answers_say_received(cc):
    r = cc.round()
    c = r.candidates.first()
    url = reverse("citizens:p_vote", args=[cc.city.code, r.pk])
    phone = Client()
    data = {"token": token_of(phone, url), "phone": "13812345678", "choice": [c.pk]}
    assert phone.post(url, data).status_code == 302
    assert phone.post(url, data).status_code == 302
    assert Vote.objects.filter(round=r).count() == 1


def test_bad_ballots_and_late_ballots_are_refused_with_reasons(cc):
    r = cc.round(max_choices=2)
    cs = list(r.candidates.order_by("sort"))
    url = reverse("citizens:p_vote", args=[cc.city.code, r.pk])
    client = Client()
    resp = client.post(url, {"token": token_of(client, url), "phone": "<script>alert(1)</script>"})
    body = resp.content.decode()
    assert resp.status_code == 400 and "<script>alert(1)</script>" not in body
    assert "请至少选择一项" in body
    resp = client.post(
        url,
        {"token": token_of(client, url), "phone": "12345", "choice": [cs[0].pk]},
    )
    assert "11 位手机号码" in resp.content.decode()
    resp = client.post(
        url,
        {"token": token_of(client, url), "phone": "13812345678", "choice": [c.pk for c in cs[:3]]},
    )
    assert "最多选择 2 项" in resp.content.decode()
    token = token_of(client, url)
    services.close_round(r, acting_user=SYSTEM)
    resp = client.post(url, {"token": token, "phone": "13812345678", "choice": [cs[0].pk]})
    assert resp.status_code in (200, 400, 409) and "截止" in resp.content.decode()
    assert not Vote.objects.exists()


def test_texts_are_escaped_and_phone_numbers_masked_on_public_pages(cc):
    r = services.create_round(
        cc.city,
        kind="top10",
        title="<script>alert('x')</script>十件事",
        closes_at=timezone.now() + timedelta(days=3),
        select_count=2,
        acting_user=SYSTEM,
    )
    for t in ("噪音扰民 请联系 13912345678", "<img src=x onerror=alert(1)>占道"):
        services.add_candidate(r, title=t, acting_user=SYSTEM)
    services.open_round(r, acting_user=SYSTEM)
    body = Client().get(reverse("citizens:p_vote", args=[cc.city.code, r.pk])).content.decode()
    assert "<script>alert('x')</script>" not in body and "&lt;script&gt;" in body
    assert "<img src=x" not in body
    assert "13912345678" not in body and "139****5678" in body


def test_the_board_shows_overdue_commitments_in_red_and_reviews_on_later_episodes(cc):
    today = timezone.localdate()
    ep = services.create_episode(
        cc.city,
        aired_on=today - timedelta(days=40),
        programme="电视问政",
        topic="背街小巷",
        acting_user=SYSTEM,
    )
    late = services.make_commitment(
        ep,
        unit=cc.dept,
        official="局长",
        content="一个月内修复老街路灯，市民可拨 13912345678 监督",
        due_on=today - timedelta(days=10),
        acting_user=SYSTEM,
    )
    kept = services.make_commitment(
        ep,
        unit=cc.district_a,
        official="区长",
        content="两个月内完成小区雨污分流",
        due_on=today + timedelta(days=20),
        acting_user=SYSTEM,
    )
    later = services.create_episode(
        cc.city, aired_on=today, programme="电视问政", topic="回头看", acting_user=SYSTEM
    )
    services.review_commitment(
        kept, episode=later, verdict="fulfilled", text="现场复查已完成", acting_user=SYSTEM
    )
    body = Client().get(reverse("citizens:p_board", args=[cc.city.code])).content.decode()
    assert "逾期未兑现" in body and "cw-p-overdue" in body
    assert "13912345678" not in body and "139****5678" in body
    assert "节目复查：已兑现" in body
    cards = re.findall(r'<li class="cw-p-card[^"]*">', body)
    assert any("border-danger" in c for c in cards) and len(cards) == 2
    late.refresh_from_db()
    assert late.is_overdue


def test_a_commitment_without_a_deadline_is_refused(cc):
    from chuangwen.core.errors import InvalidInput

    ep = services.create_episode(
        cc.city, aired_on=date.today(), programme="阳光问廉", topic="窗口服务", acting_user=SYSTEM
    )
    with pytest.raises(InvalidInput, match="没有时限的承诺不予登记"):
        services.make_commitment(
            ep, unit=cc.dept, official="局长", content="尽快整改", due_on=None, acting_user=SYSTEM
        )


def test_the_campaign_page_tells_the_story_from_messages_and_votes(cc):
    r = cc.round(n=2, select_count=1, unverified_alert=100)
    c = r.candidates.order_by("sort").first()
    services.cast_vote(
        r, services.Voter("13812345678", "dev-1", "1.1.1.0"), {c.pk: None}, acting_user=SYSTEM
    )
    r = services.close_round(r, acting_user=SYSTEM)
    services.publish_round(r, acting_user=SYSTEM)
    c.refresh_from_db()
    campaign = cc.campaign(kind="top10", candidate=c, title="整治问题1")
    url = reverse("citizens:p_campaign", args=[cc.city.code, campaign.pk])
    assert Client().get(url).status_code == 404  # in preparation: not public yet
    services.start_campaign(campaign, acting_user=SYSTEM)
    services.submit_report(
        campaign, text="已清理 12 处，联系人 13912345678", photos=[jpeg()], acting_user=SYSTEM
    )
    body = Client().get(url).content.decode()
    assert "群众反映" in body and "热点问题「问题1」" in body
    assert "投票结果公布" in body and "整治启动" in body
    assert "139****5678" in body and "13912345678" not in body


def test_report_suggestion_and_tracking_pages_keep_the_portal_around_them(cc):
    """随手拍, 意见建议 and the tracking page are portal pages: its header and tab bar, so a
    citizen on a phone can go on to vote or follow a campaign; no staff menu, no icon font."""
    votes = reverse("citizens:p_votes", args=[cc.city.code])
    client = Client()
    report_url, data = report_form(client, cc, "人行道上的井盖松动了")
    track_url = client.post(report_url, data)["Location"]
    for url in (report_url, reverse("citizens:public_suggestions", args=[cc.city.code]), track_url):
        body = client.get(url).content.decode()
        assert 'class="cw-p-tabs"' in body and votes in body, url
        assert "bootstrap-icons" not in body and "navbar" not in body, url
    # the look-up form before any code is known has no city: the portal's head, no tab bar
    body = Client().get(reverse("cases:track_form")).content.decode()
    assert "文明城市市民服务" in body and 'class="cw-p-tabs"' not in body


def test_my_reports_status_shows_no_personal_data(cc):
    client = Client()
    url, data = report_form(client, cc, "路边垃圾堆了好几天没人清理")
    resp = client.post(url, data)
    assert resp.status_code == 302 and resp["Location"].endswith("?new=1")
    report = Report.objects.get()
    page = client.get(resp["Location"]).content.decode()
    assert report.tracking_code in page and "保存" in page
    status = Client().get(
        reverse("citizens:p_my_status", args=[cc.city.code]),
        {"codes": f"{report.tracking_code},NOSUCHCODE"},
    )
    rows = status.json()["reports"]
    assert rows[0]["found"] and not rows[1]["found"]
    text = status.content.decode()
    assert "13912345678" not in text and "垃圾" not in text


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"description": ""}, None),
        ({"description": "垃" * (10 * 1024 * 1024 // 3)}, None),  # 10 MB of UTF-8
    ],
)
def test_a_report_with_no_text_and_no_photo_or_a_huge_text_is_refused(cc, over, message):
    client = Client()
    url, data = report_form(client, cc, "路边垃圾")
    data.update(over)
    resp = client.post(url, data)
    body = resp.content.decode()
    assert resp.status_code in (200, 400, 413)
    assert not Report.objects.exists()
    if resp.status_code != 413:
        assert re.search(r"[\u4e00-\u9fff]", body)  # a Chinese message on the form


def test_script_in_a_report_is_kept_as_text_and_shown_inert(cc):
    client = Client()
    url, data = report_form(client, cc, "<script>alert(1)</script>井盖缺失")
    resp = client.post(url, data)
    assert resp.status_code == 302
    assert Report.objects.get().case.description.startswith("<script>")  # nothing lost
    page = client.get(resp["Location"]).content.decode()
    assert "<script>alert(1)</script>" not in page


def test_public_pages_are_rate_limited(cc, settings):
    settings.CITIZENS_PAGE_LIMIT = (3, 60)
    url = reverse("citizens:p_campaigns", args=[cc.city.code])
    client = Client()
    assert [client.get(url).status_code for _ in range(4)] == [200, 200, 200, 429]
    resp = client.get(url)
    assert "访问过于频繁" in resp.content.decode() and resp["Retry-After"] == "60"


def test_a_flagged_ballot_is_received_and_the_voter_told_it_waits_for_review(cc):
    r = cc.round(burst_limit=1)
    c = r.candidates.first()
    url = reverse("citizens:p_vote", args=[cc.city.code, r.pk])
    for i, phone in enumerate(("13812345678", "13812345679")):
        client = Client()
        resp = client.post(
            url, {"token": token_of(client, url), "phone": phone, "choice": [c.pk]}, follow=True
        )
        body = resp.content.decode()
        if i == 0:
            assert "投票成功" in body
        else:
            assert "复核后计入" in body and "投票成功" not in body
    assert list(Vote.objects.filter(round=r).order_by("id").values_list("status", flat=True)) == [
        "counted",
        "flagged",
    ]
