"""奖惩问责: the record's life (proposed → decided / dismissed → responded → followed up →
closed), who decides, the rules that propose, and who sees what (a unit only its own decided
records, in pages, the API and the export)."""

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from chuangwen.assessment import accountability, selectors, services
from chuangwen.assessment.choices import AccountabilityKind, AccountabilityState
from chuangwen.assessment.models import AccountabilityRecord
from chuangwen.core.errors import InvalidInput, InvalidTransition, NotFound, PermissionDenied
from chuangwen.core.models import AuditEvent, Notification
from chuangwen.org.actors import SYSTEM
from chuangwen.org.scope import scope_for_user
from tests import factories

from .account_helpers import IN_B, World

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(small_city):
    return World(small_city)


def propose(w, unit=None, kind=AccountabilityKind.INTERVIEW, facts=(), title="整改滞后"):
    return services.propose_accountability(
        w.city,
        unit=unit or w.district_a,
        kind=kind,
        title=title,
        reason="督查发现问题整改不到位",
        facts=facts,
        acting_user=w.office.user,
    )


def test_full_life_with_facts_as_links(w, client_for, django_capture_on_commit_callbacks):
    case = w.dispatched()
    notice = w.notice(case, w.community_a)
    record = propose(
        w,
        kind=AccountabilityKind.CRITICISM,
        facts=[f"case:{case.pk}", {"type": "notice", "id": notice.pk}],
    )
    assert record.state == AccountabilityState.PROPOSED
    assert [f["type"] for f in record.facts] == ["case", "notice"]
    assert record.facts[0]["label"].startswith(f"案件 {case.number}")
    assert notice.number in record.facts[1]["label"]

    with django_capture_on_commit_callbacks(execute=True):
        record = services.decide_accountability(
            record, decision="予以通报批评", acting_user=w.office.user
        )
    assert record.state == AccountabilityState.DECIDED and record.decided_by == w.office.user
    assert record.response_due == w.today + timedelta(days=10)
    assert Notification.objects.filter(
        user=w.liaison_a.user, url=f"/assessment/accountability/{record.pk}/"
    ).exists()

    record = services.respond_accountability(
        record, response="已整改到位", acting_user=w.liaison_a.user
    )
    assert record.state == AccountabilityState.RESPONDED
    record = services.follow_up_accountability(record, note="复查到位", acting_user=w.office.user)
    record = services.close_accountability(record, note="办结", acting_user=w.office.user)
    assert record.state == AccountabilityState.CLOSED and record.closed_at is not None
    codes = list(
        AuditEvent.objects.filter(object_id=str(record.pk), code__startswith="assessment.acc")
        .order_by("id")
        .values_list("code", flat=True)
    )
    assert codes == [
        "assessment.accountability.proposed",
        "assessment.accountability.decided",
        "assessment.accountability.responded",
        "assessment.accountability.followed_up",
        "assessment.accountability.closed",
    ]

    page = client_for(w.liaison_a).get(f"/assessment/accountability/{record.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert (
        f'href="/cases/{case.pk}/"' in html and f'href="/inspections/notices/{notice.pk}/"' in html
    )


def test_invalid_transitions_are_refused_and_change_nothing(w):
    record = propose(w)
    with pytest.raises(InvalidTransition, match="待决定"):
        services.respond_accountability(record, response="x", acting_user=w.office.user)
    with pytest.raises(InvalidTransition):
        services.close_accountability(record, acting_user=w.office.user)
    with pytest.raises(InvalidInput, match="请填写决定意见"):
        services.decide_accountability(record, decision="  ", acting_user=w.office.user)
    with pytest.raises(InvalidInput, match="反馈时限不能早于今天"):
        services.decide_accountability(
            record,
            decision="同意",
            response_due=w.today - timedelta(days=1),
            acting_user=w.office.user,
        )
    record.refresh_from_db()
    assert record.state == AccountabilityState.PROPOSED and record.decision == ""
    services.dismiss_accountability(record, reason="不属实", acting_user=w.office.user)
    with pytest.raises(InvalidTransition, match="不予处理"):
        services.decide_accountability(record, decision="同意", acting_user=w.office.user)


def test_who_decides(w):
    referral = propose(w, kind=AccountabilityKind.REFERRAL, title="多次督促仍未整改")
    with pytest.raises(PermissionDenied, match="市领导"):
        services.decide_accountability(referral, decision="移送", acting_user=w.office.user)
    with pytest.raises(InvalidInput, match="移送机关"):
        services.decide_accountability(referral, decision="移送", acting_user=w.leader.user)
    referral = services.decide_accountability(
        referral, decision="建议问责", referral_to="市纪委监委", acting_user=w.leader.user
    )
    assert referral.state == AccountabilityState.DECIDED and referral.referral_to == "市纪委监委"

    interview = propose(w, kind=AccountabilityKind.INTERVIEW)
    services.decide_accountability(interview, decision="约谈", acting_user=w.leader.user)
    commend = propose(w, kind=AccountabilityKind.COMMEND, title="成效明显")
    with pytest.raises(PermissionDenied):
        services.decide_accountability(commend, decision="表扬", acting_user=w.leader.user)
    for person in (w.liaison_a, w.grid_worker_a):
        with pytest.raises(PermissionDenied):
            services.decide_accountability(commend, decision="表扬", acting_user=person.user)
    commend = services.decide_accountability(commend, decision="表扬", acting_user=w.office.user)
    assert commend.response_due is None  # a commendation asks for no answer
    with pytest.raises(PermissionDenied):  # the office proposes, a liaison may not
        services.propose_accountability(
            w.city,
            unit=w.district_a,
            kind=AccountabilityKind.COMMEND,
            title="x",
            acting_user=w.liaison_a.user,
        )


def test_bad_facts_and_kinds_are_refused_nothing_created(w):
    elsewhere = factories.SmallCity()
    foreign = World(elsewhere).dispatched()
    for facts, message in (
        (["bogus:1"], "未知的事实类型"),
        ([f"case:{foreign.pk}"], "不存在或不属于本城市"),
        (["case:abc"], "事实编号"),
    ):
        with pytest.raises(InvalidInput, match=message):
            propose(w, facts=facts)
    with pytest.raises(InvalidInput, match="类型"):
        propose(w, kind="praise")
    with pytest.raises(InvalidInput, match="对象单位不属于本城市"):
        propose(w, unit=elsewhere.district_a)
    assert not AccountabilityRecord.objects.filter(city=w.city).exists()


def test_a_unit_sees_only_its_own_decided_records(w, client_for):
    mine = services.decide_accountability(propose(w), decision="约谈", acting_user=w.office.user)
    pending = propose(w, title="尚未决定的建议")
    theirs = services.decide_accountability(
        propose(w, unit=w.district_b, title="乙区的约谈"),
        decision="约谈",
        acting_user=w.office.user,
    )
    below = services.decide_accountability(
        propose(w, unit=w.street_a, title="甲街道的约谈"),
        decision="约谈",
        acting_user=w.office.user,
    )

    scope = scope_for_user(w.liaison_a.user)
    assert list(selectors.records_for_user(scope)) == [mine]  # not its street's either
    assert selectors.records_for_user(scope_for_user(w.leader.user)).count() == 4
    for person in (w.grid_worker_a, w.citizen, w.dept_liaison):
        assert not selectors.records_for_user(scope_for_user(person.user)).exists()

    a = client_for(w.liaison_a)
    listing = a.get("/assessment/accountability/").content.decode()
    assert mine.title in listing
    assert (
        "乙区的约谈" not in listing and "尚未决定的建议" not in listing and "甲街道" not in listing
    )
    for other in (pending, theirs, below):
        assert a.get(f"/assessment/accountability/{other.pk}/").status_code == 404
        assert a.get(f"/api/assessment/accountability/{other.pk}").status_code == 404
        assert (
            a.post(f"/assessment/accountability/{other.pk}/respond/", {"note": "x"}).status_code
            == 404
        )
    api = a.get("/api/assessment/accountability").json()
    assert [r["id"] for r in api["items"]] == [mine.pk]
    sheet = load_workbook(io.BytesIO(a.get("/assessment/accountability/export.xlsx").getvalue()))
    rows = list(sheet.active.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == [mine.pk]
    # the respond action of a proposal it cannot see answers 404 in the service too
    with pytest.raises(NotFound):
        services.respond_accountability(pending, response="x", acting_user=w.liaison_a.user)
    # a grid worker of the same district: no page at all
    assert client_for(w.grid_worker_a).get("/assessment/accountability/").status_code == 403
    assert client_for(w.liaison_b).get(f"/assessment/accountability/{mine.pk}/").status_code == 404


def test_rules_propose_once_and_a_person_decides(w):
    w.with_system()
    late_case = w.dispatched()
    notice = w.notice(late_case, w.community_a)
    for i in range(accountability.OVERDUE_CASES_MIN):
        w.dispatched(point=(IN_B[0] + 0.001 * i, IN_B[1]), text=f"乙社区第{i + 1}处路面破损")
    w.task(w.dept, days_ago=5)
    later = w.today + timedelta(days=40)  # every deadline has passed by then
    made = services.run_accountability_rules(w.city, today=later, acting_user=w.office.user)
    by_rule = {r.rule: r for r in made}
    assert set(by_rule) == {"overdue_notice", "overdue_cases", "overdue_tasks"}
    criticism = by_rule["overdue_notice"]
    assert criticism.kind == AccountabilityKind.CRITICISM and criticism.unit == w.community_a
    assert {"type": "notice", "id": notice.pk} == {k: criticism.facts[0][k] for k in ("type", "id")}
    assert criticism.facts[1]["id"] == late_case.pk
    talk = by_rule["overdue_cases"]
    assert talk.kind == AccountabilityKind.REMINDER_TALK and talk.unit == w.community_b
    assert len(talk.facts) == accountability.OVERDUE_CASES_MIN
    assert by_rule["overdue_tasks"].kind == AccountabilityKind.RECTIFY
    assert all(r.state == AccountabilityState.PROPOSED for r in made)

    services.dismiss_accountability(criticism, reason="已说明", acting_user=w.office.user)
    again = services.run_accountability_rules(w.city, today=later, acting_user=SYSTEM)
    assert again == []  # each fact once, a dismissed proposal is not made again
    # today (another month than ``later``): only the task still overdue is proposed, once
    today = services.run_accountability_rules(w.city, acting_user=SYSTEM)
    assert [r.rule for r in today] == ["overdue_tasks"]
    assert not services.run_accountability_rules(w.city, acting_user=SYSTEM)
    with pytest.raises(PermissionDenied):
        services.run_accountability_rules(w.city, acting_user=w.liaison_a.user)


def test_a_registered_rule_is_run(w, monkeypatch):
    monkeypatch.setattr(accountability, "RULES", dict(accountability.RULES))

    def black_list_twice(city, *, today):
        yield accountability.Proposal(
            unit=w.district_b,
            kind=AccountabilityKind.INTERVIEW,
            title="连续两期黑榜末位",
            key=f"{w.district_b.pk}:2026-10,2026-11",
        )

    accountability.register_accountability_rule(
        "black_list_twice", "连续两期黑榜末位", black_list_twice
    )
    with pytest.raises(ValueError):
        accountability.register_accountability_rule("black_list_twice", "x", lambda c, today: [])
    made = services.run_accountability_rules(w.city, acting_user=w.office.user)
    assert [(r.rule, r.unit, r.title) for r in made] == [
        ("black_list_twice", w.district_b, "连续两期黑榜末位")
    ]


def test_pages_and_the_proposal_form(w, client_for, django_assert_max_num_queries):
    case = w.dispatched()
    office = client_for(w.office)
    facts = office.get("/assessment/accountability/facts/", {"unit": w.community_a.pk})
    assert f'value="case:{case.pk}"' not in facts.content.decode()  # not overdue yet
    notice = w.notice(case, w.community_a)
    facts = office.get("/assessment/accountability/facts/", {"unit": w.district_a.pk})
    assert f'value="notice:{notice.pk}"' in facts.content.decode()
    assert office.get("/assessment/accountability/facts/", {"unit": "x"}).status_code == 200

    r = office.post(
        "/assessment/accountability/new/",
        {
            "unit": w.district_a.pk,
            "kind": "interview",
            "title": "督查问题整改滞后",
            "reason": "",
            "facts": [f"notice:{notice.pk}"],
        },
    )
    assert r.status_code == 302
    record = AccountabilityRecord.objects.get(title="督查问题整改滞后")
    assert record.facts[0]["id"] == notice.pk
    bad = office.post(
        "/assessment/accountability/new/",
        {"unit": w.district_a.pk, "kind": "interview", "title": "", "facts": ["case:999999"]},
    )
    assert bad.status_code == 400 and AccountabilityRecord.objects.count() == 1

    r = office.post(
        f"/assessment/accountability/{record.pk}/decide/", {"decision": "", "response_due": ""}
    )
    assert r.status_code == 302
    record.refresh_from_db()
    assert record.state == AccountabilityState.PROPOSED
    r = client_for(w.leader).post(
        f"/assessment/accountability/{record.pk}/decide/", {"decision": "约谈主要负责人"}
    )
    record.refresh_from_db()
    assert record.state == AccountabilityState.DECIDED
    r = client_for(w.liaison_a).post(
        f"/assessment/accountability/{record.pk}/respond/", {"note": "已约谈并整改"}
    )
    record.refresh_from_db()
    assert record.state == AccountabilityState.RESPONDED and record.response == "已约谈并整改"
    assert office.post(f"/assessment/accountability/{record.pk}/bogus/").status_code == 404

    for i in range(6):
        propose(w, unit=w.district_b, title=f"建议{i}")
    with django_assert_max_num_queries(12):
        listing = office.get("/assessment/accountability/")
    assert listing.status_code == 200 and "建议5" in listing.content.decode()
    with django_assert_max_num_queries(10):
        assert office.get("/api/assessment/accountability").json()["count"] == 7
    assert office.get("/api/assessment/accountability", {"state": "bogus"}).status_code == 400


def test_api_flow(w, client_for):
    case = w.dispatched()
    office, leader, liaison = (client_for(p) for p in (w.office, w.leader, w.liaison_a))
    body = {
        "unit_id": w.district_a.pk,
        "kind": "referral",
        "title": "多次督促仍未整改",
        "facts": [{"type": "case", "id": case.pk}],
    }
    r = office.post("/api/assessment/accountability", body, content_type="application/json")
    assert r.status_code == 201, r.content
    rid = r.json()["id"]
    assert r.json()["facts"][0]["url"] == f"/cases/{case.pk}/"
    assert (
        liaison.post(
            "/api/assessment/accountability", body, content_type="application/json"
        ).status_code
        == 403
    )
    bad = office.post(
        "/api/assessment/accountability",
        {**body, "kind": "praise"},
        content_type="application/json",
    )
    assert bad.status_code == 400

    def post(client, path, data):
        return client.post(
            f"/api/assessment/accountability/{rid}/{path}", data, content_type="application/json"
        )

    assert post(office, "decide", {"decision": "移送"}).status_code == 403
    assert post(leader, "decide", {"decision": "移送"}).status_code == 400
    assert (
        post(leader, "decide", {"decision": "移送", "referral_to": "市纪委监委"}).status_code == 200
    )
    assert post(liaison, "respond", {"note": "已整改"}).json()["state"] == "responded"
    assert post(office, "follow-up", {"note": "复查"}).json()["state"] == "followed_up"
    assert post(office, "close", {}).json()["state"] == "closed"
    assert post(office, "close", {}).status_code == 409
    assert client_for(w.liaison_b).get(f"/api/assessment/accountability/{rid}").status_code == 404
