import pytest

from chuangwen.cases import services as case_services
from chuangwen.cases.models import Category
from chuangwen.org.actors import SYSTEM
from chuangwen.org.choices import UnitKind
from tests import factories
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, SmallCity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_category_department_picker_is_filled_in_the_browser(live_server, page):
    city = SmallCity()
    case_services.load_categories(city.city, acting_user=SYSTEM)
    parks = factories.unit(city.city, UnitKind.DEPARTMENT, parent=city.hq, name="园林局")
    lamp = Category.objects.get(city=city.city, code="BJ0112")
    case_services.update_category(lamp, department=city.dept, acting_user=city.office.user)

    log_in(page, live_server, city.office.user.username, PASSWORD)
    page.goto(f"{live_server.url}/cases/categories/")
    row = page.locator("tr", has=page.locator("code", has_text="BJ0112"))
    select = row.locator("select[name=department]")
    assert select.input_value() == str(city.dept.pk)  # its own department stays chosen
    # a search picker (no list of every unit): type part of the name, pick the department
    control = row.locator(".ts-control input")
    control.focus()
    control.fill("园林")
    page.locator(".ts-dropdown .option", has_text="园林局").first.click()
    assert select.input_value() == str(parks.pk)
    row.locator("button", has_text="保存").click()
    page.locator(".alert", has_text="已保存").wait_for()
    lamp.refresh_from_db()
    assert lamp.department_id == parks.pk
