"""Under real concurrency (PostgreSQL): 200 identical ballots released at the same moment
count exactly once — the UNIQUE constraints decide, not a check before the insert; parallel
payments never take a budget line past its limit (the line is locked while it is checked)."""

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


def test_parallel_payments_never_take_a_budget_line_past_its_limit():
    from datetime import date

    from chuangwen.citizens.choices import CampaignKind, Sector
    from chuangwen.citizens.models import BudgetEntry, BudgetLine

    sc = factories.SmallCity()
    c = services.create_campaign(
        sc.city,
        kind=CampaignKind.SECTOR,
        sector=Sector.FOOD,
        title="食品安全专项整治",
        lead_unit=sc.dept,
        target_text="抽检合格率 98%",
        target_value="98",
        target_unit="%",
        starts_on=date.today(),
        ends_on=date.today() + timedelta(days=30),
        acting_user=SYSTEM,
    )
    services.set_budget(c, source="city", allocated="100000", acting_user=SYSTEM)

    def pay(_i):
        with DB_SLOTS:
            try:
                return services.record_budget_entry(
                    c,
                    source="city",
                    kind="spend",
                    amount="30000",
                    on=date.today(),
                    note="工程款",
                    acting_user=SYSTEM,
                ).pk
            finally:
                connections.close_all()

    answers = run_parallel(10, pay)
    paid = [a for a in answers if isinstance(a, int)]
    refused = [a for a in answers if isinstance(a, InvalidInput)]
    assert len(paid) == 3 and len(refused) == 7
    assert all(e.code == "over_budget" and "超出预算" in str(e.message) for e in refused)
    line = BudgetLine.objects.get(campaign=c, source="city")
    assert line.spent == 90000 and BudgetEntry.objects.filter(campaign=c).count() == 3
