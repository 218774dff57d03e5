"""A citizen on a phone (390×844): reports (随手拍) → saves the code → finds it under "my
reports" → votes on the 10 things → opens a campaign's progress page. Screenshots go to
$CW_SHOTS (default: the pytest tmp dir) for a person to look at."""

import os
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from chuangwen.cases.models import Report
from chuangwen.citizens import services
from chuangwen.citizens.choices import CampaignKind, Sector
from chuangwen.citizens.models import Vote
from chuangwen.org.actors import SYSTEM
from tests.browser.conftest import failed_requests
from tests.cases.conftest import IN_A, jpeg
from tests.factories import SmallCity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _setup(city):
    from django.utils import timezone

    r = services.create_round(
        city.city,
        kind="top10",
        title="2026年群众最不满意的10件事",
        closes_at=timezone.now() + timedelta(days=7),
        select_count=2,
        max_choices=3,
        acting_user=SYSTEM,
    )
    for t in ("占道经营", "背街小巷垃圾清运不及时", "路灯不亮", "停车难"):
        services.add_candidate(r, title=t, source_note=f"热点问题「{t}」", acting_user=SYSTEM)
    r = services.open_round(r, acting_user=SYSTEM)
    c = services.create_campaign(
        city.city,
        kind=CampaignKind.SECTOR,
        sector=Sector.FOOD,
        title="食品安全专项整治",
        lead_unit=city.dept,
        target_text="农贸市场抽检合格率达到 98%",
        target_value="98",
        target_unit="%",
        starts_on=date.today(),
        ends_on=date.today() + timedelta(days=90),
        acting_user=SYSTEM,
    )
    m = services.add_milestone(
        c, title="摸底排查", deadline=date.today() + timedelta(days=30), acting_user=SYSTEM
    )
    services.start_campaign(c, acting_user=SYSTEM)
    services.submit_report(
        c,
        text="已检查农贸市场 12 个",
        milestone=m,
        progress=60,
        photos=[jpeg(*IN_A)],
        acting_user=SYSTEM,
    )
    return r, c


def test_a_citizen_reports_saves_the_code_votes_and_follows_a_campaign(
    live_server, browser, tmp_path
):
    shots = Path(os.environ.get("CW_SHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    city = SmallCity()
    round_, campaign = _setup(city)
    code = city.city.code
    context = browser.new_context(
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        geolocation={"longitude": IN_A[0], "latitude": IN_A[1], "accuracy": 12},
        permissions=["geolocation"],
    )
    page = context.new_page()
    failed, errors = failed_requests(page), []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(f"{live_server.url}/citizens/p/{code}/")
        page.screenshot(path=str(shots / "1-portal.png"), full_page=True)
        assert page.locator("nav.navbar").count() == 0
        # 随手拍
        page.click(".cw-p-tile:has-text('随手拍')")
        page.wait_for_load_state()  # the page's scripts (map, locate button) have run
        page.click("text=获取当前位置")
        page.locator(".cw-geo-status", has_text="已定位").wait_for()
        page.fill("[name=description]", "路灯不亮，晚上走路很危险")
        page.fill("[name=phone]", "13812345678")
        page.click("button:has-text('提交')")
        page.wait_for_url("**/cases/track/*/?new=1")
        report = Report.objects.get()
        box = page.locator("[data-testid=save-code]")
        assert "请保存您的查询码" in box.inner_text() and report.tracking_code in box.inner_text()
        page.locator("[data-cw-saved]").wait_for()  # remembered on this device
        page.click("[data-cw-copy]")
        page.locator("[data-cw-copy]", has_text=re.compile("已复制|已选中")).wait_for()
        page.screenshot(path=str(shots / "2-save-code.png"), full_page=True)
        # my reports: the code this phone remembers, with its state
        page.click("a:has-text('我的上报')")
        page.wait_for_url(f"**/citizens/p/{code}/my/")
        row = page.locator("#cw-my li", has_text=report.tracking_code)
        row.wait_for()
        page.locator("#cw-my li .text-muted", has_text="·").wait_for()
        page.screenshot(path=str(shots / "3-my-reports.png"), full_page=True)
        # vote
        page.goto(f"{live_server.url}/citizens/p/{code}/votes/{round_.pk}/")
        page.check("label:has-text('路灯不亮') input")
        page.check("label:has-text('停车难') input")
        page.fill("[name=phone]", "13812345678")
        page.screenshot(path=str(shots / "4-ballot.png"), full_page=True)
        page.click("button:has-text('投票')")
        page.locator(".alert", has_text="投票成功").wait_for()
        assert Vote.objects.filter(round=round_).count() == 1
        # this phone has voted: the page says so instead of showing the ballot again
        assert "您已在本轮投票" in page.locator("[data-testid=voted]").inner_text()
        assert page.locator("[data-testid=ballot]").count() == 0
        page.screenshot(path=str(shots / "5-voted.png"), full_page=True)
        assert Vote.objects.filter(round=round_).count() == 1
        # a campaign's public progress page
        page.click(".cw-p-tabs a:has-text('整治')")
        page.click(f"text={campaign.title}")
        page.locator("[data-testid=progress]").wait_for()
        assert "60%" in page.locator("[data-testid=progress]").inner_text()
        assert "已检查农贸市场 12 个" in page.locator("[data-testid=history]").inner_text()
        img = page.locator("[data-testid=history] img").first
        img.wait_for()
        assert page.evaluate("(el) => el.complete && el.naturalWidth > 0", img.element_handle())
        page.screenshot(path=str(shots / "6-campaign.png"), full_page=True)
        # nothing wider than the phone
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert failed == [] and errors == []
    finally:
        context.close()
