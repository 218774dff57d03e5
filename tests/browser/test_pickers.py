"""The search picker in a browser, on a desktop and on a 390×844 phone: the office types part
of a unit's name, picks it from the answers of the scoped endpoint and saves a form; the list
then sorts by a column and changes its page size through the shared table component."""

import pytest
from playwright.sync_api import expect

from chuangwen.volunteers.models import Team
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, SmallCity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = "/tmp/cw-shots"


@pytest.mark.parametrize(
    ("label", "viewport"),
    [("desktop", {"width": 1280, "height": 800}), ("phone", {"width": 390, "height": 844})],
)
def test_pick_a_unit_by_search_and_sort_the_list(live_server, browser, label, viewport):
    city = SmallCity()
    context = browser.new_context(locale="zh-CN", viewport=viewport)
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and "favicon" not in r.url
            else None
        ),
    )
    log_in(page, live_server, city.office.user.username, PASSWORD)
    page.goto(f"{live_server.url}/volunteers/teams/")

    page.fill("#id_name", f"青年志愿服务队{label}")
    # the picker holds no list of units: it searches as one types
    assert page.locator("select#id_unit option").count() <= 1
    page.locator("#id_unit-ts-control").click()
    page.locator("#id_unit-ts-control").fill("乙社")
    # the answer to the search replaces the first page the picker loaded on focus
    expect(page.locator(".ts-dropdown .option")).to_have_count(1)
    option = page.locator(".ts-dropdown .option", has_text="乙社区")
    option.wait_for()
    page.screenshot(path=f"{SHOTS}/picker-{label}-open.png", full_page=False)
    option.click()
    assert page.locator("select#id_unit").input_value() == str(city.community_b.pk)
    page.locator("button", has_text="建立").click()
    page.locator(".alert", has_text="已建立服务队").wait_for()
    team = Team.objects.get(name=f"青年志愿服务队{label}")
    assert team.unit == city.community_b
    if label == "phone":  # (the desktop top bar is the workbench's; the phone's collapses)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    # the shared table: sort by a column, then choose a page size (both plain GET links)
    page.locator("thead[data-cw-table] th[data-col=name] a").click()
    page.wait_for_url("**sort=name**")
    page.select_option("select.cw-size", index=0)
    page.wait_for_url("**size=20**")
    assert "sort=name" in page.url
    page.locator("td", has_text=f"青年志愿服务队{label}").wait_for()
    page.screenshot(path=f"{SHOTS}/table-{label}.png", full_page=True)
    assert not errors, errors
    context.close()
