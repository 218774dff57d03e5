"""The office's and the units' pages: scoped reads (404 out of scope), the budget refused in
Chinese through the page, flagged ballots reviewed from the round's page, the history."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from chuangwen.citizens import services
from chuangwen.citizens.models import BudgetEntry, Campaign, Vote
from chuangwen.org.actors import SYSTEM

from .conftest import voter

pytestmark = pytest.mark.django_db


def test_a_campaign_page_is_scoped_and_shows_progress_and_money(cc, client_for):
    c = cc.campaign()  # lead: the department, supporting: district A
    services.add_milestone(c, title="摸底排查", deadline=c.ends_on, acting_user=SYSTEM)
    services.set_budget(c, source="city", allocated="50000", acting_user=SYSTEM)
    url = reverse("citizens:campaign", args=[c.pk])
    body = client_for(cc.office).get(url).content.decode()
    assert (
        "摸底排查" in body and "市级财政" in body and "50,000.00" in body
    )  # money with thousands separators
    assert client_for(cc.liaison_a).get(url).status_code == 200  # a supporting unit
    assert client_for(cc.liaison_b).get(url).status_code == 404  # not its campaign


def test_spending_past_the_budget_from_the_page_is_refused_in_chinese(cc, client_for):
    c = services.start_campaign(cc.campaign(), acting_user=SYSTEM)
    services.set_budget(c, source="city", allocated="10000", acting_user=SYSTEM)
    client = client_for(cc.office)
    url = reverse("citizens:campaign_action", args=[c.pk, "entry"])
    data = {
        "source": "city",
        "kind": "spend",
        "amount": "12000",
        "on": str(date.today()),
        "note": "工程款",
    }
    resp = client.post(url, data, follow=True)
    assert "超出预算" in resp.content.decode()
    assert not BudgetEntry.objects.exists()
    resp = client.post(url, {**data, "amount": "8000"}, follow=True)
    assert "已登记" in resp.content.decode() and BudgetEntry.objects.count() == 1
    # a unit with nothing to do with it cannot even find it
    assert client_for(cc.liaison_b).post(url, data).status_code == 404


def test_flagged_ballots_are_reviewed_from_the_round_page(cc, client_for):
    r = cc.round(burst_limit=1)
    c = r.candidates.first()
    for i in range(3):
        services.cast_vote(r, voter(800 + i), {c.pk: None}, acting_user=SYSTEM)
    client = client_for(cc.office)
    page = client.get(reverse("citizens:round", args=[r.pk])).content.decode()
    assert "待复核" in page and "13700000801" not in page
    flagged = list(Vote.objects.filter(round=r, status="flagged").values_list("pk", flat=True))
    assert len(flagged) == 2
    resp = client.post(
        reverse("citizens:round_action", args=[r.pk, "review"]),
        {"votes": flagged, "accept": "0"},
        follow=True,
    )
    assert resp.status_code == 200
    assert Vote.objects.filter(round=r, status="void").count() == 2
    # a leader reads, but does not act
    assert client_for(cc.leader).post(
        reverse("citizens:round_action", args=[r.pk, "close"])
    ).status_code in (403, 404)


def _campaign_post(cc, **kw):
    data = {
        "kind": "sector",
        "sector": "food",
        "title": "食品安全专项整治",
        "description": "农贸市场",
        "lead_unit": cc.dept.pk,
        "supporting_units": [cc.district_a.pk],
        "target_text": "抽检合格率达到 98%",
        "baseline_value": "90",
        "target_value": "98",
        "target_unit": "%",
        "starts_on": str(date.today()),
        "ends_on": str(date.today() + timedelta(days=90)),
        "progress_mode": "average",
    }
    return {**data, **kw}


def test_a_campaign_is_set_up_and_edited_on_its_form_page(cc, client_for):
    office = client_for(cc.office)
    new = reverse("citizens:campaign_create")
    assert office.get(new).status_code == 200
    assert office.post(new, _campaign_post(cc, title="")).status_code == 400  # the form
    resp = office.post(new, _campaign_post(cc, sector=""))  # the service refuses
    assert resp.status_code == 400 and "行业专项整治请选择行业" in resp.content.decode()
    assert not Campaign.objects.exists()
    resp = office.post(new, _campaign_post(cc))
    c = Campaign.objects.get()
    assert resp.status_code == 302 and resp["Location"] == reverse("citizens:campaign", args=[c.pk])
    assert (c.title, c.lead_unit, c.baseline_value) == ("食品安全专项整治", cc.dept, 90)
    assert list(c.supports.values_list("unit_id", flat=True)) == [cc.district_a.pk]
    page = office.get(resp["Location"]).content.decode()
    assert "已设立专项整治，请添加里程碑和预算" in page

    edit = reverse("citizens:campaign_edit", args=[c.pk])
    assert "食品安全专项整治" in office.get(edit).content.decode()
    late = str(date.today() - timedelta(days=1))
    resp = office.post(edit, _campaign_post(cc, title="改名", ends_on=late))
    assert resp.status_code == 400 and "完成日期不能早于开始日期" in resp.content.decode()
    resp = office.post(edit, _campaign_post(cc, title="改名", supporting_units=[]), follow=True)
    c.refresh_from_db()
    assert resp.redirect_chain == [(reverse("citizens:campaign", args=[c.pk]), 302)]
    assert "已保存" in resp.content.decode()
    assert c.title == "改名" and not c.supports.exists()
    assert client_for(cc.liaison_a).get(edit).status_code in (403, 404)


def test_rounds_and_episodes_are_read_by_the_office_and_leaders_only(cc, client_for):
    from chuangwen.citizens import selectors
    from chuangwen.core.errors import NotFound
    from chuangwen.org.scope import scope_for_user

    r = cc.round(n=2, open_=False)
    ep = services.create_episode(
        cc.city, aired_on=date.today(), programme="电视问政", topic="背街小巷", acting_user=SYSTEM
    )
    for who in (cc.office, cc.leader):
        scope = scope_for_user(who.user)
        assert selectors.get_round_for_user(scope, r.pk) == r
        assert selectors.get_episode_for_user(scope, ep.pk) == ep
        assert list(selectors.rankings_for_user(scope)) == []
        with pytest.raises(NotFound):
            selectors.get_round_for_user(scope, r.pk + 1000)
    liaison = scope_for_user(cc.liaison_a.user)
    assert not selectors.rounds_for_user(liaison).exists()
    assert not selectors.episodes_for_user(liaison).exists()
    with pytest.raises(NotFound):
        selectors.get_episode_for_user(liaison, ep.pk)
    page = client_for(cc.liaison_a).get(reverse("citizens:round", args=[r.pk]))
    assert page.status_code in (403, 404)
