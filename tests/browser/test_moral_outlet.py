"""A holder shows their points code on a phone; the outlet's clerk redeems points with it."""

import pytest

from chuangwen.volunteers.models import MoralTransaction
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, SmallCity
from tests.volunteers.moral.helpers import MoralCity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def two_phones(browser):
    holder = browser.new_context(locale="zh-CN", **PHONE)
    clerk = browser.new_context(locale="zh-CN", **PHONE)
    yield holder.new_page(), clerk.new_page()
    holder.close()
    clerk.close()


def test_clerk_redeems_points_with_the_holders_code_and_a_second_try_beyond_the_balance_fails(
    live_server, two_phones
):
    holder_page, clerk_page = two_phones
    mc = MoralCity(SmallCity())
    mc.fund("50")  # 100 points
    log_in(holder_page, live_server, mc.holder.user.username, PASSWORD)
    holder_page.goto(f"{live_server.url}/volunteers/bank/me/")
    assert holder_page.get_by_test_id("my-balance").inner_text().startswith("100")
    code = holder_page.get_by_test_id("code-text").inner_text().strip()
    assert holder_page.evaluate("document.documentElement.scrollWidth") <= 390

    log_in(clerk_page, live_server, mc.clerk.user.username, PASSWORD)
    clerk_page.goto(f"{live_server.url}/volunteers/bank/outlet/")
    clerk_page.fill("#id_code", code)
    clerk_page.fill("#id_points", "30")
    clerk_page.fill("#id_note", "洗衣液一瓶")
    clerk_page.get_by_role("button", name="下一步").click()
    assert "100" in clerk_page.content() and clerk_page.get_by_test_id("holder").is_visible()
    # a shaky hand on a slow network: the same confirmation arrives three times
    clerk_page.evaluate(
        """async () => {
          const f = document.querySelector("input[name=step][value=confirm]").form;
          const send = () => fetch(f.action, {method: "POST", body: new FormData(f)});
          await Promise.all([send(), send()]);
        }"""
    )
    clerk_page.get_by_role("button", name="确认兑换").click()
    assert clerk_page.get_by_test_id("receipt-points").inner_text().strip() == "30"
    assert clerk_page.get_by_test_id("receipt-balance").inner_text().strip() == "70"
    assert clerk_page.evaluate("document.documentElement.scrollWidth") <= 390
    assert MoralTransaction.objects.filter(kind="redeem", amount=30).count() == 1

    # more than the balance: the confirm button is disabled and the reason shown
    clerk_page.goto(f"{live_server.url}/volunteers/bank/outlet/")
    clerk_page.fill("#id_code", code)
    clerk_page.fill("#id_points", "80")
    clerk_page.get_by_role("button", name="下一步").click()
    assert "积分余额不足" in clerk_page.content()
    assert clerk_page.get_by_role("button", name="确认兑换").is_disabled()

    # the holder sees the redemption in this month's entries
    holder_page.reload()
    assert holder_page.get_by_test_id("my-balance").inner_text().startswith("70")
    assert "洗衣液一瓶" in holder_page.content()
    holder_page.screenshot(path="/tmp/moral-holder.png")
    clerk_page.screenshot(path="/tmp/moral-clerk.png")
