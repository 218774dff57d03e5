"""The citizens demo builds on a small city, reproducibly, through the services."""

import pytest

from chuangwen.citizens import demo
from chuangwen.citizens.choices import CampaignKind, CampaignStatus, RoundStatus
from chuangwen.citizens.models import Campaign, Commitment, Episode, Round

pytestmark = pytest.mark.django_db


def test_the_demo_shows_every_part(small_city):
    lines: list[str] = []
    demo.build_demo(small_city.city, 7, lines.append, votes=40)
    top10 = Round.objects.get(kind="top10")
    assert top10.status == RoundStatus.PUBLISHED
    assert top10.candidates.filter(selected=True).count() == 10
    statuses = set(
        Campaign.objects.filter(kind=CampaignKind.TOP10).values_list("status", flat=True)
    )
    assert statuses == set(CampaignStatus.values)
    assert Campaign.objects.filter(kind=CampaignKind.SECTOR).count() == 2
    assert Episode.objects.count() == 2 and Commitment.objects.count() == 5
    assert any(c.is_overdue and c.status != "done" for c in Commitment.objects.all())
    assert lines[-1].startswith("市民服务门户")
