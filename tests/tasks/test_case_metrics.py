"""The case quantities of metric formulas count cases by their real states and fields."""

from datetime import timedelta

from django.utils import timezone

from chuangwen.cases import services
from chuangwen.cases.choices import State
from chuangwen.cases.models import Case
from chuangwen.tasks.metrics import evaluate_formula
from tests.cases.conftest import IN_A, CaseCity, jpeg


def _close(cc, case):
    liaison, worker, office = cc.liaison_a.user, cc.grid_worker_a.user, cc.office.user
    services.accept_case(case, acting_user=liaison)
    case = services.handle_case(case, note="已清运", photos=[jpeg()], acting_user=liaison)
    case = services.verify_case(case, passed=True, photos=[jpeg(*IN_A)], acting_user=worker)
    return services.close_case(case, acting_user=office)


def test_case_quantities_count_the_right_cases(small_city):
    cc = CaseCity(small_city)
    office = cc.office.user
    city = cc.city.pk

    reported = cc.intake(text="路边暴露垃圾无人清理").case  # open, not yet dispatched
    overdue = cc.dispatched(text="路灯不亮已经三天", category=cc.component)  # open, with the unit
    # time passes beyond its deadline (as tests/cases/test_workflow.py simulates it)
    Case.objects.filter(pk=overdue.pk).update(deadline=timezone.now() - timedelta(hours=1))
    closed = _close(cc, cc.dispatched(text="道路遗撒泥土", category=cc.event_with_dept))
    rejected = services.reject_case(
        cc.intake(text="测试不予立案的案件", point=None).case,
        reason="不属于案件",
        acting_user=office,
    )
    other = cc.intake(text="另一类：非法小广告", category=cc.other_event).case

    states = {c.pk: c.state for c in Case.objects.filter(city_id=city)}
    assert states[reported.pk] == State.REPORTED
    assert states[overdue.pk] == State.DISPATCHED
    assert states[closed.pk] == State.CLOSED
    assert states[rejected.pk] == State.REJECTED

    assert evaluate_formula("cases.count()", city) == 5
    assert evaluate_formula("cases.open()", city) == 3  # reported, overdue, other
    assert evaluate_formula("cases.closed()", city) == 1  # not the rejected one
    assert evaluate_formula("cases.overdue()", city) == 1
    assert evaluate_formula('cases.open(category="SJ0201")', city) == 1
    assert other.category_id == cc.other_event.pk
