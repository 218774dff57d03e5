"""The rules the services own: an actor is always named, the page offers exactly the actions the
services allow, and the source and external id of a report follow from channel and role."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from chuangwen.api.services import issue_api_token
from chuangwen.cases import services
from chuangwen.cases.choices import Action, Channel, ExtensionStatus, Source, State
from chuangwen.cases.models import Case, Extension, Report
from chuangwen.core.errors import InvalidInput, InvalidTransition, NotFound, PermissionDenied
from chuangwen.core.models import AuditEvent
from chuangwen.org.actors import PUBLIC, SYSTEM
from chuangwen.org.choices import Role
from tests import factories

from .conftest import IN_A, jpeg
from .test_views import _xlsx

# --- acting_user is required ---------------------------------------------------------------


def test_no_service_runs_without_an_actor(cc):
    case = cc.intake().case
    data = services.IntakeData(
        source=Source.PATROL, description="路边垃圾", lon=IN_A[0], lat=IN_A[1]
    )
    with pytest.raises(TypeError):
        services.intake_case(cc.city, data)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        services.intake_case(cc.city, data, acting_user=None)
    with pytest.raises(TypeError):
        services.register_case(case, acting_user=None)
    with pytest.raises(TypeError):
        services.load_categories(cc.city)  # type: ignore[call-arg]
    assert Case.objects.count() == 1 and Case.objects.get().state == State.REPORTED


def test_the_public_may_only_report_and_rate(cc):
    case = cc.intake().case
    with pytest.raises(NotFound):
        services.register_case(case, acting_user=PUBLIC)
    with pytest.raises(PermissionDenied):
        services.update_duplicate_settings(
            cc.city, radius_m=50, days=7, similarity=0.3, acting_user=PUBLIC
        )
    data = services.IntakeData(description="路边垃圾", lon=IN_A[0], lat=IN_A[1])
    with pytest.raises(PermissionDenied):
        services.intake_case(cc.city, data, acting_user=PUBLIC)  # the staff channel
    res = services.intake_case(cc.city, data, acting_user=PUBLIC, channel=Channel.PUBLIC)
    assert res.report.source == Source.CITIZEN and res.report.reporter_id is None


# --- the page offers exactly what the services allow ---------------------------------------


def _perform(cc, action: str, case: Case, user) -> None:
    """Take ``action`` through its service with input that is valid for it."""
    case = Case.objects.get(pk=case.pk)
    pending = Extension.objects.filter(case=case, status=ExtensionStatus.PENDING).first()
    on_site = {"photos": [jpeg()], "lon": IN_A[0], "lat": IN_A[1]}
    calls = {
        Action.REGISTER: lambda: services.register_case(case, acting_user=user),
        Action.REJECT: lambda: services.reject_case(case, reason="不属于问题", acting_user=user),
        Action.DISPATCH: lambda: services.dispatch_case(case, unit=cc.district_a, acting_user=user),
        Action.RETURN: lambda: services.return_case(case, reason="不归我们管", acting_user=user),
        Action.ASSIGN: lambda: services.assign_case(
            case, person=cc.grid_worker_a, acting_user=user
        ),
        Action.ACCEPT: lambda: services.accept_case(case, acting_user=user),
        Action.HANDLE: lambda: services.handle_case(case, note="已清理", acting_user=user),
        Action.VERIFY: lambda: services.verify_case(case, passed=True, acting_user=user, **on_site),
        Action.REWORK: lambda: services.verify_case(
            case, passed=False, note="仍有垃圾", acting_user=user, **on_site
        ),
        Action.CLOSE: lambda: services.close_case(
            case,
            resolution="fixed" if case.state == State.VERIFIED else "unfixable",
            note="暂无条件",
            acting_user=user,
        ),
        Action.EXTENSION_REQUEST: lambda: services.request_extension(
            case,
            until=(case.deadline or cc.now()) + timedelta(days=3),
            reason="需要更多时间",
            acting_user=user,
        ),
        Action.EXTENSION_APPROVE: lambda: services.decide_extension(
            pending.pk if pending else 0, approve=True, acting_user=user
        ),
        Action.EXTENSION_REFUSE: lambda: services.decide_extension(
            pending.pk if pending else 0, approve=False, note="理由不足", acting_user=user
        ),
        Action.PHOTO: lambda: services.add_photos(case, [jpeg()], acting_user=user),
    }
    calls[action]()


class _Undo(Exception):
    pass


def _cases_in_states(cc):
    office = cc.office.user
    liaison = cc.liaison_a.user
    reported = cc.intake("甲社区路边垃圾一", point=IN_A).case
    registered = cc.intake("甲社区井盖缺失二", category=cc.other_event, point=IN_A).case
    services.register_case(registered, acting_user=office)
    dispatched = cc.dispatched(text="甲社区小广告三", category=cc.other_event)
    returned = cc.dispatched(text="甲社区路灯不亮四", category=cc.component)
    services.return_case(returned, reason="不归我们管", acting_user=cc.dept_liaison.user)
    in_progress = cc.dispatched(text="甲社区堆放杂物五", category=cc.event_with_dept)
    services.accept_case(in_progress, acting_user=liaison)
    asked = cc.dispatched(text="甲社区积水六", category=cc.other_event, point=(113.006, 28.006))
    services.accept_case(asked, acting_user=liaison)
    services.request_extension(
        asked,
        until=Case.objects.get(pk=asked.pk).deadline + timedelta(days=2),
        reason="材料未到",
        acting_user=liaison,
    )
    handled = cc.handled(text="甲社区乱停车七", point=(113.004, 28.004))
    verified = cc.handled(text="甲社区占道经营八", point=(113.003, 28.003))
    services.verify_case(
        verified, passed=True, photos=[jpeg()], lon=113.003, lat=28.003, acting_user=office
    )
    return [reported, registered, dispatched, returned, in_progress, asked, handled, verified]


def test_offered_actions_succeed_and_the_others_are_refused(cc):
    cc.now = lambda: Case.objects.order_by("id").first().reported_at
    inspector = factories.person(cc.city, cc.district_a, Role.INSPECTOR, name="甲区督查员")
    people = [
        cc.office,
        cc.leader,
        cc.liaison_a,
        cc.liaison_b,
        cc.dept_liaison,
        cc.grid_worker_a,
        cc.citizen,
        inspector,
    ]
    cases = _cases_in_states(cc)
    assert {c.state for c in Case.objects.all()} >= {
        State.REPORTED,
        State.REGISTERED,
        State.DISPATCHED,
        State.RETURNED,
        State.IN_PROGRESS,
        State.HANDLED,
        State.VERIFIED,
    }
    checked = offered_total = 0
    for person in people:
        for case in cases:
            case = Case.objects.get(pk=case.pk)
            offered = services.allowed_actions(case, acting_user=person.user)
            offered_total += len(offered)
            for action in services.workflow.ROLE_CHECKS:
                try:
                    with transaction.atomic():
                        _perform(cc, action, case, person.user)
                        raise _Undo
                except _Undo:
                    took = True
                except (PermissionDenied, InvalidTransition, NotFound):
                    took = False
                assert took == (action in offered), (person.name, case.state, action, offered)
                checked += 1
    assert checked == len(people) * len(cases) * len(services.workflow.ROLE_CHECKS)
    assert offered_total > 20  # the test saw real choices, not only refusals


def test_inspector_is_not_offered_verification_outside_their_area(cc, client_for):
    inspector_b = factories.person(cc.city, cc.district_b, Role.INSPECTOR, name="乙区督查员")
    case = cc.handled()
    assert Action.VERIFY not in services.allowed_actions(case, acting_user=inspector_b.user)
    assert Action.VERIFY in services.allowed_actions(case, acting_user=cc.grid_worker_a.user)
    body = client_for(cc.grid_worker_a).get(reverse("cases:detail", args=[case.pk])).content
    assert reverse("cases:action", args=[case.pk, "verify"]).encode() in body
    # the handler never verifies their own work, even as the office
    office_handled = cc.dispatched(text="另一个问题需要处理")
    services.accept_case(office_handled, acting_user=cc.office.user)
    services.handle_case(office_handled, note="办公室自己处理", acting_user=cc.office.user)
    assert Action.VERIFY not in services.allowed_actions(office_handled, acting_user=cc.office.user)


# --- source and external id follow from channel and role -----------------------------------


def _post(client: Client, body: dict, **extra):
    return client.post("/api/cases/", body, content_type="application/json", **extra)


def test_grid_worker_cannot_claim_a_hotline_order_by_http(cc, client_for):
    worker = client_for(cc.grid_worker_a)
    base = {"description": "路边暴露垃圾", "category": "SJ0102", "lon": IN_A[0], "lat": IN_A[1]}
    r = _post(worker, {**base, "source": "hotline", "external_id": "EXT-1"})
    assert r.status_code == 400
    assert "12345" in r.json()["message"] and "网格巡查" in r.json()["message"]
    r = _post(worker, {**base, "source": "patrol", "external_id": "EXT-1"})
    assert r.status_code == 400 and "工单编号" in r.json()["message"]
    assert _post(worker, {**base, "source": "media"}).status_code == 400
    assert Report.objects.count() == 0
    r = _post(worker, base)  # no source: the role's own
    assert r.status_code == 201
    assert Case.objects.get(pk=r.json()["case_id"]).source == Source.PATROL
    # the office's 12345 import of EXT-1 still goes through
    results = services.import_hotline_orders(
        cc.city,
        _xlsx([["EXT-1", "路边暴露垃圾很多", None, "张三", None, "甲社区", None, None, None]]),
        acting_user=cc.office.user,
    )
    assert results[0].report.source == Source.HOTLINE
    assert results[0].report.external_id == "EXT-1"


def test_sources_by_token_and_role(cc):
    _token, raw = issue_api_token(cc.grid_worker_a.user, name="t", acting_user=SYSTEM)
    device = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    body = {"description": "井盖破损", "lon": IN_A[0], "lat": IN_A[1]}
    assert _post(device, {**body, "source": "inspection"}).status_code == 400
    assert _post(device, {**body, "source": "patrol"}).status_code == 201
    assert services.allowed_sources(acting_user=cc.grid_worker_a.user) == (Source.PATROL,)
    assert services.allowed_sources(acting_user=cc.citizen.user) == (Source.CITIZEN,)
    assert Source.MEDIA in services.allowed_sources(acting_user=cc.office.user)
    assert Source.HOTLINE not in services.allowed_sources(acting_user=cc.office.user)
    assert services.allowed_sources(acting_user=cc.leader.user) == ()
    # 12345 and external ids come only through the importer's channel
    data = services.IntakeData(
        source=Source.HOTLINE, description="x问题", lon=IN_A[0], lat=IN_A[1], external_id="E-9"
    )
    with pytest.raises(InvalidInput):
        services.intake_case(cc.city, data, acting_user=cc.office.user)
    res = services.intake_case(cc.city, data, acting_user=cc.office.user, channel=Channel.HOTLINE)
    assert res.report.external_id == "E-9"


def test_the_intake_form_offers_only_the_roles_sources(cc, client_for):
    body = client_for(cc.grid_worker_a).get(reverse("cases:new")).content.decode()
    assert 'value="patrol"' in body and 'value="hotline"' not in body
    assert 'value="media"' not in body
    office = client_for(cc.office).get(reverse("cases:new")).content.decode()
    assert 'value="media"' in office and 'value="hotline"' not in office


# --- verification without a location --------------------------------------------------------


def test_verification_without_location_needs_a_recorded_reason_by_default(cc):
    case = cc.handled()
    worker = cc.grid_worker_a.user
    with pytest.raises(InvalidInput) as exc:
        services.verify_case(case, passed=True, photos=[jpeg()], acting_user=worker)
    assert exc.value.code == "reason_required"
    assert Case.objects.get(pk=case.pk).state == State.HANDLED
    case = services.verify_case(
        case,
        passed=True,
        photos=[jpeg()],
        no_location_reason="地下通道内无信号",
        acting_user=worker,
    )
    assert case.state == State.VERIFIED
    event = case.events.get(action=Action.VERIFY)
    assert event.data == {"no_location_reason": "地下通道内无信号"}
    row = AuditEvent.objects.get(code="cases.case.verify", object_id=str(case.pk))
    assert row.after["no_location_reason"] == "地下通道内无信号"


def test_the_office_can_refuse_verification_without_location(cc, client_for):
    office = client_for(cc.office)
    r = office.post(
        reverse("cases:settings"),
        {"radius_m": 50, "days": 7, "similarity": 0.3, "verify_without_location": "refuse"},
    )
    assert r.status_code == 302
    assert services.duplicate_settings(cc.city.pk).verify_without_location == "refuse"
    assert client_for(cc.liaison_a).get(reverse("cases:settings")).status_code == 403
    case = cc.handled()
    with pytest.raises(InvalidInput) as exc:
        services.verify_case(
            case,
            passed=True,
            photos=[jpeg()],
            no_location_reason="地下通道内无信号",
            acting_user=cc.grid_worker_a.user,
        )
    assert exc.value.code == "location_required"
    # through the page: refused with the message, nothing changes
    r = client_for(cc.grid_worker_a).post(
        reverse("cases:action", args=[case.pk, "verify"]),
        {"passed": "on", "photos": [_upload_jpeg()], "no_location_reason": "没信号"},
        follow=True,
    )
    assert "现场定位" in r.content.decode()
    assert Case.objects.get(pk=case.pk).state == State.HANDLED
    # on site it goes through, with the place recorded
    case = services.verify_case(
        case, passed=True, photos=[jpeg()], lon=IN_A[0], lat=IN_A[1], acting_user=cc.office.user
    )
    assert case.state == State.VERIFIED
    assert case.events.get(action=Action.VERIFY).data == {"lon": IN_A[0], "lat": IN_A[1]}


def _upload_jpeg():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("p.jpg", jpeg(), content_type="image/jpeg")
