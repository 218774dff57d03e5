"""The citizens demo builds on a small city, reproducibly, through the services."""

import pytest
from django.utils.timezone import localdate

from chuangwen.citizens import demo
from chuangwen.citizens.choices import CampaignKind, CampaignStatus, RoundStatus
from chuangwen.citizens.models import Campaign, Commitment, Episode, Milestone, Round
from chuangwen.citizens.selectors import campaign_history

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
    # the demo tells a past in order: stages done by their deadlines, the kept promise before
    # its time limit, each campaign's public history in date order from its start
    done = Milestone.objects.filter(done_at__isnull=False)
    assert done.exists()
    assert all(localdate(m.done_at) <= m.deadline for m in done)
    kept = Commitment.objects.get(status="done")
    assert kept.done_at is not None and localdate(kept.done_at) <= kept.due_on
    for c in Campaign.objects.exclude(status=CampaignStatus.DRAFT):
        steps = [s for s in campaign_history(c) if s.kind in ("start", "report", "milestone")]
        assert steps[0].kind == "start"
        assert steps[1].kind == "report" and steps[1].photos  # the before photos, just after
