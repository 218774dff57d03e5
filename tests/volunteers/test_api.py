import datetime as dt

import pytest
from django.utils import timezone

from chuangwen.volunteers import services
from chuangwen.volunteers.models import Attendance, ServiceRecord
from tests.conftest import login
from tests.volunteers.helpers import PLACE, register

pytestmark = pytest.mark.django_db


def test_volunteer_list_is_masked_scoped_and_query_pinned(vc, django_assert_max_num_queries):
    for _ in range(5):
        register(vc.city, vc.sc.community_b)
    office = login(vc.sc.office)
    with django_assert_max_num_queries(10):
        r = office.get("/api/volunteers/volunteers")
    data = r.json()
    assert r.status_code == 200 and data["count"] == 6
    from chuangwen.core import crypto

    number = crypto.decrypt(vc.volunteer.id_cipher)
    assert number not in r.content.decode()
    assert {i["id_masked"][:3] for i in data["items"]} == {"990"}
    liaison_a = login(vc.sc.liaison_a).get("/api/volunteers/volunteers").json()
    assert [i["name"] for i in liaison_a["items"]] == ["李志愿"]
    assert office.get("/api/volunteers/volunteers", {"area": "x"}).status_code == 400


def test_me_signup_check_in_out_confirm_and_correct(vc):
    volunteer = login(vc.volunteer.person)
    me = volunteer.get("/api/volunteers/me").json()
    assert me["star_label"] == "注册志愿者" and me["hours"] == 0
    r = volunteer.post(f"/api/volunteers/activities/{vc.activity.pk}/signup")
    assert r.status_code == 200 and r.json()["signed_up"] == 1
    token_in = services.checkin_token(vc.activity, "in")
    url = f"/api/volunteers/activities/{vc.activity.pk}/check"
    body = {"token": token_in, "lon": PLACE[0], "lat": PLACE[1]}
    r = volunteer.post(url, body, content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["action"] == "in"
    r = volunteer.post(url, body, content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "already_checked_in"
    assert "请勿重复签到" in r.json()["message"]
    Attendance.objects.update(checked_in_at=timezone.now() - dt.timedelta(minutes=80))
    token_out = services.checkin_token(vc.activity, "out")
    far = {"token": token_out, "lon": PLACE[0] + 0.05, "lat": PLACE[1]}
    r = volunteer.post(url, far, content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "too_far"
    r = volunteer.post(url, {**far, "lon": PLACE[0]}, content_type="application/json")
    assert r.json()["attendance"]["minutes"] == 80
    # the organiser confirms and corrects
    organiser = login(vc.sc.liaison_a)
    rows = organiser.get(f"/api/volunteers/activities/{vc.activity.pk}/attendances").json()
    assert rows["count"] == 1
    r = organiser.post(
        f"/api/volunteers/activities/{vc.activity.pk}/confirm", {}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()[0]["minutes"] == 80
    record_id = r.json()[0]["id"]
    r = organiser.post(
        f"/api/volunteers/records/{record_id}/correct",
        {"minutes": 20, "reason": "补录"},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["corrects_id"] == record_id
    assert volunteer.get("/api/volunteers/me").json()["total_minutes"] == 100
    # another district neither sees the attendances nor corrects
    other = login(vc.sc.liaison_b)
    assert other.get(f"/api/volunteers/activities/{vc.activity.pk}/attendances").status_code == 404
    r = other.post(
        f"/api/volunteers/records/{record_id}/correct",
        {"minutes": 5, "reason": "x"},
        content_type="application/json",
    )
    assert r.status_code == 404
    assert ServiceRecord.objects.count() == 2


def test_bad_bodies_are_400(vc):
    volunteer = login(vc.volunteer.person)
    url = f"/api/volunteers/activities/{vc.activity.pk}/check"
    r = volunteer.post(url, {"token": "x", "lon": 500}, content_type="application/json")
    assert r.status_code == 400
    r = volunteer.post(url, {"token": "x:y:z", "lon": 1, "lat": 1}, content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "qr_invalid"
    assert volunteer.get("/api/volunteers/activities/999999").status_code == 404


def test_teams_and_activities_created_through_the_api(vc, django_assert_max_num_queries):
    office = login(vc.sc.office)
    r = office.post(
        "/api/volunteers/teams",
        {"name": "城管志愿服务队", "unit_id": vc.sc.dept.pk},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    team_id = r.json()["id"]
    start = timezone.now() + dt.timedelta(days=2)
    r = office.post(
        "/api/volunteers/activities",
        {
            "title": "交通劝导",
            "organiser_kind": "team",
            "team_id": team_id,
            "place": "五一路口",
            "lon": 113.01,
            "lat": 28.01,
            "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=3)).isoformat(),
            "capacity": 8,
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    assert r.json()["unit_id"] == vc.sc.dept.pk and r.json()["organiser"] == "城管志愿服务队"
    r = office.post(
        "/api/volunteers/activities",
        {
            "title": "x",
            "organiser_kind": "unit",
            "unit_id": vc.sc.dept.pk,
            "place": "p",
            "lon": 113.01,
            "lat": 28.01,
            "starts_at": start.isoformat(),
            "ends_at": start.isoformat(),
            "capacity": 8,
        },
        content_type="application/json",
    )
    assert r.status_code == 400 and "结束时间必须晚于开始时间" in r.json()["message"]
    with django_assert_max_num_queries(10):
        r = office.get("/api/volunteers/activities")
    assert r.json()["count"] == 2
    assert (
        login(vc.sc.liaison_b)
        .post(
            "/api/volunteers/teams",
            {"name": "越权队", "unit_id": vc.sc.dept.pk},
            content_type="application/json",
        )
        .status_code
        == 403
    )
