from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from chuangwen.cases import selectors, services
from chuangwen.cases.choices import Action, Resolution, State
from chuangwen.cases.models import (
    CalendarOverride,
    Case,
    CaseEvent,
    Extension,
    Report,
    StateCount,
)
from chuangwen.cases.workdays import WorkCalendar
from chuangwen.core.errors import InvalidInput, InvalidTransition, NotFound, PermissionDenied
from chuangwen.core.models import AuditEvent, Notification
from chuangwen.org import services as org_services
from chuangwen.org.actors import PUBLIC
from chuangwen.org.scope import scope_for_user

from .conftest import IN_A, IN_B, jpeg

ON_SITE = {"lon": IN_A[0], "lat": IN_A[1]}


def _told(user, case) -> bool:
    """The user has an in-app notification leading to the case."""
    url = reverse("cases:detail", args=[case.pk])
    return Notification.objects.filter(user=user, topic="cases", url=url).exists()


def test_full_loop_to_rated(cc, django_capture_on_commit_callbacks):
    office, liaison, worker = cc.office.user, cc.liaison_a.user, cc.grid_worker_a.user
    res = cc.intake(reporter_phone="13800001234", acting_user=cc.citizen.user, source="citizen")
    case = res.case
    with django_capture_on_commit_callbacks(execute=True):
        services.register_case(case, acting_user=office)
        case = services.dispatch_case(case, acting_user=office)
    assert case.state == State.DISPATCHED and case.unit_id == cc.community_a.pk
    assert case.deadline > case.dispatched_at
    # the district liaison (nearest ancestor with a liaison) is told
    assert _told(liaison, case)
    services.accept_case(case, acting_user=liaison)
    with django_capture_on_commit_callbacks(execute=True):
        case = services.handle_case(case, note="已清运", photos=[jpeg()], acting_user=liaison)
    assert case.state == State.HANDLED and case.handled_by_id == liaison.pk
    assert _told(office, case)
    case = services.verify_case(case, passed=True, photos=[jpeg(*IN_A)], acting_user=worker)
    assert case.state == State.VERIFIED
    with django_capture_on_commit_callbacks(execute=True):
        case = services.close_case(case, acting_user=office)
    assert case.state == State.CLOSED and case.is_fixed
    assert _told(cc.citizen.user, case)
    services.rate_report(res.report, rating=5, comment="很满意", acting_user=cc.citizen.user)
    case.refresh_from_db()
    assert case.state == State.RATED and case.rating == 5
    actions = list(CaseEvent.objects.filter(case=case).values_list("action", flat=True))
    assert actions == [
        "intake",
        "register",
        "dispatch",
        "accept",
        "handle",
        "verify",
        "close",
        "rate",
    ]
    assert (
        AuditEvent.objects.filter(object_id=str(case.pk), code__startswith="cases.case.").count()
        == 8
    )
    assert set(case.photos.values_list("kind", flat=True)) == {"after", "verify"}
    # counts moved along with the case
    counts = dict(StateCount.objects.filter(city=cc.city).values_list("state", "n"))
    assert counts.get("rated") == 1 and counts.get("reported", 0) == 0


def test_wrong_state_is_refused(cc):
    case = cc.intake().case
    with pytest.raises(InvalidTransition):
        services.accept_case(case, acting_user=cc.liaison_a.user)
    with pytest.raises(InvalidTransition):
        services.dispatch_case(case, acting_user=cc.office.user)  # not registered yet
    with pytest.raises(InvalidTransition):
        services.close_case(case, resolution="not_ours", note="x" * 3, acting_user=cc.office.user)
    with pytest.raises(InvalidTransition):
        services.verify_case(case, passed=True, photos=[jpeg()], acting_user=cc.office.user)
    services.register_case(case, acting_user=cc.office.user)
    with pytest.raises(InvalidTransition):
        services.register_case(case, acting_user=cc.office.user)
    with pytest.raises(InvalidTransition):
        services.close_case(case, acting_user=cc.office.user)  # fixed needs verification


@pytest.mark.parametrize("who", ["leader", "liaison_a", "grid_worker_a", "citizen"])
def test_only_office_registers_and_dispatches(cc, who):
    case = cc.intake(acting_user=cc.citizen.user, source="citizen").case
    user = getattr(cc, who).user
    with pytest.raises((PermissionDenied, NotFound)):
        services.register_case(case, acting_user=user)
    services.register_case(case, acting_user=cc.office.user)
    with pytest.raises((PermissionDenied, NotFound)):
        services.dispatch_case(case, acting_user=user)
    assert Case.objects.get(pk=case.pk).state == State.REGISTERED


def test_unit_actions_need_the_responsible_unit(cc):
    case = cc.dispatched()
    with pytest.raises(NotFound):  # out of scope answers like missing
        services.accept_case(case, acting_user=cc.liaison_b.user)
    with pytest.raises(NotFound):
        services.accept_case(case, acting_user=cc.dept_liaison.user)
    with pytest.raises(PermissionDenied):  # in scope but the wrong role
        services.accept_case(case, acting_user=cc.grid_worker_a.user)
    with pytest.raises(PermissionDenied):
        services.accept_case(case, acting_user=cc.leader.user)
    assert services.accept_case(case, acting_user=cc.liaison_a.user).state == State.IN_PROGRESS


def test_department_case_is_handled_by_department(cc):
    case = cc.dispatched(category=cc.component, text="路灯不亮")
    assert case.unit_id == cc.dept.pk
    with pytest.raises(PermissionDenied):
        # liaison_a sees it (its grid is in district A) but is not the responsible unit
        services.accept_case(case, acting_user=cc.liaison_a.user)
    assert services.accept_case(case, acting_user=cc.dept_liaison.user).state == State.IN_PROGRESS


def test_return_and_redispatch(cc, django_capture_on_commit_callbacks):
    case = cc.dispatched()
    with pytest.raises(InvalidInput):
        services.return_case(case, reason="", acting_user=cc.liaison_a.user)
    with django_capture_on_commit_callbacks(execute=True):
        case = services.return_case(case, reason="不属于本社区", acting_user=cc.liaison_a.user)
    assert case.state == State.RETURNED
    assert _told(cc.office.user, case)
    with pytest.raises(InvalidInput):
        services.dispatch_case(case, acting_user=cc.office.user)  # a unit must be named
    case = services.dispatch_case(case, unit=cc.community_b, acting_user=cc.office.user)
    assert case.state == State.DISPATCHED and case.unit_path == cc.community_b.path
    assert services.accept_case(case, acting_user=cc.liaison_b.user).state == State.IN_PROGRESS


def test_verification_rules_and_rework(cc):
    case = cc.handled()
    with pytest.raises(PermissionDenied):  # the handler may not verify
        services.verify_case(case, passed=True, photos=[jpeg()], acting_user=cc.liaison_a.user)
    with pytest.raises(InvalidInput):  # a photo is required
        services.verify_case(case, passed=True, acting_user=cc.grid_worker_a.user)
    with pytest.raises(InvalidInput):  # on site: not 2 km away
        services.verify_case(
            case,
            passed=True,
            photos=[jpeg()],
            lon=113.03,
            lat=28.005,
            acting_user=cc.grid_worker_a.user,
        )
    with pytest.raises(InvalidInput):  # the photo's own GPS counts too
        services.verify_case(
            case, passed=True, photos=[jpeg(113.03, 28.005)], acting_user=cc.grid_worker_a.user
        )
    with pytest.raises(InvalidInput):
        services.verify_case(case, passed=False, photos=[jpeg()], acting_user=cc.office.user)
    case = services.verify_case(
        case, passed=False, note="仍有垃圾", photos=[jpeg()], acting_user=cc.office.user, **ON_SITE
    )
    assert case.state == State.REWORK and case.rework_count == 1
    case = services.handle_case(case, note="再次清理", acting_user=cc.liaison_a.user)
    assert case.state == State.HANDLED
    case = services.verify_case(
        case, passed=True, photos=[jpeg()], acting_user=cc.office.user, **ON_SITE
    )
    assert case.state == State.VERIFIED and case.rework_count == 1


def test_grid_worker_of_other_area_cannot_verify(cc):
    case = cc.dispatched(point=IN_B, text="乙区垃圾")  # dispatched to community_b
    services.accept_case(case, acting_user=cc.liaison_b.user)
    services.handle_case(case, note="已处理", acting_user=cc.liaison_b.user)
    # grid worker of area A cannot even see it
    with pytest.raises(NotFound):
        services.verify_case(case, passed=True, photos=[jpeg()], acting_user=cc.grid_worker_a.user)


def test_closed_not_fixed_never_counts_as_fixed(cc):
    case = cc.dispatched()
    with pytest.raises(InvalidInput):
        services.close_case(case, resolution="not_ours", acting_user=cc.office.user)  # no note
    case = services.close_case(
        case, resolution=Resolution.NOT_OURS, note="属铁路部门", acting_user=cc.office.user
    )
    assert case.state == State.CLOSED and not case.is_fixed
    row = selectors.total_row(Case.objects.filter(city=cc.city))
    assert row["closed"] == 1 and row["fixed"] == 0


def test_reject_as_duplicate_moves_reports(cc):
    original = cc.intake("东门垃圾").case
    dup = cc.intake("完全不同的描述文字", point=IN_A, category=cc.other_event).case
    with pytest.raises(InvalidInput):
        services.reject_case(dup, reason="", acting_user=cc.office.user)
    services.reject_case(
        dup, reason="与原案件重复", duplicate_of=original, acting_user=cc.office.user
    )
    dup.refresh_from_db()
    original.refresh_from_db()
    assert dup.state == State.REJECTED and dup.resolution == Resolution.DUPLICATE
    assert dup.duplicate_of_id == original.pk
    assert Report.objects.filter(case=original).count() == 2 and original.report_count == 2


def test_rating_rules(cc):
    res = cc.intake(acting_user=cc.citizen.user, source="citizen")
    with pytest.raises(InvalidTransition):
        services.rate_report(res.report, rating=4, acting_user=cc.citizen.user)
    services.register_case(res.case, acting_user=cc.office.user)
    services.close_case(
        res.case, resolution="unfixable", note="暂无条件", acting_user=cc.office.user
    )
    with pytest.raises(InvalidInput):
        services.rate_report(res.report, rating=9, acting_user=PUBLIC)
    with pytest.raises(PermissionDenied):
        services.rate_report(res.report, rating=3, acting_user=cc.liaison_a.user)
    # the public page, by tracking code
    services.rate_report(res.report, rating=2, acting_user=PUBLIC)
    with pytest.raises(InvalidTransition):
        services.rate_report(res.report, rating=5, acting_user=PUBLIC)


# --- deadlines and extensions ----------------------------------------------------------------


def _at(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


def test_working_days_follow_the_chinese_calendar():
    cal = WorkCalendar()
    # National Day 2026: Oct 1–7 off, Saturday Oct 10 is a 调休 working day
    assert cal.add_days(_at(2026, 9, 30, 10, 0), 1) == _at(2026, 10, 8, 10, 0)
    assert cal.add_days(_at(2026, 10, 9, 10, 0), 1) == _at(2026, 10, 10, 10, 0)
    assert cal.add_days(_at(2026, 9, 30, 10, 0), 1, working=False) == _at(2026, 10, 1, 10, 0)
    assert cal.workdays_between(_at(2026, 9, 30).date(), _at(2026, 10, 10).date()) == 3


def test_working_hours_skip_nights_and_holidays():
    cal = WorkCalendar()
    # Wednesday 17:00 + 2 working hours → Thursday 10:00
    assert cal.add_hours(_at(2026, 11, 25, 17, 0), 2) == _at(2026, 11, 26, 10, 0)
    # lunch break is skipped: 11:00 + 2 h → 14:00
    assert cal.add_hours(_at(2026, 11, 25, 11, 0), 2) == _at(2026, 11, 25, 14, 0)
    # Sep 30 17:00 + 4 h → after the holiday, Oct 8 12:00 (1 h that day + 3 h)
    assert cal.add_hours(_at(2026, 9, 30, 17, 0), 4) == _at(2026, 10, 8, 12, 0)
    assert cal.add_hours(_at(2026, 9, 30, 17, 0), 4, working=False) == _at(2026, 9, 30, 21, 0)


def test_unknown_year_falls_back_to_weekdays_and_overrides_win():
    cal = WorkCalendar({_at(2031, 1, 6).date(): False})  # a Monday made a holiday
    # Friday 2031-01-03 + 1 working day: Monday off by override → Tuesday
    assert cal.add_days(_at(2031, 1, 3, 9, 0), 1) == _at(2031, 1, 7, 9, 0)
    assert 2031 in cal.fallback_years
    assert cal.is_workday(_at(2031, 1, 4).date()) is False  # Saturday


def test_city_override_changes_dispatch_deadline(cc):
    today = timezone.localdate()
    for i in range(1, 15):
        services.set_calendar_override(
            cc.city, today + timedelta(days=i), False, note="测试", acting_user=cc.office.user
        )
    assert CalendarOverride.objects.filter(city=cc.city).count() == 14
    case = cc.dispatched()  # 暴露垃圾: 1 working day
    assert timezone.localtime(case.deadline).date() == today + timedelta(days=15)
    with pytest.raises(PermissionDenied):
        services.set_calendar_override(cc.city, today, True, acting_user=cc.liaison_a.user)


def test_deadline_override_and_overdue(cc):
    case = cc.intake().case
    services.register_case(case, acting_user=cc.office.user)
    with pytest.raises(InvalidInput):
        services.dispatch_case(
            case, deadline=timezone.now() - timedelta(hours=1), acting_user=cc.office.user
        )
    due = timezone.now() + timedelta(hours=3)
    case = services.dispatch_case(case, deadline=due, acting_user=cc.office.user)
    assert case.deadline == due and case.deadline_overridden and not case.is_overdue
    Case.objects.filter(pk=case.pk).update(deadline=timezone.now() - timedelta(days=2))
    case.refresh_from_db()
    assert case.is_overdue
    scope = scope_for_user(cc.office.user)
    assert selectors.inbox_for_user(scope).overdue.filter(pk=case.pk).exists()
    services.accept_case(case, acting_user=cc.liaison_a.user)
    case = services.handle_case(case, note="晚了", acting_user=cc.liaison_a.user)
    assert case.is_overdue  # handled late stays overdue (超期处置)
    row = selectors.total_row(Case.objects.filter(pk=case.pk))
    assert row["overdue"] == 1 and row["handled_on_time"] == 0


def test_extension_request_and_decisions(cc, django_capture_on_commit_callbacks):
    case = cc.dispatched()
    later = case.deadline + timedelta(days=3)
    with pytest.raises(PermissionDenied):
        services.request_extension(
            case, until=later, reason="需要协调", acting_user=cc.grid_worker_a.user
        )
    with pytest.raises(InvalidInput):
        services.request_extension(
            case, until=case.deadline, reason="需要协调", acting_user=cc.liaison_a.user
        )
    ext = services.request_extension(
        case, until=later, reason="需要协调", acting_user=cc.liaison_a.user
    )
    with pytest.raises(InvalidTransition):
        services.request_extension(case, until=later, reason="再次", acting_user=cc.liaison_a.user)
    with pytest.raises(PermissionDenied):
        services.decide_extension(ext, approve=True, acting_user=cc.liaison_a.user)
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_extension(ext, approve=True, acting_user=cc.office.user)
    case.refresh_from_db()
    assert case.deadline == later
    assert Notification.objects.filter(user=cc.liaison_a.user, text__contains="已同意").exists()
    with pytest.raises(InvalidTransition):
        services.decide_extension(ext, approve=False, note="no", acting_user=cc.office.user)
    ext2 = services.request_extension(
        case, until=later + timedelta(days=1), reason="还要延", acting_user=cc.liaison_a.user
    )
    with pytest.raises(InvalidInput):
        services.decide_extension(ext2, approve=False, acting_user=cc.office.user)
    services.decide_extension(ext2, approve=False, note="不同意", acting_user=cc.office.user)
    case.refresh_from_db()
    assert case.deadline == later
    assert Extension.objects.get(pk=ext2.pk).status == "refused"
    kinds = set(CaseEvent.objects.filter(case=case).values_list("action", flat=True))
    assert {Action.EXTENSION_REQUEST, Action.EXTENSION_APPROVE, Action.EXTENSION_REFUSE} <= kinds


def test_extension_refused_after_deadline(cc):
    case = cc.dispatched()
    Case.objects.filter(pk=case.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    with pytest.raises(InvalidTransition):
        services.request_extension(
            case,
            until=timezone.now() + timedelta(days=2),
            reason="来不及",
            acting_user=cc.liaison_a.user,
        )


def test_case_events_are_append_only(cc):
    case = cc.intake().case
    event = CaseEvent.objects.get(case=case)
    event.note = "changed"
    with pytest.raises(RuntimeError, match="CaseEvent is append-only"):
        event.save()
    with pytest.raises(RuntimeError, match="CaseEvent is append-only"):
        event.delete()


def test_state_counts_rebuild_matches_maintained(cc):
    cc.handled()
    cc.dispatched(point=IN_B, text="乙区问题")
    cc.intake(point=None, address="无处", text="没有地点")
    before = sorted(StateCount.objects.filter(n__gt=0).values_list("unit_id", "state", "n"))
    services.rebuild_state_counts(cc.city)
    after = sorted(StateCount.objects.filter(n__gt=0).values_list("unit_id", "state", "n"))
    assert before == after and len(after) == 3


def test_scope_of_case_lists(cc):
    a = cc.intake().case
    b = cc.intake(point=IN_B, text="乙区问题").case
    c = cc.intake(category=cc.component, text="路灯坏了").case  # dept's case in area A

    def ids(person):
        return set(
            selectors.cases_for_user(scope_for_user(person.user)).values_list("pk", flat=True)
        )

    assert ids(cc.office) == {a.pk, b.pk, c.pk} == ids(cc.leader)
    assert ids(cc.liaison_a) == {a.pk, c.pk}
    assert ids(cc.liaison_b) == {b.pk}
    assert ids(cc.dept_liaison) == {c.pk}
    assert ids(cc.citizen) == set()
    mine = cc.intake(point=IN_B, text="市民上报问题", acting_user=cc.citizen.user, source="citizen")
    assert ids(cc.citizen) == {mine.case.pk}


def test_moving_a_unit_moves_its_cases_into_the_new_scope(cc):
    case = cc.intake().case  # in community A, under street A, under district A
    scope_a, scope_b = scope_for_user(cc.liaison_a.user), scope_for_user(cc.liaison_b.user)
    assert selectors.cases_for_user(scope_a).filter(pk=case.pk).exists()
    org_services.move_unit(cc.street_a, cc.district_b, acting_user=cc.office.user)
    case.refresh_from_db()
    cc.community_a.refresh_from_db()
    assert case.unit_path == case.area_path == cc.community_a.path
    assert case.area_path.startswith(cc.district_b.path)
    assert not selectors.cases_for_user(scope_a).filter(pk=case.pk).exists()
    assert selectors.cases_for_user(scope_b).filter(pk=case.pk).exists()
