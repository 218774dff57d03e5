"""结对共建 on a phone: the office picks both parties with the search picker, a liaison records
a 六联 activity with a photo."""

import io

import pytest
from PIL import Image

from chuangwen.org.choices import UnitKind
from chuangwen.org.models import Pair
from chuangwen.volunteers.pairs.models import PairActivity
from tests import factories
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, SmallCity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pair_picked_by_search_and_activity_recorded_on_a_phone(live_server, browser, tmp_path):
    city = SmallCity()
    village = factories.unit(city.city, UnitKind.VILLAGE, parent=city.street_b, name="桃源村")
    photo = tmp_path / "a.jpg"
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (20, 160, 60)).save(buf, "JPEG")
    photo.write_bytes(buf.getvalue())

    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, live_server, city.office.user.username, PASSWORD)
    page.goto(f"{live_server.url}/volunteers/pairs/new/")
    page.fill("#search-unit", "城管")
    page.locator("label", has_text="城管局").click()
    page.fill("#search-community", "桃源")
    page.locator("label", has_text="桃源村").click()
    page.locator("label", has_text="致富联带").click()
    page.locator("button", has_text="保存").click()
    page.locator(".alert", has_text="已建立结对").wait_for()
    pair = Pair.objects.get(community=village)
    assert pair.unit == city.dept and pair.mechanisms == ["prosperity"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.select_option("#id_kind", "hardship")
    page.fill("#id_title", "走访慰问困难群众")
    page.fill("#id_participants", "15")
    page.set_input_files("#photos", str(photo))
    page.locator("button", has_text="保存活动").click()
    page.locator(".alert", has_text="已记录六联活动").wait_for()
    activity = PairActivity.objects.get(pair=pair)
    assert activity.kind == "hardship" and activity.photos.count() == 1
    page.locator("img.img-thumbnail").wait_for()
    context.close()
