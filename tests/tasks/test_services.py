import datetime as dt

import pytest
from django.urls import reverse

from chuangwen.core.errors import InvalidInput, InvalidTransition, NotFound, PermissionDenied
from chuangwen.core.models import AuditEvent, Notification
from chuangwen.org.actors import SYSTEM
from chuangwen.org.scope import scope_for_user
from chuangwen.tasks import selectors, services
from chuangwen.tasks.choices import ReportStatus, TaskStatus
from chuangwen.tasks.models import Evidence, Task

from .conftest import PDF_BYTES, docx_bytes, fake_zip, jpeg_bytes, png_bytes

pytestmark = pytest.mark.django_db(transaction=False)


def test_create_task_writes_audit_and_supports(tc):
    task = tc.task(supporting=[tc.dept, tc.street_a])
    assert task.status == TaskStatus.NOT_STARTED
    assert sorted(task.supporting_units.values_list("name", flat=True)) == ["城管局", "甲街道"]
    event = AuditEvent.objects.get(code="tasks.task.created", object_id=str(task.pk))
    assert event.after["supporting_units"] == sorted([tc.dept.pk, tc.street_a.pk])


def test_only_standards_and_only_office(tc):
    item = tc.system.indicators.get(code="6")
    with pytest.raises(InvalidInput) as exc:
        services.create_task(tc.city, indicator=item, lead_unit=tc.dept, acting_user=SYSTEM)
    assert "不是测评标准" in str(exc.value.message)
    with pytest.raises(PermissionDenied):
        tc.task(acting_user=tc.liaison_a.user)
    with pytest.raises(PermissionDenied):
        tc.task(acting_user=tc.leader.user)


def test_scope_lead_supporting_subtree(tc):
    t_a = tc.task(lead=tc.community_a)  # under district A
    t_dept = tc.task(code="6.1.2", lead=tc.dept, supporting=[tc.street_b])
    t_b = tc.task(code="6.1.3", lead=tc.district_b)

    def seen(person):
        return set(
            selectors.tasks_for_user(scope_for_user(person.user)).values_list("pk", flat=True)
        )

    assert seen(tc.liaison_a) == {t_a.pk}
    assert seen(tc.liaison_b) == {t_dept.pk, t_b.pk}  # supports t_dept through its street
    assert seen(tc.dept_liaison) == {t_dept.pk}
    assert seen(tc.office) == seen(tc.leader) == {t_a.pk, t_dept.pk, t_b.pk}
    assert seen(tc.citizen) == set()
    with pytest.raises(NotFound):
        selectors.get_task_for_user(scope_for_user(tc.liaison_a.user), t_b.pk)


def test_progress_with_files_then_accept_completes(tc, django_capture_on_commit_callbacks):
    task = tc.task(supporting=[tc.dept])
    report = services.report_progress(
        task,
        text="已完成整治并拍照",
        files=[("现场.jpg", jpeg_bytes()), ("方案.docx", docx_bytes()), ("台账.pdf", PDF_BYTES)],
        complete=True,
        acting_user=tc.liaison_a.user,
    )
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS
    assert report.unit == tc.district_a
    kinds = sorted(Evidence.objects.filter(report=report).values_list("kind", flat=True))
    assert kinds == ["docx", "jpeg", "pdf"]
    ev = Evidence.objects.filter(report=report).first()
    assert ev.indicator_id == task.indicator_id and ev.file.read()[:2] in (
        b"\xff\xd8",
        b"PK",
        b"%P",
    )
    # supporting unit may report too, as itself
    r2 = services.report_progress(task, text="配合完成", acting_user=tc.dept_liaison.user)
    assert r2.unit == tc.dept
    with pytest.raises(PermissionDenied):
        services.review_report(report, accept=True, acting_user=tc.liaison_a.user)
    with django_capture_on_commit_callbacks(execute=True):
        services.review_report(report, accept=True, comment="同意", acting_user=tc.office.user)
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.done_at is not None
    url = reverse("tasks:detail", args=[task.pk])
    assert Notification.objects.filter(user=tc.liaison_a.user, topic="tasks", url=url).exists()
    with pytest.raises(InvalidTransition):
        services.review_report(report, accept=False, comment="x", acting_user=tc.office.user)
    with pytest.raises(InvalidTransition):
        services.report_progress(task, text="又报", acting_user=tc.liaison_a.user)


def test_return_needs_comment_and_keeps_task_open(tc, django_capture_on_commit_callbacks):
    task = tc.task()
    report = services.report_progress(
        task, text="完成", complete=True, acting_user=tc.liaison_a.user
    )
    with pytest.raises(InvalidInput):
        services.review_report(report, accept=False, acting_user=tc.office.user)
    with django_capture_on_commit_callbacks(execute=True):
        services.review_report(report, accept=False, comment="缺少照片", acting_user=tc.office.user)
    report.refresh_from_db()
    task.refresh_from_db()
    assert report.status == ReportStatus.RETURNED and report.review_comment == "缺少照片"
    assert task.status == TaskStatus.IN_PROGRESS
    n = Notification.objects.get(user=tc.liaison_a.user)
    assert "缺少照片" in n.text


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("a.jpg", b"GIF89a......", "bad_file_type"),
        ("a.docx", b"PK\x03\x04garbage", "bad_file_type"),
        ("a.xlsx", "zip", "bad_file_type"),
        ("empty.pdf", b"", "empty_file"),
        ("huge.pdf", "huge", "too_large"),
        ("virus.exe", b"MZ\x90\x00", "bad_file_type"),
    ],
)
def test_evidence_validated_by_content_and_size(tc, name, data, code):
    if data == "zip":
        data = fake_zip()
    if data == "huge":
        data = b"%PDF-" + b"0" * (20 * 1024 * 1024)
    task = tc.task()
    with pytest.raises(InvalidInput) as exc:
        services.report_progress(
            task,
            text="x",
            files=[("ok.png", png_bytes()), (name, data)],
            acting_user=tc.office.user,
        )
    assert exc.value.code == code
    assert not Evidence.objects.exists()  # all-or-nothing: the valid PNG was not kept either


def test_unrelated_unit_cannot_report(tc):
    task = tc.task(lead=tc.dept)
    with pytest.raises(PermissionDenied):
        services.report_progress(task, text="x", acting_user=tc.liaison_b.user)
    with pytest.raises(PermissionDenied):
        services.report_progress(task, text="x", acting_user=tc.leader.user)


def test_overdue_is_computed(tc):
    late = tc.task(deadline=dt.date.today() - dt.timedelta(days=1))
    fine = tc.task(code="6.1.2", deadline=dt.date.today())
    done_late = tc.task(code="6.1.3", deadline=dt.date.today() - dt.timedelta(days=3))
    services.report_progress(done_late, text="ok", complete=True, acting_user=tc.liaison_a.user)
    services.review_report(done_late.reports.get(), accept=True, acting_user=tc.office.user)
    assert late.is_overdue and late.display_status == "overdue"
    assert not fine.is_overdue
    done_late.refresh_from_db()
    assert not done_late.is_overdue
    assert list(Task.objects.filter(selectors.overdue_q()).values_list("pk", flat=True)) == [
        late.pk
    ]


def test_update_close_and_reopen(tc):
    task = tc.task(supporting=[tc.dept])
    services.update_task(
        task, lead_unit=tc.district_b, supporting_units=[tc.street_b], acting_user=tc.office.user
    )
    task.refresh_from_db()
    assert task.lead_unit == tc.district_b
    assert list(task.supporting_units.all()) == [tc.street_b]
    with pytest.raises(InvalidInput):
        services.close_task(task, reason="", acting_user=tc.office.user)
    services.close_task(task, reason="标准已删除", acting_user=tc.office.user)
    task.refresh_from_db()
    assert task.status == TaskStatus.CLOSED
    with pytest.raises(InvalidTransition):
        services.reopen_task(task, acting_user=tc.office.user)
