"""The office's metric editor: the indicator found by search, the formula validated and
previewed through htmx, the quantities listed in Chinese; saved through the services (audited);
nobody else may use it."""

from decimal import Decimal

import pytest
from django.urls import reverse

from chuangwen.core.models import AuditEvent
from chuangwen.indicators.models import Metric
from chuangwen.tasks import metrics

pytestmark = pytest.mark.django_db


def test_office_creates_a_metric_by_searching_the_indicator(tc, client_for):
    office = client_for(tc.office)
    page = office.get(reverse("tasks:metric_new")).content.decode()
    # the quantities, with what they count in Chinese
    assert "sites.without_open_cases" in page and "所在网格没有未办结案件的某类点位数" in page
    assert "volunteers.registered()" in page and "在册志愿者人数" in page
    assert 'hx-get="/tasks/metrics/check/"' in page
    # no id to type: the search answers radio buttons
    std = tc.std["4.2.1"]
    picked = office.get(reverse("tasks:metric_indicator_pick"), {"q": "4.2.1"}).content.decode()
    assert f'name="indicator" value="{std.pk}"' in picked and std.title[:10] in picked
    by_title = office.get(reverse("tasks:metric_indicator_pick"), {"q": std.title[:6]})
    assert f'value="{std.pk}"' in by_title.content.decode()
    none = office.get(reverse("tasks:metric_indicator_pick"), {"q": "火星"})
    assert "没有找到" in none.content.decode()

    r = office.post(
        reverse("tasks:metric_new"),
        {
            "indicator": std.pk,
            "name": "农贸市场达标率",
            "formula": 'sites.count("农贸市场") * 0 + 100',
            "target": "95",
            "unit_label": "%",
        },
    )
    assert r.status_code == 302 and r.url == reverse("tasks:metrics")
    m = Metric.objects.get(name="农贸市场达标率")
    assert (m.indicator_id, m.target, m.unit_label) == (std.pk, Decimal(95), "%")
    assert AuditEvent.objects.filter(code="tasks.metric.created", object_id=str(m.pk)).exists()
    listing = office.get(reverse("tasks:metrics")).content.decode()
    assert reverse("tasks:metric_edit", args=[m.pk]) in listing


def test_bad_formula_is_shown_and_nothing_saved(tc, client_for):
    office = client_for(tc.office)
    r = office.post(
        reverse("tasks:metric_new"),
        {"indicator": tc.std["4.2.1"].pk, "name": "坏公式", "formula": "sites.cuont()"},
    )
    assert r.status_code == 200
    body = r.content.decode()
    assert "is-invalid" in body and "sites.cuont" in body
    assert not Metric.objects.filter(name="坏公式").exists()
    # no indicator chosen: asked to search for one
    r = office.post(reverse("tasks:metric_new"), {"name": "无指标", "formula": "1"})
    assert "请搜索并选择所属指标" in r.content.decode()
    assert not Metric.objects.filter(name="无指标").exists()


def test_live_check_validates_and_previews_the_current_value(tc, client_for):
    office = client_for(tc.office)
    url = reverse("tasks:metric_check")
    ok = office.get(url, {"formula": "(1 + 2) * 10"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="formula-valid"' in ok and "<strong>30</strong>" in ok
    tc.task("6.1.1")
    tc.task("6.1.2")
    count = office.get(url, {"formula": 'tasks.count("6.1")'}).content.decode()
    assert "<strong>2</strong>" in count
    bad = office.get(url, {"formula": "1 +"}).content.decode()
    assert 'data-testid="formula-invalid"' in bad
    unknown = office.get(url, {"formula": "cases.nope()"}).content.decode()
    assert 'data-testid="formula-invalid"' in unknown and "cases.nope" in unknown
    zero = office.get(url, {"formula": '1 / sites.count("学校周边")'}).content.decode()
    assert "除数为零" in zero
    assert "输入公式后" in office.get(url, {"formula": ""}).content.decode()
    too_long = office.get(url, {"formula": "1+" * 600 + "1"}).content.decode()
    assert 'data-testid="formula-invalid"' in too_long


def test_office_edits_target_formula_and_indicator(tc, client_for):
    m = metrics.create_metric(
        tc.city,
        indicator=tc.std["4.2.1"],
        name="旧名",
        formula_text="1",
        acting_user=tc.office.user,
    )
    office = client_for(tc.office)
    page = office.get(reverse("tasks:metric_edit", args=[m.pk])).content.decode()
    assert f'value="{m.indicator_id}" id="chosen-indicator" checked' in page and "旧名" in page
    other = tc.std["6.1.1"]
    r = office.post(
        reverse("tasks:metric_edit", args=[m.pk]),
        {"indicator": other.pk, "name": "新名", "formula": "2 * 3", "target": "6.5"},
    )
    assert r.status_code == 302
    m.refresh_from_db()
    assert (m.name, m.formula, m.target) == ("新名", "2 * 3", Decimal("6.5"))
    assert m.indicator_id == other.pk
    event = AuditEvent.objects.get(code="tasks.metric.updated", object_id=str(m.pk))
    assert "formula" in event.after and "target" in event.after


def test_only_the_office_edits(tc, client_for, small_city):
    m = metrics.create_metric(
        tc.city, indicator=tc.std["4.2.1"], name="甲", formula_text="1", acting_user=tc.office.user
    )
    for person in (tc.leader, tc.liaison_a, tc.grid_worker_a):
        c = client_for(person)
        assert c.get(reverse("tasks:metric_new")).status_code == 403
        assert c.get(reverse("tasks:metric_edit", args=[m.pk])).status_code == 403
        assert c.get(reverse("tasks:metric_check"), {"formula": "1"}).status_code == 403
        assert c.get(reverse("tasks:metric_indicator_pick"), {"q": "4"}).status_code == 403
        r = c.post(
            reverse("tasks:metric_edit", args=[m.pk]),
            {"indicator": m.indicator_id, "name": "改", "formula": "2"},
        )
        assert r.status_code == 403
        listing = c.get(reverse("tasks:metrics")).content.decode()
        assert "甲" in listing and reverse("tasks:metric_edit", args=[m.pk]) not in listing
    m.refresh_from_db()
    assert m.name == "甲"
    assert client_for(tc.office).get(reverse("tasks:metric_edit", args=[99999])).status_code == 404
