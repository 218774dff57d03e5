"""The phone check page in a browser, on a desktop and on a 390×844 phone: a failed item is
filed under the category linked to its standard, or under one the inspector finds by typing a
few characters into the category picker — with the network cut off too (the page carries the
city's categories; the answer waits on the phone and is sent when the network is back); the
reset form shows the linked one again."""

import pytest
from playwright.sync_api import expect

from chuangwen.cases import services as case_services
from chuangwen.cases.models import Case, Category
from chuangwen.inspections import services
from chuangwen.inspections.choices import PlanKind
from chuangwen.inspections.models import CheckResult
from chuangwen.org.actors import SYSTEM
from chuangwen.org.choices import Role
from tests import factories
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, SmallCity
from tests.inspections.helpers import InspectionCity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = "/tmp/cw-shots"


@pytest.mark.parametrize(
    ("label", "viewport"),
    [("desktop", {"width": 1280, "height": 800}), ("phone", {"width": 390, "height": 844})],
)
def test_check_page_files_failed_items_under_the_suggested_or_a_searched_category(
    live_server, browser, label, viewport
):
    ic = InspectionCity(SmallCity())
    case_services.load_categories(ic.city, acting_user=SYSTEM)
    litter = Category.objects.get(city=ic.city, code="SJ0102")  # 暴露垃圾
    stalls = Category.objects.get(city=ic.city, name="占道经营")
    litter.indicators.add(ic.items["ZD-1"].standards.get())
    plan = services.create_plan(
        ic.city, kind=PlanKind.COVERT, title="暗访", seed=1, sample_sizes={"ZD": 1},
        acting_user=ic.office.user,
    )  # fmt: skip
    services.sample_plan(plan, acting_user=ic.office.user)
    sample = plan.samples.first()
    inspector = factories.person(ic.city, ic.hq, Role.INSPECTOR, name="督查员")

    context = browser.new_context(locale="zh-CN", viewport=viewport, has_touch=label == "phone")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    searches: list[str] = []
    page.on("request", lambda r: searches.append(r.url) if "/pick/" in r.url else None)
    log_in(page, live_server, inspector.user.username, PASSWORD)
    page.goto(f"{live_server.url}/inspections/plans/{plan.pk}/check/{sample.pk}/")
    form = page.locator(f"form.check-item[data-item='{ic.items['ZD-1'].pk}']")
    select = form.locator("select[name=category]")
    # a search picker holding only the linked category (the city's 100+ categories are
    # carried once by the page, not listed in every item)
    assert select.locator("option").count() <= 2
    assert select.input_value() == "SJ0102"
    expect(form.locator(".ts-control .item")).to_have_text("暴露垃圾")

    # 1. as suggested
    form.locator("label", has_text="不达标").click()
    form.locator("button[type=submit]").click()
    form.locator(".item-state", has_text="已生成问题案件").wait_for()
    result = CheckResult.objects.get(sample=sample, check_item=ic.items["ZD-1"])
    assert Case.objects.get(pk=result.case_id).category == litter
    assert select.input_value() == "SJ0102"  # the reset form keeps the suggestion
    expect(form.locator(".ts-control .item")).to_have_text("暴露垃圾")

    # 2. on site without a network: another category, found by typing
    context.set_offline(True)
    expect(page.locator("#net-state")).to_contain_text("离线")
    form.locator("label", has_text="不达标").click()
    form.locator(".ts-control").click()
    form.locator(".ts-control input").fill("占道")
    # the four 占道… categories: not the other 100+
    expect(form.locator(".ts-dropdown .option")).to_have_count(4)
    expect(form.locator(".ts-dropdown .option", has_text="占道")).to_have_count(4)
    option = form.locator(".ts-dropdown .option", has_text="占道经营")
    page.screenshot(path=f"{SHOTS}/check-category-{label}.png", full_page=False)
    option.click()
    assert select.input_value() == stalls.code
    form.locator("button[type=submit]").click()
    # kept on the phone until the network is back
    expect(form.locator(".item-state")).to_have_text("已保存，等待发送…")
    expect(page.locator("#queue-count")).to_have_text("1")
    assert CheckResult.objects.filter(sample=sample, check_item=ic.items["ZD-1"]).count() == 1
    assert select.input_value() == "SJ0102"  # back to the suggestion for the next answer
    context.set_offline(False)  # the page sends its queue when the browser is online again
    expect(form.locator(".item-count")).to_have_text("已记录 2 次")
    expect(page.locator("#queue-count")).to_have_text("0")
    last = CheckResult.objects.filter(sample=sample, check_item=ic.items["ZD-1"]).latest("id")
    assert Case.objects.get(pk=last.case_id).category == stalls
    assert searches == []  # the picker searched on the phone, never the server
    if label == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert not errors, errors
    context.close()
