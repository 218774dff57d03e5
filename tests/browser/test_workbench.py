"""Each role opens the platform on the demo city (desktop and a 390 × 844 phone) and lands on
its own to-dos; the office acts on one from the workbench and it leaves the list."""

import io

import pytest
from django.core.management import call_command

from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Demo@2026cw"
ROLES = {
    "office": ["待立案", "待派遣", "核查通过，待结案", "失分风险"],
    "leader": ["待决定的奖惩问责", "按期结案率最低的单位"],
    "district": ["待处置案件", "本周到期任务", "本单位考核排名"],
    "inspector": ["待检查点位"],
    "grid": ["已处置，待核查", "今日巡查"],
}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def _titles(page) -> str:
    return page.locator(".cw-item").all_inner_texts().__str__()


def test_each_role_lands_on_its_work_and_acting_removes_it(live_server, browser):
    call_command("build_demo_city", "--small", stdout=io.StringIO())
    for viewport in ({"viewport": {"width": 1366, "height": 900}}, PHONE):
        for username, titles in ROLES.items():
            context = browser.new_context(locale="zh-CN", **viewport)
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
            log_in(page, live_server, username, PASSWORD)
            text = _titles(page)
            for title in titles:
                assert title in text, (username, title)
            assert (
                page.evaluate("document.documentElement.scrollWidth")
                <= (viewport["viewport"]["width"])
            )
            if username == "leader":  # a leader sees no write buttons on cases
                page.goto(f"{live_server.url}/cases/")
                page.locator("table a").first.click()
                assert page.get_by_test_id("actions").locator("button").count() == 0
            assert errors == [], (username, errors)
            context.close()

    # the office registers the first waiting case from its workbench
    context = browser.new_context(locale="zh-CN", **PHONE)
    page = context.new_page()
    log_in(page, live_server, "office", PASSWORD)
    card = page.locator('[data-item="office.to_register"]')
    before = int(card.get_by_test_id("count").inner_text())
    href = card.get_by_test_id("act").first.get_attribute("href")
    card.get_by_test_id("act").first.click()
    page.get_by_test_id("actions").get_by_role("button", name="立案", exact=True).click()
    page.goto(f"{live_server.url}/")
    card = page.locator('[data-item="office.to_register"]')
    after = int(card.get_by_test_id("count").inner_text()) if card.count() else 0
    assert after == before - 1
    assert card.count() == 0 or card.locator(f'[href="{href}"]').count() == 0
    page.screenshot(path="/tmp/workbench-office-phone.png", full_page=True)
    context.close()
