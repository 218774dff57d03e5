"""One vote per person per round under real concurrency (PostgreSQL): 200 identical ballots
released at the same moment count exactly once — the UNIQUE constraints decide, not a check
before the insert."""

import re
import threading
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from chuangwen.citizens import services
from chuangwen.citizens.choices import RoundKind
from chuangwen.citizens.models import Vote, VoteChoice
from chuangwen.core.errors import InvalidInput
from chuangwen.org.actors import PUBLIC, SYSTEM
from tests import factories
from tests.parallel import run_parallel

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel writers: PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]

# the database is shared: at most this many of the 200 threads hold a connection at once
DB_SLOTS = threading.BoundedSemaphore(25)


def _round(city, n=3):
    r = services.create_round(
        city,
        kind=RoundKind.TOP10,
        title="并发测试",
        closes_at=timezone.now() + timedelta(days=1),
        select_count=1,
        acting_user=SYSTEM,
    )
    for i in range(n):
        services.add_candidate(r, title=f"问题{i + 1}", acting_user=SYSTEM)
    return services.open_round(r, acting_user=SYSTEM)


def test_200_identical_ballots_at_once_count_exactly_once():
    sc = factories.SmallCity()
    r = _round(sc.city)
    first = r.candidates.order_by("sort").first()
    voter = services.Voter(phone="13912345678", device="device-abc", network="10.1.2.0/24")

    def vote(_i):
        with DB_SLOTS:
            try:
                return services.cast_vote(r, voter, {first.pk: None}, acting_user=PUBLIC).pk
            finally:
                connections.close_all()

    answers = run_parallel(200, vote)
    accepted = [a for a in answers if isinstance(a, int)]
    refused = [a for a in answers if isinstance(a, InvalidInput)]
    assert len(accepted) == 1 and len(refused) == 199, [a for a in answers if a not in refused]
    assert {e.code for e in refused} == {"already_voted"}
    assert "139****5678 已在本轮投过票" in str(refused[0].message)
    assert Vote.objects.filter(round=r).count() == 1
    assert VoteChoice.objects.filter(round=r).count() == 1
    assert services.tally(r)[0].votes == 1


def test_one_phone_on_many_devices_and_one_device_with_many_phones_count_once():
    sc = factories.SmallCity()
    r = _round(sc.city)
    first = r.candidates.order_by("sort").first()

    def vote(i):
        # even threads: the same phone from different devices; odd: the same device, new phones
        if i % 2 == 0:
            v = services.Voter(phone="13912345678", device=f"dev-{i}", network=f"10.0.{i}.0/24")
        else:
            v = services.Voter(phone=f"137{i:08d}", device="shared-device", network=f"10.9.{i}.0")
        with DB_SLOTS:
            try:
                return services.cast_vote(r, v, {first.pk: None}, acting_user=PUBLIC).pk
            finally:
                connections.close_all()

    answers = run_parallel(60, vote)
    accepted = [a for a in answers if isinstance(a, int)]
    assert 1 <= len(accepted) <= 2  # one for the phone, one for the device (they may coincide)
    assert Vote.objects.filter(round=r).count() == len(accepted)
    assert all(isinstance(a, int | InvalidInput) for a in answers)


def test_parallel_posts_of_the_public_ballot_count_once():
    cache.clear()
    sc = factories.SmallCity()
    r = _round(sc.city)
    first = r.candidates.order_by("sort").first()
    url = reverse("citizens:p_vote", args=[sc.city.code, r.pk])

    def post(i):
        client = Client()
        with DB_SLOTS:
            try:
                body = client.get(url).content.decode()
                token = re.search(r'name="token" value="([^"]+)"', body).group(1)
                resp = client.post(
                    url, {"token": token, "phone": "13812345678", "choice": [first.pk]}
                )
                return resp.status_code, resp.content.decode() if resp.status_code != 302 else ""
            finally:
                connections.close_all()

    answers = run_parallel(20, post)
    assert sorted(s for s, _b in answers).count(302) == 1
    refused = [b for s, b in answers if s != 302]
    assert all("已在本轮投过票" in b for b in refused)
    assert Vote.objects.filter(round=r).count() == 1
