"""The case loop as users walk it: 待结案, re-dispatch after a return, passing a case down (下派),
who is told what, the register form's unit change, the reporter's number for a call-back, the
public timeline's handling note."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from chuangwen.cases import selectors, services
from chuangwen.cases.choices import Action, State
from chuangwen.cases.models import Case, Report
from chuangwen.core.errors import InvalidInput, PermissionDenied
from chuangwen.core.models import AuditEvent, Notification
from chuangwen.org.actors import PUBLIC
from chuangwen.org.choices import Role
from chuangwen.org.scope import scope_for_user
from tests import factories

from .conftest import IN_A, jpeg


def _verified(cc):
    case = cc.handled()
    return services.verify_case(
        case, passed=True, photos=[jpeg()], lon=IN_A[0], lat=IN_A[1], acting_user=cc.office.user
    )


def test_verified_cases_wait_in_the_offices_to_close_tab_and_the_office_is_told(
    cc, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = _verified(cc)
    box = selectors.inbox_for_user(scope_for_user(cc.office.user))
    assert list(box.to_close) == [case]
    assert selectors.inbox_for_user(scope_for_user(cc.liaison_a.user)).to_close is None
    assert Notification.objects.filter(user=cc.office.user, text__contains="待结案").exists()
    page = client_for(cc.office).get(reverse("cases:inbox") + "?tab=to_close")
    assert "待结案" in page.content.decode() and case.number in page.content.decode()
    services.close_case(case, acting_user=cc.office.user)
    assert not selectors.inbox_for_user(scope_for_user(cc.office.user)).to_close.exists()


def test_redispatch_after_a_return_offers_other_units_and_restarts_the_clock(cc, client_for):
    case = cc.dispatched()
    Case.objects.filter(pk=case.pk).update(deadline=timezone.now() - timedelta(days=2))
    returned_by = case.unit
    services.return_case(case, reason="不属于本单位职责", acting_user=cc.liaison_a.user)
    page = client_for(cc.office).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "由「%s」退回" % returned_by.name in page
    assert f'<option value="{returned_by.pk}"' not in page
    before = timezone.now()
    again = services.dispatch_case(case, unit=cc.street_a, acting_user=cc.office.user)
    assert again.deadline > before and again.dispatched_at >= before
    with pytest.raises(InvalidInput):  # a returned case is not sent back by the rule
        case2 = cc.dispatched(text="另一个完全不同的问题：井盖缺失很危险", point=IN_A)
        services.return_case(case2, reason="不归我们管", acting_user=cc.liaison_a.user)
        services.dispatch_case(case2, acting_user=cc.office.user)


@pytest.fixture
def street(cc):
    liaison = factories.person(cc.city, cc.street_a, Role.UNIT_LIAISON, name="甲街道联络员")
    community = factories.person(cc.city, cc.community_a, Role.UNIT_LIAISON, name="甲社区联络员")
    case = cc.intake().case
    services.register_case(case, acting_user=cc.office.user)
    case = services.dispatch_case(case, unit=cc.street_a, acting_user=cc.office.user)
    return case, liaison, community


def test_a_street_passes_a_case_down_to_a_community_and_stays_responsible(
    cc, street, client_for, django_capture_on_commit_callbacks
):
    case, liaison, community = street
    assert Action.ACCEPT not in services.allowed_actions(case, acting_user=community.user)
    with pytest.raises(PermissionDenied):  # the street's case, until passed down…
        services.accept_case(case, acting_user=community.user)
    with django_capture_on_commit_callbacks(execute=True):
        case = services.assign_case(
            case, unit=cc.community_a, note="请社区处理", acting_user=liaison.user
        )
    assert case.unit == cc.street_a and case.handler_unit == cc.community_a
    assert Notification.objects.filter(user=community.user, text__contains="下派").exists()
    box = selectors.inbox_for_user(scope_for_user(community.user))
    assert case in box.to_handle
    # …and now the community handles it; the return stays with the street
    assert {Action.ACCEPT, Action.EXTENSION_REQUEST} <= services.allowed_actions(
        case, acting_user=community.user
    )
    assert Action.RETURN not in services.allowed_actions(case, acting_user=community.user)
    with pytest.raises(PermissionDenied):
        services.return_case(case, reason="不归我们管", acting_user=community.user)
    services.accept_case(case, acting_user=community.user)
    case = services.handle_case(case, note="已清理", acting_user=community.user)
    assert case.state == State.HANDLED and case.unit == cc.street_a
    page = client_for(community).get(reverse("cases:detail", args=[case.pk]))
    assert page.status_code == 200 and "下派" in page.content.decode()


def test_a_street_passes_a_case_to_a_grid_worker_who_handles_it(cc, street):
    case, liaison, _community = street
    case = services.assign_case(case, person=cc.grid_worker_a, acting_user=liaison.user)
    worker = cc.grid_worker_a.user
    assert case in selectors.inbox_for_user(scope_for_user(worker)).to_handle
    services.accept_case(case, acting_user=worker)
    case = services.handle_case(case, note="已清理", acting_user=worker)
    assert case.handled_by == worker
    with pytest.raises(PermissionDenied):  # the handler never verifies their own work
        services.verify_case(
            case, passed=True, photos=[jpeg()], lon=IN_A[0], lat=IN_A[1], acting_user=worker
        )


def test_passing_down_is_checked(cc, street):
    case, liaison, _community = street
    outsider = factories.person(cc.city, cc.community_b, Role.GRID_WORKER, name="乙网格员")
    with pytest.raises(InvalidInput):
        services.assign_case(case, person=outsider, acting_user=liaison.user)
    with pytest.raises(InvalidInput):
        services.assign_case(case, unit=cc.community_b, acting_user=liaison.user)
    with pytest.raises(InvalidInput):
        services.assign_case(case, acting_user=liaison.user)
    with pytest.raises(PermissionDenied):
        services.assign_case(case, unit=cc.community_a, acting_user=cc.leader.user)
    assert Case.objects.get(pk=case.pk).handler_unit is None


def test_a_redispatch_takes_the_case_back_from_its_handler(cc, street):
    case, liaison, _community = street
    services.assign_case(case, unit=cc.community_a, acting_user=liaison.user)
    services.return_case(case, reason="属于区级职责", acting_user=liaison.user)
    case = services.dispatch_case(case, unit=cc.dept, acting_user=cc.office.user)
    assert case.handler_unit is None and case.handler_path == ""


def test_grid_workers_of_the_grid_are_told_a_case_waits_for_verification(
    cc, django_capture_on_commit_callbacks
):
    cc.grid_a.workers.add(cc.grid_worker_a)
    with django_capture_on_commit_callbacks(execute=True):
        cc.handled()
    assert Notification.objects.filter(user=cc.grid_worker_a.user, text__contains="待核查").exists()


def test_registering_with_a_new_category_says_the_unit_changed(cc, client_for):
    case = cc.intake(category=cc.event).case
    assert case.unit == cc.community_a
    client = client_for(cc.office)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    # the register form's category picker searches with the case: each row carries the unit
    # the category would make responsible
    picker = reverse("cases:pick_categories") + f"?case={case.pk}"
    assert f'data-cw-picker="{picker}"' in page
    rows = client.get(f"{picker}&q={cc.component.code}").json()["results"]
    assert {"value": cc.component.code, "unit": "城管局"}.items() <= rows[0].items()
    response = client.post(
        reverse("cases:action", args=[case.pk, "register"]),
        {"category": cc.component.code},
        follow=True,
    )
    assert "责任单位随之由「甲社区」改为「城管局」" in response.content.decode()
    assert Case.objects.get(pk=case.pk).unit == cc.dept
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    # closing as "not ours" sits apart, after the dispatch form, folded
    dispatch = reverse("cases:action", args=[case.pk, "dispatch"])
    assert page.index('data-testid="close-other"') > page.index(dispatch)


def test_the_office_reveals_a_reporters_number_and_each_reveal_is_audited(cc, client_for):
    res = services.intake_case(
        cc.city,
        services.IntakeData(
            description="路灯不亮好几天了", lon=IN_A[0], lat=IN_A[1], reporter_phone="13912345678"
        ),
        acting_user=PUBLIC,
        channel="public",
    )
    report = Report.objects.get(case=res.case)
    detail = client_for(cc.office).get(reverse("cases:detail", args=[res.case.pk]))
    assert "13912345678" not in detail.content.decode()
    assert 'data-testid="reveal-phone"' in detail.content.decode()
    url = reverse("cases:reveal_phone", args=[report.pk])
    shown = client_for(cc.office).post(url)
    assert "13912345678" in shown.content.decode()
    assert (
        AuditEvent.objects.filter(code="cases.report.reveal_phone", actor=cc.office.user).count()
        == 1
    )
    assert client_for(cc.liaison_a).post(url).status_code in (302, 403)
    with pytest.raises(PermissionDenied):
        services.reveal_reporter_phone(report, acting_user=cc.liaison_a.user)
    assert AuditEvent.objects.filter(code="cases.report.reveal_phone").count() == 1


def test_the_public_timeline_explains_each_step_and_shows_the_handling_note(cc):
    case = cc.dispatched()
    services.accept_case(case, acting_user=cc.liaison_a.user)
    services.handle_case(case, note="已清理，联系人电话 13812345678", acting_user=cc.liaison_a.user)
    steps = selectors.public_timeline(Case.objects.get(pk=case.pk))
    handle = next(s for s in steps if s.action == Action.HANDLE)
    assert handle.explanation and "已清理" in handle.note and "13812345678" not in handle.note
    assert all(s.explanation for s in steps)
    assert Action.ASSIGN not in {s.action for s in steps}
