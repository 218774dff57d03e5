"""Best/worst compounds: residents score their compound (one ballot each), a compound needs
enough votes (and checks) to be ranked, the worst get rectification campaigns and are marked
for re-check in the next round."""

import copy
import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from chuangwen.citizens import services
from chuangwen.citizens.choices import CampaignKind, CampaignStatus, Verdict
from chuangwen.citizens.compounds import list_sizes
from chuangwen.citizens.models import Campaign, CompoundRanking, CompoundScore
from chuangwen.core.errors import InvalidInput
from chuangwen.indicators.models import SiteType
from chuangwen.indicators.services import adopt_system, import_evaluation_system
from chuangwen.org.actors import SYSTEM
from chuangwen.sites.services import SiteSpec, create_sites
from tests.inspections.helpers import MINI, point

from .conftest import voter

pytestmark = pytest.mark.django_db


@pytest.fixture
def compounds(cc):
    system = copy.deepcopy(MINI)
    system["site_types"].append(
        {
            "code": "XQ",
            "name": "居民小区",
            "checklist": [{"code": "XQ-1", "text": "环境整洁", "rule": "达标/不达标"}],
        }
    )
    s = import_evaluation_system(
        cc.city, json.dumps(system).encode(), fmt="json", acting_user=SYSTEM
    )
    adopt_system(s, acting_user=SYSTEM)
    xq = SiteType.objects.get(city=cc.city, code="XQ")
    specs = [
        SiteSpec(f"XQ00{i}", name, xq, point(113.001 + i * 0.002, 28.004), owner=cc.street_a)
        for i, name in enumerate(["芙蓉小区", "凤凰小区", "长青小区", "新村小区"], start=1)
    ]
    create_sites(cc.city, specs, acting_user=SYSTEM)
    return xq


def ranking(cc, xq, **kw):
    r = services.create_ranking(
        cc.city,
        title=kw.pop("title", "第一季度最佳最差小区评选"),
        site_type=xq,
        period_start=timezone.localdate() - timedelta(days=90),
        period_end=timezone.localdate(),
        closes_at=timezone.now() + timedelta(days=7),
        min_votes=5,
        min_checks=0,
        weights=(0, 70, 30),
        best_n=1,
        worst_n=1,
        acting_user=SYSTEM,
    )
    services.open_round(r.round, acting_user=SYSTEM)
    r.round.refresh_from_db()
    return r


def test_compounds_are_ranked_and_the_worst_gets_a_campaign(cc, compounds, client_for):
    assert [t.name for t in services.compound_types(cc.city)] == ["居民小区"]
    r = ranking(cc, compounds)
    cands = {c.title: c for c in r.round.candidates.all()}
    n = 0
    for title, scores in {
        "芙蓉小区": [5, 5, 4, 5, 5],
        "凤凰小区": [1, 2, 1, 2, 1, 1],
        "长青小区": [3, 4, 3, 3, 4],
        "新村小区": [5, 5],  # too few votes to be ranked
    }.items():
        for s in scores:
            n += 1
            services.cast_vote(
                r.round, voter(700 + n, network=f"n{n}"), {cands[title].pk: s}, acting_user=SYSTEM
            )
    with pytest.raises(InvalidInput, match="已在本轮投过票"):
        services.cast_vote(
            r.round, voter(701, network="x"), {cands["凤凰小区"].pk: 5}, acting_user=SYSTEM
        )
    preview = {row.site.name: row for row in services.compute_scores(r)}
    assert not preview["新村小区"].eligible and preview["新村小区"].rank is None
    assert preview["芙蓉小区"].verdict == Verdict.BEST and preview["芙蓉小区"].rank == 1
    assert preview["凤凰小区"].verdict == Verdict.WORST
    services.close_round(r.round, acting_user=SYSTEM)
    r.refresh_from_db()
    services.publish_ranking(r, confirm_unverified=True, note="已抽查", acting_user=SYSTEM)
    # first place first, the unranked last, on SQLite (NULL first) as on PostgreSQL
    assert [s.rank for s in CompoundScore.objects.filter(ranking=r)] == [1, 2, 3, None]
    page = client_for(cc.office).get(reverse("citizens:ranking", args=[r.pk])).text
    order = [page.index(name) for name in ("芙蓉小区", "长青小区", "凤凰小区", "新村小区")]
    assert order == sorted(order)
    worst = CompoundScore.objects.get(ranking=r, verdict=Verdict.WORST)
    campaign = Campaign.objects.get(pk=worst.campaign_id)
    assert campaign.kind == CampaignKind.COMPOUND and campaign.status == CampaignStatus.ACTIVE
    assert campaign.site_id == worst.site_id and campaign.lead_unit_id == cc.street_a.pk
    assert campaign.milestones.count() == 1
    # the next round re-checks last round's worst compound
    nxt = ranking(cc, compounds, title="第二季度最佳最差小区评选")
    assert nxt.previous_id == r.pk
    again = {row.site.name: row for row in services.compute_scores(nxt)}
    assert again["凤凰小区"].was_worst and not again["芙蓉小区"].was_worst


def test_a_ranking_is_created_on_its_form_page(cc, compounds, client_for):
    office = client_for(cc.office)
    url = reverse("citizens:ranking_create")
    page = office.get(url)
    assert page.status_code == 200 and page.context["form"]["site_type"].initial == compounds.pk
    today = timezone.localdate()
    data = {
        "title": "第一季度最佳最差小区评选",
        "site_type": compounds.pk,
        "period_start": str(today - timedelta(days=90)),
        "period_end": str(today),
        "closes_at": (timezone.now() + timedelta(days=7)).strftime("%Y-%m-%d %H:%M"),
        "min_votes": 5,
        "min_checks": 0,
        "weight_checks": 0,
        "weight_votes": 70,
        "weight_cases": 20,
        "best_n": 1,
        "worst_n": 1,
    }
    resp = office.post(url, data)  # the service refuses: 0 + 70 + 20
    assert resp.status_code == 400 and "三项权重之和应为 100" in resp.content.decode()
    assert office.post(url, {**data, "title": ""}).status_code == 400
    resp = office.post(url, {**data, "weight_cases": 30}, follow=True)
    ranking = CompoundRanking.objects.get()
    assert resp.redirect_chain == [(reverse("citizens:ranking", args=[ranking.pk]), 302)]
    assert "已创建评选，开始居民投票后在公众页面可见" in resp.content.decode()
    assert ranking.weight_votes == 70 and ranking.round.candidates.count() == 4


@pytest.mark.parametrize(
    ("ranked", "sizes", "expected"),
    [
        (20, (5, 3), (5, 3)),  # enough ranked: the office's numbers
        (8, (5, 3), (5, 3)),
        (5, (5, 3), (3, 2)),  # too few: shared in proportion, not 5 best and no worst
        (2, (1, 1), (1, 1)),
        (1, (1, 1), (1, 0)),
        (4, (3, 0), (3, 0)),  # no worst list asked for
        (0, (5, 3), (0, 0)),
    ],
)
def test_too_few_ranked_compounds_share_the_best_and_worst_lists(ranked, sizes, expected):
    assert list_sizes(ranked, *sizes) == expected


def test_a_zero_rate_reads_zero_not_missing(cc, compounds, client_for):
    """Residents who all give the lowest score rate their compound 0.0 %, which the page shows
    as a figure; "—" is for a compound nobody rated."""
    r = ranking(cc, compounds)
    fu = r.round.candidates.get(title="芙蓉小区")
    for n in range(5):
        services.cast_vote(r.round, voter(800 + n, network=f"z{n}"), {fu.pk: 1}, acting_user=SYSTEM)
    page = client_for(cc.office).get(reverse("citizens:ranking", args=[r.pk])).text
    row = page[page.index("芙蓉小区") :]
    row = row[: row.index("</tr>")]
    assert '<td class="d-none d-md-table-cell">0.0</td>' in row
    other = page[page.index("凤凰小区") :]
    assert '<td class="d-none d-md-table-cell">—</td>' in other[: other.index("</tr>")]
