import pytest

from chuangwen.cases.models import Report
from chuangwen.citizens.voice import services
from chuangwen.citizens.voice.models import Suggestion
from chuangwen.org.actors import PUBLIC
from tests.citizens.conftest import VoiceCity
from tests.factories import SmallCity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _phone(browser):
    return browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )


def test_report_page_suggests_a_category_as_the_citizen_types(live_server, browser):
    vc = VoiceCity(SmallCity())
    vc.closed_cases()
    services.train_category_model(vc.city, acting_user=vc.office.user)
    context = _phone(browser)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(f"{live_server.url}/cases/report/{vc.city.code}/")
        page.fill("[name=description]", "人民路上的路灯坏了晚上不亮")
        box = page.locator("[data-testid=category-suggest]")
        box.locator("button").first.wait_for()
        first = box.locator("button").first
        assert "城管局" in first.inner_text() and "%" in first.inner_text()
        first.click()
        assert page.input_value("[name=category]") == "BJ0112"
        page.fill("[name=address]", "人民路")
        page.fill("[name=phone]", "13812345678")
        page.click("button:has-text('提交')")
        page.wait_for_url("**/cases/track/*/?new=1")
        assert Report.objects.get(source="citizen").case.category.code == "BJ0112"
        assert errors == []
    finally:
        context.close()


def test_citizen_suggests_and_likes_from_a_phone(live_server, browser):
    city = SmallCity()
    other = services.submit_suggestion(
        city.city, text="建议增设公共自行车站点", contact_phone="13900000001", acting_user=PUBLIC
    )
    context = _phone(browser)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/citizens/s/{city.city.code}/")
        assert page.locator("nav.navbar").count() == 0
        assert "13900000001" not in page.content() and "****" not in page.content()
        page.fill("[name=phone]", "13812345678")
        page.fill("[name=text]", "建议在人民路口增加人行横道信号灯")
        page.click("button:has-text('提交建议')")
        page.locator(".alert", has_text="感谢").wait_for()
        assert Suggestion.objects.count() == 2
        like = page.locator(f"[data-url$='/{other.pk}/like/']")
        like.click()
        page.locator(".cw-like-count", has_text="1").first.wait_for()
        # a second tap from the same device does not count
        page.reload()
        page.locator(f"[data-url$='/{other.pk}/like/']").click()
        page.locator(".cw-like-note", has_text="已赞同").first.wait_for()
        other.refresh_from_db()
        assert other.like_count == 1
    finally:
        context.close()
