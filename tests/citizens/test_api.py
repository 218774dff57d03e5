"""The citizens API: the same rules as the pages, bad bodies answered 4xx in Chinese."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from chuangwen.api.services import issue_api_token
from chuangwen.citizens.models import Commitment, Vote

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(cc):
    cache.clear()
    _token, raw = issue_api_token(cc.office.user, name="测试", acting_user=cc.office.user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_a_round_through_the_api_counts_one_ballot_per_phone(cc, api):
    closes = (timezone.now() + timedelta(days=3)).isoformat()
    r = post(
        api,
        "/api/citizens/rounds",
        {"title": "10件事", "closes_at": closes, "select_count": 1, "max_choices": 2},
    )
    assert r.status_code == 201, r.content
    rid = r.json()["id"]
    ids = []
    for t in ("占道经营", "路灯不亮"):
        c = post(api, f"/api/citizens/rounds/{rid}/candidates", {"title": t})
        assert c.status_code == 201, c.content
        ids.append(c.json()["id"])
    assert post(api, f"/api/citizens/rounds/{rid}/open", {}).status_code == 200
    ballot = {
        "phone": "13812345678",
        "device_id": "device-0001",
        "choices": [{"candidate_id": ids[0]}],
    }
    assert post(api, f"/api/citizens/rounds/{rid}/ballots", ballot).status_code == 201
    again = post(api, f"/api/citizens/rounds/{rid}/ballots", {**ballot, "device_id": "device-0002"})
    assert again.status_code == 400 and "已在本轮投过票" in again.json()["message"]
    assert Vote.objects.filter(round_id=rid).count() == 1
    detail = api.get(f"/api/citizens/rounds/{rid}").json()
    assert detail["tally"][0]["votes"] == 1 and detail["integrity"]["counted"] == 1
    # bad bodies: 4xx, never 500
    for body in ({"title": "x" * 5000, "closes_at": closes}, {"title": "t"}, [1, 2], "null"):
        assert 400 <= post(api, "/api/citizens/rounds", body).status_code < 500
    assert post(api, f"/api/citizens/rounds/{rid}/close", {}).status_code == 200
    late = post(
        api,
        f"/api/citizens/rounds/{rid}/ballots",
        {**ballot, "phone": "13900000000", "device_id": "device-0003"},
    )
    assert 400 <= late.status_code < 500 and "截止" in late.json()["message"]


def test_a_commitment_without_a_deadline_is_refused_through_the_api(cc, api):
    ep = post(
        api,
        "/api/citizens/episodes",
        {"aired_on": str(timezone.localdate()), "programme": "电视问政", "topic": "窗口"},
    )
    assert ep.status_code == 201, ep.content
    url = f"/api/citizens/episodes/{ep.json()['id']}/commitments"
    body = {"unit_id": cc.dept.pk, "official": "局长", "content": "尽快整改"}
    r = post(api, url, body)
    assert r.status_code == 400 and "没有时限的承诺不予登记" in r.json()["message"]
    assert not Commitment.objects.exists()
    due = str(timezone.localdate() + timedelta(days=30))
    assert post(api, url, {**body, "due_on": due}).status_code == 201
    assert api.get("/api/citizens/commitments").status_code == 200
