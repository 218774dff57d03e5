"""Bulletins (通报): drafted by a visible job from the data (every figure with its query),
edited, numbered from the notices' 文号 sequence, issued as Word and PDF, signed for by the
units, archived and searchable; a number already used is refused and nothing changes."""

import io

import pytest
from docx import Document

from chuangwen.assessment import jobs, services
from chuangwen.assessment.choices import BulletinKind, BulletinStatus
from chuangwen.assessment.models import Bulletin, BulletinReceipt
from chuangwen.core.errors import InvalidInput, InvalidTransition, NotFound, PermissionDenied
from chuangwen.core.models import Job
from chuangwen.inspections.models import NoticeCounter

from .account_helpers import World


@pytest.fixture
def w(small_city):
    return World(small_city).with_system()


def _draft(w, **kw):
    start = w.today.replace(day=1)
    return services.draft_bulletin(
        w.city, kind=BulletinKind.MONTHLY, start=start, end=w.today,
        acting_user=w.office.user, **kw,
    )  # fmt: skip


def test_draft_edit_issue_sign_and_archive(w, client_for, django_capture_on_commit_callbacks):
    w.failed_checks()
    w.closed()
    b = _draft(w)
    sections = {s.code: s for s in b.sections.all()}
    assert {"inspections", "cases", "overdue", "good_practices", "findings"} <= set(sections)
    assert "red_black" not in sections  # no assessment period yet: left out
    for s in sections.values():  # nothing invented: every figure carries its query
        assert s.figures and all(f["query"] and f["url"] for f in s.figures)
    cases = sections["cases"]
    figures_before = cases.figures
    services.edit_bulletin_section(cases, text="本月案件办理总体平稳。", acting_user=w.office.user)
    cases.refresh_from_db()
    assert cases.text == "本月案件办理总体平稳。" and cases.figures == figures_before
    with pytest.raises(PermissionDenied):
        services.edit_bulletin_section(cases, text="x", acting_user=w.liaison_a.user)

    # a notice takes number 1 of the office's sequence; the bulletin the next one
    from chuangwen.inspections import services as insp

    case = w.dispatched()
    insp.issue_notice(
        w.city, unit=w.community_a, cases=[case], deadline=w.today,
        prefix=services.DEFAULT_BULLETIN_PREFIX, acting_user=w.office.user,
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        b = services.issue_bulletin(b, acting_user=w.office.user)
    year = w.today.year
    assert b.status == BulletinStatus.ISSUED and b.seq == 2
    assert b.number == f"创文办通〔{year}〕2号"
    doc = Document(io.BytesIO(b.docx.read()))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert b.number in text and "本月案件办理总体平稳。" in text
    assert b.pdf.read(5) == b"%PDF-"
    with pytest.raises(InvalidTransition):
        services.edit_bulletin_section(cases, text="印发后不能改", acting_user=w.office.user)

    # delivered to the units at the top of the tree; 甲区 signs for its copy
    receipts = BulletinReceipt.objects.filter(bulletin=b)
    assert {r.unit_id for r in receipts} >= {w.district_a.pk, w.district_b.pk}
    assert services.sign_bulletin(b, acting_user=w.liaison_a.user) == 1
    assert receipts.get(unit=w.district_a).signed_at is not None
    assert receipts.get(unit=w.district_b).signed_at is None
    with pytest.raises(InvalidTransition):
        services.sign_bulletin(b, acting_user=w.liaison_a.user)

    # archived and searchable; downloads as Word and PDF
    office = client_for(w.office)
    page = office.get("/assessment/bulletins/", {"q": "2号"})
    assert page.status_code == 200 and b.title in page.content.decode()
    assert b.title not in office.get("/assessment/bulletins/", {"q": "无此通报"}).content.decode()
    r = office.get(f"/assessment/bulletins/{b.pk}/file.docx")
    assert r.status_code == 200 and r.getvalue()[:2] == b"PK"
    r = client_for(w.liaison_a).get(f"/assessment/bulletins/{b.pk}/file.pdf")
    assert r.status_code == 200 and r.getvalue()[:5] == b"%PDF-"


def test_a_number_already_used_is_refused_and_nothing_changes(w):
    first = services.issue_bulletin(_draft(w), acting_user=w.office.user)
    second = _draft(w)
    counter = NoticeCounter.objects.get(city=w.city, prefix=services.DEFAULT_BULLETIN_PREFIX)
    last = counter.last
    with pytest.raises(InvalidInput, match="已被使用"):
        services.issue_bulletin(second, seq=first.seq, acting_user=w.office.user)
    second.refresh_from_db()
    counter.refresh_from_db()
    assert second.status == BulletinStatus.DRAFT and second.seq is None and not second.docx
    assert counter.last == last
    again = services.issue_bulletin(second, seq=7, acting_user=w.office.user)
    assert again.number.endswith("〔%d〕7号" % w.today.year)


def test_drafting_is_a_visible_job(w, django_capture_on_commit_callbacks):
    start = w.today.replace(day=1)
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.submit_draft(
            w.city, kind=BulletinKind.WEEKLY, start=start, end=w.today, acting_user=w.office.user
        )
    job = Job.objects.get(pk=job.pk)
    assert job.status == "succeeded", job.error
    bulletin = Bulletin.objects.get(city=w.city)
    assert job.result["url"].endswith(f"/bulletins/{bulletin.pk}/")
    assert bulletin.kind == BulletinKind.WEEKLY and bulletin.status == BulletinStatus.DRAFT
    with pytest.raises(PermissionDenied):
        jobs.submit_draft(
            w.city, kind=BulletinKind.WEEKLY, start=start, end=w.today,
            acting_user=w.liaison_a.user,
        )  # fmt: skip


def test_units_see_only_bulletins_sent_to_them(w, client_for):
    draft = _draft(w)
    issued = services.issue_bulletin(
        _draft(w), recipients=[w.district_a], acting_user=w.office.user
    )
    a, b = client_for(w.liaison_a), client_for(w.liaison_b)
    assert a.get(f"/assessment/bulletins/{issued.pk}/").status_code == 200
    assert a.get(f"/assessment/bulletins/{draft.pk}/").status_code == 404
    assert b.get(f"/assessment/bulletins/{issued.pk}/").status_code == 404
    with pytest.raises((NotFound, InvalidTransition)):
        services.sign_bulletin(issued, acting_user=w.liaison_b.user)


def test_api_drafts_edits_and_issues(w, client_for, django_capture_on_commit_callbacks):
    office = client_for(w.office)
    start = w.today.replace(day=1)
    with django_capture_on_commit_callbacks(execute=True):
        r = office.post(
            "/api/assessment/bulletins",
            {"kind": "monthly", "start": start.isoformat(), "end": w.today.isoformat()},
            content_type="application/json",
        )
    assert r.status_code == 201, r.content
    b = Bulletin.objects.get(city=w.city)
    detail = office.get(f"/api/assessment/bulletins/{b.pk}").json()
    section = detail["sections"][0]
    assert section["figures"][0]["query"]
    r = office.patch(
        f"/api/assessment/bulletins/{b.pk}/sections/{section['id']}",
        {"text": "改写后的正文"},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    r = office.post(f"/api/assessment/bulletins/{b.pk}/issue", {}, content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["number"].startswith("创文办通〔")
    r = office.post(f"/api/assessment/bulletins/{b.pk}/issue", {}, content_type="application/json")
    assert r.status_code in (400, 409)


@pytest.mark.skipif(
    __import__("django.db").db.connection.vendor != "postgresql",
    reason="needs parallel writers: PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_bulletins_and_notices_issued_at_once_never_share_a_number():
    from chuangwen.inspections import services as insp
    from tests.factories import SmallCity
    from tests.parallel import run_parallel

    w = World(SmallCity())
    drafts = [_draft(w) for _ in range(4)]
    cases = [w.dispatched(point=(113.005 + 0.002 * i, 28.005), text=f"第{i}处") for i in range(4)]

    def work(i: int):
        if i < 4:
            return services.issue_bulletin(drafts[i], acting_user=w.office.user).seq
        return insp.issue_notice(
            w.city, unit=cases[i - 4].unit, cases=[cases[i - 4]], deadline=w.today,
            prefix=services.DEFAULT_BULLETIN_PREFIX, acting_user=w.office.user,
        ).number  # fmt: skip

    results = run_parallel(8, work)
    assert not [r for r in results if isinstance(r, Exception)], results
    seqs = list(results[:4])
    notice_seqs = [int(n.split("〕")[1].rstrip("号")) for n in results[4:]]
    assert sorted(seqs + notice_seqs) == list(range(1, 9))
    assert Bulletin.objects.filter(city=w.city, seq__isnull=False).count() == 4
