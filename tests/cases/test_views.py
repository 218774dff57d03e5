import io
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from chuangwen.cases import services
from chuangwen.cases.choices import State
from chuangwen.cases.models import Case, Report
from chuangwen.core.models import Notification
from chuangwen.core.xlsx import XLSX

from .conftest import IN_A, IN_B, jpeg


def make_cases(cc, n=5):
    for i in range(n):
        cc.intake(f"问题描述第{i}号，完全不同的内容{i * 7}", point=(IN_A[0] + i * 0.001, IN_A[1]))
    for i in range(n):
        cc.intake(f"乙区问题{i}号内容各不相同{i * 11}", point=(IN_B[0], IN_B[1] + i * 0.001))


def test_list_page_scoped_and_query_count(cc, client_for, django_assert_max_num_queries):
    make_cases(cc, 8)
    c = client_for(cc.office)
    with django_assert_max_num_queries(10):
        r = c.get(reverse("cases:list"))
    assert r.status_code == 200
    assert r.content.decode().count('href="/cases/') >= 16
    # a district liaison sees only district A's cases
    r = client_for(cc.liaison_a).get(reverse("cases:list"))
    assert "问题描述第0号" in r.content.decode() and "乙区问题" not in r.content.decode()
    # htmx partial from the same view, same filters
    r = c.get(reverse("cases:list"), {"q": "乙区问题3"}, HTTP_HX_REQUEST="true")
    body = r.content.decode()
    assert "<html" not in body and "乙区问题3号" in body and "问题描述第" not in body


def test_list_filters(cc, client_for):
    make_cases(cc, 3)
    case = Case.objects.filter(area_unit=cc.community_b).first()
    services.register_case(case, acting_user=cc.office.user)
    c = client_for(cc.office)
    body = c.get(reverse("cases:list"), {"state": "registered"}).content.decode()
    assert case.number in body and body.count("<tr>") == 2  # header + one row
    body = c.get(reverse("cases:list"), {"unit": cc.district_a.pk}).content.decode()
    assert "乙区问题" not in body and "问题描述第1号" in body
    body = c.get(reverse("cases:list"), {"grid": cc.grid_b.code}).content.decode()
    assert "问题描述第" not in body


def test_export_shares_the_filter(cc, client_for):
    make_cases(cc, 3)
    r = client_for(cc.office).get(reverse("cases:export"), {"q": "乙区问题"})
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "案件编号" and len(rows) == 4
    assert all("乙区问题" in row[4] for row in rows[1:])


def test_detail_page_and_scope(cc, client_for, django_assert_max_num_queries):
    res = cc.intake(photos=[jpeg()], reporter_phone="13812345678", reporter_name="王小明")
    c = client_for(cc.office)
    with django_assert_max_num_queries(21):  # + the model's category hints (≤ 3)
        r = c.get(reverse("cases:detail", args=[res.case.pk]))
    body = r.content.decode()
    assert r.status_code == 200 and res.case.number in body
    assert "138****5678" in body and "13812345678" not in body and "王*明" in body
    assert 'data-testid="timeline"' in body and 'id="map"' in body
    assert (
        client_for(cc.liaison_b).get(reverse("cases:detail", args=[res.case.pk])).status_code == 404
    )
    photo = res.case.photos.get()
    assert c.get(reverse("cases:photo", args=[photo.pk]))["Content-Type"] == "image/jpeg"
    assert client_for(cc.liaison_b).get(reverse("cases:photo", args=[photo.pk])).status_code == 404


def test_transitions_through_the_page(cc, client_for):
    case = cc.intake().case
    office, liaison = client_for(cc.office), client_for(cc.liaison_a)
    url = lambda a: reverse("cases:action", args=[case.pk, a])  # noqa: E731
    office.post(url("register"))
    office.post(url("dispatch"), {"note": "请处理"})
    assert Case.objects.get(pk=case.pk).state == State.DISPATCHED
    # refused: the leader cannot accept; message shown, state unchanged
    r = client_for(cc.leader).post(url("accept"), follow=True)
    assert "无权" in r.content.decode() or "只有" in r.content.decode()
    assert Case.objects.get(pk=case.pk).state == State.DISPATCHED
    liaison.post(url("accept"))
    liaison.post(url("handle"), {"note": "已清理", "photos": [io.BytesIO(jpeg())]})
    assert Case.objects.get(pk=case.pk).state == State.HANDLED
    r = client_for(cc.grid_worker_a).post(
        url("verify"),
        {"passed": "on", "photos": [io.BytesIO(jpeg())], "lon": IN_A[0], "lat": IN_A[1]},
    )
    assert r.status_code == 302 and Case.objects.get(pk=case.pk).state == State.VERIFIED
    office.post(url("close"), {"resolution": "fixed"})
    assert Case.objects.get(pk=case.pk).state == State.CLOSED
    assert client_for(cc.liaison_b).post(url("accept")).status_code == 404


def test_intake_form_for_staff(cc, client_for):
    c = client_for(cc.grid_worker_a)
    r = c.get(reverse("cases:new"))
    body = r.content.decode()
    assert 'capture="environment"' in body and "cw-locate" in body
    r = c.post(
        reverse("cases:new"),
        {
            "source": "patrol",
            "category": cc.event.code,
            "description": "巡查发现暴露垃圾",
            "lon": IN_A[0],
            "lat": IN_A[1],
            "crs": "wgs84",
            "photos": [io.BytesIO(jpeg())],
        },
    )
    case = Case.objects.get()
    assert r.status_code == 302 and case.source == "patrol" and case.photos.count() == 1
    r = c.post(reverse("cases:new"), {"source": "patrol", "description": "没有位置"})
    assert r.status_code == 200 and Case.objects.count() == 1


def test_inbox_per_role_and_badge(
    cc, client_for, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    cc.intake()
    with django_capture_on_commit_callbacks(execute=True):
        case = cc.dispatched(text="第二个问题完全不同", point=(IN_A[0] + 0.003, IN_A[1]))
    c = client_for(cc.office)
    with django_assert_max_num_queries(16):
        body = c.get(reverse("cases:inbox")).content.decode()
    assert "待立案/派遣" in body and "待处置" not in body
    body = client_for(cc.liaison_a).get(reverse("cases:inbox")).content.decode()
    assert "待处置" in body and "待立案/派遣" not in body
    assert "新派遣案件" in body  # the notification, leading to the case
    assert f'href="{reverse("cases:detail", args=[case.pk])}"' in body
    badge = client_for(cc.liaison_a).get(reverse("notifications_badge")).content.decode()
    assert ">1<" in badge
    inbox = reverse("cases:inbox")
    r = client_for(cc.liaison_a).post(reverse("notifications"), {"next": inbox})
    assert r.status_code == 302 and r.url == inbox  # back to the inbox
    assert not Notification.objects.filter(user=cc.liaison_a.user, read_at__isnull=True).exists()
    assert client_for(cc.liaison_a).get(reverse("notifications_badge")).content == b""
    assert 'data-testid="notifications"' not in client_for(cc.liaison_a).get(inbox).content.decode()


def test_map_points_and_summary(cc, client_for):
    make_cases(cc, 3)
    cc.handled()
    c = client_for(cc.liaison_b)
    data = c.get(reverse("cases:points")).json()
    assert len(data["features"]) == 3  # only district B's
    assert c.get(reverse("cases:map")).status_code == 200
    r = client_for(cc.office).get(reverse("cases:summary"), {"group": "unit"})
    body = r.content.decode()
    assert r.status_code == 200 and "echarts.min.js" in body and "甲社区" in body
    assert r.context["total"]["reported"] == 7 and r.context["total"]["dispatched"] == 1
    for g in ("grid", "category", "month"):
        assert client_for(cc.office).get(reverse("cases:summary"), {"group": g}).status_code == 200


def test_categories_page_office_edits(cc, client_for):
    c = client_for(cc.office)
    assert "暴露垃圾" in c.get(reverse("cases:categories"), {"q": "垃圾"}).content.decode()
    c.post(
        reverse("cases:categories"),
        {
            "pk": cc.event.pk,
            "deadline_value": 6,
            "deadline_unit": "hours",
            "department": cc.dept.pk,
        },
    )
    cc.event.refresh_from_db()
    assert cc.event.deadline_value == 6 and cc.event.deadline_unit == "hours"
    assert not cc.event.deadline_working and cc.event.department_id == cc.dept.pk
    client_for(cc.liaison_a).post(
        reverse("cases:categories"), {"pk": cc.event.pk, "deadline_value": 1}
    )
    cc.event.refresh_from_db()
    assert cc.event.deadline_value == 6


# --- public 随手拍 ------------------------------------------------------------------------------


@pytest.fixture
def anon():
    cache.clear()
    return Client()


def form_token(client, url) -> str:
    """The one-time token of the 随手拍 form, as a browser gets it by showing the form."""
    body = client.get(url).content.decode()
    return re.search(r'name="token" value="([^"]+)"', body).group(1)


def test_public_report_track_and_rate(cc, anon):
    url = reverse("cases:public_report", args=[cc.city.code])
    assert anon.get(url).status_code == 200
    r = anon.post(
        url,
        {
            "token": form_token(anon, url),
            "description": "路边垃圾堆了好几天没人清理",
            "phone": "13912345678",
            "name": "李四",
            "lon": IN_B[0],
            "lat": IN_B[1],
            "photos": [io.BytesIO(jpeg(*IN_B))],
        },
    )
    report = Report.objects.get()
    assert r.status_code == 302 and r["Location"].endswith(
        f"{report.tracking_code}/?new=1"
    )  # the "save your code" page
    assert report.source == "citizen" and report.case.unit_id == cc.community_b.pk
    body = anon.get(r["Location"]).content.decode()
    assert "139****5678" in body and "13912345678" not in body and "已受理" in body
    photo = report.case.photos.get()
    img = anon.get(reverse("cases:public_photo", args=[report.tracking_code, photo.pk]))
    assert img.status_code == 200
    from PIL import Image

    assert not Image.open(io.BytesIO(b"".join(img.streaming_content))).getexif()
    # close the case; the citizen rates it with the code
    services.register_case(report.case, acting_user=cc.office.user)
    services.close_case(
        report.case, resolution="unfixable", note="暂不具备条件", acting_user=cc.office.user
    )
    body = anon.get(r["Location"]).content.decode()
    assert "请评价" in body
    anon.post(r["Location"], {"rating": 4, "comment": "回复及时"})
    report.refresh_from_db()
    assert report.rating == 4 and report.case.state == State.RATED
    assert anon.get(reverse("cases:track", args=["NOPE"])).status_code == 200


def test_public_report_validation_and_rate_limit(cc, anon, settings):
    url = reverse("cases:public_report", args=[cc.city.code])
    bad = anon.post(url, {"description": "短", "phone": "123", "lon": IN_A[0], "lat": IN_A[1]})
    assert bad.status_code == 200 and Report.objects.count() == 0
    bot = anon.post(
        url,
        {
            "description": "正常的描述内容",
            "phone": "13912345678",
            "address": "甲社区",
            "website": "x",
        },
    )
    assert bot.status_code == 200 and Report.objects.count() == 0
    for i in range(12):
        anon.post(
            url,
            {
                "token": form_token(anon, url),
                "description": f"第{i}个不同问题描述",
                "phone": f"1391234{i:04d}",
                "address": "甲社区",
            },
        )
    assert Report.objects.count() == 10  # 10 per address per hour
    assert anon.get(reverse("cases:public_report", args=["nope"])).status_code == 404


def test_public_pages_need_no_login_but_staff_pages_do(cc, anon):
    assert anon.get(reverse("cases:track_form")).status_code == 200
    assert anon.get(reverse("cases:list")).status_code == 302


# --- 12345 import ------------------------------------------------------------------------------


def _xlsx(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(
        [
            "工单编号",
            "诉求内容",
            "来电时间",
            "来电人",
            "联系电话",
            "问题地址",
            "经度",
            "纬度",
            "类别编码",
        ]
    )
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _upload(rows):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("orders.xlsx", _xlsx(rows))


def test_hotline_import_all_or_nothing(cc, client_for):
    good = [
        [
            "GD001",
            "小区门口垃圾堆积",
            "2026-11-01 09:30",
            "张三",
            "13800001111",
            "",
            IN_A[0],
            IN_A[1],
            "SJ0102",
        ],
        [
            "GD002",
            "乙社区路灯不亮",
            "2026-11-02 10:00",
            "李四",
            "13800002222",
            "乙社区5栋",
            None,
            None,
            "",
        ],
    ]
    bad = [
        *good,
        ["GD001", "重复编号", None, None, None, "甲社区", None, None, None],
        ["GD004", "", "昨天", None, "12", "", 113.0, None, "XX99"],
    ]
    c = client_for(cc.office)
    r = c.post(reverse("cases:import"), {"file": _upload(bad)})
    errors = r.context["failure"].errors
    cols = {(e.row, e.column) for e in errors}
    assert {
        (4, "工单编号"),
        (5, "诉求内容"),
        (5, "来电时间"),
        (5, "经度"),
        (5, "类别编码"),
        (5, "联系电话"),
    } <= cols
    assert Case.objects.count() == 0
    r = c.post(reverse("cases:import"), {"file": _upload(good)})
    assert r.status_code == 302 and Case.objects.count() == 2
    cases = {c.external_id: c for c in Case.objects.all()}
    assert cases["GD001"].source == "hotline" and cases["GD001"].grid_id == cc.grid_a.pk
    assert cases["GD002"].area_unit_id == cc.community_b.pk
    # the same orders again: refused, nothing changed
    r = c.post(reverse("cases:import"), {"file": _upload(good)})
    assert len(r.context["failure"].errors) == 2 and Case.objects.count() == 2
    assert client_for(cc.liaison_a).get(reverse("cases:import")).status_code == 403


def test_capped_scoped_count_is_exact_under_the_cap_and_capped_over_it(cc, client_for):
    from chuangwen.cases import selectors
    from chuangwen.org.scope import scope_for_user

    make_cases(cc, 3)  # 3 in district A (community A's grid), 3 in district B
    # district A's territory, district B's department-like responsibility: one case of B is
    # given to community A (responsible unit in scope A, territory in B)
    moved = Case.objects.filter(area_unit=cc.community_b).first()
    Case.objects.filter(pk=moved.pk).update(unit=cc.community_a, unit_path=cc.community_a.path)
    scope = scope_for_user(cc.liaison_a.user)
    plain = lambda qs: qs  # noqa: E731

    def count(scope, cap, refine):
        return selectors.capped_case_count(
            scope, refine(selectors.cases_for_user(scope)), cap, refine
        )

    assert count(scope, 100, plain) == 4  # union, counted once each
    assert count(scope, 2, plain) == 3  # "more than 2"
    assert count(scope, 100, lambda qs: qs.filter(pk=moved.pk)) == 1
    office = scope_for_user(cc.office.user)
    assert count(office, 100, plain) == 6
    assert count(office, 5, plain) == 6
    # the page shows the same number as the list holds
    body = client_for(cc.liaison_a).get(reverse("cases:list")).content.decode()
    assert "共 4 条" in body


def test_inbox_unknown_tab_falls_back_and_counts_are_capped(cc, client_for, monkeypatch):
    from chuangwen.cases import views

    for i in range(3):
        cc.dispatched(text=f"各不相同的问题{i * 13}号", point=(IN_A[0] + i * 0.002, IN_A[1]))
    c = client_for(cc.liaison_a)
    body = c.get(reverse("cases:inbox"), {"tab": "to_dispatch"}).content.decode()
    assert 'active" href="?tab=to_handle"' in body and "共 3 条" in body
    monkeypatch.setattr(views, "LIST_CAP", 2)
    body = c.get(reverse("cases:inbox"), {"tab": "to_handle"}).content.decode()
    assert ">2+</span>" in body and "超过 2 条" in body


def test_a_big_export_runs_as_a_job_and_only_its_viewers_download_it(
    cc, client_for, monkeypatch, django_capture_on_commit_callbacks
):
    from chuangwen.cases import exports
    from chuangwen.core.choices import JobStatus
    from chuangwen.core.models import Job

    make_cases(cc, 3)  # 3 in district A, 3 in district B
    monkeypatch.setattr(exports, "DIRECT_EXPORT_ROWS", 2)
    liaison = client_for(cc.liaison_a)
    with django_capture_on_commit_callbacks(execute=True):
        r = liaison.get(reverse("cases:export"), {"q": "问题", "page": "2"})
    job = Job.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("job", args=[job.pk])
    assert job.kind == "cases.export" and job.params == {"query": {"q": ["问题"]}}
    assert job.status == JobStatus.SUCCEEDED and job.result["message"] == "已导出 3 件案件"
    assert (job.done, job.total) == (3, 3)
    r = liaison.get(job.result["url"])
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    ws = load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
    assert ws.max_row == 4  # the header and district A's three: the liaison's own scope
    assert all("乙区" not in str(c.value) for c in ws["E"])
    assert client_for(cc.liaison_b).get(job.result["url"]).status_code == 404
    assert client_for(cc.office).get(job.result["url"]).status_code == 200
    # a small export is still a direct download
    r = liaison.get(reverse("cases:export"), {"q": "问题描述第0号"})
    assert r.status_code == 200 and r["Content-Type"] == XLSX
    # bad filters are refused before anything is queued
    r = liaison.get(reverse("cases:export"), {"state": "nonsense"})
    assert r.status_code == 400 and Job.objects.count() == 1
