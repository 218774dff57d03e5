"""Background jobs (core.jobs): submit → run on commit → result or error, run once, progress
written sparingly; the 后台任务 pages and the API, scoped to the city and the submitter."""

import logging

import pytest
from django.urls import reverse

from chuangwen.core import jobs, selectors
from chuangwen.core.choices import JobStatus
from chuangwen.core.errors import InvalidInput, NotFound
from chuangwen.core.models import AuditEvent, Job
from chuangwen.org.actors import SYSTEM
from tests import factories
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def handlers(monkeypatch):
    """Test job kinds: ``tests.count`` counts 3 steps, ``tests.refuse`` raises a ServiceError,
    ``tests.crash`` any other exception; ``calls`` records every run."""
    calls: list[int] = []

    def count(job, progress):
        calls.append(job.pk)
        for i in range(1, 4):
            progress(i, 3)
        return {"message": f"完成 {job.params['n']} 项", "url": "/tasks/"}

    def refuse(job, progress):
        calls.append(job.pk)
        raise InvalidInput("年度无效", code="bad_year")

    def crash(job, progress):
        calls.append(job.pk)
        raise RuntimeError("disk full at /srv/secret")

    for kind, fn in {"tests.count": count, "tests.refuse": refuse, "tests.crash": crash}.items():
        monkeypatch.setitem(jobs._handlers, kind, fn)
    return calls


@pytest.fixture
def submit(small_city, django_capture_on_commit_callbacks):
    """Submit as the office (or ``user``) and commit: the job runs eagerly on commit."""

    def go(kind="tests.count", user=None, city=None, **params):
        with django_capture_on_commit_callbacks(execute=True):
            job = jobs.submit_job(
                city or small_city.city,
                kind,
                title="测试任务",
                params=params or {"n": 3},
                acting_user=user or small_city.office.user,
            )
        job.refresh_from_db()
        return job

    return go


def test_submit_queues_then_runs_on_commit(
    small_city, handlers, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        job = jobs.submit_job(
            small_city.city,
            "tests.count",
            title="测试任务",
            params={"n": 3},
            acting_user=small_city.office.user,
        )
        assert handlers == []  # nothing runs before the commit
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.created_by == small_city.office.user
    event = AuditEvent.objects.get(code="core.job.submitted")
    assert event.object_id == str(job.pk) and event.city == small_city.city
    assert event.after == {"kind": "tests.count", "params": {"n": 3}}
    callbacks[0]()
    job.refresh_from_db()
    assert handlers == [job.pk]
    assert job.status == JobStatus.SUCCEEDED and job.error == ""
    assert job.result == {"message": "完成 3 项", "url": "/tasks/"}
    assert (job.done, job.total, job.percent) == (3, 3, 100)
    assert job.started_at and job.finished_at and job.started_at <= job.finished_at


def test_service_error_fails_with_its_chinese_message(submit, handlers):
    job = submit("tests.refuse")
    assert job.status == JobStatus.FAILED and job.error == "年度无效"
    assert job.result["code"] == "bad_year" and job.finished_at


def test_unexpected_error_fails_with_a_generic_message_and_is_logged(submit, handlers, caplog):
    with caplog.at_level(logging.ERROR, logger="chuangwen.core.jobs"):
        job = submit("tests.crash")
    assert job.status == JobStatus.FAILED
    assert job.error == "任务执行出错，请联系管理员" and "secret" not in str(job.result)
    assert "disk full" in caplog.text  # the traceback is in the log, not on the page


def test_a_job_runs_once(submit, handlers):
    job = submit()
    assert jobs.run_job(job.pk) == JobStatus.SUCCEEDED  # already finished: left alone
    assert handlers == [job.pk]
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)  # another worker has it
    assert jobs.run_job(job.pk) == JobStatus.RUNNING
    assert handlers == [job.pk]
    assert jobs.run_job(10**9) == ""  # a missing job


def test_unknown_kind_is_refused_at_submit(small_city, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(InvalidInput):
        jobs.submit_job(small_city.city, "tests.nothing", title="x", acting_user=SYSTEM)
    assert callbacks == [] and not Job.objects.exists()


def test_a_kind_gone_before_the_run_fails_the_job(submit, handlers, monkeypatch):
    job = submit()
    Job.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED, kind="tests.gone")
    assert jobs.run_job(job.pk) == JobStatus.FAILED
    job.refresh_from_db()
    assert "tests.gone" in job.error


def test_register_refuses_a_second_handler_for_a_kind(handlers):
    with pytest.raises(ValueError):
        jobs.register_job("tests.count", lambda job, progress: {})
    jobs.register_job("tests.count", jobs._handlers["tests.count"])  # the same one again is fine
    assert "tasks.generate_pledges" in jobs.registered_kinds()


def test_progress_is_written_at_most_once_a_second_and_always_at_the_end(
    small_city, django_assert_num_queries
):
    job = Job.objects.create(city=small_city.city, kind="tests.count", title="t")
    progress = jobs._ProgressWriter(job)
    with django_assert_num_queries(2):  # the first figures, then the final ones
        for i in range(1, 101):
            progress(i, 100)
    job.refresh_from_db()
    assert (job.done, job.total, job.percent) == (100, 100, 100)


# --- pages and API ---------------------------------------------------------------------------


def test_pages_office_sees_the_city_others_their_own(
    small_city, submit, handlers, client_for, django_assert_max_num_queries
):
    sc = small_city
    mine = submit(user=sc.liaison_a.user)
    office_job = submit("tests.refuse")
    other_city = factories.city()
    stranger = factories.person(other_city, factories.unit(other_city), name="外市人")
    foreign = submit(user=stranger.user, city=other_city)

    office = client_for(sc.office)
    office.get(reverse("jobs"))  # warm the per-session lookups
    with django_assert_max_num_queries(10):
        r = office.get(reverse("jobs"))
    body = r.content.decode()
    assert r.status_code == 200
    assert f'href="/jobs/{mine.pk}/"' in body and f'href="/jobs/{office_job.pk}/"' in body
    assert f'href="/jobs/{foreign.pk}/"' not in body
    assert "甲区联络员" in body and "年度无效" in body and 'href="/tasks/">完成 3 项' in body
    assert office.get(reverse("job", args=[foreign.pk])).status_code == 404

    liaison = client_for(sc.liaison_a)
    body = liaison.get(reverse("jobs")).content.decode()
    assert f'href="/jobs/{mine.pk}/"' in body and f'href="/jobs/{office_job.pk}/"' not in body
    r = liaison.get(reverse("job", args=[mine.pk]))
    assert r.status_code == 200 and "完成 3 项" in r.content.decode()
    assert liaison.get(reverse("job", args=[office_job.pk])).status_code == 404
    assert client_for(sc.liaison_b).get(reverse("job", args=[mine.pk])).status_code == 404

    from django.test import Client

    r = Client().get(reverse("job", args=[mine.pk]))
    assert r.status_code == 302 and r.url.startswith("/login/")


def test_detail_polls_while_active_and_stops_when_finished(small_city, submit, handlers):
    c = login(small_city.office)
    job = submit()
    r = c.get(reverse("job", args=[job.pk]), HTTP_HX_REQUEST="true")
    body = r.content.decode()
    assert "<html" not in body and 'id="job-status"' in body and "every 2s" not in body
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, done=1, total=4)
    body = c.get(reverse("job", args=[job.pk])).content.decode()
    assert "<html" in body and 'hx-trigger="every 2s"' in body and "1/4" in body
    assert 'style="width:25%"' in body and "运行中" in body
    body = c.get(reverse("jobs")).content.decode()
    assert 'hx-trigger="every 2s"' in body  # the list refreshes while a job runs


def test_api_follows_a_job_within_scope(small_city, submit, handlers, client_for):
    job = submit(user=small_city.liaison_a.user)
    r = client_for(small_city.liaison_a).get(f"/api/jobs/{job.pk}")
    assert r.status_code == 200
    data = r.json()
    assert data["status"] == "succeeded" and data["status_label"] == "已完成"
    assert data["result"]["url"] == "/tasks/" and (data["done"], data["total"]) == (3, 3)
    assert client_for(small_city.office).get(f"/api/jobs/{job.pk}").status_code == 200
    assert client_for(small_city.liaison_b).get(f"/api/jobs/{job.pk}").status_code == 404
    from django.test import Client

    assert Client().get(f"/api/jobs/{job.pk}").status_code == 401


def test_selectors_scope(small_city, submit, handlers):
    from chuangwen.org.scope import ANONYMOUS, scope_for_user

    job = submit(user=small_city.liaison_a.user)
    assert list(selectors.jobs_for_user(ANONYMOUS)) == []
    with pytest.raises(NotFound):
        selectors.get_job_for_user(scope_for_user(small_city.citizen.user), job.pk)
    with pytest.raises(NotFound):  # leaders read the city's work, but jobs are the office's
        selectors.get_job_for_user(scope_for_user(small_city.leader.user), job.pk)
    office = scope_for_user(small_city.office.user)
    assert selectors.get_job_for_user(office, job.pk) == job


def test_a_job_the_broker_refuses_fails_visibly(
    small_city, handlers, monkeypatch, django_capture_on_commit_callbacks
):
    def down(job_id):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(jobs.run_job_task, "delay", down)
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.submit_job(
            small_city.city, "tests.count", title="测试任务", acting_user=small_city.office.user
        )
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "无法提交到后台队列" in job.error
    assert handlers == []


def test_stale_jobs_are_swept_fresh_and_finished_ones_kept(
    small_city, handlers, submit, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    done = submit()
    with django_capture_on_commit_callbacks(execute=False):
        queued = jobs.submit_job(small_city.city, "tests.count", title="排队", acting_user=SYSTEM)
        running = jobs.submit_job(small_city.city, "tests.count", title="运行", acting_user=SYSTEM)
        fresh = jobs.submit_job(small_city.city, "tests.count", title="刚提交", acting_user=SYSTEM)
    old = timezone.now() - jobs.STALE_AFTER - timedelta(minutes=1)
    Job.objects.filter(pk__in=[queued.pk, done.pk]).update(updated_at=old)
    Job.objects.filter(pk=running.pk).update(status=JobStatus.RUNNING, updated_at=old)
    call_command("sweep_jobs")
    status = dict(Job.objects.values_list("pk", "status"))
    assert status[queued.pk] == status[running.pk] == JobStatus.FAILED
    assert status[fresh.pk] == JobStatus.QUEUED and status[done.pk] == JobStatus.SUCCEEDED
    assert "后台队列不可用" in Job.objects.get(pk=queued.pk).error
    assert "任务中断" in Job.objects.get(pk=running.pk).error
    assert jobs.sweep_stale_jobs() == 0
