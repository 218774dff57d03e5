import base64
import json
import re
import uuid

import pytest
from django.urls import reverse

from chuangwen.cases.choices import Source, State
from chuangwen.cases.models import Case, CasePhoto
from chuangwen.core.errors import InvalidInput, PermissionDenied
from chuangwen.inspections import services
from chuangwen.inspections.choices import PlanKind, PlanStatus
from chuangwen.inspections.models import CheckPhoto, CheckResult, InspectionPlan
from chuangwen.org.actors import SYSTEM
from chuangwen.org.choices import Role
from tests import factories
from tests.cases.conftest import jpeg

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(ic):
    p = services.create_plan(
        ic.city,
        kind=PlanKind.COVERT,
        title="暗访一",
        seed=1,
        sample_sizes={"ZD": 2, "SC": 3},
        acting_user=ic.office.user,
    )
    services.sample_plan(p, acting_user=ic.office.user)
    return p


@pytest.fixture
def inspector(ic):
    return factories.person(ic.city, ic.hq, Role.INSPECTOR, name="督查员")


def sample_of(plan, code):
    return plan.samples.get(site__code=code)


def test_scores_by_rule(ic):
    s = services.score_observation
    assert s(ic.items["ZD-1"], passed=False).score == 0
    assert s(ic.items["ZD-1"], count=0).score == 1  # counted: nothing counted passes
    assert s(ic.items["ZD-2"], value=0.8).score == pytest.approx(0.8)
    counted = s(ic.items["ZD-2"], count=3, total=40)  # 3 of 40 crossed on red
    assert counted.score == pytest.approx(0.925) and counted.failed
    assert s(ic.items["ZD-3"], missing=1).score == pytest.approx(1 - 2 / 6)
    assert s(ic.items["ZD-3"], missing=5).score == 0  # 10 capped at 6 of 6
    assert s(ic.items["ZD-3"], missing=0).failed is False
    with pytest.raises(InvalidInput):
        s(ic.items["ZD-2"], value=1.5)
    with pytest.raises(InvalidInput):
        s(ic.items["ZD-1"])


def test_failed_check_becomes_dispatched_case(ic, plan, inspector):
    sample = sample_of(plan, "ZD001")
    out = services.submit_check(
        plan,
        services.CheckData(
            uuid=uuid.uuid4(),
            sample_id=sample.pk,
            check_item_id=ic.items["ZD-1"].pk,
            passed=False,
            note="路边堆放垃圾",
            lon=113.0051,
            lat=28.0051,
            photos=[jpeg()],
        ),
        acting_user=inspector.user,
    )
    r = out.result
    assert out.created and r.failed and r.score == 0
    assert r.standard.code == "1.1.1" and r.inspector_id == inspector.pk
    assert CheckPhoto.objects.filter(result=r).count() == 1
    case = Case.objects.get(pk=r.case_id)
    assert case.source == Source.INSPECTION
    assert case.indicator_id == r.standard_id
    assert (
        "甲路" in case.address
        and "路面整洁" in case.description
        and "路边堆放垃圾" in case.description
    )
    assert case.state == State.DISPATCHED and case.unit_id == ic.community_a.pk  # grid → 块 unit
    assert case.deadline is not None
    assert CasePhoto.objects.filter(case=case).count() == 1
    assert case.reports.get().reporter_id == inspector.pk
    plan.refresh_from_db()
    assert plan.status == PlanStatus.IN_PROGRESS


def test_passed_check_opens_no_case(ic, plan, inspector):
    out = services.submit_check(
        plan,
        services.CheckData(
            uuid=uuid.uuid4(),
            sample_id=sample_of(plan, "SC001").pk,
            check_item_id=ic.items["SC-1"].pk,
            passed=True,
        ),
        acting_user=inspector.user,
    )
    assert out.result.case_id is None and not out.result.failed


def test_item_of_another_type_and_actor_checks(ic, plan):
    with pytest.raises(InvalidInput):
        services.submit_check(
            plan,
            services.CheckData(
                uuid=uuid.uuid4(),
                sample_id=sample_of(plan, "SC001").pk,
                check_item_id=ic.items["ZD-1"].pk,
                passed=True,
            ),
            acting_user=SYSTEM,
        )
    with pytest.raises(PermissionDenied):
        services.submit_check(
            plan,
            services.CheckData(
                uuid=uuid.uuid4(),
                sample_id=sample_of(plan, "SC001").pk,
                check_item_id=ic.items["SC-1"].pk,
                passed=True,
            ),
            acting_user=ic.liaison_a.user,
        )


def _payload(plan, ic, uid, **kw):
    data = {
        "uuid": str(uid),
        "sample_id": sample_of(plan, "ZD002").pk,
        "check_item_id": ic.items["ZD-3"].pk,
        "missing": 2,
        "note": "缺公益广告",
        "observed_at": "2026-01-05T09:30:00+08:00",
        "photos": ["data:image/jpeg;base64," + base64.b64encode(jpeg()).decode()],
    }
    data.update(kw)
    return json.dumps(data)


def test_offline_resend_is_stored_once_over_http(ic, plan, inspector, client_for):
    client = client_for(inspector)
    url = reverse("inspections:check_submit", args=[plan.pk])
    uid = uuid.uuid4()
    first = client.post(url, _payload(plan, ic, uid), content_type="application/json")
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["created"] is True and body["failed"] is True
    assert body["score"] == pytest.approx(1 - 4 / 6)
    again = client.post(url, _payload(plan, ic, uid), content_type="application/json")
    assert again.status_code == 200
    assert again.json()["id"] == body["id"] and again.json()["created"] is False
    assert CheckResult.objects.filter(uuid=uid).count() == 1
    assert CheckResult.objects.filter(plan=plan).count() == 1
    assert Case.objects.filter(source=Source.INSPECTION).count() == 1
    assert CheckPhoto.objects.count() == 1
    # the case is dispatched by the rules: 乙路 lies in grid_b → 乙社区
    assert Case.objects.get(pk=body["case"]).unit_id == ic.community_b.pk
    # the page updates the item from the answer: its new case number and how often it's recorded
    assert body["case_number"] == Case.objects.get(pk=body["case"]).number
    assert body["recorded"] == 1
    second = client.post(url, _payload(plan, ic, uuid.uuid4()), content_type="application/json")
    assert second.json()["recorded"] == 2


def test_api_submit_is_idempotent_too(ic, plan, inspector, client_for):
    client = client_for(inspector)
    uid = uuid.uuid4()
    url = f"/api/inspections/plans/{plan.pk}/results"
    payload = {
        "uuid": str(uid),
        "sample_id": sample_of(plan, "SC002").pk,
        "check_item_id": ic.items["SC-1"].pk,
        "passed": True,
    }
    a = client.post(url, json.dumps(payload), content_type="application/json")
    b = client.post(url, json.dumps(payload), content_type="application/json")
    assert (a.status_code, b.status_code) == (201, 200)
    assert a.json()["id"] == b.json()["id"]
    assert CheckResult.objects.filter(uuid=uid).count() == 1


def test_bad_answer_is_refused_with_a_message(ic, plan, inspector, client_for):
    client = client_for(inspector)
    url = reverse("inspections:check_submit", args=[plan.pk])
    r = client.post(
        url,
        _payload(plan, ic, uuid.uuid4(), missing=None, photos=[]),
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["code"] == "answer_required"
    assert not CheckResult.objects.exists()


def test_check_page_and_plan_pages(ic, plan, inspector, client_for, django_assert_max_num_queries):
    client = client_for(inspector)
    url = reverse("inspections:check", args=[plan.pk, sample_of(plan, "ZD001").pk])
    with django_assert_max_num_queries(15):  # + the city's case categories for the picker
        page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "inspections/check.js" in html and "公益广告不少于 3 处" in html
    assert 'name="missing"' in html and 'name="passed"' in html
    with django_assert_max_num_queries(14):
        detail = client.get(reverse("inspections:plan", args=[plan.pk]))
    assert detail.status_code == 200 and 'data-testid="reproducible"' in detail.content.decode()
    with django_assert_max_num_queries(10):
        assert client.get(reverse("inspections:plans")).status_code == 200
    with django_assert_max_num_queries(10):
        r = client.get(f"/api/inspections/plans/{plan.pk}/samples?limit=50")
    assert r.status_code == 200 and r.json()["count"] == 5
    # a unit liaison sees no plans
    assert client_for(ic.liaison_a).get(url).status_code == 404


def test_check_js_is_served_locally():
    from django.contrib.staticfiles import finders

    path = finders.find("inspections/check.js")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    assert "indexedDB" in text and "localStorage" in text and "randomUUID" in text
    assert "http://" not in text and "https://" not in text  # no CDN


def test_check_page_offers_categories_and_suggests_the_linked_one(ic, plan, inspector, client_for):
    from chuangwen.cases import services as case_services
    from chuangwen.cases.models import Category

    case_services.load_categories(ic.city, acting_user=SYSTEM)
    litter = Category.objects.get(city=ic.city, code="SJ0102")  # 暴露垃圾
    litter.indicators.add(ic.items["ZD-1"].standards.get())  # the office links it to 1.1.1
    url = reverse("inspections:check", args=[plan.pk, sample_of(plan, "ZD001").pk])
    html = client_for(inspector).get(url).content.decode()
    # one search picker per item over the city's active categories, which the page carries
    # once (searched on the phone, offline too) instead of listing them in every item
    picker = 'data-cw-options="check-categories"'
    assert html.count(picker) == ic.items["ZD-1"].site_type.check_items.count()
    assert "data-cw-picker" not in html
    carried = re.search(r'<script id="check-categories" type="[^"]+">(.*?)</script>', html)
    rows = {r["value"]: r for r in json.loads(carried.group(1))}
    assert len(rows) == Category.objects.filter(city=ic.city, active=True).count() > 100
    assert rows["SJ0102"] == {
        "value": "SJ0102",
        "text": "暴露垃圾",
        "hint": "事件 · 市容环境 · SJ0102",
    }
    assert "BJ0101" in rows
    assert html.count('<option value="SJ0102" selected>暴露垃圾</option>') == 2  # ZD-1, ZD-2
    assert html.count("<option") == 2 + html.count(picker)  # ZD-3 (1.1.2): nothing linked
    # a retired category is not offered
    Category.objects.filter(city=ic.city, code="BJ0101").update(active=False)
    html = client_for(inspector).get(url).content.decode()
    assert '"BJ0101"' not in html and '"SJ0102"' in html
    # what the inspector picks (by its code) files the case under it
    other = Category.objects.get(city=ic.city, code="SJ0201")
    submit = reverse("inspections:check_submit", args=[plan.pk])
    for chosen in ({"category": other.code}, {"category_id": other.pk}):  # (queued before)
        payload = {
            "uuid": str(uuid.uuid4()),
            "sample_id": sample_of(plan, "ZD001").pk,
            "check_item_id": ic.items["ZD-1"].pk,
            "passed": False,
            **chosen,
        }
        r = client_for(inspector).post(submit, json.dumps(payload), content_type="application/json")
        assert r.status_code in (200, 201), r.content
        result = CheckResult.objects.get(uuid=payload["uuid"])
        assert Case.objects.get(pk=result.case_id).category == other
    payload |= {"uuid": str(uuid.uuid4()), "category": "XX9999"}
    del payload["category_id"]
    r = client_for(inspector).post(submit, json.dumps(payload), content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "bad_category"


def test_the_office_creates_a_plan_from_its_page_and_a_refusal_shows_on_the_form(ic, client_for):
    url = reverse("inspections:plan_create")
    office = client_for(ic.office)
    page = office.get(url).content.decode()
    assert 'name="size_ZD"' in page  # one sample size per site type with check items
    data = {"kind": PlanKind.COVERT, "title": "十二月暗访", "rectify_days": 5, "size_ZD": 2}
    resp = office.post(url, {**data, "starts_on": "2026-12-10", "ends_on": "2026-12-01"})
    assert resp.status_code == 400 and "结束日期不能早于开始日期" in resp.content.decode()
    assert not InspectionPlan.objects.filter(city=ic.city).exists()
    resp = office.post(url, data, follow=True)
    plan = InspectionPlan.objects.filter(city=ic.city).get()
    assert resp.redirect_chain == [(reverse("inspections:plan", args=[plan.pk]), 302)]
    assert "已新建督查计划「十二月暗访」" in resp.content.decode()
    assert plan.sample_sizes == {"ZD": 2} and plan.rectify_days == 5
    assert client_for(ic.liaison_a).post(url, data).status_code == 403
    assert InspectionPlan.objects.filter(city=ic.city).count() == 1
