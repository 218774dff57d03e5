"""Each workbench provider: what it lists for whom, which buttons it offers (from the services'
own checks), and a number of queries that does not grow with the data."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chuangwen.cases import services as cases
from chuangwen.cases.choices import WITH_UNIT, Source, State
from chuangwen.cases.models import Case
from chuangwen.dashboard import items, selectors
from chuangwen.inspections import services as inspections
from chuangwen.org.choices import Role
from tests import factories
from tests.cases.conftest import IN_A, jpeg

pytestmark = pytest.mark.django_db


def one(provider, wc, person, today=None):
    found = provider(wc.scope(person), today or timezone.localdate())
    assert len(found) == 1
    return found[0]


def labels(item):
    return [r.label.split(" · ")[0] for r in item.rows]


def test_office_case_items_list_each_state_with_the_office_buttons(wc):
    office = wc.office
    reg = one(items.office_to_register, wc, office)
    assert reg.count == 1 and labels(reg) == [wc.reported.number]
    assert reg.rows[0].action == "立案" and reg.rows[0].url == f"/cases/{wc.reported.pk}/"
    assert reg.url == "/cases/?state=reported"
    dispatch = one(items.office_to_dispatch, wc, office)
    assert labels(dispatch) == [wc.registered.number] and dispatch.rows[0].action == "派遣"
    returned = one(items.office_returned, wc, office)
    assert labels(returned) == [wc.returned.number] and returned.rows[0].action == "改派"
    close = one(items.office_to_close, wc, office)
    assert labels(close) == [wc.verified.number] and close.rows[0].action == "结案"
    overdue = one(items.office_overdue, wc, office)
    assert labels(overdue) == [wc.overdue.number]
    assert overdue.late == 1 and overdue.rows[0].late and overdue.rows[0].action == ""
    ext = one(items.office_extensions, wc, office)
    assert ext.count == 1 and ext.rows[0].label == wc.in_progress.number
    assert ext.rows[0].action == "审批"


def test_the_same_items_offer_no_button_to_a_leader(wc):
    for provider in (
        items.office_to_register,
        items.office_to_dispatch,
        items.office_to_close,
        items.office_extensions,
        items.office_evidence,
    ):
        item = one(provider, wc, wc.leader)
        assert item.rows, provider.__name__
        assert all(r.action == "" for r in item.rows), provider.__name__


def test_a_case_the_office_registers_leaves_the_list(wc):
    cases.register_case(wc.reported, acting_user=wc.office.user)
    assert one(items.office_to_register, wc, wc.office).count == 0
    assert one(items.office_to_dispatch, wc, wc.office).count == 2


def test_office_evidence_notices_inspections_and_risks(wc):
    evidence = one(items.office_evidence, wc, wc.office)
    assert evidence.count == 1 and evidence.rows[0].action == "审核"
    assert evidence.rows[0].url == f"/tasks/{wc.soon_task.pk}/"
    notices = one(items.office_notices, wc, wc.office)
    # the office follows notices up; signing is the unit's: no button
    assert notices.count == 1 and notices.late == 1 and notices.rows[0].action == ""
    today = one(items.office_inspections_today, wc, wc.office)
    assert today.count == 1 and today.rows[0].label == "今日专项督查"
    assert "未检 5 个" in today.rows[0].detail
    risks = one(items.points_at_risk, wc, wc.office)
    assert risks.count and risks.rows and risks.figure.startswith("可挽回")
    assert risks.url == f"/assessment/rounds/{wc.round.pk}/"


def test_lagging_units_rank_the_district_with_overdue_work_first(wc):
    _closure, late_tasks = items.lagging_units(wc.scope(wc.office), timezone.localdate())
    assert late_tasks.rows[0].label == "甲区" and "逾期任务 1 项" in late_tasks.rows[0].detail
    assert late_tasks.rows[0].url == f"/tasks/?unit={wc.district_a.pk}&status=overdue"
    figures = {f.name: f for f in selectors.unit_figures(wc.city.pk, timezone.now())}
    assert figures["甲区"].overdue == 1 and figures["乙区"].overdue == 0
    assert figures["甲区"].overdue_tasks == 1


def test_liaison_inbox_by_deadline_with_the_units_buttons(wc):
    inbox = one(items.liaison_inbox, wc, wc.liaison_a)
    # dispatched, in progress, overdue, and the cases the mock evaluation's failed checks opened
    with_a = Case.objects.filter(state__in=WITH_UNIT, unit_path__startswith=wc.district_a.path)
    assert inbox.count == with_a.count() >= 4
    assert labels(inbox)[0] == wc.overdue.number  # the late one first
    assert inbox.late == 1
    buttons = {r.label.split(" · ")[0]: r.action for r in inbox.rows}
    assert buttons[wc.dispatched.number] == "签收"
    assert buttons[wc.in_progress.number] == "处置"
    b = one(items.liaison_inbox, wc, wc.liaison_b)
    with_b = Case.objects.filter(state__in=WITH_UNIT, unit_path__startswith=wc.district_b.path)
    assert b.count == with_b.count() and wc.dispatched.number not in [*labels(b), ""]


def test_liaison_tasks_due_this_week_notices_to_sign_and_decisions(wc):
    tasks = one(items.liaison_tasks, wc, wc.liaison_a)
    assert [r.url for r in tasks.rows] == [
        f"/tasks/{wc.late_task.pk}/",
        f"/tasks/{wc.soon_task.pk}/",
    ]
    assert tasks.late == 1 and tasks.rows[0].late and tasks.rows[0].action == "报送进展"
    assert one(items.liaison_tasks, wc, wc.liaison_b).count == 0
    notices = one(items.liaison_notices, wc, wc.liaison_a)
    assert notices.count == 1 and notices.rows[0].action == "签收"
    assert one(items.liaison_notices, wc, wc.liaison_b).count == 0
    decisions = one(items.liaison_actions, wc, wc.liaison_a)
    assert decisions.count == 1 and decisions.late == 1 and decisions.rows[0].action == "办理"
    inspections.acknowledge_notice(wc.notice, acting_user=wc.liaison_a.user)
    assert one(items.liaison_notices, wc, wc.liaison_a).count == 0


def test_providers_of_other_roles_give_nothing_to_a_person_without_the_role(wc):
    today = timezone.localdate()
    assert items.liaison_inbox(wc.scope(wc.grid_worker_a), today) == []
    assert items.liaison_tasks(wc.scope(wc.grid_worker_a), today) == []
    assert items.grid_cases(wc.scope(wc.liaison_a), today) == []
    assert items.to_verify(wc.scope(wc.liaison_a), today) == []


def test_inspector_sites_nearest_first_data_and_the_check_button(wc):
    sites = one(items.inspector_sites, wc, wc.inspector)
    assert sites.count == 5 and sites.nearest and len(sites.rows) == 5
    row = sites.rows[0]
    assert row.action == "检查" and row.lon is not None and row.lat is not None
    assert row.url.startswith(f"/inspections/plans/{wc.plan.pk}/check/")
    # a plan naming other inspectors is not this inspector's
    other = factories.person(wc.city, wc.hq, Role.INSPECTOR, name="另一督查员")
    assert one(items.inspector_sites, wc, other).count == 0
    # a checked site leaves the list
    sample = wc.plan.samples.get(site__code="ZD001")
    inspections.submit_check(
        wc.plan,
        inspections.CheckData(
            uuid="8c0f3c8e-0000-4000-8000-000000000001",
            sample_id=sample.pk,
            check_item_id=wc.ic.items["ZD-1"].pk,
            passed=True,
        ),
        acting_user=wc.inspector.user,
    )
    assert one(items.inspector_sites, wc, wc.inspector).count == 4


def test_grid_worker_verifies_cases_of_the_area_and_patrols_own_grids(wc):
    wc.grid_a.workers.add(wc.grid_worker_a)
    verify = one(items.to_verify, wc, wc.grid_worker_a)
    assert labels(verify) == [wc.handled.number] and verify.rows[0].action == "核查"
    mine = one(items.grid_cases, wc, wc.grid_worker_a)
    assert {wc.dispatched.number, wc.overdue.number} <= set(labels(mine))
    assert all(r.action == "" for r in mine.rows)  # handling is the unit's
    patrol = one(items.grid_patrol, wc, wc.grid_worker_a)
    assert patrol.count == 0 and patrol.action == "巡查上报" and patrol.action_url == "/cases/new/"
    assert wc.grid_a.code in patrol.note
    wc.cc.intake(text="井盖缺失", point=IN_A, acting_user=wc.grid_worker_a.user, source="patrol")
    assert one(items.grid_patrol, wc, wc.grid_worker_a).count == 1


def test_leader_items_need_a_decision_and_offer_no_button(wc):
    scope, today = wc.scope(wc.leader), timezone.localdate()
    late = items.leader_long_overdue(scope, today)[0]
    assert labels(late) == [wc.overdue.number] and late.late == 1
    disputed = items.leader_disputed(scope, today)[0]
    assert labels(disputed) == [wc.returned.number]
    decisions = items.leader_actions(scope, today)[0]
    assert decisions.count == 1 and decisions.rows[0].action == ""
    notices = items.leader_late_notices(scope, today)[0]
    assert notices.count == 1 and notices.rows[0].action == ""


PROVIDERS = {
    "office": [
        items.office_to_register,
        items.office_to_dispatch,
        items.office_returned,
        items.office_to_close,
        items.office_overdue,
        items.office_extensions,
        items.office_evidence,
        items.office_notices,
        items.office_inspections_today,
        items.lagging_units,
        items.points_at_risk,
    ],
    "liaison_a": [
        items.liaison_inbox,
        items.liaison_tasks,
        items.liaison_notices,
        items.liaison_actions,
    ],
    "grid_worker_a": [items.to_verify, items.grid_cases, items.grid_patrol],
    "leader": [
        items.leader_long_overdue,
        items.leader_disputed,
        items.leader_actions,
        items.leader_late_notices,
    ],
}


def _queries(fn, scope):
    with CaptureQueriesContext(connection) as ctx:
        fn(scope, timezone.localdate())
    return len(ctx.captured_queries)


# different problems (so that none is merged into another as a duplicate)
PROBLEMS = [
    ["护栏倒伏", "窨井冒水", "树枝折断", "路牌歪斜", "消防栓漏水", "墙皮脱落"],
    ["共享单车乱停", "餐馆油烟直排", "工地扬尘", "夜间施工噪音", "违规张贴广告", "占用盲道"],
    ["垃圾桶破损", "公厕无人保洁", "水沟堵塞发臭", "道路积水严重", "绿地黄土裸露", "店外晾晒衣物"],
]


def _more_of_everything(wc, n=6):
    for k in range(n):
        wc.cc.intake(text=PROBLEMS[0][k], point=IN_A)
        c = wc.cc.dispatched(text=PROBLEMS[1][k])
        cases.accept_case(c, acting_user=wc.liaison_a.user)
        fresh = wc.cc.intake(text=f"井盖缺失第{k}处", point=None, source=Source.CITIZEN).case
        cases.register_case(fresh, acting_user=wc.office.user)
        h = wc.cc.handled(text=PROBLEMS[2][k])
        cases.verify_case(
            h,
            passed=True,
            photos=[jpeg()],
            no_location_reason="测试",
            acting_user=wc.office.user,
        )


@pytest.mark.parametrize("who", sorted(PROVIDERS))
def test_each_provider_answers_in_as_many_queries_with_more_data(wc, who):
    """The query count of every provider is the same with 5× the cases: nothing per row beyond
    the rows shown (which are capped)."""
    person = getattr(wc, who)
    wc.grid_a.workers.add(wc.grid_worker_a)
    scope = wc.scope(person)
    for fn in PROVIDERS[who]:
        _queries(fn, scope)  # warm: the points-at-risk cache
    before = {fn.__name__: _queries(fn, scope) for fn in PROVIDERS[who]}
    _more_of_everything(wc)
    cache.clear()
    for fn in PROVIDERS[who]:
        _queries(fn, scope)
    after = {fn.__name__: _queries(fn, scope) for fn in PROVIDERS[who]}
    assert after == before
    assert max(after.values()) <= 25


def test_overdue_counts_follow_the_clock_not_a_stored_flag(wc):
    wc_case = wc.dispatched
    type(wc_case).objects.filter(pk=wc_case.pk).update(deadline=timezone.now() - timedelta(hours=1))
    assert one(items.office_overdue, wc, wc.office).count == 2
    assert wc_case.state == State.DISPATCHED
