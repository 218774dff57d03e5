"""汇报点评 and 信息报送: templates, reports per period (on time, late, missing), 信息 with
validated photos, reviews with a score and a comment, the late list and the timeliness
selector the assessment reads."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chuangwen.assessment import periods, selectors, services
from chuangwen.assessment.choices import ReportPeriod, SubmissionStatus, Timeliness
from chuangwen.assessment.models import Submission, SubmissionPhoto
from chuangwen.core.errors import InvalidInput, InvalidTransition, NotFound, PermissionDenied
from chuangwen.core.models import Notification
from chuangwen.org.scope import scope_for_user

from .account_helpers import World, jpeg

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(small_city):
    return World(small_city)


def report(w, template, unit=None, start=None, user=None, texts=("进展顺利", "无")):
    unit = unit or w.district_a
    return services.submit_report(
        template,
        unit=unit,
        period_start=start or periods.previous_period(template.period, w.today)[0],
        texts=list(texts),
        acting_user=(user or (w.liaison_a if unit == w.district_a else w.liaison_b)).user,
    )


def test_periods():
    assert periods.period_of(ReportPeriod.MONTHLY, date(2026, 2, 14)) == (
        date(2026, 2, 1),
        date(2026, 2, 28),
    )
    assert periods.period_of(ReportPeriod.QUARTERLY, date(2026, 11, 30)) == (
        date(2026, 10, 1),
        date(2026, 12, 31),
    )
    assert periods.due_date(date(2026, 12, 31), 5) == date(2027, 1, 5)
    due = list(
        periods.periods_due_between(ReportPeriod.MONTHLY, 5, date(2026, 3, 1), date(2026, 5, 31))
    )
    assert [(s.month, d) for s, _e, d in due] == [
        (2, date(2026, 3, 5)),
        (3, date(2026, 4, 5)),
        (4, date(2026, 5, 5)),
    ]
    due = list(
        periods.periods_due_between(
            ReportPeriod.QUARTERLY, 10, date(2026, 1, 1), date(2026, 12, 31)
        )
    )
    assert [d for _s, _e, d in due] == [
        date(2026, 1, 10),
        date(2026, 4, 10),
        date(2026, 7, 10),
        date(2026, 10, 10),
    ]
    assert periods.last_complete_period("weekly", date(2026, 12, 2)) == (
        date(2026, 11, 23),
        date(2026, 11, 29),
    )
    assert periods.last_complete_period("monthly", date(2026, 12, 1)) == (
        date(2026, 11, 1),
        date(2026, 11, 30),
    )


def test_template_is_checked(w):
    for kw, message in (
        ({"due_day": 31}, "1–28"),
        ({"period": "weekly"}, "月报或季报"),
        ({"sections": ["", " "]}, "至少要有一个栏目"),
        ({"units": []}, "请选择报送单位"),
        ({"title": ""}, "请填写模板名称"),
    ):
        args = {
            "title": "月度汇报",
            "period": "monthly",
            "sections": ["进展"],
            "due_day": 5,
            "units": [w.district_a],
            **kw,
        }
        with pytest.raises(InvalidInput, match=message):
            services.save_report_template(w.city, acting_user=w.office.user, **args)
    with pytest.raises(PermissionDenied):
        services.save_report_template(
            w.city,
            title="x",
            period="monthly",
            sections=["进展"],
            due_day=5,
            units=[w.district_a],
            acting_user=w.liaison_a.user,
        )
    t = w.template()
    assert t.sections == [
        {"title": "工作进展", "hint": "逐项填写"},
        {"title": "存在问题", "hint": ""},
    ]
    t = services.save_report_template(
        w.city,
        template=t,
        title="月度汇报（修订）",
        period="quarterly",
        sections=["季度进展"],
        due_day=10,
        units=[w.district_b],
        acting_user=w.office.user,
    )
    assert t.period == "quarterly" and list(t.units.all()) == [w.district_b]


def test_report_is_sent_once_corrected_when_returned(w, django_capture_on_commit_callbacks):
    t = w.template()
    with django_capture_on_commit_callbacks(execute=True):
        sub = report(w, t)
    start, end = periods.previous_period("monthly", w.today)
    assert (sub.period_start, sub.period_end) == (start, end)
    assert sub.due_on == periods.due_date(end, 5)
    assert sub.sections == [
        {"title": "工作进展", "text": "进展顺利"},
        {"title": "存在问题", "text": "无"},
    ]
    assert Notification.objects.filter(user=w.office.user, text__contains="报送工作汇报").exists()
    with pytest.raises(InvalidTransition):
        report(w, t)
    first = sub.first_submitted_at
    sub = services.review_submission(
        sub, approve=False, comment="请补充数据", acting_user=w.office.user
    )
    assert sub.status == SubmissionStatus.RETURNED and sub.score is None
    sub = report(w, t, texts=("补充后的进展", "无"))
    assert sub.status == SubmissionStatus.SUBMITTED and sub.first_submitted_at == first
    assert Submission.objects.filter(template=t).count() == 1

    for kw, error, message in (
        ({"unit": w.district_b, "user": w.liaison_a}, PermissionDenied, "本单位"),
        ({"unit": w.street_a, "user": w.liaison_a}, InvalidInput, "不在该汇报的报送单位"),
        ({"start": w.today.replace(day=1) + timedelta(days=40)}, InvalidInput, "报告期"),
        (
            {"start": w.today.replace(day=2) if w.today.day != 2 else w.today.replace(day=3)},
            InvalidInput,
            "报告期无效",
        ),
        ({"texts": ("只有一栏",)}, InvalidInput, "与模板栏目不符"),
        ({"texts": ("进展", "  ")}, InvalidInput, "存在问题"),
    ):
        with pytest.raises(error, match=message):
            report(w, t, **kw)


def test_timeliness_in_constant_queries(w, django_assert_num_queries):
    """A monthly template due on the 5th, over the reports due from the month before last to
    the current month: 甲区 sends the current month's (on time: not yet due), 乙区 the one of
    the month before last (late: after its due day); the rest is missing once due."""
    t = w.template()
    current = periods.period_of("monthly", w.today)
    last = periods.previous_period("monthly", w.today)
    before = periods.previous_period("monthly", last[0])
    report(w, t, w.district_a, current[0])
    report(w, t, w.district_b, before[0])
    start, end = periods.due_date(before[1], 5), periods.due_date(current[1], 5)
    last_missing = periods.due_date(last[1], 5) < w.today  # else not yet due: counted neither way
    with django_assert_num_queries(3):
        data = selectors.report_timeliness(w.city, start, end)
    assert data[w.district_a.pk] == (1, 2 + last_missing)
    assert data[w.district_b.pk] == (0, 1 + last_missing)
    status = {
        (r.unit_id, r.period_start): r.status for r in selectors.owed_reports(w.city.pk, start, end)
    }
    assert status[(w.district_a.pk, before[0])] == Timeliness.MISSING
    assert status[(w.district_b.pk, before[0])] == Timeliness.LATE
    assert status[(w.district_a.pk, current[0])] == Timeliness.ON_TIME
    assert status[(w.district_b.pk, current[0])] == Timeliness.PENDING
    # the same figures are the assessment's quantity 工作汇报按时报送率 (a formula can use it)
    from django.utils import timezone

    from chuangwen.assessment import quantities

    window = quantities.Window(w.city.pk, start, end, timezone.now(), {})
    rate = quantities.get("reports.on_time_rate")
    assert rate.compute(window) == data and rate.is_rate
    assert quantities.names_in(quantities.parse("reports.on_time_rate()")) == [rate.name]
    # the number of queries does not grow with units and periods
    services.save_report_template(
        w.city,
        template=t,
        title=t.title,
        period="monthly",
        sections=t.sections,
        due_day=5,
        units=[w.district_a, w.district_b, w.street_a, w.street_b, w.dept, w.community_a],
        acting_user=w.office.user,
    )
    with django_assert_num_queries(3):
        data = selectors.report_timeliness(w.city.pk, date(w.today.year - 1, 1, 1), w.today)
    assert len(data) == 6


def test_info_with_photos_and_review(w, django_capture_on_commit_callbacks):
    sub = services.submit_info(
        w.city,
        unit=w.district_a,
        title="甲区开展背街小巷整治",
        body="清理卫生死角 30 处。",
        photos=[jpeg(), jpeg()],
        acting_user=w.liaison_a.user,
    )
    photos = list(sub.photos.all())
    assert len(photos) == 2 and all(p.public.name.endswith(".jpg") for p in photos)
    for photos_in, message in (
        ([b"%PDF-1.4 not an image"], "无法识别的图片文件"),
        ([b""], "照片文件为空"),
        ([jpeg()] * 7, "最多 6 张"),
    ):
        with pytest.raises(InvalidInput, match=message):
            services.submit_info(
                w.city,
                unit=w.district_a,
                title="再报一条",
                body="正文",
                photos=photos_in,
                acting_user=w.liaison_a.user,
            )
    assert Submission.objects.filter(title="再报一条").count() == 0
    assert SubmissionPhoto.objects.count() == 2

    for kw, message in (
        ({"approve": True, "score": None}, "请填写点评得分"),
        ({"approve": True, "score": 101}, "0–100"),
        ({"approve": True, "score": 90, "comment": ""}, "请填写点评意见"),
    ):
        args = {"comment": "好", **kw}
        with pytest.raises(InvalidInput, match=message):
            services.review_submission(sub, acting_user=w.office.user, **args)
    with pytest.raises(PermissionDenied):
        services.review_submission(
            sub, approve=True, score=90, comment="好", acting_user=w.liaison_a.user
        )
    with django_capture_on_commit_callbacks(execute=True):
        sub = services.review_submission(
            sub, approve=True, score=92, comment="做法可复制", acting_user=w.leader.user
        )
    assert (sub.status, sub.score, sub.reviewed_by) == ("approved", 92, w.leader.user)
    assert Notification.objects.filter(user=w.liaison_a.user, text__contains="已点评采用").exists()
    with pytest.raises(InvalidTransition):
        services.review_submission(sub, approve=False, comment="x", acting_user=w.office.user)


def test_returned_info_is_corrected(w):
    sub = services.submit_info(
        w.city, unit=w.district_a, title="初稿", body="正文", acting_user=w.liaison_a.user
    )
    with pytest.raises(InvalidTransition):
        services.resubmit_info(sub, title="x", body="y", acting_user=w.liaison_a.user)
    services.review_submission(sub, approve=False, comment="补充照片", acting_user=w.office.user)
    sub = services.resubmit_info(
        sub, title="修改稿", body="正文", photos=[jpeg()], acting_user=w.liaison_a.user
    )
    assert (sub.title, sub.status, sub.photos.count()) == ("修改稿", "submitted", 1)


def test_pages(w, client_for, django_assert_max_num_queries):
    t = w.template()
    liaison, office = client_for(w.liaison_a), client_for(w.office)
    start = periods.previous_period("monthly", w.today)[0]
    form = liaison.get(f"/assessment/submissions/report/{t.pk}/")
    assert form.status_code == 200 and "工作进展" in form.content.decode()
    r = liaison.post(
        f"/assessment/submissions/report/{t.pk}/",
        {"unit": w.district_a.pk, "period_start": start.isoformat(), "s0": "进展", "s1": "问题"},
    )
    assert r.status_code == 302
    sub = Submission.objects.get(template=t)
    bad = liaison.post(
        f"/assessment/submissions/report/{t.pk}/",
        {"unit": w.district_a.pk, "period_start": start.isoformat(), "s0": "", "s1": ""},
    )
    assert bad.status_code == 400
    assert client_for(w.liaison_b).get(f"/assessment/submissions/{sub.pk}/").status_code == 404

    upload = SimpleUploadedFile("a.jpg", jpeg(), content_type="image/jpeg")
    r = liaison.post(
        "/assessment/submissions/info/",
        {"unit": w.district_a.pk, "title": "信息一", "body": "正文", "photos": [upload]},
    )
    assert r.status_code == 302
    info = Submission.objects.get(title="信息一")
    fake = SimpleUploadedFile("b.jpg", b"<html>not a photo</html>", content_type="image/jpeg")
    r = liaison.post(
        "/assessment/submissions/info/",
        {"unit": w.district_a.pk, "title": "信息二", "body": "正文", "photos": [fake]},
    )
    assert r.status_code == 400 and "无法识别的图片文件" in r.content.decode()
    assert not Submission.objects.filter(title="信息二").exists()
    photo = info.photos.get()
    assert (
        liaison.get(f"/assessment/submissions/photos/{photo.pk}/")["Content-Type"] == "image/jpeg"
    )
    assert (
        client_for(w.liaison_b).get(f"/assessment/submissions/photos/{photo.pk}/").status_code
        == 404
    )

    r = office.post(
        f"/assessment/submissions/{info.pk}/review/",
        {"decision": "approve", "score": "88", "comment": "好"},
    )
    info.refresh_from_db()
    assert info.status == "approved" and info.score == 88
    r = client_for(w.liaison_a).post(
        f"/assessment/submissions/{sub.pk}/review/",
        {"decision": "approve", "score": "88", "comment": "自评"},
    )
    sub.refresh_from_db()
    assert sub.status == "submitted"

    for i in range(5):
        services.submit_info(
            w.city,
            unit=w.district_b,
            title=f"乙区信息{i}",
            body="x",
            photos=[jpeg()],
            acting_user=w.liaison_b.user,
        )
    with django_assert_max_num_queries(12):
        page = office.get("/assessment/submissions/")
    assert page.status_code == 200 and "乙区信息4" in page.content.decode()
    with django_assert_max_num_queries(12):
        data = office.get("/api/assessment/submissions", {"kind": "info"}).json()
    assert data["count"] == 6
    assert {i["title"] for i in liaison.get("/api/assessment/submissions").json()["items"]} == {
        sub.title,
        "信息一",
    }
    assert client_for(w.grid_worker_a).get("/assessment/submissions/").status_code == 403


def test_late_list(w, client_for):
    t = w.template()
    last = periods.previous_period("monthly", w.today)
    before = periods.previous_period("monthly", last[0])
    report(w, t, w.district_b, before[0])  # late
    params = {"start": periods.due_date(before[1], 5).isoformat(), "end": w.today.isoformat()}
    page = client_for(w.office).get("/assessment/submissions/late/", params)
    html = page.content.decode()
    assert page.status_code == 200
    assert "甲区" in html and "逾期未报" in html and "逾期报送" in html
    mine = client_for(w.liaison_a).get("/assessment/submissions/late/", {**params, "show": "all"})
    assert "乙区" not in mine.content.decode()
    bad = client_for(w.office).get("/assessment/submissions/late/", {"start": "2026-13-01"})
    assert bad.status_code == 400 and "日期" in bad.content.decode()


def test_api(w, client_for):
    t = w.template()
    liaison, office = client_for(w.liaison_a), client_for(w.office)
    start = periods.period_of("monthly", w.today)[0]  # the current month: due next month
    body = {
        "template_id": t.pk,
        "unit_id": w.district_a.pk,
        "period_start": start.isoformat(),
        "texts": ["进展", "问题"],
    }
    r = liaison.post("/api/assessment/submissions/reports", body, content_type="application/json")
    assert r.status_code == 201, r.content
    sid = r.json()["id"]
    assert r.json()["on_time"] is True
    again = liaison.post(
        "/api/assessment/submissions/reports", body, content_type="application/json"
    )
    assert again.status_code == 409
    r = liaison.post(
        "/api/assessment/submissions/info",
        {
            "unit_id": w.district_a.pk,
            "title": "接口信息",
            "body": "正文",
            "photos": [SimpleUploadedFile("a.jpg", jpeg(), content_type="image/jpeg")],
        },
    )
    assert r.status_code == 201 and len(r.json()["photo_ids"]) == 1
    r = liaison.post(
        "/api/assessment/submissions/info",
        {
            "unit_id": w.district_a.pk,
            "title": "坏照片",
            "body": "正文",
            "photos": [SimpleUploadedFile("a.jpg", b"GIF89a", content_type="image/gif")],
        },
    )
    assert r.status_code == 400
    review = {"approve": True, "score": 95, "comment": "好"}
    assert (
        liaison.post(
            f"/api/assessment/submissions/{sid}/review", review, content_type="application/json"
        ).status_code
        == 403
    )
    r = office.post(
        f"/api/assessment/submissions/{sid}/review", review, content_type="application/json"
    )
    assert r.json()["score"] == 95
    bad = office.post(
        f"/api/assessment/submissions/{sid}/review",
        {**review, "score": 300},
        content_type="application/json",
    )
    assert bad.status_code == 400
    q = {"start": w.today.isoformat(), "end": (w.today + timedelta(days=40)).isoformat()}
    rows = office.get("/api/assessment/report-timeliness", q).json()
    assert {r["unit_id"]: (r["on_time"], r["due"]) for r in rows}[w.district_a.pk] == (1, 1)
    assert liaison.get("/api/assessment/report-timeliness", q).status_code == 404
    assert (
        office.get("/api/assessment/report-timeliness", {"start": "x", "end": "y"}).status_code
        == 400
    )
    assert [x["id"] for x in liaison.get("/api/assessment/report-templates").json()] == [t.pk]
    assert client_for(w.dept_liaison).get("/api/assessment/report-templates").json() == []
    with pytest.raises(NotFound):
        selectors.get_submission_for_user(scope_for_user(w.liaison_b.user), sid)
