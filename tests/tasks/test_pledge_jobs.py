"""生成全部责任书 as a background job: the office submits, the job (eager on commit) renders a
pledge per unit with progress, as the submitting user; nobody else may submit it."""

import datetime as dt

import pytest
from django.urls import reverse

from chuangwen.core.choices import JobStatus
from chuangwen.core.errors import InvalidInput, PermissionDenied
from chuangwen.core.models import Job
from chuangwen.org import services as org
from chuangwen.org.actors import SYSTEM
from chuangwen.tasks import booklets
from chuangwen.tasks.booklets import PLEDGE_JOB
from chuangwen.tasks.models import Pledge

pytestmark = pytest.mark.django_db
YEAR = dt.date.today().year


@pytest.fixture
def tasks(tc):
    tc.task("6.1.1", lead=tc.street_a, supporting=[tc.dept])
    tc.task("6.1.2", lead=tc.street_b)
    return tc


def test_progress_is_called_per_unit(tasks):
    calls = []
    made = booklets.generate_pledges(
        tasks.city, YEAR, acting_user=tasks.office.user, progress=lambda d, t: calls.append((d, t))
    )
    assert len(made) == 3 and calls == [(1, 3), (2, 3), (3, 3)]
    assert all(p.document.name.endswith(".docx") and p.document.size for p in made)


def test_office_posts_a_job_that_generates_every_pledge(
    tasks, client_for, django_capture_on_commit_callbacks
):
    office = client_for(tasks.office)
    with django_capture_on_commit_callbacks(execute=True):
        r = office.post(f"/tasks/pledges/?year={YEAR}", {"kind": "oath"})
    job = Job.objects.get()
    assert r.status_code == 302 and r.url == reverse("job", args=[job.pk])
    assert job.kind == PLEDGE_JOB and job.params == {"year": YEAR, "kind": "oath"}
    assert job.title == f"生成 {YEAR} 年度军令状" and job.created_by == tasks.office.user
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert (job.done, job.total) == (3, 3)
    assert job.result == {
        "message": f"已生成 {YEAR} 年度责任书 3 份",
        "url": f"/tasks/pledges/?year={YEAR}",
    }
    assert set(Pledge.objects.filter(year=YEAR).values_list("unit__name", flat=True)) == {
        "甲街道",
        "乙街道",
        "城管局",
    }
    body = office.get(r.url).content.decode()
    assert "已提交后台任务" in body and f"已生成 {YEAR} 年度责任书 3 份" in body
    assert f'href="/tasks/pledges/?year={YEAR}"' in body


def test_non_office_cannot_submit(tasks, client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(PermissionDenied):
            booklets.submit_pledge_generation(
                tasks.city, YEAR, kind="pledge", acting_user=tasks.liaison_a.user
            )
        r = client_for(tasks.leader).post(f"/tasks/pledges/?year={YEAR}", {"kind": "pledge"})
        assert r.status_code == 403
    assert callbacks == [] and not Job.objects.exists() and not Pledge.objects.exists()


def test_bad_kind_or_year_is_refused_at_submit(tasks):
    for kind, year in (("poster", YEAR), ("pledge", 99999)):
        with pytest.raises(InvalidInput):
            booklets.submit_pledge_generation(
                tasks.city, year, kind=kind, acting_user=tasks.office.user
            )
    assert not Job.objects.exists()


def test_the_job_checks_the_submitter_again_when_it_runs(tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        job = booklets.submit_pledge_generation(
            tasks.city, YEAR, kind="pledge", acting_user=tasks.office.user
        )
    # the office role is withdrawn before a worker picks the job up
    org.remove_membership(tasks.office.memberships.get(), acting_user=SYSTEM)
    callbacks[0]()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == "只有创建办管理员可以分解、分派和审核任务"
    assert not Pledge.objects.exists()
