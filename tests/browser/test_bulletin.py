"""The office drafts a bulletin (a visible background job), rewrites a section and issues it
with the next 文号; a unit liaison signs for it on a phone; units' submission pages at
390x844."""

import pytest

from chuangwen.assessment.models import Bulletin, BulletinReceipt, Submission
from tests.assessment.account_helpers import World
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, SmallCity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_office_drafts_edits_and_issues_a_bulletin(live_server, page, browser):
    w = World(SmallCity()).with_system()
    w.failed_checks()
    w.closed()
    template = w.template()
    today = w.today
    log_in(page, live_server, w.office.user.username, PASSWORD)
    page.on("dialog", lambda dialog: dialog.accept())

    page.goto(f"{live_server.url}/assessment/bulletins/")
    page.get_by_text("起草通报").first.click()
    page.select_option("select[name=kind]", "monthly")
    page.fill("input[name=start]", today.replace(day=1).isoformat())
    page.fill("input[name=end]", today.isoformat())
    page.get_by_role("button", name="从数据起草").click()
    status = page.get_by_test_id("job-status")
    status.get_by_text("查看结果").click()  # the job ran; its result links to the draft
    bulletin = Bulletin.objects.get(city=w.city)
    page.wait_for_url(f"**/assessment/bulletins/{bulletin.pk}/")
    assert page.get_by_test_id("bulletin-status").inner_text() == "草稿"

    cases = page.get_by_test_id("section-cases")
    cases.get_by_role("link", name="编辑").click()
    page.fill("textarea[name=text]", "本月各区案件办理总体平稳，按期结案率稳步提升。")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"**/assessment/bulletins/{bulletin.pk}/**")
    section = page.get_by_test_id("section-cases")
    assert "总体平稳" in section.get_by_test_id("section-text").inner_text()
    assert section.get_by_text("已改写").is_visible()

    page.get_by_test_id("issue-form").get_by_role("button", name="印发").click()
    number = page.get_by_test_id("bulletin-number")
    number.wait_for()
    assert number.inner_text() == f"创文办通〔{today.year}〕1号"
    assert page.get_by_test_id("bulletin-status").inner_text() == "已印发"
    assert page.get_by_test_id("section-cases").get_by_role("link", name="编辑").count() == 0

    page.goto("about:blank")
    # 甲区's liaison signs for it on a phone
    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    mobile = phone.new_page()
    try:
        log_in(mobile, live_server, w.liaison_a.user.username, PASSWORD)
        mobile.goto(f"{live_server.url}/assessment/bulletins/{bulletin.pk}/")
        mobile.get_by_test_id("sign").click()
        mobile.get_by_test_id("sign").wait_for(state="detached")
        receipt = BulletinReceipt.objects.get(bulletin=bulletin, unit=w.district_a)
        assert receipt.signed_at is not None
        # the units' submission pages fit a phone: no sideways scrolling
        for path in (
            "/assessment/submissions/",
            "/assessment/submissions/info/",
            f"/assessment/submissions/report/{template.pk}/",
            "/assessment/my/",
        ):
            response = mobile.goto(f"{live_server.url}{path}")
            assert response is not None and response.ok, path
            width = mobile.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, (path, width)
        # a work report sent from the phone
        mobile.goto(f"{live_server.url}/assessment/submissions/report/{template.pk}/")
        areas = mobile.locator("textarea")
        areas.nth(0).fill("本月完成背街小巷整治 12 条。")
        areas.nth(1).fill("个别小区物业配合不够。")
        mobile.locator("form button[type=submit], form button:not([type])").last.click()
        mobile.wait_for_url("**/assessment/submissions/**")
        assert Submission.objects.filter(template=template, unit=w.district_a).exists()
    finally:
        phone.close()
