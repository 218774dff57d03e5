import pytest

from chuangwen.volunteers import services
from chuangwen.volunteers.choices import CheckAction
from chuangwen.volunteers.models import Attendance
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, SmallCity
from tests.volunteers.helpers import PLACE, VolunteerCity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser):
    """A 390 × 844 phone that lets the page read its position: at the activity's place."""
    context = browser.new_context(
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        geolocation={"longitude": PLACE[0], "latitude": PLACE[1], "accuracy": 15},
        permissions=["geolocation"],
    )
    page = context.new_page()
    yield page
    context.close()


def test_volunteer_checks_in_and_out_by_the_signed_qr_link_on_a_phone(live_server, phone):
    vc = VolunteerCity(SmallCity())
    log_in(phone, live_server, vc.user.username, PASSWORD)
    link = services.checkin_token(vc.activity, CheckAction.IN)
    phone.goto(f"{live_server.url}/volunteers/scan/{vc.activity.pk}/{link}/")
    phone.locator(".cw-geo-status", has_text="已定位").wait_for()
    phone.get_by_test_id("scan-submit").click()
    phone.get_by_test_id("scan-done").wait_for()
    assert "签到成功" in phone.get_by_test_id("scan-done").inner_text()
    attendance = Attendance.objects.get(activity=vc.activity, volunteer=vc.volunteer)
    assert attendance.in_distance_m is not None and attendance.in_distance_m < 5
    # the page fits the phone: no horizontal scrolling
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    # scanning the check-in code again is refused with the reason
    phone.goto(f"{live_server.url}/volunteers/scan/{vc.activity.pk}/{link}/")
    phone.locator(".cw-geo-status", has_text="已定位").wait_for()
    phone.get_by_test_id("scan-submit").click()
    assert "请勿重复签到" in phone.get_by_test_id("scan-error").inner_text()
    # then the check-out code
    out = services.checkin_token(vc.activity, CheckAction.OUT)
    phone.goto(f"{live_server.url}/volunteers/scan/{vc.activity.pk}/{out}/")
    phone.locator(".cw-geo-status", has_text="已定位").wait_for()
    phone.get_by_test_id("scan-submit").click()
    assert "签退成功" in phone.get_by_test_id("scan-done").inner_text()
    attendance.refresh_from_db()
    assert attendance.checked_out_at is not None and attendance.minutes is not None
    # my page on the phone lists the activity with its state
    phone.goto(f"{live_server.url}/volunteers/me/")
    assert "已签退" in phone.get_by_test_id("my-activities").inner_text()
