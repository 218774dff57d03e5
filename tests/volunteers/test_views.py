import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from chuangwen.core.audit import AuditEvent
from chuangwen.org.actors import SYSTEM
from chuangwen.volunteers import certificates, services
from chuangwen.volunteers.choices import CheckAction
from chuangwen.volunteers.models import Attendance, Certificate, ServiceRecord, Volunteer
from tests.conftest import login
from tests.factories import PASSWORD
from tests.volunteers.helpers import PLACE, id_number, register

pytestmark = pytest.mark.django_db


def _issuer(vc, seal=None):
    return services.save_issuer(
        vc.city,
        name="测试市志愿服务联合会",
        person_in_charge="周负责",
        handler="吴经办",
        contact="0731-88888888",
        seal=seal,
        acting_user=SYSTEM,
    )


def _served(vc, minutes=120):
    t0 = timezone.now() - dt.timedelta(minutes=minutes + 1)
    vc.check(CheckAction.IN, at=t0)
    vc.check(CheckAction.OUT, at=t0 + dt.timedelta(minutes=minutes))
    return services.confirm_hours(vc.activity, acting_user=SYSTEM)


# --- the public registration page --------------------------------------------------------------


def test_public_registration_logs_the_new_volunteer_in(small_city):
    client = Client()
    url = reverse("volunteers:register", args=[small_city.city.code])
    page = client.get(url)
    assert page.status_code == 200
    assert "志愿者注册" in page.content.decode()
    token = page.context["form"].initial["token"]
    data = {
        "token": token,
        "name": "陈小红",
        "phone": "13955556666",
        "id_number": id_number(),
        "area": str(small_city.community_a.pk),
        "skills": ["文明劝导", "医疗救护"],
        "password": PASSWORD,
        "agree": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    assert response.url == reverse("volunteers:me")
    v = Volunteer.objects.get(person__name="陈小红")
    assert v.skills == ["文明劝导", "医疗救护"]
    me = client.get(reverse("volunteers:me"))
    assert "陈小红" in me.content.decode()
    # the same form sent again registers nothing new
    Client().post(url, data)
    assert Volunteer.objects.count() == 1


def test_registration_shows_the_check_digit_error(small_city):
    url = reverse("volunteers:register", args=[small_city.city.code])
    client = Client()
    token = client.get(url).context["form"].initial["token"]
    number = id_number()
    response = client.post(
        url,
        {
            "token": token,
            "name": "错号",
            "phone": "13955556667",
            "id_number": number[:17] + ("0" if number[17] != "0" else "1"),
            "area": str(small_city.community_a.pk),
            "password": PASSWORD,
            "agree": "on",
        },
    )
    assert response.status_code == 200
    assert "校验位错误" in response.content.decode()
    assert not Volunteer.objects.exists()


# --- the volunteer's pages: my page, scan page, certificate -------------------------------------


def test_my_page_shows_hours_star_and_open_activities(vc):
    _served(vc, 90)
    client = login(vc.volunteer.person)
    body = client.get(reverse("volunteers:me")).content.decode()
    assert "1.5" in body and "注册志愿者" in body
    assert vc.activity.title in body


def test_scan_page_checks_in_and_refuses_a_second_check_in(vc):
    client = login(vc.volunteer.person)
    url = reverse(
        "volunteers:scan", args=[vc.activity.pk, services.checkin_token(vc.activity, "in")]
    )
    page = client.get(url)
    assert page.status_code == 200 and "确认签到" in page.content.decode()
    done = client.post(url, {"lon": PLACE[0], "lat": PLACE[1]})
    assert done.status_code == 200 and "签到成功" in done.content.decode()
    again = client.post(url, {"lon": PLACE[0], "lat": PLACE[1]})
    assert again.status_code == 400 and "请勿重复签到" in again.content.decode()
    assert Attendance.objects.count() == 1


def test_scan_page_with_a_token_of_another_activity(vc):
    from tests.volunteers.helpers import activity

    other = activity(vc.city, vc.sc.community_a)
    client = login(vc.volunteer.person)
    url = reverse("volunteers:scan", args=[vc.activity.pk, services.checkin_token(other, "in")])
    page = client.post(url, {"lon": PLACE[0], "lat": PLACE[1]})
    assert page.status_code == 400
    assert "另一项活动" in page.content.decode()
    assert not Attendance.objects.exists()


def test_certificate_pdf_renders_with_a_drawn_seal(vc):
    _issuer(vc)
    _served(vc, 150)
    client = login(vc.volunteer.person)
    response = client.post(reverse("volunteers:certificate_new"))
    cert = Certificate.objects.get()
    assert response.url == reverse("volunteers:certificate", args=[cert.pk])
    assert cert.serial == f"ZYFW-{vc.city.code.upper()}-{timezone.localdate().year}-000001"
    pdf = client.get(response.url)
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert "filename*=utf-8''" in pdf["Content-Disposition"]
    html = certificates.render_to_string(
        "volunteers/certificate_pdf.html", certificates.certificate_context(cert)
    )
    from chuangwen.core import crypto

    number = crypto.decrypt(vc.volunteer.id_cipher)
    for text in ["李志愿", number, "2.5", "周负责", "吴经办", "0731-88888888", cert.serial,
                 "非实物印章", vc.activity.title]:  # fmt: skip
        assert text in html, text
    # another volunteer may not download it
    other = register(vc.city, vc.sc.community_a)
    assert login(other.person).get(response.url).status_code == 404


def test_certificate_uses_the_uploaded_seal(vc):
    buf = io.BytesIO()
    Image.new("RGBA", (60, 60), (200, 0, 0, 255)).save(buf, "PNG")
    _issuer(vc, seal=SimpleUploadedFile("seal.png", buf.getvalue(), "image/png"))
    _served(vc)
    cert = services.issue_certificate(vc.volunteer, acting_user=vc.user)
    context = certificates.certificate_context(cert)
    assert context["seal_uri"].startswith("data:image/png;base64,")
    assert certificates.certificate_pdf(cert).startswith(b"%PDF")


def test_no_certificate_without_confirmed_hours(vc):
    _issuer(vc)
    client = login(vc.volunteer.person)
    client.post(reverse("volunteers:certificate_new"))
    page = client.get(reverse("volunteers:me"))
    assert "暂不能出具证明" in page.content.decode()
    assert not Certificate.objects.exists()


# --- organiser pages ------------------------------------------------------------------------------


def test_organiser_publishes_shows_the_qr_and_confirms(vc):
    client = login(vc.sc.liaison_a)
    start = timezone.localtime() + dt.timedelta(days=1)
    response = client.post(
        reverse("volunteers:activity_new"),
        {
            "title": "周末清洁家园",
            "organiser_kind": "community",
            "unit": str(vc.sc.community_a.pk),
            "place": "甲社区广场",
            "lon": PLACE[0],
            "lat": PLACE[1],
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "capacity": 20,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    activity_url = response.url
    qr = client.get(reverse("volunteers:qr", args=[vc.activity.pk]))
    assert qr.status_code == 200
    svg = client.get(reverse("volunteers:qr_svg", args=[vc.activity.pk, "in"]))
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    assert f"/volunteers/scan/{vc.activity.pk}/" in svg["X-Scan-Link"]
    assert client.get(activity_url).status_code == 200
    # the volunteer checks in and out; the organiser confirms on the activity page
    vc.check(CheckAction.IN, at=timezone.now() - dt.timedelta(minutes=61))
    vc.check(CheckAction.OUT)
    page = client.get(reverse("volunteers:activity", args=[vc.activity.pk]))
    assert "待确认" in page.content.decode()
    client.post(reverse("volunteers:activity_action", args=[vc.activity.pk, "confirm"]))
    record = ServiceRecord.objects.get()
    assert record.minutes == 61
    client.post(
        reverse("volunteers:correct", args=[record.pk]), {"minutes": -10, "reason": "中途离开"}
    )
    assert [r.minutes for r in ServiceRecord.objects.order_by("id")] == [61, -10]
    # another district's liaison sees the activity but cannot manage it
    other = login(vc.sc.liaison_b)
    assert other.get(reverse("volunteers:qr", args=[vc.activity.pk])).status_code == 404


def test_volunteer_has_no_office_pages(vc):
    client = login(vc.volunteer.person)
    assert client.get(reverse("volunteers:list")).status_code == 403
    assert client.get(reverse("volunteers:qr", args=[vc.activity.pk])).status_code == 404


# --- office pages --------------------------------------------------------------------------------


def test_office_list_masks_ids_and_reveal_is_audited(vc, django_assert_max_num_queries):
    for _ in range(5):
        register(vc.city, vc.sc.community_b)
    client = login(vc.sc.office)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("volunteers:list"))
    body = page.content.decode()
    from chuangwen.core import crypto

    number = crypto.decrypt(vc.volunteer.id_cipher)
    assert vc.volunteer.id_masked in body and number not in body
    detail = client.get(reverse("volunteers:volunteer", args=[vc.volunteer.pk])).content.decode()
    assert number not in detail
    revealed = client.post(
        reverse("volunteers:reveal", args=[vc.volunteer.pk]), {"reason": "办理保险"}
    )
    assert number in revealed.content.decode()
    assert AuditEvent.objects.filter(code="volunteers.volunteer.id_revealed").count() == 1
    # a unit liaison sees their district's volunteers, masked, and may not reveal
    liaison = login(vc.sc.liaison_a)
    assert vc.volunteer.person.name in liaison.get(reverse("volunteers:list")).content.decode()
    assert (
        liaison.post(
            reverse("volunteers:reveal", args=[vc.volunteer.pk]), {"reason": "x"}
        ).status_code
        == 403
    )


def test_hours_export_and_import_template(vc):
    _served(vc, 60)
    client = login(vc.sc.office)
    response = client.get(reverse("volunteers:export"), {"since": "2000-01-01"})
    assert response.status_code == 200
    assert response.content[:2] == b"PK"
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(response.content))
    rows = list(wb["志愿服务时长"].values)
    assert rows[0][0] == "姓名"
    assert rows[1][0] == "李志愿" and rows[1][5] == 1
    assert client.get(reverse("volunteers:export"), {"since": "x"}).status_code == 400
    template = client.get(reverse("volunteers:import"), {"template": "1"})
    assert template.content[:2] == b"PK"


def test_settings_and_teams_pages(vc):
    client = login(vc.sc.office)
    response = client.post(
        reverse("volunteers:settings"),
        {
            "form": "settings",
            "resident_population": 5000,
            "star_hours": "50, 100，200,400,800",
            "checkin_radius_m": 500,
            "qr_minutes": 5,
        },
    )
    assert response.status_code == 302
    conf = services.settings_for(vc.city.pk)
    assert conf.star_hours == [50, 100, 200, 400, 800] and conf.qr_minutes == 5
    bad = client.post(
        reverse("volunteers:settings"),
        {"form": "settings", "resident_population": 1, "star_hours": "5,4,3,2,1",
         "checkin_radius_m": 500, "qr_minutes": 5},
    )  # fmt: skip
    assert "逐级递增" in bad.content.decode()
    response = client.post(
        reverse("volunteers:teams"), {"name": "青年突击队", "unit": str(vc.sc.dept.pk)}
    )
    assert response.status_code == 302
    assert "青年突击队" in client.get(reverse("volunteers:teams")).content.decode()
