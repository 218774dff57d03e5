"""Data for the accountability, submissions and bulletin tests, made through the services:
SmallCity with the case categories (tests.cases.conftest.CaseCity) and, where asked, the
mini evaluation system and sites of tests.inspections.helpers."""

import uuid
from datetime import date, timedelta

from django.utils import timezone

from chuangwen.assessment import services
from chuangwen.cases import services as case_services
from chuangwen.inspections import services as insp
from chuangwen.inspections.choices import PlanKind
from chuangwen.org.actors import SYSTEM
from chuangwen.tasks import services as task_services
from tests.cases.conftest import IN_A, IN_B, CaseCity, jpeg
from tests.inspections.helpers import InspectionCity

__all__ = ["IN_A", "IN_B", "World", "jpeg"]


class World(CaseCity):
    """SmallCity + case categories; ``with_system()`` adds the mini evaluation system."""

    def __init__(self, sc) -> None:
        super().__init__(sc)
        self.ic: InspectionCity | None = None

    def with_system(self) -> "World":
        self.ic = InspectionCity(self.sc)
        return self

    @property
    def today(self) -> date:
        return timezone.localdate()

    def closed(self, point=IN_A, liaison=None, photos=True, **kw):
        """A case taken to 结案 with before and after photos."""
        case = self.intake(point=point, photos=[jpeg()] if photos else [], **kw).case
        user = (liaison or (self.liaison_a if point == IN_A else self.liaison_b)).user
        case_services.register_case(case, acting_user=self.office.user)
        case_services.dispatch_case(case, acting_user=self.office.user)
        case_services.accept_case(case, acting_user=user)
        case_services.handle_case(
            case, note="已整改", photos=[jpeg()] if photos else [], acting_user=user
        )
        case_services.verify_case(
            case,
            passed=True,
            photos=[jpeg()],
            lon=point[0],
            lat=point[1],
            acting_user=self.office.user,
        )
        return case_services.close_case(case, acting_user=self.office.user)

    def notice(self, case, unit, days=0):
        return insp.issue_notice(
            self.city,
            unit=unit,
            cases=[case],
            deadline=self.today + timedelta(days=days),
            acting_user=self.office.user,
        )

    def task(self, unit, days_ago=3, code="1.1.1"):
        assert self.ic is not None, "with_system() first"
        return task_services.create_task(
            self.city,
            indicator=self.ic.system.indicators.get(code=code),
            lead_unit=unit,
            content="按标准落实",
            deadline=self.today - timedelta(days=days_ago),
            acting_user=SYSTEM,
        )

    def failed_checks(self, photos=True):
        """A plan with two failed checks (甲路 in 甲区, 乙路 in 乙区) and one passed."""
        assert self.ic is not None, "with_system() first"
        ic = self.ic
        plan = insp.create_plan(
            self.city,
            kind=PlanKind.SPECIAL,
            title="市容专项督查",
            seed=3,
            sample_sizes={"ZD": 2, "SC": 3},
            acting_user=SYSTEM,
        )
        insp.sample_plan(plan, acting_user=SYSTEM)
        for code, item, passed in (
            ("ZD001", "ZD-1", False),
            ("ZD002", "ZD-1", False),
            ("SC001", "SC-1", True),
        ):
            insp.submit_check(
                plan,
                insp.CheckData(
                    uuid=uuid.uuid4(),
                    sample_id=plan.samples.get(site__code=code).pk,
                    check_item_id=ic.items[item].pk,
                    passed=passed,
                    note=f"{code} 检查",
                    photos=[jpeg()] if photos and not passed else [],
                ),
                acting_user=SYSTEM,
            )
        return plan

    def template(self, units=None, period="monthly", due_day=5, **kw):
        return services.save_report_template(
            self.city,
            title=kw.pop("title", "月度汇报"),
            period=period,
            sections=[{"title": "工作进展", "hint": "逐项填写"}, {"title": "存在问题"}],
            due_day=due_day,
            units=units or [self.district_a, self.district_b],
            acting_user=self.office.user,
            **kw,
        )
