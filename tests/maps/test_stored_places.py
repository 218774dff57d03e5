"""The place in words is stored next to the point: cases, check results; exports carry it."""

import io
import uuid

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from chuangwen.cases.models import Case
from chuangwen.inspections import services as insp
from chuangwen.inspections.choices import PlanKind
from chuangwen.inspections.models import CheckResult
from chuangwen.org.choices import Role
from tests import factories
from tests.cases.conftest import IN_A, CaseCity
from tests.inspections.helpers import InspectionCity

pytestmark = pytest.mark.django_db


@pytest.fixture
def ic(small_city):
    return InspectionCity(small_city)


def test_a_case_with_a_point_gets_its_place_shown_and_exported(ic, client_for):
    cc = CaseCity(ic.sc)
    res = cc.intake("路边有一堆暴露垃圾无人清理", point=(113.0051, 28.0049))  # near 甲路 (IN_A)
    case = Case.objects.get(pk=res.case.pk)
    assert case.place == f"甲区甲街道甲社区{ic.grid_a.code}，甲路（约 10 米）"
    c = client_for(ic.office)
    assert case.place in c.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert case.place in c.get(reverse("cases:list")).content.decode()
    ws = load_workbook(io.BytesIO(c.get(reverse("cases:export")).content)).active
    rows = list(ws.iter_rows(values_only=True))
    col = rows[0].index("位置描述")
    assert rows[1][col] == case.place
    api = c.get("/api/cases/").json()
    items = api["items"] if isinstance(api, dict) else api
    assert items[0]["place"] == case.place


def test_a_case_without_a_point_has_no_place(ic):
    cc = CaseCity(ic.sc)
    res = cc.intake("小区门口垃圾桶满溢", point=None, address="甲社区门口")
    assert Case.objects.get(pk=res.case.pk).place == ""


def test_a_check_result_gets_its_place(ic):
    plan = insp.create_plan(
        ic.city,
        kind=PlanKind.COVERT,
        title="暗访",
        seed=1,
        sample_sizes={"ZD": 2, "SC": 3},
        acting_user=ic.office.user,
    )
    insp.sample_plan(plan, acting_user=ic.office.user)
    inspector = factories.person(ic.city, ic.hq, Role.INSPECTOR, name="督查员")
    sample = plan.samples.get(site__code="SC001")
    out = insp.submit_check(
        plan,
        insp.CheckData(
            uuid=uuid.uuid4(),
            sample_id=sample.pk,
            check_item_id=ic.items["SC-1"].pk,
            passed=True,
            lon=113.0041,
            lat=28.0041,
        ),
        acting_user=inspector.user,
    )
    assert out.result.place.endswith("甲市场一（约 10 米）")


def test_backfill_fills_only_empty_places(ic):
    cc = CaseCity(ic.sc)
    a = cc.intake("一号问题内容描述", point=IN_A).case
    b = cc.intake("二号问题完全不同的描述", point=(113.015, 28.005)).case
    Case.objects.filter(pk__in=[a.pk, b.pk]).update(place="")
    Case.objects.filter(pk=b.pk).update(place="人工填写")
    call_command("fill_places", stdout=io.StringIO())
    assert Case.objects.get(pk=a.pk).place.startswith("甲区甲街道甲社区")
    assert Case.objects.get(pk=b.pk).place == "人工填写"
    assert CheckResult.objects.count() == 0


def test_site_export_carries_the_sites_area(ic, client_for):
    r = client_for(ic.office).get(reverse("sites:export"))
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    col = rows[0].index("所在区域")
    by_code = {row[0]: row[col] for row in rows[1:]}
    assert by_code["SC003"] == f"乙区乙街道乙社区{ic.grid_b.code}"
