import pytest

from chuangwen.cases.models import Case, CasePhoto, Report
from tests.browser.conftest import failed_requests
from tests.cases.conftest import IN_A, jpeg
from tests.factories import SmallCity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_citizen_reports_from_a_phone_and_follows_the_case(live_server, browser):
    city = SmallCity()
    context = browser.new_context(
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        geolocation={"longitude": IN_A[0], "latitude": IN_A[1], "accuracy": 12},
        permissions=["geolocation"],
    )
    page = context.new_page()
    failed = failed_requests(page)
    try:
        page.goto(f"{live_server.url}/cases/report/{city.city.code}/")
        assert page.locator("nav.navbar").count() == 0  # no account, no staff menu
        page.click("text=获取当前位置")
        page.locator(".cw-geo-status", has_text="已定位").wait_for()
        page.set_input_files(
            "input[name=photos]",
            files=[{"name": "p.jpg", "mimeType": "image/jpeg", "buffer": jpeg(*IN_A)}],
        )
        page.fill("[name=description]", "小区门口垃圾堆放三天无人清理")
        page.fill("[name=phone]", "13812345678")
        page.click("button:has-text('提交')")
        page.wait_for_url("**/cases/track/*/?new=1")

        report = Report.objects.get()
        assert report.tracking_code in page.url
        case = Case.objects.get(pk=report.case_id)
        assert case.grid_id == city.grid_a.pk  # located by the phone's GPS
        assert CasePhoto.objects.filter(case=case).count() == 1
        body = page.inner_text("[data-testid=track]")
        assert "138****5678" in body and "13812345678" not in page.content()
        # the citizen's own photo is shown back (EXIF stripped by the server)
        img = page.locator("img").first
        img.wait_for()
        assert page.evaluate("(el) => el.complete && el.naturalWidth > 0", img.element_handle())
        assert failed == []
    finally:
        context.close()
