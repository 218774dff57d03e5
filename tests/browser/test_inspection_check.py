import pytest

from chuangwen.cases import services as case_services
from chuangwen.cases.models import Case, Category
from chuangwen.inspections import services
from chuangwen.inspections.choices import PlanKind
from chuangwen.inspections.models import CheckResult
from chuangwen.org.actors import SYSTEM
from chuangwen.org.choices import Role
from tests import factories
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, SmallCity
from tests.inspections.helpers import InspectionCity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_check_page_files_a_failed_item_under_the_suggested_category(live_server, page):
    ic = InspectionCity(SmallCity())
    case_services.load_categories(ic.city, acting_user=SYSTEM)
    litter = Category.objects.get(city=ic.city, code="SJ0102")
    litter.indicators.add(ic.items["ZD-1"].standards.get())
    plan = services.create_plan(
        ic.city, kind=PlanKind.COVERT, title="暗访", seed=1, sample_sizes={"ZD": 1},
        acting_user=ic.office.user,
    )  # fmt: skip
    services.sample_plan(plan, acting_user=ic.office.user)
    sample = plan.samples.first()
    inspector = factories.person(ic.city, ic.hq, Role.INSPECTOR, name="督查员")

    log_in(page, live_server, inspector.user.username, PASSWORD)
    page.goto(f"{live_server.url}/inspections/plans/{plan.pk}/check/{sample.pk}/")
    form = page.locator(f"form.check-item[data-item='{ic.items['ZD-1'].pk}']")
    select = form.locator("select[name=category_id]")
    assert select.input_value() == str(litter.pk)  # filled in from the linked standard
    assert select.locator("option").count() > 100  # every category of the city
    form.locator("label", has_text="不达标").click()
    form.locator("button[type=submit]").click()
    form.locator(".item-state", has_text="已生成问题案件").wait_for()
    result = CheckResult.objects.get(sample=sample, check_item=ic.items["ZD-1"])
    assert Case.objects.get(pk=result.case_id).category == litter
    assert select.input_value() == str(litter.pk)  # the reset form keeps the suggestion
