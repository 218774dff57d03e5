"""The metric editor on a phone: the indicator found by search, the formula checked and tried
while typing (htmx), saved into the list."""

from pathlib import Path

import pytest

from chuangwen.indicators.models import Indicator, Metric
from chuangwen.indicators.services import load_evaluation_system
from chuangwen.org.actors import SYSTEM
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, SmallCity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("var/screenshots")


def test_office_defines_a_metric_on_a_phone(live_server, browser):
    city = SmallCity()
    system = load_evaluation_system(city.city, activate=True, acting_user=SYSTEM)
    std = Indicator.objects.get(system=system, code="4.2.1")
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    log_in(page, live_server, city.office.user.username, PASSWORD)
    page.goto(f"{live_server.url}/tasks/metrics/")
    page.get_by_role("link", name="新建量化指标").click()
    page.wait_for_url("**/tasks/metrics/new/")

    page.get_by_placeholder("输入指标编号（如 6.1）或名称搜索").fill("4.2.1")
    page.locator(f"#pick-indicator-{std.pk}").check()
    page.fill("#id_name", "农贸市场数")
    formula = page.locator("#id_formula")
    formula.fill("sites.cuont()")
    page.locator("[data-testid=formula-invalid]").wait_for()
    assert "sites.cuont" in page.locator("#formula-check").inner_text()
    formula.fill('sites.count("农贸市场") + 7')
    page.locator("[data-testid=formula-valid]").wait_for()
    assert "7" in page.locator("#formula-check strong").inner_text()
    page.fill("#id_target", "10")
    page.fill("#id_unit_label", "个")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "metric_editor_phone.png"), full_page=True)
    # nothing wider than the phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/tasks/metrics/")
    assert page.locator("td", has_text="农贸市场数").count() == 1
    page.wait_for_load_state("networkidle")  # no request still running when the test ends
    metric = Metric.objects.get(name="农贸市场数")
    assert metric.indicator_id == std.pk and metric.formula == 'sites.count("农贸市场") + 7'
    assert not errors, errors
    context.close()
