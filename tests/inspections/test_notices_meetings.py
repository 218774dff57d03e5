import io
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document

from chuangwen.core.errors import InvalidInput, InvalidTransition, NotFound, PermissionDenied
from chuangwen.inspections import documents, selectors, services
from chuangwen.inspections.choices import ActionStatus, MeetingKind, NoticeStatus, PlanKind
from chuangwen.inspections.models import Notice
from chuangwen.org.actors import SYSTEM
from chuangwen.org.scope import scope_for_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def found(ic):
    """A plan with three failed checks: two in 甲社区 (甲路, 甲市场一), one in 乙社区 (乙路)."""
    plan = services.create_plan(
        ic.city,
        kind=PlanKind.SPECIAL,
        title="市容专项督查",
        seed=3,
        sample_sizes={"ZD": 2, "SC": 3},
        acting_user=SYSTEM,
    )
    services.sample_plan(plan, acting_user=SYSTEM)
    for code, item in (("ZD001", "ZD-1"), ("SC001", "SC-1"), ("ZD002", "ZD-1")):
        services.submit_check(
            plan,
            services.CheckData(
                uuid=uuid.uuid4(),
                sample_id=plan.samples.get(site__code=code).pk,
                check_item_id=ic.items[item].pk,
                passed=False,
                note=f"{code} 问题",
            ),
            acting_user=SYSTEM,
        )
    return plan


def test_notices_per_unit_numbered_and_documented(ic, found):
    deadline = timezone.localdate() + timedelta(days=7)
    notices = services.issue_notices_for_plan(found, deadline=deadline, acting_user=ic.office.user)
    assert [n.unit_id for n in notices] == sorted([ic.community_a.pk, ic.community_b.pk])
    year = timezone.localdate().year
    assert [n.number for n in notices] == [f"测创督〔{year}〕1号", f"测创督〔{year}〕2号"]
    a = next(n for n in notices if n.unit_id == ic.community_a.pk)
    assert a.cases.count() == 2
    # a second call finds nothing new
    assert services.issue_notices_for_plan(found, deadline=deadline, acting_user=SYSTEM) == []

    doc = Document(io.BytesIO(documents.notice_docx(a)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert a.number in text and a.title in text and "甲社区：" in text
    assert a.issuer in text and f"{deadline.year}年{deadline.month}月{deadline.day}日前" in text
    cells = [c.text for row in doc.tables[0].rows for c in row.cells]
    for case in a.cases.all():
        assert case.number in cells
    assert any("甲路" in c for c in cells) and any("甲市场一" in c for c in cells)
    assert "乙路" not in "".join(cells)
    # GB/T 9704: fonts, A4 page, margins, page numbers
    xml = doc.element.xml
    assert "方正小标宋简体" in xml and "仿宋_GB2312" in xml and "黑体" in xml
    section = doc.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.top_margin.mm) == 37
    assert "PAGE" in section.footer._element.xml


def test_acknowledge_and_who_is_late(ic, found, client_for):
    deadline = timezone.localdate() + timedelta(days=3)
    notices = services.issue_notices_for_plan(found, deadline=deadline, acting_user=SYSTEM)
    a = next(n for n in notices if n.unit_id == ic.community_a.pk)
    b = next(n for n in notices if n.unit_id == ic.community_b.pk)
    with pytest.raises(NotFound):
        services.acknowledge_notice(a, acting_user=ic.liaison_b.user)
    services.acknowledge_notice(a, acting_user=ic.liaison_a.user)
    a.refresh_from_db()
    assert a.status == NoticeStatus.ACKNOWLEDGED and a.acknowledged_by_id == ic.liaison_a.user.pk
    with pytest.raises(InvalidTransition):
        services.acknowledge_notice(a, acting_user=ic.office.user)
    # b was issued three days ago and never acknowledged: late
    Notice.objects.filter(pk=b.pk).update(issued_at=timezone.now() - timedelta(days=3))
    rows = {
        n.pk: selectors.is_late(n) for n in selectors.notice_rows(scope_for_user(ic.office.user))
    }
    assert rows == {a.pk: False, b.pk: True}
    # a past its deadline with cases still open is late too
    Notice.objects.filter(pk=a.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    rows = {
        n.pk: selectors.is_late(n) for n in selectors.notice_rows(scope_for_user(ic.office.user))
    }
    assert rows[a.pk] is True

    office = client_for(ic.office)
    page = office.get(reverse("inspections:notices")).content.decode()
    assert page.count('data-testid="late"') == 2
    liaison = client_for(ic.liaison_b)
    assert liaison.get(reverse("inspections:notice", args=[a.pk])).status_code == 404
    r = liaison.get(reverse("inspections:notice_docx", args=[b.pk]))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")
    assert liaison.post(reverse("inspections:notice_ack", args=[b.pk])).status_code == 302
    assert Notice.objects.get(pk=b.pk).status == NoticeStatus.ACKNOWLEDGED


def test_a_notice_links_the_cases_its_reader_may_open(ic, found, client_for):
    deadline = timezone.localdate() + timedelta(days=3)
    notices = services.issue_notices_for_plan(found, deadline=deadline, acting_user=SYSTEM)
    a = next(n for n in notices if n.unit_id == ic.community_a.pk)
    first, second = a.cases.order_by("pk")
    liaison = client_for(ic.liaison_a)
    page = liaison.get(reverse("inspections:notice", args=[a.pk])).content.decode()
    for case in (first, second):
        assert f'href="{reverse("cases:detail", args=[case.pk])}"' in page
    assert liaison.get(reverse("cases:detail", args=[first.pk])).status_code == 200
    # handed on to 乙社区 since: still listed, no longer a link for 甲社区's liaison
    type(second).objects.filter(pk=second.pk).update(
        unit=ic.community_b, unit_path=ic.community_b.path, area_path=ic.community_b.path
    )
    page = liaison.get(reverse("inspections:notice", args=[a.pk])).content.decode()
    assert second.number in page
    assert f'href="{reverse("cases:detail", args=[second.pk])}"' not in page
    assert f'href="{reverse("cases:detail", args=[first.pk])}"' in page


def test_notice_checks(ic, found):
    from chuangwen.cases.models import Case

    case_b = Case.objects.get(unit=ic.community_b)
    with pytest.raises(InvalidInput):  # a case of another unit
        services.issue_notice(
            ic.city,
            unit=ic.community_a,
            cases=[case_b],
            deadline=timezone.localdate(),
            acting_user=SYSTEM,
        )
    with pytest.raises(PermissionDenied):
        services.issue_notice(
            ic.city,
            unit=ic.community_b,
            cases=[case_b],
            deadline=timezone.localdate(),
            acting_user=ic.liaison_b.user,
        )


def test_meeting_decisions_become_followed_up_action_items(
    ic, client_for, django_assert_max_num_queries
):
    meeting = services.create_meeting(
        ic.city,
        kind=MeetingKind.DISPATCH,
        title="创文调度会",
        held_at=timezone.now(),
        agenda="通报督查情况",
        attendees=[ic.office, ic.liaison_a],
        attendee_units=[ic.district_a, ic.district_b],
        acting_user=ic.office.user,
    )
    services.record_minutes(meeting, "会议要求各区限期整改。", acting_user=ic.office.user)
    late = services.add_action_item(
        meeting,
        text="甲区完成背街小巷整治",
        unit=ic.district_a,
        deadline=timezone.localdate() - timedelta(days=1),
        owner=ic.liaison_a,
        acting_user=ic.office.user,
    )
    services.add_action_item(
        meeting,
        text="乙区补齐公益广告",
        unit=ic.district_b,
        deadline=timezone.localdate() + timedelta(days=5),
        acting_user=ic.office.user,
    )
    assert late.is_overdue
    office = scope_for_user(ic.office.user)
    assert [a.pk for a in selectors.overdue_actions(office)] == [late.pk]
    # the unit reports progress and finishes; another unit cannot touch it
    with pytest.raises(NotFound):
        services.update_action_item(late, status=ActionStatus.DONE, acting_user=ic.liaison_b.user)
    with pytest.raises(PermissionDenied):
        services.update_action_item(
            late, status=ActionStatus.CANCELLED, acting_user=ic.liaison_a.user
        )
    services.update_action_item(late, progress="已完成 8 条", acting_user=ic.liaison_a.user)
    done = services.update_action_item(
        late, status=ActionStatus.DONE, acting_user=ic.liaison_a.user
    )
    assert done.done_at is not None and done.progress == "已完成 8 条"
    assert done.is_overdue  # finished after its deadline still counts as late
    assert not selectors.overdue_actions(office).exists()
    # each unit sees its own items; the meeting page and the follow-up list
    assert selectors.actions_for_user(scope_for_user(ic.liaison_b.user)).count() == 1
    client = client_for(ic.office)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("inspections:meeting", args=[meeting.pk])).status_code == 200
    with django_assert_max_num_queries(10):
        page = client.get(reverse("inspections:actions"))
    assert "乙区补齐公益广告" in page.content.decode()
    with django_assert_max_num_queries(9):
        r = client.get("/api/inspections/actions?limit=50")
    assert r.json()["count"] == 2
    liaison = client_for(ic.liaison_b)
    assert liaison.get(reverse("inspections:meeting", args=[meeting.pk])).status_code == 200
    r = liaison.post(reverse("inspections:action_update", args=[late.pk]), {"status": "open"})
    assert r.status_code == 404
