"""Campaigns: measurable targets, who may act, progress rolled up from milestones and linked
cases, budgets that refuse overspending, acceptance with evidence and the citizens' re-vote."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from chuangwen.citizens import selectors, services
from chuangwen.citizens.choices import (
    CampaignKind,
    CampaignStatus,
    MilestoneStatus,
    ProgressMode,
    RoundStatus,
)
from chuangwen.citizens.models import BudgetLine, CampaignPhoto, Vote
from chuangwen.citizens.progress import progress_of, rollup
from chuangwen.core.errors import InvalidInput, InvalidTransition, PermissionDenied
from chuangwen.core.models import AuditEvent
from chuangwen.org.actors import SYSTEM

from .conftest import jpeg, make_case, voter

pytestmark = pytest.mark.django_db


def test_a_campaign_needs_a_measurable_target_and_units_of_the_city(cc):
    with pytest.raises(InvalidInput, match="目标值"):
        cc.campaign(target_value="")
    with pytest.raises(InvalidInput, match=r"金额|目标值"):
        cc.campaign(target_value="很多")
    with pytest.raises(InvalidInput, match="选择行业"):
        cc.campaign(sector="")
    with pytest.raises(InvalidInput, match="完成日期"):
        cc.campaign(ends_on=date.today() - timedelta(days=1))
    with pytest.raises(PermissionDenied):
        cc.campaign(acting_user=cc.liaison_a.user)
    campaign = cc.campaign(supporting_units=[cc.district_a, cc.dept, cc.district_a])
    assert list(campaign.supports.values_list("unit_id", flat=True)) == [cc.district_a.pk]
    assert campaign.target_value == Decimal("98.00") and campaign.lead_path == cc.dept.path


def test_only_selected_things_of_a_published_round_become_campaigns(cc):
    r = cc.round(n=10, unverified_alert=100)
    cs = list(r.candidates.order_by("sort"))
    with pytest.raises(InvalidInput, match="已公布入选"):
        cc.campaign(kind=CampaignKind.TOP10, candidate=cs[0])
    services.cast_vote(r, voter(), {cs[0].pk: None}, acting_user=SYSTEM)
    r = services.close_round(r, acting_user=SYSTEM)
    services.publish_round(r, acting_user=SYSTEM)
    cs[0].refresh_from_db()
    campaign = cc.campaign(kind=CampaignKind.TOP10, candidate=cs[0], title=cs[0].title)
    assert campaign.sector == "" and campaign.candidate_id == cs[0].pk
    with pytest.raises(InvalidInput, match="已设立"):
        cc.campaign(kind=CampaignKind.TOP10, candidate=cs[0])


def test_who_may_do_what(cc):
    campaign = cc.campaign()  # lead: 城管局 (dept); supporting: 甲区
    services.add_milestone(
        campaign, title="摸底", deadline=date.today(), acting_user=cc.dept_liaison.user
    )
    with pytest.raises(PermissionDenied, match="牵头单位"):
        services.add_milestone(
            campaign, title="x", deadline=date.today(), acting_user=cc.liaison_a.user
        )
    # a supporting unit reports, but the figures are the lead unit's
    report = services.submit_report(
        campaign, text="甲区已排查 12 家", acting_user=cc.liaison_a.user
    )
    assert report.unit_id == cc.district_a.pk
    m = campaign.milestones.get()
    with pytest.raises(PermissionDenied):
        services.submit_report(
            campaign, text="x", milestone=m, progress=50, acting_user=cc.liaison_a.user
        )
    with pytest.raises(PermissionDenied, match="配合单位"):
        services.submit_report(campaign, text="x", acting_user=cc.liaison_b.user)
    with pytest.raises(PermissionDenied):
        services.submit_report(campaign, text="x", acting_user=cc.leader.user)
    with pytest.raises(InvalidInput, match="必须有完成时限"):
        services.add_milestone(campaign, title="x", deadline=None, acting_user=SYSTEM)
    # scope: the lead and supporting units see it, the other district does not
    from chuangwen.org.scope import scope_for_user

    assert selectors.campaigns_for_user(scope_for_user(cc.liaison_a.user)).count() == 1
    assert selectors.campaigns_for_user(scope_for_user(cc.dept_liaison.user)).count() == 1
    assert selectors.campaigns_for_user(scope_for_user(cc.liaison_b.user)).count() == 0


def test_progress_rolls_up_from_milestones_and_linked_cases(cc):
    campaign = cc.campaign()
    assert progress_of(campaign).percent == 0  # nothing to count: the status's default
    today = date.today()
    a = services.add_milestone(campaign, title="摸底排查", deadline=today, acting_user=SYSTEM)
    b = services.add_milestone(
        campaign, title="集中整治", deadline=today, weight=3, acting_user=SYSTEM
    )
    c = services.add_milestone(campaign, title="长效管理", deadline=today, acting_user=SYSTEM)
    services.set_milestone_status(a, status=MilestoneStatus.DONE, acting_user=SYSTEM)
    services.set_milestone_status(c, status=MilestoneStatus.IN_PROGRESS, acting_user=SYSTEM)
    # b: two linked cases, one dispatched (20 %), one closed (100 %) → 60 %
    services.link_cases(
        campaign,
        [make_case(cc.city, "dispatched", cc.dept), make_case(cc.city, "closed", cc.dept)],
        milestone=b,
        acting_user=SYSTEM,
    )
    p = progress_of(campaign)
    assert [(x.label, x.percent) for x in p.parts] == [
        ("摸底排查", 100),
        ("集中整治", 60),
        ("长效管理", 50),
    ]
    assert p.percent == 70  # (100 + 60 + 50) / 3
    services.update_campaign(
        campaign,
        title=campaign.title,
        description="",
        lead_unit=cc.dept,
        supporting_units=[],
        target_text=campaign.target_text,
        target_value=campaign.target_value,
        target_unit="%",
        baseline_value=None,
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
        progress_mode=ProgressMode.WEIGHTED,
        acting_user=SYSTEM,
    )
    campaign.refresh_from_db()
    assert progress_of(campaign).percent == 66  # (100 + 3 × 60 + 50) / 5
    # a reported figure counts when the milestone has no linked items; dropped ones not at all
    services.submit_report(campaign, text="完成 80%", milestone=c, progress=80, acting_user=SYSTEM)
    services.set_milestone_status(a, status=MilestoneStatus.DROPPED, acting_user=SYSTEM)
    assert [(x.label, x.percent) for x in progress_of(campaign).parts] == [
        ("集中整治", 60),
        ("长效管理", 80),
    ]
    # loose links make one more part
    services.link_cases(campaign, [make_case(cc.city)], acting_user=SYSTEM)
    assert progress_of(campaign).parts[-1].label == "其他关联事项"


def test_rollup_answers_many_campaigns_in_three_queries(cc, django_assert_num_queries):
    campaigns = [cc.campaign(title=f"整治{i}") for i in range(5)]
    for c in campaigns:
        services.add_milestone(c, title="一", deadline=date.today(), acting_user=SYSTEM)
    with django_assert_num_queries(3):
        out = rollup(campaigns)
    assert len(out) == 5


def test_spending_beyond_the_budget_is_refused_unless_a_change_is_approved(cc):
    campaign = cc.campaign()
    services.set_budget(campaign, source="city", allocated="100000", acting_user=SYSTEM)
    lead = cc.dept_liaison.user
    services.record_budget_entry(
        campaign,
        source="city",
        kind="commit",
        amount="80000",
        on=date.today(),
        note="清运合同",
        acting_user=lead,
    )
    services.record_budget_entry(
        campaign,
        source="city",
        kind="spend",
        amount="60000",
        on=date.today(),
        note="首期款",
        acting_user=lead,
    )
    with pytest.raises(InvalidInput) as exc:
        services.record_budget_entry(
            campaign,
            source="city",
            kind="spend",
            amount="50000.5",
            on=date.today(),
            note="二期款",
            acting_user=lead,
        )
    assert exc.value.code == "over_budget"
    assert "超出预算" in str(exc.value.message) and "100,000.00" in str(exc.value.message)
    with pytest.raises(InvalidInput, match="没有「社会资金」的预算"):
        services.record_budget_entry(
            campaign,
            source="social",
            kind="spend",
            amount="1",
            on=date.today(),
            note="x",
            acting_user=lead,
        )
    with pytest.raises(InvalidInput, match="不能为负数"):
        services.record_budget_entry(
            campaign,
            source="city",
            kind="spend",
            amount="-5",
            on=date.today(),
            note="x",
            acting_user=lead,
        )
    change = services.request_budget_change(
        campaign, source="city", amount="20000", reason="追加二期清运", acting_user=lead
    )
    with pytest.raises(PermissionDenied):
        services.decide_budget_change(change, approve=True, acting_user=lead)
    refused = services.request_budget_change(
        campaign, source="city", amount="90000", reason="再追加", acting_user=cc.office.user
    )
    with pytest.raises(PermissionDenied, match="申请人本人"):
        services.decide_budget_change(refused, approve=True, acting_user=cc.office.user)
    services.decide_budget_change(
        refused, approve=False, note="不予追加", acting_user=cc.office2.user
    )
    services.decide_budget_change(change, approve=True, acting_user=cc.office.user)
    with pytest.raises(InvalidTransition):
        services.decide_budget_change(change, approve=True, acting_user=cc.office2.user)
    services.record_budget_entry(
        campaign,
        source="city",
        kind="spend",
        amount="50000.5",
        on=date.today(),
        note="二期款",
        acting_user=lead,
    )
    line = BudgetLine.objects.get(campaign=campaign)
    assert (line.allocated, line.adjusted, line.available, line.spent, line.committed) == (
        Decimal("100000.00"),
        Decimal("20000.00"),
        Decimal("120000.00"),
        Decimal("110000.50"),
        Decimal("80000.00"),
    )
    # a reduction below what is spent cannot be approved
    cut = services.request_budget_change(
        campaign, source="city", amount="-15000", reason="调减", acting_user=lead
    )
    with pytest.raises(InvalidInput, match="低于已承诺或已支出"):
        services.decide_budget_change(cut, approve=True, acting_user=cc.office.user)
    assert AuditEvent.objects.filter(code="citizens.budget.entry").count() == 3


def test_acceptance_needs_before_and_after_photos_and_closes_after_the_re_vote(cc):
    campaign = cc.campaign()
    with pytest.raises(InvalidTransition):
        services.submit_for_acceptance(campaign, summary="x", acting_user=SYSTEM)
    campaign = services.start_campaign(campaign, acting_user=SYSTEM)
    with pytest.raises(InvalidInput, match="整治前和整治后"):
        services.submit_for_acceptance(
            campaign, summary="已完成", after_photos=[jpeg()], acting_user=SYSTEM
        )
    assert not CampaignPhoto.objects.exists()  # nothing kept of the refused attempt
    services.submit_report(
        campaign, text="整治前现场", photos=[jpeg()], photo_kind="before", acting_user=SYSTEM
    )
    round_ = services.submit_for_acceptance(
        campaign,
        summary="共整治 36 处，抽检合格率 98.5%",
        after_photos=[jpeg((0, 200, 0))],
        vote_days=7,
        acting_user=SYSTEM,
    )
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSING and round_.status == RoundStatus.OPEN
    c = round_.candidates.get()
    for i, score in enumerate([5, 4, 2]):
        services.cast_vote(round_, voter(900 + i), {c.pk: score}, acting_user=SYSTEM)
    with pytest.raises(InvalidTransition, match="满意度回访尚未结束"):
        services.close_campaign(campaign, acting_user=SYSTEM)
    round_.closes_at = timezone.now()  # the vote ends just after the three ballots
    round_.save()
    services.close_campaign(campaign, acting_user=SYSTEM)
    campaign.refresh_from_db()
    round_.refresh_from_db()
    c.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSED and round_.status == RoundStatus.PUBLISHED
    assert (c.votes, c.score) == (3, 3.67)
    kinds = [s.kind for s in selectors.campaign_history(campaign)]
    assert kinds[0] == "start" and "acceptance" in kinds and kinds[-1] == "closed"
    assert "参与 3 人" in " ".join(s.text for s in selectors.campaign_history(campaign))
    with pytest.raises(InvalidTransition, match="已完成"):
        services.submit_report(campaign, text="x", acting_user=SYSTEM)
    assert Vote.objects.filter(round=round_).count() == 3


def test_reopening_after_a_failed_acceptance_closes_the_re_vote(cc):
    campaign = services.start_campaign(cc.campaign(), acting_user=SYSTEM)
    round_ = services.submit_for_acceptance(
        campaign, summary="完成", before_photos=[jpeg()], after_photos=[jpeg()], acting_user=SYSTEM
    )
    services.reopen_campaign(campaign, reason="抽查仍有 5 处反弹", acting_user=SYSTEM)
    round_.refresh_from_db()
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.ACTIVE and round_.status == RoundStatus.CLOSED


def test_dates_no_one_could_mean_are_refused(cc):
    from datetime import date as d

    with pytest.raises(InvalidInput, match="日期不合理"):
        cc.campaign(starts_on=d(293, 6, 15), ends_on=d(2026, 1, 1))
    campaign = cc.campaign()
    with pytest.raises(InvalidInput, match="里程碑完成时限应在整治开始"):
        services.add_milestone(campaign, title="摸底", deadline=d(1970, 1, 1), acting_user=SYSTEM)
    assert not campaign.milestones.exists()
