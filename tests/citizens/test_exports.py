"""Excel exports: campaigns with their money by source, a round's result and ballot check."""

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from chuangwen.citizens import services
from chuangwen.org.actors import SYSTEM

from .conftest import voter

pytestmark = pytest.mark.django_db


def sheets(resp):
    wb = load_workbook(io.BytesIO(resp.content))
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def test_campaigns_export_counts_the_money_by_source(cc, client_for):
    c = cc.campaign(title='=HYPERLINK("x")食品安全')
    services.set_budget(c, source="city", allocated="100000", acting_user=SYSTEM)
    services.set_budget(c, source="social", allocated="20000", acting_user=SYSTEM)
    services.record_budget_entry(
        c,
        source="city",
        kind="commit",
        amount="60000",
        on=date.today(),
        note="合同",
        acting_user=SYSTEM,
    )
    services.record_budget_entry(
        c,
        source="city",
        kind="spend",
        amount="30000.50",
        on=date.today(),
        note="首付款",
        acting_user=SYSTEM,
    )
    resp = client_for(cc.office).get(reverse("citizens:campaign_export"))
    assert resp.status_code == 200 and "attachment" in resp["Content-Disposition"]
    data = sheets(resp)
    head, row = data["专项整治"][0], data["专项整治"][1]
    assert row[head.index("预算（元）")] == 120000 and row[head.index("已支出（元）")] == 30000.5
    assert row[head.index("名称")].startswith("=HYPERLINK")  # text, not a formula
    budget = {r[1]: r for r in data["预算"][1:]}
    assert budget["市级财政"][5:8] == [60000, 30000.5, 69999.5]
    assert [r[2] for r in data["预算执行"][1:]] == ["承诺", "支出"]
    # a unit without the campaign sees none of it
    other = client_for(cc.liaison_b).get(reverse("citizens:campaign_export"))
    assert len(sheets(other)["专项整治"]) == 1


def test_round_export_has_the_result_and_the_ballot_check(cc, client_for):
    r = cc.round(n=3, select_count=1)
    cs = list(r.candidates.order_by("sort"))
    services.cast_vote(r, voter(1), {cs[1].pk: None}, acting_user=SYSTEM)
    services.cast_vote(r, voter(2), {cs[1].pk: None, cs[0].pk: None}, acting_user=SYSTEM)
    resp = client_for(cc.office).get(reverse("citizens:round_export", args=[r.pk]))
    data = sheets(resp)
    assert data["计票结果"][1][1:4] == ["问题2", "热点问题「问题2」，群众留言 19 条", 2]
    check = dict(data["选票核查"][1:])
    assert check["有效（计入结果）"] == 2 and check["未验证占比（%）"] == 100
    assert "137" not in str(data)  # no phone number, not even masked
