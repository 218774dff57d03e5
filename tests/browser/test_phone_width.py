"""Pages open on a 390×844 phone are no wider than the phone: for a district liaison the
quantified metrics (long formulas) and a 督查通知书 (15-digit case numbers, site codes,
deadlines); for an inspector a plan's samples, each site on one line with its 检查 button big
enough for a thumb; for the office a page head with forms beside the title (责任书), a
scrolling table with pickers in it (案件类别), and the rule and pledge tables, whose names keep
their room (their other columns fold under the name)."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from chuangwen.cases.services import load_categories
from chuangwen.citizens import services as citizens
from chuangwen.citizens.choices import BudgetSource, CampaignKind, Sector
from chuangwen.indicators.models import Indicator
from chuangwen.inspections import services
from chuangwen.inspections.choices import PlanKind
from chuangwen.org.actors import SYSTEM
from chuangwen.org.choices import Role
from chuangwen.org.models import Unit
from chuangwen.sites.services import SiteSpec, create_sites
from chuangwen.tasks.booklets import generate_pledges
from chuangwen.tasks.decomposition import create_rule
from chuangwen.tasks.metrics import create_metric, recompute_metrics
from tests import factories
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, SmallCity
from tests.inspections.helpers import IN_A, InspectionCity, point

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_pages_used_on_a_phone_are_no_wider_than_the_phone(live_server, browser):
    ic = InspectionCity(SmallCity())
    office = ic.office.user
    # roads named and coded as a real city's are (凤凰大道（12段）, ZCGD012)
    roads = create_sites(
        ic.city,
        [
            SiteSpec(f"ZCGD{n:03}", f"凤凰大道（{n}段）", ic.zd, point(*IN_A), owner=ic.street_a)
            for n in range(10, 14)
        ],
        acting_user=SYSTEM,
    )
    create_metric(
        ic.city,
        indicator=Indicator.objects.get(system=ic.system, code="2.1.1"),
        name="无未结问题的农贸市场占比",
        formula_text='sites.without_open_cases("农贸市场") / sites.count("农贸市场") * 100',
        unit_label="%",
        target=Decimal(95),
        acting_user=office,
    )
    recompute_metrics(ic.city)
    plan = services.create_plan(
        ic.city, kind=PlanKind.COVERT, title="暗访", seed=1, sample_sizes={"ZD": 6},
        acting_user=office,
    )  # fmt: skip
    services.sample_plan(plan, acting_user=office)
    for road in roads[:2]:
        services.submit_check(
            plan,
            services.CheckData(
                uuid=uuid.uuid4(),
                sample_id=plan.samples.get(site=road).pk,
                check_item_id=ic.items["ZD-1"].pk,
                passed=False,
                note="路面有垃圾",
            ),
            acting_user=SYSTEM,
        )
    deadline = timezone.localdate() + timedelta(days=7)
    (notice,) = services.issue_notices_for_plan(plan, deadline=deadline, acting_user=office)
    inspector = factories.person(ic.city, ic.hq, Role.INSPECTOR, name="督查员")
    load_categories(ic.city, acting_user=SYSTEM)

    context = browser.new_context(locale="zh-CN", viewport=PHONE, has_touch=True)
    page = context.new_page()
    log_in(page, live_server, ic.liaison_a.user.username, PASSWORD)  # 甲区
    page.goto(f"{live_server.url}/tasks/metrics/")
    page.get_by_text("无未结问题的农贸市场占比").wait_for()
    assert scroll_width(page) <= PHONE["width"], page.url
    page.goto(f"{live_server.url}/inspections/notices/{notice.pk}/")
    page.get_by_text(notice.cases.first().number).wait_for()
    assert scroll_width(page) <= PHONE["width"], page.url

    context.clear_cookies()
    log_in(page, live_server, inspector.user.username, PASSWORD)
    page.goto(f"{live_server.url}/inspections/plans/{plan.pk}/")
    assert scroll_width(page) <= PHONE["width"], page.url
    for road in roads:
        site = page.get_by_role("link", name=road.name)
        row = page.locator("tbody tr", has=site)
        # the site's name on one line, not a character or two a line
        assert site.evaluate("a => a.getClientRects().length") == 1
        button = row.get_by_role("link", name="检查").bounding_box()
        assert button["width"] >= 44 and button["height"] >= 40, button

    context.clear_cookies()
    log_in(page, live_server, office.username, PASSWORD)
    for path in ("/tasks/pledges/", "/cases/categories/"):
        page.goto(f"{live_server.url}{path}")
        assert scroll_width(page) <= PHONE["width"], path
    # a decomposition rule and a pledge: their names get the room, not one character a line
    dept = ic.sc.dept
    create_rule(
        ic.city,
        name="主次干道相关标准由市城市管理和综合执法局牵头",
        site_type=ic.zd,
        code_prefix="2.1",
        method="field",
        lead_unit=dept,
        supporting_units=[ic.sc.district_a],
        deadline=deadline,
        acting_user=office,
    )
    Unit.objects.filter(pk=dept.pk).update(name="市城市管理和综合执法局")
    generate_pledges(ic.city, deadline.year, units=[dept], acting_user=office)
    for path, name in (
        ("/tasks/rules/", "主次干道相关标准由市城市管理和综合执法局牵头"),
        ("/tasks/pledges/", "市城市管理和综合执法局"),
    ):
        page.goto(f"{live_server.url}{path}")
        cell = page.locator("tbody td", has_text=name).first
        assert cell.bounding_box()["width"] >= 110, path
        assert "field" not in cell.inner_text(), path  # the method by its name, 实地考察
        assert scroll_width(page) <= PHONE["width"], path
    context.close()


def test_a_campaign_on_a_phone_folds_its_tables_and_shows_the_budget_as_cards(live_server, browser):
    """The lead unit's liaison opens a campaign on a phone: each milestone's deadline and
    weight fold under its title (which keeps its room), the status form stays on one line,
    no table heading breaks into characters, and each budget source is a card of its figures
    (the seven-column table is for wider screens)."""
    sc = SmallCity()
    today = timezone.localdate()
    campaign = citizens.create_campaign(
        sc.city,
        kind=CampaignKind.SECTOR,
        sector=Sector.FOOD,
        title="农贸市场食品安全专项整治",
        lead_unit=sc.dept,
        target_text="农贸市场测评合格率达到 95%",
        target_value="95",
        target_unit="%",
        starts_on=today,
        ends_on=today + timedelta(days=90),
        acting_user=sc.office.user,
    )
    citizens.add_milestone(
        campaign,
        title="摸底排查、建立台账",
        deadline=today + timedelta(days=20),
        acting_user=sc.office.user,
    )
    citizens.start_campaign(campaign, acting_user=sc.office.user)
    citizens.set_budget(
        campaign, source=BudgetSource.CITY, allocated="3160000", acting_user=sc.office.user
    )

    context = browser.new_context(locale="zh-CN", viewport=PHONE, has_touch=True)
    page = context.new_page()
    log_in(page, live_server, sc.dept_liaison.user.username, PASSWORD)
    page.goto(f"{live_server.url}/citizens/campaigns/{campaign.pk}/")
    assert scroll_width(page) <= PHONE["width"]
    title = page.get_by_test_id("milestones").locator("td", has_text="摸底排查、建立台账")
    assert title.bounding_box()["width"] >= 150
    assert "时限" in title.inner_text()
    update = page.get_by_role("button", name="更新", exact=True)
    assert update.evaluate("b => b.getClientRects().length") == 1
    assert update.bounding_box()["height"] < 40  # one line of text
    wrapped = page.evaluate(
        """() => [...document.querySelectorAll('thead th')].filter(th => th.offsetParent
            && th.innerText.trim()).filter(th => {
                const r = document.createRange(); r.selectNodeContents(th);
                return r.getClientRects().length > 1;
            }).map(th => th.innerText)"""
    )
    assert wrapped == []
    cards = page.get_by_test_id("budget-cards")
    assert cards.is_visible() and "3,160,000.00" in cards.inner_text()
    assert not page.get_by_test_id("budget").is_visible()
    context.close()


def test_a_list_with_a_column_chooser_keeps_its_phone_columns_folded(live_server, browser):
    """问政承诺跟踪 on a phone: the unit, official and deadline columns are for wider screens and
    show under the commitment; the column chooser's script must not bring them back (it hides
    a column by a class of its own)."""
    sc = SmallCity()
    today = timezone.localdate()
    episode = citizens.create_episode(
        sc.city, aired_on=today, programme="阳光问廉", topic="背街小巷", acting_user=sc.office.user
    )
    citizens.make_commitment(
        episode,
        unit=sc.dept,
        official="城管局副局长",
        content="一个月内清理主次干道小广告",
        due_on=today + timedelta(days=30),
        acting_user=sc.office.user,
    )
    context = browser.new_context(locale="zh-CN", viewport=PHONE, has_touch=True)
    page = context.new_page()
    log_in(page, live_server, sc.office.user.username, PASSWORD)
    page.goto(f"{live_server.url}/citizens/commitments/")
    link = page.get_by_role("link", name="一个月内清理主次干道小广告")
    link.wait_for()
    assert not page.locator("th", has_text="表态人").is_visible()
    assert "城管局副局长" in page.locator("td", has=link).inner_text()  # folded under it
    assert scroll_width(page) <= PHONE["width"]
    context.close()
