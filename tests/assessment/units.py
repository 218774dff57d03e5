"""Unit assessment test city: tests.inspections' mini system and sites on SmallCity, the case
categories, and a monthly scheme for 区县 and 街道; cases go through the real workflow, then
their dates are moved into last month (the period under test)."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from chuangwen.assessment import services
from chuangwen.assessment.choices import ItemKind, PeriodKind, UnitGroup
from chuangwen.cases import services as cases
from chuangwen.cases.models import Case
from chuangwen.org.actors import PUBLIC, SYSTEM
from tests.cases.conftest import CaseCity, jpeg
from tests.inspections.helpers import IN_A, IN_B, InspectionCity

ITEMS = [
    services.ItemSpec("A1", "按期结案", ItemKind.RATE, 40, "cases.on_time_close_rate()"),
    services.ItemSpec(
        "A2", "任务推进", ItemKind.RATE, 30, "0.5 * tasks.done_rate() + 0.5 * tasks.on_time_rate()"
    ),
    services.ItemSpec("A3", "督查合格", ItemKind.RATE, 30, "inspections.pass_rate()"),
    services.ItemSpec("D1", "负面清单", ItemKind.DEDUCTION, 10, "negative.points()"),
    services.ItemSpec("M1", "加减分", ItemKind.MANUAL, 5),
]


def last_month() -> tuple[int, int]:
    first = timezone.localdate().replace(day=1) - timedelta(days=1)
    return first.year, first.month


def at(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


class AssessCity:
    def __init__(self, sc) -> None:
        self.sc = sc
        self.ic = InspectionCity(sc)
        self.cc = CaseCity(sc)
        self.city = sc.city
        self.year, self.month = last_month()
        self.mid = date(self.year, self.month, 15)

    def __getattr__(self, name):
        return getattr(self.sc, name)

    def scheme(self, items=ITEMS, groups=(UnitGroup.DISTRICT, UnitGroup.STREET), **kw):
        scheme = services.create_scheme(
            self.city,
            name="月度考核",
            period_kind=PeriodKind.MONTH,
            groups=list(groups),
            acting_user=self.office.user,
            **kw,
        )
        services.save_scheme_items(scheme, list(items), acting_user=self.office.user)
        return services.activate_scheme(scheme, acting_user=self.office.user)

    def period(self, year=None, month=None):
        return services.create_period(
            self.city,
            kind=PeriodKind.MONTH,
            year=year or self.year,
            number=month or self.month,
            acting_user=self.office.user,
        )

    def case(self, where="a", *, on_time=True, rework=False, rating=None, close=True, day=None):
        """A case of 甲社区 ("a") or 乙社区 ("b") through the whole loop; its deadline then moved
        to ``day`` (default: the 15th of last month), handled before or after it."""
        point = IN_A if where == "a" else IN_B
        liaison = self.liaison_a if where == "a" else self.liaison_b
        office = self.office.user
        res = self.cc.intake(point=point)
        case = res.case
        cases.register_case(case, acting_user=office)
        cases.dispatch_case(case, acting_user=office)
        cases.accept_case(case, acting_user=liaison.user)
        cases.handle_case(case, note="已处置", acting_user=liaison.user)
        if rework:
            cases.verify_case(
                case, passed=False, note="未清理干净", photos=[jpeg(*point)], acting_user=office
            )
            cases.handle_case(case, note="再次处置", acting_user=liaison.user)
        if close:
            cases.verify_case(case, passed=True, photos=[jpeg(*point)], acting_user=office)
            cases.close_case(case, acting_user=office)
            if rating is not None:
                cases.rate_report(res.report, rating=rating, acting_user=PUBLIC)
        deadline = at(day or self.mid)
        handled = deadline - timedelta(hours=2) if on_time else deadline + timedelta(days=1)
        Case.objects.filter(pk=case.pk).update(
            deadline=deadline,
            dispatched_at=deadline - timedelta(days=3),
            handled_at=handled,
            closed_at=handled + timedelta(hours=3) if close else None,
        )
        return Case.objects.get(pk=case.pk)


__all__ = ["SYSTEM", "AssessCity", "at"]
