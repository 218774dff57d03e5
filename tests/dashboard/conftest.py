"""A small city with something to do for every role, made through the services."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from chuangwen.assessment import services as assessment
from chuangwen.cases import services as cases
from chuangwen.cases.models import Case
from chuangwen.indicators.models import Indicator
from chuangwen.inspections import services as inspections
from chuangwen.inspections.choices import MeetingKind, PlanKind
from chuangwen.org.actors import SYSTEM
from chuangwen.org.choices import Role
from chuangwen.org.models import Person
from chuangwen.org.scope import scope_for_user
from chuangwen.tasks import services as tasks
from tests import factories
from tests.cases.conftest import IN_A, IN_B, CaseCity, jpeg
from tests.inspections.helpers import InspectionCity


class WorkCity:
    """SmallCity + categories + the mini evaluation system and its five sites + an inspector,
    and one thing in every state a workbench lists:

    - cases: reported, registered, returned by 甲区, dispatched to 甲区, in progress at 甲区 with
      an extension request, one overdue at 甲区, handled by 甲区 (to verify), verified;
    - tasks of 甲区: one overdue, one due in three days (with a progress report to review), one
      due in two months;
    - a notice to 甲区 not signed for, issued three days ago; a meeting decision for 甲区, late;
    - a mock evaluation round computed; an inspection plan for today with sites left.
    """

    def __init__(self, sc) -> None:
        self.sc = sc
        self.ic = InspectionCity(sc)
        self.cc = CaseCity(sc)
        self.inspector = factories.person(sc.city, sc.hq, Role.INSPECTOR, name="督查员")
        office = sc.office.user
        a = sc.liaison_a.user
        now = timezone.now()
        self.reported = self.cc.intake(text="路边暴露垃圾一", point=IN_A).case
        self.registered = cases.register_case(
            self.cc.intake(text="公交站非法小广告", point=IN_B, category=self.cc.other_event).case,
            acting_user=office,
        )
        self.returned = cases.return_case(
            self.cc.dispatched(text="不属于本区的路灯损坏", category=self.cc.other_event),
            reason="不属于本区职责",
            acting_user=a,
        )
        self.dispatched = self.cc.dispatched(text="人行道破损需修补")
        self.in_progress = cases.accept_case(
            self.cc.dispatched(text="绿化带枯死", category=self.cc.other_event), acting_user=a
        )
        cases.request_extension(
            self.in_progress,
            until=self.in_progress.deadline + timedelta(days=2),
            reason="需协调园林部门",
            acting_user=a,
        )
        self.overdue = self.cc.dispatched(text="积水长期未处理")
        Case.objects.filter(pk=self.overdue.pk).update(deadline=now - timedelta(days=10))
        self.handled = self.cc.handled(text="占道经营已劝离", category=self.cc.other_event)
        verified = self.cc.handled(text="墙面涂鸦已清除")
        self.verified = cases.verify_case(
            verified,
            passed=True,
            photos=[jpeg(*IN_A)],
            lon=IN_A[0],
            lat=IN_A[1],
            acting_user=sc.grid_worker_a.user,
        )
        # tasks of 甲区
        today = timezone.localdate()
        std = {i.code: i for i in Indicator.objects.filter(system=self.ic.system)}
        self.late_task = self._task(std["1.2.1"], today - timedelta(days=5))
        self.soon_task = self._task(std["2.2.1"], today + timedelta(days=3))
        self.later_task = self._task(std["1.1.1"], today + timedelta(days=60))
        self.report = tasks.report_progress(
            self.soon_task, text="台账已整理", files=[], acting_user=a
        )
        # a notice signed for by nobody, issued three days ago; a late meeting decision
        self.notice = inspections.issue_notice(
            sc.city,
            unit=sc.district_a,
            cases=[self.dispatched],
            deadline=today + timedelta(days=5),
            acting_user=office,
        )
        type(self.notice).objects.filter(pk=self.notice.pk).update(
            issued_at=now - timedelta(days=3)
        )
        meeting = inspections.create_meeting(
            sc.city,
            kind=MeetingKind.DISPATCH,
            title="调度会",
            held_at=now - timedelta(days=7),
            acting_user=office,
        )
        self.action = inspections.add_action_item(
            meeting,
            text="甲区完成背街小巷整治",
            unit=sc.district_a,
            deadline=today - timedelta(days=1),
            acting_user=office,
        )
        # a mock evaluation computed from a finished plan, and a plan for today
        done = self._plan("已完成的模拟测评", PlanKind.MOCK)
        self._check_all(done)
        self.round = assessment.create_round(
            sc.city, title="第一轮", plans=[done], acting_user=office
        )
        self.round = assessment.compute_round(self.round, acting_user=office)
        inspections.close_plan(done, acting_user=SYSTEM)
        self.plan = self._plan("今日专项督查", PlanKind.SPECIAL, today=today)

    def __getattr__(self, name):
        return getattr(self.sc, name)

    def _task(self, indicator, deadline):
        return tasks.create_task(
            self.sc.city,
            indicator=indicator,
            lead_unit=self.sc.district_a,
            content="按标准整治",
            target=f"{indicator.code} 达标",
            deadline=deadline,
            acting_user=self.sc.office.user,
        )

    def _plan(self, title, kind, today=None):
        plan = inspections.create_plan(
            self.sc.city,
            kind=kind,
            title=title,
            seed=7,
            sample_sizes={"ZD": 2, "SC": 3},
            starts_on=today,
            ends_on=today + timedelta(days=1) if today else None,
            inspectors=[self.inspector] if today else [],
            acting_user=SYSTEM,
        )
        inspections.sample_plan(plan, acting_user=SYSTEM)
        return plan

    def _check_all(self, plan):
        for sample in plan.samples.select_related("site_type"):
            for item in self.ic.items.values():
                if item.site_type_id != sample.site_type_id:
                    continue
                answer = {"passed": False} if item.code == "SC-1" else {"passed": True}
                if item.rule == "ratio":
                    answer = {"value": 0.5}
                elif item.rule == "deduct":
                    answer = {"missing": 1}
                inspections.submit_check(
                    plan,
                    inspections.CheckData(
                        uuid=uuid.uuid4(), sample_id=sample.pk, check_item_id=item.pk, **answer
                    ),
                    acting_user=SYSTEM,
                )

    def scope(self, person: Person):
        return scope_for_user(person.user)


@pytest.fixture
def wc(small_city):
    return WorkCity(small_city)
