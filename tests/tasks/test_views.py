import datetime as dt
import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document

from chuangwen.core.xlsx import Sheet, write_workbook
from chuangwen.org.actors import SYSTEM
from chuangwen.org.choices import UnitKind
from chuangwen.tasks import decomposition, metrics, services
from chuangwen.tasks.choices import LeadMode, ReportStatus, TaskStatus
from chuangwen.tasks.models import Evidence, Pledge, ProgressReport, Task

from .conftest import jpeg_bytes
from .pdftext import pdf_text

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


@pytest.fixture
def many(tc):
    """Tasks for every street, district and the department, some overdue."""
    decomposition.create_rule(
        tc.city,
        name="街道",
        code_prefix="6",
        lead_mode=LeadMode.EACH_OF_KIND,
        lead_kind=UnitKind.STREET,
        supporting_units=[tc.dept, tc.district_a],
        deadline=TODAY + dt.timedelta(days=20),
        acting_user=SYSTEM,
    )
    decomposition.apply_rules(tc.system, acting_user=SYSTEM)
    late = tc.task("1.1.1", lead=tc.district_a, deadline=TODAY - dt.timedelta(days=2))
    tc.late = late
    return tc


def test_list_page_scoped_with_pinned_queries(many, client_for, django_assert_max_num_queries):
    tc = many
    office = client_for(tc.office)
    with django_assert_max_num_queries(12):
        r = office.get("/tasks/")
    assert r.status_code == 200
    total = Task.objects.count()
    assert f"共 {total} 条" in r.content.decode() or total > 50
    assert 'class="table-danger cw-overdue"' in r.content.decode()
    liaison_b = client_for(tc.liaison_b)
    with django_assert_max_num_queries(12):
        r = liaison_b.get("/tasks/?status=overdue")
    assert "1.1.1" not in r.content.decode()  # district A's task is not B's
    r = client_for(tc.liaison_a).get("/tasks/?status=overdue", HTTP_HX_REQUEST="true")
    body = r.content.decode()
    assert "<html" not in body and f'href="/tasks/{tc.late.pk}/"' in body
    assert client_for(tc.citizen).get("/tasks/").content.decode().count("cw-overdue") == 0


def test_detail_is_404_out_of_scope(many, client_for):
    tc = many
    assert client_for(tc.liaison_b).get(f"/tasks/{tc.late.pk}/").status_code == 404
    r = client_for(tc.liaison_a).get(f"/tasks/{tc.late.pk}/")
    assert r.status_code == 200 and "报送进展" in r.content.decode()
    r = client_for(tc.leader).get(f"/tasks/{tc.late.pk}/")
    assert r.status_code == 200 and "报送进展" not in r.content.decode()


def test_report_and_review_over_http(many, client_for):
    tc = many
    c = client_for(tc.liaison_a)
    r = c.post(
        f"/tasks/{tc.late.pk}/report/",
        {
            "text": "完成整改",
            "complete": "on",
            "files": [
                SimpleUploadedFile("现场.jpg", jpeg_bytes()),
                SimpleUploadedFile("b.jpg", jpeg_bytes()),
            ],
        },
    )
    assert r.status_code == 302
    report = ProgressReport.objects.get(task=tc.late)
    assert report.files.count() == 2 and report.complete
    r = c.post(
        f"/tasks/{tc.late.pk}/report/",
        {"text": "坏文件", "files": [SimpleUploadedFile("x.jpg", b"GIF89a")]},
        follow=True,
    )
    assert "不是允许的类型" in r.content.decode()
    assert ProgressReport.objects.filter(task=tc.late).count() == 1
    # evidence download is scoped
    ev = Evidence.objects.first()
    assert c.get(f"/tasks/evidence/{ev.pk}/").status_code == 200
    assert client_for(tc.liaison_b).get(f"/tasks/evidence/{ev.pk}/").status_code == 404
    # only the office reviews
    assert c.post(f"/tasks/reports/{report.pk}/review/", {"decision": "accept"}).status_code == 403
    assert (
        client_for(tc.leader).post(f"/tasks/{tc.late.pk}/report/", {"text": "x"}).status_code == 403
    )
    assert ProgressReport.objects.filter(task=tc.late).count() == 1
    r = client_for(tc.office).post(f"/tasks/reports/{report.pk}/review/", {"decision": "accept"})
    assert r.status_code == 302
    tc.late.refresh_from_db()
    assert tc.late.status == TaskStatus.DONE
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED


def test_battle_map_pages(many, client_for, django_assert_max_num_queries):
    tc = many
    c = client_for(tc.office)
    with django_assert_max_num_queries(12):
        r = c.get("/tasks/battle-map/")
    body = r.content.decode()
    assert r.status_code == 200 and "全市 作战图" in body
    assert body.count("cw-overdue") == 1 and f'data-task="{tc.late.pk}"' in body
    chart = json.loads(
        body.split('id="chart-data" type="application/json">')[1].split("</script>")[0]
    )
    assert sum(chart["overdue"]) == 1
    r = c.get(f"/tasks/battle-map/{tc.street_b.pk}/?status=overdue")
    assert r.status_code == 200 and "乙街道 作战图" in r.content.decode()
    assert "cw-overdue" not in r.content.decode()
    r = c.get("/tasks/battle-map/?indicator=1.1")
    assert r.content.decode().count('data-task="') == 1
    assert client_for(tc.liaison_b).get(f"/tasks/battle-map/{tc.district_a.pk}/").status_code == 404


def test_battle_map_counts_every_task_and_caps_the_cards_per_month(many, client_for, monkeypatch):
    from chuangwen.tasks import selectors

    tc = many
    total = Task.objects.count()
    assert total >= 3
    monkeypatch.setattr(selectors, "CARDS_PER_MONTH", 1)
    board = selectors.battle_map(Task.objects.all(), per_month=1)
    assert (
        board.total
        == total
        == sum(board.counts.values()) + Task.objects.filter(status="closed").count()
    )
    assert all(len(m["cards"]) == min(1, m["total"]) for m in board.months)
    assert sum(m["more"] for m in board.months) == sum(m["total"] for m in board.months) - len(
        board.months
    )
    # the page: the real total, and a link to the rest of a crowded month in the task list
    body = client_for(tc.office).get("/tasks/battle-map/").content.decode()
    assert f'<div class="cw-stat">{total}</div>' in body
    crowded = next(m for m in board.months if m["total"] > 1)
    month = crowded["month"]
    assert f"due_after={month:%Y-%m-%d}" in body and body.count('data-testid="more"') >= 1
    r = client_for(tc.office).get(
        "/tasks/", {"due_after": f"{month:%Y-%m-%d}", "due_before": f"{crowded['last']:%Y-%m-%d}"}
    )
    assert f"共 {crowded['total']} 条" in r.content.decode()


def test_import_page_errors_in_chinese(tc, client_for):
    data = write_workbook(
        [Sheet("任务分解", decomposition.IMPORT_COLUMNS, [["9.9", "无此单位", "", "", "", ""]])]
    )
    r = client_for(tc.office).post("/tasks/import/", {"file": SimpleUploadedFile("t.xlsx", data)})
    body = r.content.decode()
    assert (
        r.status_code == 400
        and "导入失败，共 2 处错误" in body
        and "单位「无此单位」不存在" in body
    )
    assert client_for(tc.liaison_a).get("/tasks/import/").status_code == 403


def test_pledge_and_pocket_book_downloads(many, client_for, django_capture_on_commit_callbacks):
    tc = many
    office = client_for(tc.office)
    year = TODAY.year
    with django_capture_on_commit_callbacks(execute=True):  # the job runs (eagerly) on commit
        r = office.post(f"/tasks/pledges/?year={year}", {"kind": "oath"})
    assert r.status_code == 302 and r.url.startswith("/jobs/")
    r = office.get(f"/tasks/pledges/?year={year}")
    assert "尚未上传签署件" in r.content.decode() and "甲街道" in r.content.decode()
    pledge = Pledge.objects.get(unit=tc.street_a, year=year)
    doc = Document(
        io.BytesIO(b"".join(office.get(f"/tasks/pledges/{pledge.pk}/docx/").streaming_content))
    )
    assert doc.paragraphs[0].text.endswith("军令状")
    liaison = client_for(tc.liaison_a)
    r = liaison.post(
        f"/tasks/pledges/{pledge.pk}/sign/", {"file": SimpleUploadedFile("s.jpg", jpeg_bytes())}
    )
    assert r.status_code == 302
    pledge.refresh_from_db()
    assert pledge.is_signed
    assert client_for(tc.liaison_b).post(f"/tasks/pledges/{pledge.pk}/sign/").status_code == 404
    r = liaison.get(f"/tasks/pocket-book/{tc.street_a.pk}.pdf")
    assert r[
        "Content-Type"
    ] == "application/pdf" and "甲街道创建全国文明城市工作口袋书" in pdf_text(r.content)
    r = liaison.get(f"/tasks/pocket-book/{tc.street_a.pk}.docx")
    assert Document(io.BytesIO(r.content)).paragraphs[0].text == "甲街道创建全国文明城市工作口袋书"
    assert liaison.get(f"/tasks/pocket-book/{tc.street_b.pk}.docx").status_code == 404


def test_ledger_download_and_metrics_page(many, client_for):
    tc = many
    rep = services.report_progress(
        tc.late, text="x", files=[("a.jpg", jpeg_bytes())], acting_user=tc.liaison_a.user
    )
    services.review_report(rep, accept=True, acting_user=tc.office.user)
    r = client_for(tc.office).get("/tasks/ledger.zip")
    zf = zipfile.ZipFile(io.BytesIO(b"".join(r.streaming_content)))
    assert "台账索引.xlsx" in zf.namelist() and any(n.endswith("-a.jpg") for n in zf.namelist())
    metrics.create_metric(
        tc.city,
        indicator=tc.std["6.1.1"],
        name="完成率",
        formula_text='tasks.done_ratio("6") * 100',
        unit_label="%",
        acting_user=SYSTEM,
    )
    metrics.recompute_metrics(tc.city)
    r = client_for(tc.leader).get("/tasks/metrics/")
    assert "完成率" in r.content.decode() and "tasks.done_ratio" in r.content.decode()


def test_api_list_report_review(many, client_for, django_assert_max_num_queries):
    tc = many
    office = client_for(tc.office)
    with django_assert_max_num_queries(10):
        r = office.get("/api/tasks/?limit=100")
    data = r.json()
    assert r.status_code == 200 and data["count"] == Task.objects.count()
    row = next(x for x in data["items"] if x["id"] == tc.late.pk)
    assert row["overdue"] is True and row["lead_unit"]["name"] == "甲区"
    r = client_for(tc.liaison_b).get("/api/tasks/?limit=100&status=overdue")
    assert r.json()["count"] == 0
    assert client_for(tc.liaison_b).get(f"/api/tasks/{tc.late.pk}").status_code == 404
    r = client_for(tc.liaison_a).post(
        f"/api/tasks/{tc.late.pk}/reports",
        {
            "text": "接口报送",
            "complete": "true",
            "files": [SimpleUploadedFile("p.jpg", jpeg_bytes())],
        },
    )
    assert r.status_code == 201, r.content
    rep = r.json()
    assert rep["files"][0]["kind"] == "jpeg" and rep["status"] == "submitted"
    r = client_for(tc.liaison_a).post(
        f"/api/tasks/{tc.late.pk}/reports",
        {"text": "坏", "files": [SimpleUploadedFile("p.jpg", b"nope")]},
    )
    assert r.status_code == 400 and r.json()["code"] == "bad_file_type"
    r = client_for(tc.liaison_a).post(
        f"/api/tasks/reports/{rep['id']}/review", {"accept": True}, content_type="application/json"
    )
    assert r.status_code == 403
    r = office.post(
        f"/api/tasks/reports/{rep['id']}/review",
        {"accept": False, "comment": "补充"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "returned"
    r = office.get(f"/api/tasks/battle-map?unit={tc.district_a.pk}")
    assert r.json()["counts"]["overdue"] == 1
    r = office.post("/api/tasks/formula/check", {"formula": "1/0"}, content_type="application/json")
    assert r.json() == {
        "valid": False,
        "message": "计算出错：除数为零（「0」的值为 0）",
        "value": None,
    }
    r = office.post(
        "/api/tasks/formula/check",
        {"formula": 'tasks.count("1.1")'},
        content_type="application/json",
    )
    assert r.json()["valid"] is True and float(r.json()["value"]) == 1
    assert (
        client_for(tc.liaison_a)
        .post("/api/tasks/formula/check", {"formula": "1"}, content_type="application/json")
        .status_code
        == 403
    )


def test_rules_page_creates_and_applies(tc, client_for):
    office = client_for(tc.office)
    r = office.post(
        "/tasks/rules/",
        {"action": "create", "name": "无条件", "lead_mode": "fixed", "lead_unit": tc.dept.pk},
    )
    assert r.status_code == 400 and "请至少指定一个匹配条件" in r.content.decode()
    r = office.post(
        "/tasks/rules/",
        {
            "action": "create",
            "name": "6.1 归城管",
            "code_prefix": "6.1",
            "lead_mode": "fixed",
            "lead_unit": tc.dept.pk,
            "supporting_units": [tc.street_a.pk],
            "deadline": "2026-10-01",
        },
    )
    assert r.status_code == 302
    r = office.post("/tasks/rules/", follow=True)
    n = sum(1 for s in tc.standards if s.code.startswith("6.1."))
    assert f"新建任务 {n} 项" in r.content.decode()
    assert Task.objects.filter(lead_unit=tc.dept, deadline=dt.date(2026, 10, 1)).count() == n
    assert client_for(tc.liaison_a).post("/tasks/rules/").status_code == 403


def test_demo_builds_on_a_small_city(tc):
    from chuangwen.tasks import demo

    lines = []
    demo.build_demo(tc.city, 1, lines.append)
    assert lines and lines[0].startswith("任务：")
    # the 社区 standards are led by every community of the city
    assert Task.objects.filter(lead_unit=tc.community_a).exists()
    assert Task.objects.filter(lead_unit=tc.community_b).exists()
